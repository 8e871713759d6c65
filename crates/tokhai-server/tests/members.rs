//! Household members' rows: the row endpoint answers for the citizen's own household only, with a
//! signed bundle, and the intake refuses a row whose locked values were changed.

mod common;

use common::{config, submission, values_from, Client};
use serde_json::{json, Value};

fn reason(body: &Value) -> (&str, &str) {
    (
        body["reasons"][0]["code"].as_str().unwrap_or_default(),
        body["reasons"][0]["path"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_household_members_row_is_prefilled_signed_and_checked() {
    let running = tokhai_server::start(config("members")).await.expect("server starts");
    let citizens = tokhai_server::registry::list(&running.state.db, "", 300)
        .await
        .expect("citizens");
    let (me, member) = citizens
        .iter()
        .find_map(|a| {
            let b = citizens
                .iter()
                .find(|b| b.household_id == a.household_id && b.pin != a.pin)?;
            Some((a, b))
        })
        .expect("a household of two");
    let stranger = citizens
        .iter()
        .find(|c| c.household_id != me.household_id)
        .expect("another household");
    let mut client = Client::new(&running);
    let (status, body) = client.post("/api/dev/login", &json!({"pin": me.pin})).await;
    assert_eq!(status, 200, "{body}");

    let row = |pin: &str| format!("/api/prefill/demo/row?group=members&pin={pin}");
    let (status, bundle) = client.get(&row(&member.pin)).await;
    assert_eq!(status, 200, "{bundle}");
    assert_eq!(bundle["row"], json!({"group": "members", "member": member.pin}));
    assert_eq!(bundle["subject"], json!(me.pin), "signed for the citizen who asked");
    assert_eq!(bundle["values"]["m_name"]["locked"], json!(true));
    assert!(bundle["signature"].as_str().is_some_and(|s| !s.is_empty()));

    for pin in [stranger.pin.as_str(), me.pin.as_str(), "001099999999"] {
        let (status, body) = client.get(&row(pin)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("not_household_member")),
            "{body}"
        );
    }
    let (status, _) = client.get("/api/prefill/demo/row?group=reason&pin=001099999999").await;
    assert_eq!(status, 404, "only a group filled from members");

    let (_, own) = client.get("/api/prefill/demo").await;
    let mut values = values_from(&own);
    let member_row: serde_json::Map<String, Value> = bundle["values"]
        .as_object()
        .expect("row values")
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].clone()))
        .collect();
    values["members"] = json!([{"m_pin": stranger.pin, "m_name": "Trần Văn Khách"}, member_row]);
    let filed = |values: &Value, rows: Value| {
        let mut sub = submission(&running, "demo", values, Some(&own));
        sub["row_prefills"] = rows;
        sub
    };

    let (status, body) = client.post("/api/submissions", &filed(&values, json!([bundle]))).await;
    assert_eq!(status, 201, "{body}");
    let id = body["receipt"]["id"].as_str().expect("a receipt").to_owned();
    let (provenance, rows): (String, Option<String>) =
        sqlx::query_as("SELECT provenance, row_prefills FROM submissions WHERE id = $1")
            .bind(&id)
            .fetch_one(&running.state.db)
            .await
            .expect("the dossier");
    let provenance: Value = serde_json::from_str(&provenance).expect("provenance JSON");
    assert_eq!(provenance["members"]["rows"]["1"]["source"], json!("household"));
    assert!(
        provenance["members"]["rows"].get("0").is_none(),
        "the stranger's row is the citizen's own"
    );
    assert!(
        rows.is_some_and(|r| r.contains(&member.pin)),
        "the signed row bundle is kept with the dossier"
    );

    let mut changed = values.clone();
    changed["members"][1]["m_name"] = json!("Tên Khác Hẳn");
    let (status, body) = client.post("/api/submissions", &filed(&changed, json!([bundle]))).await;
    assert_eq!(
        (status, reason(&body)),
        (422, ("prefill.locked_changed", "members[1].m_name")),
        "{body}"
    );

    // Sent without its bundle, the row is checked against one built now; a locked value left out is a change.
    let (status, body) = client.post("/api/submissions", &filed(&changed, json!([]))).await;
    assert_eq!(
        (status, reason(&body)),
        (422, ("prefill.locked_changed", "members[1].m_name")),
        "{body}"
    );
    let mut left_out = values.clone();
    left_out["members"][1].as_object_mut().expect("a row").remove("m_name");
    let (status, body) = client
        .post("/api/submissions", &filed(&left_out, json!([bundle])))
        .await;
    let reasons = body["reasons"].as_array().cloned().unwrap_or_default();
    let changed_name = reasons
        .iter()
        .any(|r| r["code"] == "prefill.locked_changed" && r["path"] == "members[1].m_name");
    assert!(status == 422 && changed_name, "{body}");

    // A row bundle in the place of the citizen's own checks no top-level value: it is no bundle there.
    let mut renamed = values.clone();
    renamed["full_name"] = json!("Tên Khác Hẳn");
    let sub = submission(&running, "demo", &renamed, Some(&bundle));
    let (status, body) = client.post("/api/submissions", &sub).await;
    assert_eq!((status, reason(&body)), (422, ("prefill.format", "prefill")), "{body}");

    let mut forged = bundle.clone();
    forged["values"]["m_name"]["value"] = json!("Tên Khác Hẳn");
    let (status, body) = client.post("/api/submissions", &filed(&changed, json!([forged]))).await;
    assert_eq!(
        (status, reason(&body)),
        (422, ("prefill.signature_invalid", "row_prefills")),
        "{body}"
    );
    running.task.abort();
}

#[tokio::test]
async fn the_household_is_listed_to_its_members_only_for_a_group_filled_from_them() {
    let running = tokhai_server::start(config("household")).await.expect("server starts");
    let citizens = tokhai_server::registry::list(&running.state.db, "", 300)
        .await
        .expect("citizens");
    let me = citizens
        .iter()
        .find(|a| citizens.iter().filter(|b| b.household_id == a.household_id).count() >= 3)
        .expect("a household of three");
    let mut others: Vec<&str> = citizens
        .iter()
        .filter(|b| b.household_id == me.household_id && b.pin != me.pin)
        .map(|b| b.pin.as_str())
        .collect();
    others.sort_unstable();
    let mut client = Client::new(&running);
    let (status, body) = client.post("/api/dev/login", &json!({"pin": me.pin})).await;
    assert_eq!(status, 200, "{body}");

    // The prefill answer of a form with household rows says where the household is listed.
    let prefill = client.with_cookie(client.http.get(format!("{}/api/prefill/demo", client.base)));
    let answer = prefill.send().await.expect("prefill");
    assert_eq!(answer.headers()["tokhai-household"], "household");
    let (status, text) = client.get_text("/api/prefill/demo/household?group=members").await;
    assert_eq!(status, 200, "{text}");
    // No PIN of the household is sent before it is picked: masked, each member has a handle instead.
    for pin in others.iter().chain([&me.pin.as_str()]) {
        assert!(!text.contains(pin), "{pin} is in the list: {text}");
    }
    let body: Value = serde_json::from_str(&text).expect("a JSON list");
    let members = body["members"].as_array().expect("members");
    let masked: Vec<&str> = members.iter().filter_map(|m| m["pin_masked"].as_str()).collect();
    let others_masked: Vec<String> = others
        .iter()
        .map(|p| format!("{}*******{}", &p[..3], &p[10..]))
        .collect();
    assert_eq!(masked, others_masked, "the others of the household, not the citizen");
    let handles: Vec<&str> = members.iter().filter_map(|m| m["handle"].as_str()).collect();
    assert_eq!(handles.len(), others.len(), "a handle each: {body}");
    let first = citizens.iter().find(|c| c.pin == others[0]).expect("listed");
    assert_eq!(members[0]["birth_year"], json!(first.birth_year));
    let name = members[0]["name"].as_str().expect("a name");
    assert_eq!(name.to_uppercase(), first.full_name, "in title case: {name}");
    assert_ne!(name, first.full_name);

    let (status, body) = client.get("/api/prefill/demo/household?group=reason").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("not_member_group")),
        "only for a group filled from members"
    );
    let (status, _) = Client::new(&running)
        .get("/api/prefill/demo/household?group=members")
        .await;
    assert_eq!(status, 401, "only for a logged-in citizen");
    running.task.abort();
}

#[tokio::test]
async fn each_member_a_filing_makes_the_portal_look_up_costs_a_token_of_the_citizen_s_rate() {
    let mut c = config("members-rate");
    (c.rate_per_minute, c.rate_burst) = (60, 5);
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let mut values = values_from(&bundle);
    // Eight strangers' PINs, sent without their rows' bundles: eight lookups of national data.
    let rows: Vec<Value> = (0..8)
        .map(|i| json!({"m_pin": format!("0010850000{i:02}"), "m_name": "AI ĐÓ"}))
        .collect();
    values["members"] = json!(rows);
    let (status, body) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    assert_eq!((status, reason(&body).0), (429, "payload.rate_limited"), "{body}");
    running.task.abort();
}

/// The household list of the citizen `client` is logged in as: each member's handle, in the list's order.
async fn handles(client: &Client) -> Vec<String> {
    let (status, body) = client.get("/api/prefill/demo/household?group=members").await;
    assert_eq!(status, 200, "{body}");
    let members = body["members"].as_array().cloned().unwrap_or_default();
    members
        .iter()
        .filter_map(|m| m["handle"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_member_picked_by_handle_gets_their_row_in_their_citizen_s_session_only() {
    let running = tokhai_server::start(config("handles")).await.expect("server starts");
    let citizens = tokhai_server::registry::list(&running.state.db, "", 300)
        .await
        .expect("citizens");
    let housemates = |pin: &str| {
        let home = citizens.iter().find(|c| c.pin == pin).map(|c| c.household_id.clone());
        let mut pins: Vec<String> = citizens
            .iter()
            .filter(|b| Some(&b.household_id) == home.as_ref() && b.pin != pin)
            .map(|b| b.pin.clone())
            .collect();
        pins.sort_unstable();
        pins
    };
    let me = citizens
        .iter()
        .find(|a| housemates(&a.pin).len() >= 2)
        .expect("a household of three");
    let (others, stranger) = (
        housemates(&me.pin),
        citizens.iter().find(|c| c.household_id != me.household_id),
    );
    let stranger = stranger.expect("another household");
    let logged_in = |pin: String| {
        let mut client = Client::new(&running);
        async move {
            let (status, body) = client.post("/api/dev/login", &json!({"pin": pin})).await;
            assert_eq!(status, 200, "{body}");
            client
        }
    };
    let client = logged_in(me.pin.clone()).await;
    let mine = handles(&client).await;
    assert_eq!(mine.len(), others.len(), "a handle per member");
    let row = |query: &str| format!("{}/api/prefill/demo/row?group=members&{query}", client.base);

    // Each handle gets its member's signed row, and the answer names the handle as the list gave it.
    for (handle, pin) in mine.iter().zip(&others) {
        let answer = client.with_cookie(client.http.get(row(&format!("member={handle}"))));
        let answer = answer.send().await.expect("row");
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()["tokhai-member"], handle.as_str());
        let bundle: Value = answer.json().await.expect("a bundle");
        assert_eq!(bundle["row"], json!({"group": "members", "member": pin}));
        assert_eq!(bundle["subject"], json!(me.pin));
    }
    // A PIN typed is answered as before, with the handle of its member in the list.
    let typed = client.with_cookie(client.http.get(row(&format!("pin={}", others[0]))));
    let typed = typed.send().await.expect("row");
    assert_eq!(typed.headers()["tokhai-member"], mine[0].as_str());

    // The same handle in another citizen's session names nobody: not a housemate's, not a stranger's.
    for pin in [&others[0], &stranger.pin] {
        let theirs = logged_in(pin.clone()).await;
        assert_ne!(
            handles(&theirs).await.first(),
            Some(&mine[1]),
            "handles are per citizen"
        );
        let (status, body) = theirs
            .get(&format!("/api/prefill/demo/row?group=members&member={}", mine[1]))
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("not_household_member")),
            "{body}"
        );
    }
    // Junk is refused as a stranger's PIN is.
    let masked = format!("{}*******{}", &others[0][..3], &others[0][10..]);
    let long = "A".repeat(5000);
    for junk in [
        "",
        "x",
        "%00",
        "%FF%FE",
        masked.as_str(),
        others[0].as_str(),
        long.as_str(),
    ] {
        let (status, body) = client
            .get(&format!("/api/prefill/demo/row?group=members&member={junk}"))
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("not_household_member")),
            "{junk}: {body}"
        );
    }
    running.task.abort();
}
