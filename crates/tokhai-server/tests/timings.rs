//! The timing collector, satisfaction ratings and the QA summary: forged beacons are refused or clamped,
//! no beacon carries a value, and the dashboard's figures come out of the stored timelines.

mod common;

use common::{config, postgres, submission, values_from, Client};
use serde_json::{json, Value};
use tokhai_server::config::Config;

fn code(body: &Value) -> (&str, &str) {
    (
        body["reasons"][0]["code"].as_str().unwrap_or_default(),
        body["reasons"][0]["path"].as_str().unwrap_or_default(),
    )
}

fn ev(at: i64, kind: Value) -> Value {
    let mut e = kind;
    e["at"] = json!(at);
    e
}

async fn rate(c: &Client, body: Value) -> (u16, Value, reqwest::header::HeaderMap) {
    c.post_raw("/api/satisfaction", body.to_string(), "application/json")
        .await
}

#[tokio::test]
async fn beacons_are_checked_clamped_and_summed_up_on_sqlite() {
    beacons_are_checked_clamped_and_summed_up(config("timings")).await;
}

#[tokio::test]
async fn beacons_are_checked_clamped_and_summed_up_on_postgres() {
    let Some((url, _held)) = postgres().await else { return };
    let mut c = config("timings-pg");
    c.database_url = Some(url);
    c.registry_seed = 2028;
    beacons_are_checked_clamped_and_summed_up(c).await;
}

async fn beacons_are_checked_clamped_and_summed_up(c: Config) {
    let running = tokhai_server::start(c).await.expect("server starts");
    let db = running.state.db.clone();
    // A PostgreSQL test database outlives the test: start from no timings.
    for table in ["timings", "satisfaction"] {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&db).await.unwrap();
    }
    let mut client = Client::new(&running);
    let pin = client.dev_login().await;
    // The citizen logged in ten minutes ago.
    for table in ["login_sessions", "logins"] {
        sqlx::query(&format!("UPDATE {table} SET login_at = login_at - 600000"))
            .execute(&db)
            .await
            .unwrap();
    }
    let (_, me) = client.get("/api/me").await;
    let login = me["login_at"].as_i64().unwrap();
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let values = values_from(&bundle);
    let name = values["full_name"].as_str().unwrap().to_owned();
    let (_, first) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    let dossier = first["receipt"]["id"].as_str().unwrap().to_owned();
    let (_, second) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    let dossier2 = second["receipt"]["id"].as_str().unwrap().to_owned();
    // Received 201 s and 150 s after the login, as the server's own clock has it: the times filings are
    // timed to, whatever their beacons say.
    for (id, after) in [(&dossier, 201_000), (&dossier2, 150_000)] {
        sqlx::query("UPDATE submissions SET received_at = $1 WHERE id = $2")
            .bind(login + after)
            .bind(id.clone())
            .execute(&db)
            .await
            .unwrap();
    }

    let beacon = |session: &str, dossier: Option<&str>, events: Vec<Value>| {
        let mut b = json!({"form_id": "demo", "session_id": session, "timeline": {"fields_total": 8, "fields_prefilled": 6, "events": events}});
        if let Some(d) = dossier {
            b["dossier_id"] = json!(d);
        }
        b.to_string()
    };
    let send = |body: String| {
        let client = &client;
        async move { client.post_raw("/api/timings", body, "text/plain;charset=UTF-8").await }
    };

    // A filing that ended in a receipt: first the abandonment beacon, then the full one replacing it.
    let filed = vec![
        ev(login + 10_000, json!({"type": "start"})),
        ev(login + 10_000, json!({"type": "step", "step": "citizen"})),
        ev(login + 20_000, json!({"type": "focus", "field": "phone"})),
        ev(login + 30_000, json!({"type": "change", "field": "phone"})),
        ev(
            login + 31_000,
            json!({"type": "error_shown", "field": "phone", "code": "phone.length"}),
        ),
        ev(login + 40_000, json!({"type": "blur", "field": "phone"})),
        ev(login + 100_000, json!({"type": "step", "step": "review"})),
        ev(login + 200_000, json!({"type": "submit"})),
        ev(login + 201_000, json!({"type": "receipt"})),
    ];
    let (status, body, _) = send(beacon("session-filed-0001", None, filed[..6].to_vec())).await;
    assert_eq!((status, &body["status"]), (202, &json!("recorded")), "{body}");
    let (status, body, _) = send(beacon("session-filed-0001", Some(&dossier), filed.clone())).await;
    assert_eq!((status, &body["clamped"]), (202, &json!(0)), "{body}");
    // The shorter beacon arriving late does not replace the longer one.
    let (status, body, _) = send(beacon("session-filed-0001", None, filed[..3].to_vec())).await;
    assert_eq!((status, &body["status"]), (202, &json!("kept_newer")));

    // A filing abandoned on the request field.
    let left = vec![
        ev(login + 5_000, json!({"type": "start"})),
        ev(login + 5_000, json!({"type": "step", "step": "citizen"})),
        ev(login + 50_000, json!({"type": "focus", "field": "reason"})),
        ev(login + 60_000, json!({"type": "hidden"})),
    ];
    assert_eq!(send(beacon("session-left-00001", None, left)).await.0, 202);

    // A forged beacon: submitted before the login, a receipt in the year 33000, a negative time.
    let forged = vec![
        ev(-5, json!({"type": "start"})),
        ev(login - 3_600_000, json!({"type": "submit"})),
        ev(1_000_000_000_000_000, json!({"type": "receipt"})),
    ];
    let (status, body, _) = send(beacon("session-forged-001", Some(&dossier2), forged)).await;
    assert_eq!(
        (status, &body["clamped"]),
        (202, &json!(3)),
        "every forged time is moved: {body}"
    );

    // Timed by a computer ten minutes slow (the widget could not read the portal's clock): put on the
    // server's clock by the beacon's sending time, not clamped to the login.
    let slow = |at: i64| at - 600_000;
    let behind = vec![
        ev(slow(login + 500_000), json!({"type": "start"})),
        ev(slow(login + 500_000), json!({"type": "step", "step": "citizen"})),
        ev(slow(login + 504_000), json!({"type": "focus", "field": "phone"})),
    ];
    let mut late: Value = serde_json::from_str(&beacon("session-slow-00001", None, behind)).unwrap();
    late["sent_at"] = json!(slow(tokhai_server::now_ms()));
    let (status, body, _) = send(late.to_string()).await;
    assert_eq!((status, &body["clamped"]), (202, &json!(0)), "{body}");
    let (timeline,): (String,) = sqlx::query_as("SELECT timeline FROM timings WHERE session_id = 'session-slow-00001'")
        .fetch_one(&db)
        .await
        .unwrap();
    let focus = serde_json::from_str::<Value>(&timeline).unwrap()["events"][2]["at"]
        .as_f64()
        .unwrap();
    assert!(
        (focus - (login + 504_000) as f64).abs() < 2_000.0,
        "the focus at {focus}"
    );
    sqlx::query("DELETE FROM timings WHERE session_id = 'session-slow-00001'")
        .execute(&db)
        .await
        .unwrap();

    // Refused: a value riding along, an unknown key, a name not in the form, a bad session id,
    // someone else's dossier, no login.
    let with_value = vec![ev(
        login + 1_000,
        json!({"type": "change", "field": "full_name", "value": name}),
    )];
    let (status, body, _) = send(beacon("session-value-0001", None, with_value)).await;
    assert_eq!(
        (status, code(&body)),
        (400, ("payload.unexpected_key", "timeline.events[0].value"))
    );
    let mut values_too: Value = serde_json::from_str(&beacon("session-value-0002", None, vec![])).unwrap();
    values_too["values"] = values.clone();
    let (status, body, _) = send(values_too.to_string()).await;
    assert_eq!((status, code(&body).0), (400, "payload.unexpected_key"));
    let typed_in_name = vec![ev(login + 1_000, json!({"type": "focus", "field": pin}))];
    let (status, body, _) = send(beacon("session-value-0003", None, typed_in_name)).await;
    assert_eq!(
        (status, code(&body)),
        (400, ("timing.unknown_name", "timeline.events[0]"))
    );
    let (status, body, _) = send(beacon("short", None, vec![])).await;
    assert_eq!((status, code(&body)), (400, ("payload.invalid_value", "session_id")));
    // Counts that cannot be: refused by the core's check of a timeline, with its reason.
    for (total, prefilled) in [(10_001, 0), (3, 4)] {
        let mut counts: Value = serde_json::from_str(&beacon("session-count-0001", None, vec![])).unwrap();
        counts["timeline"]["fields_total"] = json!(total);
        counts["timeline"]["fields_prefilled"] = json!(prefilled);
        let (status, body, _) = send(counts.to_string()).await;
        assert_eq!((status, code(&body).0), (400, "timing.invalid"), "{total}: {body}");
    }
    // (A citizen's action, for the beacons below to be filings.)
    let touched = || vec![ev(login + 1_000, json!({"type": "focus", "field": "phone"}))];
    let (status, body, _) = send(beacon("session-wrong-0001", Some("HS20250101-0000"), touched())).await;
    assert_eq!((status, code(&body).0), (404, "dossier.not_found"));
    // A page opened and left untouched is no filing (counted, it would be an abandoned one).
    let viewed = vec![
        ev(login + 1_000, json!({"type": "start"})),
        ev(login + 2_000, json!({"type": "hidden"})),
    ];
    for events in [vec![], viewed] {
        let (status, body, _) = send(beacon("session-viewed-001", None, events)).await;
        assert_eq!((status, code(&body).0), (422, "timing.no_activity"), "{body}");
    }
    // A receipt with no dossier the back end received would count a filing as submitted on its word.
    let (status, body, _) = send(beacon("session-unbound-01", None, filed.clone())).await;
    assert_eq!((status, code(&body).0), (422, "timing.receipt_unbound"), "{body}");
    // Another session naming a dossier that has its filing's record would count it twice.
    let (status, body, _) = send(beacon("session-twice-0001", Some(&dossier), filed.clone())).await;
    assert_eq!((status, code(&body).0), (409, "timing.dossier_taken"), "{body}");
    let mut stranger = Client::new(&running);
    let (status, _, _) = stranger
        .post_raw(
            "/api/timings",
            beacon("session-strange-01", None, touched()),
            "text/plain",
        )
        .await;
    assert_eq!(status, 401, "a beacon needs a login");
    let (_, list) = stranger.get("/api/dev/citizens?limit=2").await;
    let other_pin = list["citizens"][1]["pin"].as_str().unwrap().to_owned();
    stranger.post("/api/dev/login", &json!({"pin": other_pin})).await;
    let (status, body, _) = stranger
        .post_raw(
            "/api/timings",
            beacon("session-left-00001", None, touched()),
            "text/plain",
        )
        .await;
    assert_eq!((status, code(&body).0), (409, "timing.session_taken"));

    // Logging in again during a filing (ten minutes after the first login) keeps its start: the
    // session's first login, and its events where they were.
    let mut again = Client::new(&running);
    again.post("/api/dev/login", &json!({"pin": pin})).await;
    let mut longer = vec![
        ev(login + 5_000, json!({"type": "start"})),
        ev(login + 5_000, json!({"type": "step", "step": "citizen"})),
        ev(login + 50_000, json!({"type": "focus", "field": "reason"})),
    ];
    longer.push(ev(login + 60_000, json!({"type": "hidden"})));
    longer.push(ev(login + 61_000, json!({"type": "shown"})));
    let (status, body, _) = again
        .post_raw("/api/timings", beacon("session-left-00001", None, longer), "text/plain")
        .await;
    assert_eq!(status, 202, "{body}");
    let (kept_login, timeline): (i64, String) =
        sqlx::query_as("SELECT login_at, timeline FROM timings WHERE session_id = 'session-left-00001'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(kept_login, login, "the first login");
    assert!(
        timeline.contains(&format!("\"at\":{}", login + 5_000)),
        "no event moved: {timeline}"
    );
    // Also when the filing's first record comes after the second login: the widget says the first login,
    // which is taken if it is one of this citizen's logins, and not otherwise.
    for (session, said, taken) in [
        ("session-said-00001", login, true),
        ("session-said-00002", login - 1, false),
    ] {
        let mut body: Value = serde_json::from_str(&beacon(session, None, touched())).unwrap();
        body["timeline"]["login_at"] = json!(said);
        let (status, reply, _) = again.post_raw("/api/timings", body.to_string(), "text/plain").await;
        assert_eq!(status, 202, "{reply}");
        let (stored,): (i64,) = sqlx::query_as("SELECT login_at FROM timings WHERE session_id = $1")
            .bind(session)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(stored == said, taken, "said {said}, stored {stored}");
        sqlx::query("DELETE FROM timings WHERE session_id = $1")
            .bind(session)
            .execute(&db)
            .await
            .unwrap();
    }

    // Nothing stored names the citizen or holds a value.
    let stored: Vec<(String, String)> = sqlx::query_as("SELECT subject_hash, timeline FROM timings")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 3);
    for (subject, timeline) in &stored {
        assert!(!subject.contains(&pin) && !timeline.contains(&pin) && !timeline.contains(&name));
    }

    // Satisfaction: once per dossier, by its owner, 1 to 5.
    let (status, _, _) = rate(
        &client,
        json!({"dossier_id": dossier, "rating": 5, "comment": " Nhanh  gọn "}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body, _) = rate(&client, json!({"dossier_id": dossier, "rating": 1})).await;
    assert_eq!((status, code(&body).0), (409, "satisfaction.already_rated"));
    let (status, body, _) = rate(&client, json!({"dossier_id": dossier2, "rating": 7})).await;
    assert_eq!((status, code(&body)), (400, ("payload.invalid_value", "rating")));
    let (status, body, _) = rate(&stranger, json!({"dossier_id": dossier2, "rating": 2})).await;
    assert_eq!((status, code(&body).0), (404, "dossier.not_found"));
    assert_eq!(rate(&client, json!({"dossier_id": dossier2, "rating": 4})).await.0, 201);
    let (comment,): (Option<String>,) = sqlx::query_as("SELECT comment FROM satisfaction WHERE dossier_id = $1")
        .bind(dossier.clone())
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(comment.as_deref(), Some("Nhanh gọn"));

    // The dashboard's summary.
    let (status, s) = client.get("/api/qa/forms/demo/summary?days=7").await;
    assert_eq!(status, 200, "{s}");
    let a = &s["aggregate"];
    assert_eq!(
        (a["filings"].as_u64(), a["submitted"].as_u64()),
        (Some(3), Some(2)),
        "{s}"
    );
    // The forged filing counts as its dossier's 150 s from login to receipt, whatever it claims; the real
    // one as 201 s (its submit pressed at 200 s).
    assert_eq!(
        (a["median_ms"].as_f64(), a["p90_ms"].as_f64()),
        (Some(150_000.0), Some(201_000.0))
    );
    assert_eq!(a["share_within_target"].as_f64(), Some(1.0));
    // The national target is set on the average.
    assert_eq!(
        (a["mean_ms"].as_f64(), a["attempted"].as_u64()),
        (Some(175_500.0), Some(0))
    );
    assert!((a["abandonment_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(s["target_ms"].as_f64(), Some(300_000.0));
    assert_eq!(s["klm"], json!(tokhai_core::estimate::Klm::default()));
    let buckets = s["histogram"]["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 21);
    assert_eq!(
        (buckets[5]["count"].as_u64(), buckets[6]["count"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(s["daily"].as_array().map(Vec::len), Some(1));
    assert_eq!(s["errors"][0]["code"], json!("phone.length"));
    assert_eq!(s["errors"][0]["label"]["vi"], json!("Số điện thoại"));
    assert_eq!(s["abandoned_at"][0]["place"], json!("citizen / reason"));
    assert_eq!(s["abandoned_at"][0]["labels"][1]["en"], json!("Request"));
    let review = s["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["step"] == "review")
        .unwrap();
    assert_eq!(
        (review["median_ms"].as_f64(), review["label"]["en"].as_str()),
        (Some(100_000.0), Some("Review and submit"))
    );
    assert_eq!(s["fields"][0]["field"], json!("phone"));
    let sat = &s["satisfaction"];
    assert_eq!(
        (sat["count"].as_u64(), sat["mean"].as_f64(), sat["comments"].as_u64()),
        (Some(2), Some(4.5), Some(1))
    );
    assert_eq!(sat["distribution"], json!([0, 0, 0, 1, 1]));
    assert_eq!(
        (&sat["satisfied_share"], &sat["meets_target"], &sat["target"]),
        (&json!(1.0), &json!(true), &json!(0.95))
    );
    assert!(!s.to_string().contains("Nhanh"), "comments are not published");

    // The same filings line by line, for a report: the real one at 201 s, the forged one at 150 s (both
    // within the target), and the one left at the citizen step's "reason".
    let (status, csv) = client.get_text("/api/qa/forms/demo/filings.csv?days=7").await;
    assert_eq!(status, 200, "{csv}");
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    let head: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(head.len(), 19);
    assert_eq!(lines.len(), 4, "{csv}");
    let column = |line: &str, name: &str| {
        let i = head.iter().position(|h| *h == name).unwrap();
        line.split(',').nth(i).unwrap().to_owned()
    };
    let mut rows: Vec<[String; 5]> = lines[1..]
        .iter()
        .map(|l| {
            [
                "outcome",
                "login_to_submit_s",
                "within_target",
                "left_at_step",
                "left_at_field",
            ]
            .map(|c| column(l, c))
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ["abandoned", "", "", "citizen", "reason"],
            ["submitted", "150.0", "yes", "", ""],
            ["submitted", "201.0", "yes", "", ""],
        ]
        .map(|r| r.map(String::from))
    );
    assert!(lines[1..]
        .iter()
        .all(|l| l.split(',').count() == 19 && column(l, "timed_from") == "login"));
    assert!(!csv.contains(&pin) && !csv.contains(&name));
    // Each line's form, dossier, receipt and clock start (ISO, in Viet Nam) and login method.
    let real = lines[1..]
        .iter()
        .find(|l| column(l, "login_to_submit_s") == "201.0")
        .unwrap();
    let iso = tokhai_core::Date::viet_nam_iso;
    assert_eq!(
        ["form_id", "dossier_id", "received_at", "started_at", "login_method"].map(|c| column(real, c)),
        [
            "demo".into(),
            dossier.clone(),
            iso(login + 201_000),
            iso(login),
            "dev".into()
        ]
    );
    assert!(iso(login).ends_with("+07:00") && column(real, "start_time") == iso(login)[11..16]);

    // All procedures together: the same filings, each form's figures, no form's steps or fields.
    let (status, all) = client.get("/api/qa/summary?days=7").await;
    assert_eq!(status, 200, "{all}");
    assert_eq!((&all["aggregate"], &all["daily"]), (&s["aggregate"], &s["daily"]));
    assert_eq!(all["forms"][0]["form_id"], json!("demo"));
    assert_eq!(all["forms"][0]["filings"].as_u64(), Some(3));
    assert!(all["steps"].is_null() && all["form_id"].is_null());
    let (status, all_csv) = client.get_text("/api/qa/filings.csv?days=7").await;
    assert_eq!((status, all_csv), (200, csv.clone()));
    let (status, body) = client.get("/api/qa/forms/demo/filings.csv?days=400").await;
    assert_eq!((status, code(&body)), (400, ("payload.invalid_value", "days")));

    // A second filing in one login is timed from the dossier filed before it, not from the login the
    // citizen spent on the first: the portal's page and the collector both say so.
    let (_, me) = client.get("/api/me").await;
    // (The latest dossier received, as set above.)
    let before = login + 201_000;
    assert_eq!(me["filing_from"].as_i64(), Some(before), "{me}");
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let (_, third) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    let next = vec![
        ev(before + 5, json!({"type": "start"})),
        ev(before + 10, json!({"type": "focus", "field": "phone"})),
        ev(before + 20, json!({"type": "submit"})),
        ev(
            third["receipt"]["received_at"].as_i64().unwrap(),
            json!({"type": "receipt"}),
        ),
    ];
    // Received 20 ms after the first one, by the server's clock (as set here).
    sqlx::query("UPDATE submissions SET received_at = $1 WHERE id = $2")
        .bind(before + 20)
        .bind(third["receipt"]["id"].as_str().unwrap())
        .execute(&db)
        .await
        .unwrap();
    let next = beacon("session-next-0001", third["receipt"]["id"].as_str(), next);
    let (status, body, _) = client.post_raw("/api/timings", next, "text/plain;charset=UTF-8").await;
    assert_eq!(status, 202, "{body}");
    let (start,): (i64,) = sqlx::query_as("SELECT login_at FROM timings WHERE session_id = 'session-next-0001'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(start, before);

    // Calendar days in Viet Nam, the login method and the target of a report.
    let today = tokhai_core::Date::in_viet_nam(login);
    let (yesterday, tomorrow) = (today.add_days(-1), today.add_days(1));
    for (query, filings, share) in [
        (format!("from={today}&to={today}"), 4, 1.0),
        (format!("from={yesterday}&to={tomorrow}&target=100"), 4, 1.0 / 3.0),
        (format!("from={tomorrow}&to={tomorrow}"), 0, f64::NAN),
        ("login_method=dev".to_owned(), 4, 1.0),
        ("login_method=oidc".to_owned(), 0, f64::NAN),
    ] {
        let (status, s) = client.get(&format!("/api/qa/forms/demo/summary?{query}")).await;
        assert_eq!(status, 200, "{query}: {s}");
        assert_eq!(s["aggregate"]["filings"].as_u64(), Some(filings), "{query}: {s}");
        let got = s["aggregate"]["share_within_target"].as_f64().unwrap_or(f64::NAN);
        assert!(got == share || got.is_nan() && share.is_nan(), "{query}: {s}");
    }
    let (_, s) = client
        .get(&format!(
            "/api/qa/forms/demo/summary?from={today}&to={today}&target=100"
        ))
        .await;
    assert_eq!((s["target_ms"].as_f64(), s["days"].as_u64()), (Some(100_000.0), None));
    assert_eq!(s["from"], json!(today.to_string()));

    for (query, refused) in [
        ("days=0", ("payload.invalid_value", "days")),
        ("days=week", ("payload.invalid_value", "days")),
        ("day=7", ("payload.unexpected_key", "day")),
        ("from=2026-12-01", ("payload.missing_key", "to")),
        ("from=2026-12-01&to=2026-13-01", ("payload.invalid_value", "to")),
        ("from=01/12/2026&to=2026-12-02", ("payload.invalid_value", "from")),
        ("from=2026-12-02&to=2026-12-01", ("payload.invalid_value", "to")),
        ("from=2025-11-30&to=2026-12-01", ("payload.invalid_value", "to")),
        (
            "days=7&from=2026-12-01&to=2026-12-02",
            ("payload.unexpected_key", "days"),
        ),
        ("target=29", ("payload.invalid_value", "target")),
        ("target=3601", ("payload.invalid_value", "target")),
        ("login_method=facebook", ("payload.invalid_value", "login_method")),
        ("include_qa=maybe", ("payload.invalid_value", "include_qa")),
    ] {
        let (status, body) = client.get(&format!("/api/qa/forms/demo/summary?{query}")).await;
        assert_eq!((status, code(&body)), (400, refused), "{query}");
    }
    let (status, body) = client.get("/api/qa/forms/none/summary").await;
    assert_eq!((status, code(&body).0), (404, "submission.form_unknown"));
    running.task.abort();
}

#[tokio::test]
async fn a_citizen_s_beacons_invent_no_more_than_a_day_s_share_of_abandoned_filings_on_sqlite() {
    beacons_invent_no_more_than_a_day_s_share(config("open-filings")).await;
}

#[tokio::test]
async fn a_citizen_s_beacons_invent_no_more_than_a_day_s_share_of_abandoned_filings_on_postgres() {
    let Some((url, _held)) = postgres().await else { return };
    let mut c = config("open-filings-pg");
    c.database_url = Some(url);
    c.registry_seed = 2030;
    beacons_invent_no_more_than_a_day_s_share(c).await;
}

async fn beacons_invent_no_more_than_a_day_s_share(c: Config) {
    let running = tokhai_server::start(c).await.expect("server starts");
    // A PostgreSQL test database outlives the test: start from none of this test's records.
    sqlx::query("DELETE FROM timings WHERE session_id LIKE 'session-open-%'")
        .execute(&running.state.db)
        .await
        .unwrap();
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (_, me) = client.get("/api/me").await;
    let login = me["login_at"].as_i64().unwrap();
    let beacon = |session: String| {
        let events = [
            (0, json!({"type": "start"})),
            (5, json!({"type": "focus", "field": "phone"})),
        ];
        let events: Vec<Value> = events.into_iter().map(|(t, e)| ev(login + t, e)).collect();
        json!({"form_id": "demo", "session_id": session, "timeline": {"fields_total": 8, "fields_prefilled": 6, "events": events}})
            .to_string()
    };
    for i in 0..20 {
        let (status, body, _) = client
            .post_raw("/api/timings", beacon(format!("session-open-{i:05}")), "text/plain")
            .await;
        assert_eq!(status, 202, "{i}: {body}");
    }
    let (status, body, _) = client
        .post_raw("/api/timings", beacon("session-open-00020".into()), "text/plain")
        .await;
    assert_eq!(
        (status, code(&body)),
        (429, ("timing.too_many_open", "session_id")),
        "{body}"
    );
    // A filing already recorded goes on being recorded.
    let (status, body, _) = client
        .post_raw("/api/timings", beacon("session-open-00007".into()), "text/plain")
        .await;
    assert_eq!(status, 202, "{body}");
    running.task.abort();
}

#[tokio::test]
async fn a_filing_is_timed_from_its_first_login_though_that_login_s_session_ended() {
    let running = tokhai_server::start(config("timings-relogin"))
        .await
        .expect("server starts");
    let mut first = Client::new(&running);
    let pin = first.dev_login().await;
    let (_, me) = first.get("/api/me").await;
    let login = me["login_at"].as_i64().unwrap();
    // The citizen's session ends mid-filing (a logout here; an expiry is the same), and they log in again.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, _) = first.post("/auth/logout", &json!({})).await;
    assert_eq!(status, 200);
    let mut again = Client::new(&running);
    again.post("/api/dev/login", &json!({"pin": pin})).await;
    let events = vec![
        ev(login + 1, json!({"type": "start"})),
        ev(login + 5, json!({"type": "focus", "field": "phone"})),
    ];
    let body = json!({"form_id": "demo", "session_id": "session-relogin-001",
                      "timeline": {"login_at": login, "events": events}});
    let (status, reply, _) = again.post_raw("/api/timings", body.to_string(), "text/plain").await;
    assert_eq!((status, reply["clamped"].as_i64()), (202, Some(0)), "{reply}");
    let (stored,): (i64,) = sqlx::query_as("SELECT login_at FROM timings WHERE session_id = 'session-relogin-001'")
        .fetch_one(&running.state.db)
        .await
        .unwrap();
    assert_eq!(stored, login, "the first login, not the second");
    running.task.abort();
}

#[tokio::test]
async fn guesses_of_the_qa_token_are_slowed_down_and_the_token_still_opens() {
    let mut c = config("qa-guesses");
    c.qa_token = Some("qa-token-0123456789abcdef".into());
    (c.rate_per_minute, c.rate_burst) = (60, 3);
    let running = tokhai_server::start(c).await.expect("server starts");
    let client = Client::new(&running);
    let url = format!("{}/api/qa/forms/demo/summary", client.base);
    let ask = |token: &str| {
        client
            .http
            .get(&url)
            .header("authorization", format!("Bearer {token}"))
            .send()
    };
    for guess in [
        "guess-000000000000000",
        "guess-000000000000001",
        "guess-000000000000002",
    ] {
        assert_eq!(ask(guess).await.unwrap().status().as_u16(), 401, "{guess}");
    }
    let r = ask("guess-000000000000003").await.unwrap();
    assert_eq!(r.status().as_u16(), 429, "a fourth guess in a burst is refused");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], json!("payload.rate_limited"), "{body}");
    assert_eq!(ask("qa-token-0123456789abcdef").await.unwrap().status().as_u16(), 200);
    running.task.abort();
}

#[tokio::test]
async fn the_qa_runner_s_filings_are_marked_and_left_out_unless_asked() {
    let mut c = config("qa-runner");
    c.qa_token = Some("qa-token-0123456789abcdef".into());
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    let (_, list) = client.get("/api/dev/citizens?limit=1").await;
    let login = json!({"pin": list["citizens"][0]["pin"], "qa": true});
    let url = format!("{}/api/dev/login", client.base);
    // Only the QA token marks a login as the runner's.
    let r = client.http.post(&url).json(&login).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = (client.http.post(&url).json(&login))
        .header("authorization", "Bearer qa-token-0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    client.keep_cookie(&r);
    let (_, me) = client.get("/api/me").await;
    assert_eq!(me["method"], json!("qa"));
    let now = me["login_at"].as_i64().unwrap();
    let events = [json!({"type": "start"}), json!({"type": "focus", "field": "phone"})];
    let events: Vec<Value> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| ev(now + i as i64, e))
        .collect();
    let beacon = json!({"form_id": "demo", "session_id": "session-qa-runner-1",
                        "timeline": {"fields_total": 8, "fields_prefilled": 6, "events": events}});
    let (status, body, _) = client
        .post_raw("/api/timings", beacon.to_string(), "application/json")
        .await;
    assert_eq!(status, 202, "{body}");
    for (query, filings) in [
        ("", 0),
        ("include_qa=true", 1),
        ("login_method=qa", 1),
        ("login_method=dev", 0),
    ] {
        let r = (client.http.get(format!("{}/api/qa/summary?{query}", client.base)))
            .header("authorization", "Bearer qa-token-0123456789abcdef")
            .send()
            .await
            .unwrap();
        let s: Value = r.json().await.unwrap();
        assert_eq!(s["aggregate"]["filings"].as_u64(), Some(filings), "{query}: {s}");
    }
    running.task.abort();
}

#[tokio::test]
async fn the_qa_summary_needs_the_qa_token_once_one_is_set() {
    let mut c = config("qa-token");
    c.qa_token = Some("qa-token-0123456789abcdef".into());
    let running = tokhai_server::start(c).await.expect("server starts");
    let client = Client::new(&running);
    let url = format!("{}/api/qa/forms/demo/summary", client.base);
    let ask_as = |scheme: &str, token: Option<&str>| {
        let mut rb = client.http.get(&url);
        if let Some(t) = token {
            rb = rb.header("authorization", format!("{scheme} {t}"));
        }
        async move {
            let r = rb.send().await.expect("GET");
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let ask = |token| ask_as("Bearer", token);
    for token in [None, Some("qa-token-0123456789abcdeX"), Some("qa-token")] {
        let (status, body) = ask(token).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("qa_unauthorized")),
            "{token:?}"
        );
    }
    let (status, body) = ask(Some("qa-token-0123456789abcdef")).await;
    assert_eq!(status, 200, "{body}");
    // The scheme's name in any case, as HTTP has it.
    for scheme in ["bearer", "BEARER"] {
        assert_eq!(
            ask_as(scheme, Some("qa-token-0123456789abcdef")).await.0,
            200,
            "{scheme}"
        );
    }
    assert_eq!(ask_as("Basic", Some("qa-token-0123456789abcdef")).await.0, 401);
    // The filings' CSV is behind the same token.
    let csv_url = format!("{}/api/qa/forms/demo/filings.csv", client.base);
    let r = client.http.get(&csv_url).send().await.expect("GET");
    assert_eq!(r.status().as_u16(), 401);
    let r = (client.http.get(&csv_url))
        .header("authorization", "Bearer qa-token-0123456789abcdef")
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        r.text().await.unwrap().lines().count(),
        1,
        "the head alone: nothing filed"
    );
    assert_eq!(
        (body["form_id"].as_str(), body["days"].as_u64()),
        (Some("demo"), Some(30))
    );
    running.task.abort();

    // Without a token and without the development login, the summary is closed.
    let mut c = config("qa-closed");
    c.dev_login = false;
    let running = tokhai_server::start(c).await.expect("server starts");
    let (status, body) = Client::new(&running).get("/api/qa/forms/demo/summary").await;
    assert_eq!((status, body["error"].as_str()), (403, Some("qa_disabled")));
    running.task.abort();
}
