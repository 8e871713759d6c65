//! The repository's own forms (www/forms) prefilled for many adult synthetic citizens: every prefilled
//! value the widget would submit passes the form's own rules, so a citizen is never blocked by data
//! the state supplied.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use tokhai_server::broker::bundle_for;

#[tokio::test]
async fn prefilled_values_pass_the_forms_own_rules() {
    let mut c = common::config("real-forms");
    c.forms = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/forms");
    c.registry_size = 400;
    let running = tokhai_server::start(c)
        .await
        .expect("server starts with the repository's forms");
    let state = running.state.clone();
    assert!(!state.forms.is_empty(), "www/forms holds definitions");
    let today = tokhai_core::Date::in_viet_nam(tokhai_server::now_ms());
    // Adults: a child's real date of birth rightly fails an age rule such as the judicial record's 14 years.
    let (citizens, minors): (Vec<_>, Vec<_>) = tokhai_server::registry::list(&state.db, "", 400)
        .await
        .unwrap()
        .into_iter()
        .partition(|c| c.birth_year <= i64::from(today.year) - 18);
    let mut filled: BTreeMap<String, usize> = BTreeMap::new();
    // Dates of birth read from the records of the relatives a citizen's record names.
    let mut from_relatives: BTreeMap<&str, usize> = BTreeMap::new();
    let ct01 = &state.forms["ct01"].form;
    // National data a form has no use for is not sent: CT01 asks for a parent's name and number only
    // from a minor, whose locked date of birth says so.
    let parents = |bundle: &tokhai_core::prefill::PrefillBundle| {
        ["father_name", "father_pin", "mother_name", "mother_pin"]
            .iter()
            .any(|f| bundle.values.contains_key(*f))
    };
    let mut minors_with_parents = 0;
    for minor in minors.iter().filter(|c| c.birth_year >= i64::from(today.year) - 17) {
        let bundle = bundle_for(&state, ct01, &minor.pin).await.expect("a bundle");
        minors_with_parents += usize::from(parents(&bundle));
    }
    assert!(minors_with_parents > 0, "a minor's CT01 bundle names the parents");
    for citizen in &citizens {
        for (id, loaded) in &state.forms {
            let bundle = bundle_for(&state, &loaded.form, &citizen.pin).await.expect("a bundle");
            assert!(
                id != "ct01" || !parents(&bundle),
                "an adult's CT01 bundle holds no parent's fields"
            );
            *filled.entry(id.clone()).or_default() += bundle.values.len();
            for relative in ["spouse_dob", "father_dob", "mother_dob"] {
                *from_relatives.entry(relative).or_default() += usize::from(bundle.values.contains_key(relative));
            }
            let values: serde_json::Map<String, serde_json::Value> = bundle
                .values
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect();
            // What the widget submits of them: the values of the fields shown.
            let mut session = tokhai_core::Session::new(loaded.form.clone(), state.catalogs.clone(), today)
                .expect("a session of the form");
            session.load(&values.into());
            let issues = tokhai_core::validate_submission(&loaded.form, &state.catalogs, &session.values(), today)
                .expect("validation runs");
            let on_prefilled: Vec<_> = issues
                .iter()
                .filter(|i| i.is_error())
                .filter(|i| bundle.values.contains_key(tokhai_core::path::top_field(&i.path)))
                .collect();
            assert!(
                on_prefilled.is_empty(),
                "{id}, citizen {}: prefilled values fail the form's rules: {on_prefilled:?}",
                tokhai_server::auth::mask_pin(&citizen.pin)
            );
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "real forms: {} adults; prefilled values per form: {filled:?}; from relatives' records: {from_relatives:?}; \
         minors' CT01 bundles naming parents: {minors_with_parents}",
        citizens.len()
    );
    assert!(
        from_relatives.values().all(|&n| n > 0),
        "the spouse's, father's and mother's dates of birth are read from their records: {from_relatives:?}"
    );
    running.task.abort();
}
