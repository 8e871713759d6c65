//! Runs one file of the conformance corpus (tests/conformance/cases/*.json) against tokhai-core.
//!
//! Shared by the native test (crates/tokhai-core/tests/conformance.rs) and the wasm test
//! (crates/tokhai-web/tests/conformance.rs), so both targets check exactly the same cases.
//!
//! A file holds `definition`, optional `catalogs` (`{ name: [{value, label, parent?}] }`) and
//! `cases`. A case has `name`, optional `today` (default 2026-11-23), and either `values`
//! (loaded with `Session::load`) or `inputs`: `[path, value]` pairs given to `Session::input`
//! in order, where a one-element `[group]` adds a row with `Session::add_row`; after inputs,
//! optional `live_issues` are the issues shown while typing (touched fields only). Then
//! `validate_all` runs, or `validate_submission` when `submission` is true. The issues found
//! must equal `issues` as a multiset of (path, code, severity; default error), and all `params`
//! where given; `message_vi` (`message_en`) maps a path to the exact Vietnamese (English) message
//! of an issue there; `time_limit`, where given, is what `Session::time_limit` gives for the values
//! (null for none; `{"not_a_limit": v}` when the expression gives `v`, which no limit can be). A case
//! marked `known_bug` documents an engine bug: it is run and reported as failing while the bug lasts,
//! and as stale once the engine passes it.

use serde_json::Value as Json;
use std::any::Any;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tokhai_core::definition::OptionDef;
use tokhai_core::{messages, Catalogs, Date, Form, Issue, Session, Severity};

/// The "today" of a case that names none.
const DEFAULT_TODAY: &str = "2026-11-23";

/// Checks every case of one corpus file: the number of cases, or a report of each failing case.
pub fn run_file(name: &str, json: &str) -> Result<usize, String> {
    let file: Json = serde_json::from_str(json).map_err(|e| format!("{name}: not valid JSON: {e}"))?;
    let form = Form::from_json(&file["definition"]).map_err(|e| format!("{name}: definition refused:\n{e}"))?;
    let form = Arc::new(form);
    let catalogs = Arc::new(catalogs(&file["catalogs"]).map_err(|e| format!("{name}: catalogs: {e}"))?);
    let cases = file["cases"]
        .as_array()
        .ok_or_else(|| format!("{name}: no \"cases\" array"))?;
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let case_name = case["name"].as_str().map_or_else(|| format!("case {i}"), str::to_owned);
        // A panic is an engine bug like any other: report it with the case (native targets unwind).
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| run_case(&form, &catalogs, case)))
            .unwrap_or_else(|panic| Err(format!("  the engine panicked: {}", panic_message(&panic))));
        let known_bug = case["known_bug"].as_str();
        match (outcome, known_bug) {
            (Ok(()), None) => {}
            (Ok(()), Some(_)) => failures.push(format!(
                "{name} / {case_name}: passes now; remove its \"known_bug\" mark"
            )),
            (Err(why), None) => failures.push(format!("{name} / {case_name}:\n{why}")),
            (Err(why), Some(bug)) => failures.push(format!("{name} / {case_name} [known bug: {bug}]:\n{why}")),
        }
    }
    if failures.is_empty() {
        Ok(cases.len())
    } else {
        Err(failures.join("\n\n"))
    }
}

/// The message a panic carried.
fn panic_message(panic: &Box<dyn Any + Send>) -> &str {
    match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
        (Some(s), _) => s,
        (None, Some(s)) => s,
        (None, None) => "(no message)",
    }
}

/// The host catalogues of a file.
fn catalogs(json: &Json) -> Result<Catalogs, String> {
    let mut catalogs = Catalogs::new();
    for (name, options) in json.as_object().into_iter().flatten() {
        let options: Vec<OptionDef> = serde_json::from_value(options.clone()).map_err(|e| format!("{name}: {e}"))?;
        catalogs.insert(name, options).map_err(|e| e.to_string())?;
    }
    Ok(catalogs)
}

/// Runs one case; `Err` explains every difference from what it expects.
fn run_case(form: &Arc<Form>, catalogs: &Arc<Catalogs>, case: &Json) -> Result<(), String> {
    let today = case["today"].as_str().unwrap_or(DEFAULT_TODAY);
    let today = Date::parse_iso(today).ok_or_else(|| format!("bad \"today\": {today}"))?;
    let mut report = Vec::new();
    let (session, actual) = if case["submission"] == Json::Bool(true) {
        Session::submitted(form, catalogs, &case["values"], today).map_err(|e| e.to_string())?
    } else {
        let mut session = Session::new(Arc::clone(form), Arc::clone(catalogs), today).map_err(|e| e.to_string())?;
        let mut issues = match case.get("inputs") {
            Some(inputs) => {
                feed(&mut session, inputs)?;
                if let Some(live) = case.get("live_issues") {
                    let live = live.as_array().ok_or("\"live_issues\" is not an array")?;
                    let lines = compare(live, &session.issues())?;
                    report.extend(lines.into_iter().map(|l| format!("  while typing:{l}")));
                }
                Vec::new()
            }
            None => session.load(&case["values"]),
        };
        session.validate_all();
        issues.extend(session.issues());
        (session, issues)
    };
    let expected = case["issues"].as_array().ok_or("no \"issues\" array")?;
    report.extend(compare(expected, &actual)?);
    if let Some(want) = case.get("time_limit") {
        // What no limit can be is said as `{"not_a_limit": <what the expression gave>}`.
        let got = match session.time_limit() {
            Ok(days) => Json::from(days),
            Err(given) => serde_json::json!({ "not_a_limit": given }),
        };
        if *want != got {
            report.push(format!("  time_limit: expected {want}, got {got}"));
        }
    }
    for lang in ["vi", "en"] {
        for (path, want) in case[format!("message_{lang}")].as_object().into_iter().flatten() {
            let rendered: Vec<String> = actual
                .iter()
                .filter(|i| i.path == *path)
                .map(|i| messages::render(i, form, lang))
                .collect();
            if !rendered.iter().any(|r| Some(r.as_str()) == want.as_str()) {
                report.push(format!(
                    "  {lang} message at {path}: expected {want}, rendered {rendered:?}"
                ));
            }
        }
    }
    if report.is_empty() {
        Ok(())
    } else {
        let all: Vec<String> = actual.iter().map(show).collect();
        Err(format!(
            "{}\n  all issues found: [{}]",
            report.join("\n"),
            all.join(", ")
        ))
    }
}

/// Gives a case's inputs to the session in order; a refused input fails the case.
fn feed(session: &mut Session, inputs: &Json) -> Result<(), String> {
    for input in inputs.as_array().ok_or("\"inputs\" is not an array")? {
        let result = match input.as_array().map(Vec::as_slice) {
            Some([Json::String(group)]) => session.add_row(group),
            Some([Json::String(path), value]) => session.input(path, value.clone()),
            _ => return Err(format!("bad input {input}: use [path, value] or [group]")),
        };
        result.map_err(|e| format!("input {input} refused: {e}"))?;
    }
    Ok(())
}

/// Lines describing each expected issue not found and each issue found but not expected.
fn compare(expected: &[Json], actual: &[Issue]) -> Result<Vec<String>, String> {
    let mut unmatched: Vec<&Issue> = actual.iter().collect();
    let mut report = Vec::new();
    // Expectations with params first, so a looser one cannot take the issue they need.
    let mut expected: Vec<&Json> = expected.iter().collect();
    expected.sort_by_key(|e| e.get("params").is_none());
    for want in expected {
        let path = want["path"]
            .as_str()
            .ok_or_else(|| format!("expected issue without \"path\": {want}"))?;
        let code = want["code"]
            .as_str()
            .ok_or_else(|| format!("expected issue without \"code\": {want}"))?;
        let severity = match want["severity"].as_str() {
            None | Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some(other) => return Err(format!("unknown severity '{other}' in {want}")),
        };
        let params = want.get("params").map(params_of).transpose()?;
        let found = unmatched.iter().position(|i| {
            i.path == path && i.code == code && i.severity == severity && params.as_ref().is_none_or(|p| *p == i.params)
        });
        match found {
            Some(at) => {
                unmatched.remove(at);
            }
            None => report.push(format!("  missing: {want}")),
        }
    }
    report.extend(unmatched.into_iter().map(|i| format!("  unexpected: {}", show(i))));
    Ok(report)
}

/// Expected params as strings, the way issues carry them (`50`, not `50.0`).
fn params_of(json: &Json) -> Result<BTreeMap<String, String>, String> {
    let object = json
        .as_object()
        .ok_or_else(|| format!("params must be an object: {json}"))?;
    Ok(object
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect())
}

/// One issue on one line.
fn show(issue: &Issue) -> String {
    let severity = if issue.is_error() { "" } else { " (warning)" };
    let params = if issue.params.is_empty() {
        String::new()
    } else {
        format!(" {:?}", issue.params)
    };
    format!("{} {}{severity}{params}", issue.path, issue.code)
}
