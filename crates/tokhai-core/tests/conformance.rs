//! The conformance corpus (tests/conformance/cases), run natively; the wasm test runs the same files.

#[path = "../../../tests/conformance/runner.rs"]
mod runner;

use std::path::PathBuf;

/// Fewest cases the corpus may hold.
const MIN_CASES: usize = 150;

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/cases")
}

/// Names of the corpus files, sorted.
fn corpus_files() -> Vec<String> {
    let entries = std::fs::read_dir(cases_dir()).expect("tests/conformance/cases is readable");
    let mut names: Vec<String> = entries
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_case_of_the_corpus_passes() {
    let mut total = 0;
    let mut failures = Vec::new();
    for name in corpus_files() {
        let json = std::fs::read_to_string(cases_dir().join(&name)).expect("corpus file is readable");
        match runner::run_file(&name, &json) {
            Ok(n) => {
                println!("{name}: {n} cases");
                total += n;
            }
            Err(report) => failures.push(report),
        }
    }
    assert!(
        failures.is_empty(),
        "failing conformance cases:\n\n{}",
        failures.join("\n\n")
    );
    println!("conformance: {total} cases");
    assert!(
        total >= MIN_CASES,
        "the corpus has {total} cases, fewer than {MIN_CASES}"
    );
}

#[test]
fn the_wasm_test_lists_exactly_the_corpus_files() {
    let web = concat!(env!("CARGO_MANIFEST_DIR"), "/../tokhai-web/tests/conformance.rs");
    let source = std::fs::read_to_string(web).expect("crates/tokhai-web/tests/conformance.rs is readable");
    let list = source
        .split_once("corpus! {")
        .and_then(|(_, rest)| rest.split_once('}'))
        .map(|(list, _)| list)
        .expect("the wasm test lists its files in corpus! { ... }");
    let mut listed: Vec<String> = list.split('"').skip(1).step_by(2).map(str::to_owned).collect();
    listed.sort();
    assert_eq!(
        listed,
        corpus_files(),
        "crates/tokhai-web/tests/conformance.rs must list every corpus file"
    );
}
