//! The `tokhai` command as a form author and QA run it: what it prints where, and its exit status.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `tokhai` with `args` from the repository's root: (exit status, stdout, stderr).
fn tokhai(args: &[&str]) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_tokhai"))
        .args(args)
        .current_dir(root)
        .output()
        .expect("tokhai runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

/// A definition written to a file of its own under the target directory.
fn written(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_passes_the_real_forms_and_names_every_error_of_a_broken_one() {
    let (status, out, err) = tokhai(&["check", "www/forms/ct01.json", "www/forms/judicial-record.json"]);
    assert_eq!(status, 0, "{out}{err}");
    assert!(out.contains("www/forms/ct01.json: ok ("), "{out}");

    let broken = written(
        "broken.json",
        r#"{"tokhai": 1, "id": "b", "version": "1", "title": "B", "steps": [{"id": "s", "title": "S",
            "sections": [{"id": "a", "fields": [
              {"id": "code", "kind": "text", "label": "Mã", "pattern": "\\d{6}", "max_length": 5},
              {"id": "n", "kind": "number", "label": "N", "min": 3, "max": 1}]}]}]}"#,
    );
    let (status, out, _) = tokhai(&["check", broken.to_str().unwrap()]);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("2 error(s)"), "{out}");
    assert!(
        out.contains("error $.steps[0].sections[0].fields[0].pattern: the pattern takes at least 6"),
        "{out}"
    );
    assert!(
        out.contains("error $.steps[0].sections[0].fields[1].min: min is greater than max"),
        "{out}"
    );
}

#[test]
fn estimate_gives_a_verdict_and_tells_what_it_cannot_estimate_on_stderr() {
    let (status, out, err) = tokhai(&["estimate", "www/forms/ct01.json"]);
    assert_eq!(status, 0, "{out}{err}");
    assert!(
        out.contains("verdict: ") && out.contains("within the 5:00 target"),
        "{out}"
    );

    let (status, out, err) = tokhai(&["estimate", "no/such/form.json"]);
    assert_eq!((status, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("no/such/form.json: cannot read"), "{err}");
    let broken = written("not-json.json", "{");
    let (status, _, err) = tokhai(&["estimate", broken.to_str().unwrap()]);
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("error(s)"), "{err}");
}

#[test]
fn a_wrong_command_line_prints_the_usage() {
    for args in [&[][..], &["check"][..], &["lint", "www/forms/ct01.json"][..]] {
        let (status, out, err) = tokhai(args);
        assert_eq!((status, out.as_str()), (2, ""), "{args:?}");
        assert!(err.starts_with("usage:"), "{err}");
    }
}

#[test]
fn attributes_lists_what_national_data_can_prefill_with_the_codes() {
    let (status, out, _) = tokhai(&["attributes"]);
    assert_eq!(status, 0, "{out}");
    for words in [
        "population.marital_status",
        "chua_ket_hon, da_ket_hon, ly_hon, goa",
        "family.wife_pin",
        "member.dob",
    ] {
        assert!(out.contains(words), "{words} in {out}");
    }
}
