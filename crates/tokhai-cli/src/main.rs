//! `tokhai check` lints form definitions; `tokhai estimate` predicts their filing time; `tokhai attributes`
//! lists what national data can prefill.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use tokhai_core::estimate::{estimate, Estimate, Klm};
use tokhai_core::lint::lint;
use tokhai_core::prefill::{Attribute, FAMILY_ATTRIBUTES, MEMBER_PREFIX, POPULATION_ATTRIBUTES};
use tokhai_core::timing::TARGET_MS;
use tokhai_core::Form;

const USAGE: &str = "usage:
  tokhai check <definition.json>...      every compile error and lint warning; exit 1 if any
  tokhai estimate <definition.json>...   keystroke-level estimate of filing time, with and without prefill;
                                         exit 1 if over the target
  tokhai attributes                      what a field's \"prefill\": {\"from\": …} can name, with its kind and codes
A file that cannot be read, or (estimate) a definition that does not compile, is told on stderr: exit 2.";

/// Why a definition could not be had.
enum Unloaded {
    /// The file could not be read.
    Unreadable(String),
    /// It does not compile: every error with its JSON path.
    Invalid(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args == ["attributes"] {
        // A reader that stops early (`| head`) has what it wanted: a closed pipe is no failure.
        let _ = std::io::stdout().lock().write_all(attributes().as_bytes());
        return ExitCode::SUCCESS;
    }
    let (command, files) = match args.split_first() {
        Some((c, files)) if !files.is_empty() => (c.as_str(), files),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if !matches!(command, "check" | "estimate") {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let (mut ok, mut broken) = (true, false);
    for file in files {
        let form = match load(file) {
            Ok(form) => form,
            // Compile errors are what `check` is for; for `estimate` there is nothing to estimate.
            Err(Unloaded::Invalid(message)) if command == "check" => {
                println!("{file}: {message}");
                ok = false;
                continue;
            }
            Err(Unloaded::Invalid(message) | Unloaded::Unreadable(message)) => {
                eprintln!("{file}: {message}");
                broken = true;
                continue;
            }
        };
        match command {
            "check" => ok &= check(file, &form),
            _ => ok &= report(file, &estimate(&form, Klm::default())),
        }
    }
    match (broken, ok) {
        (true, _) => ExitCode::from(2),
        (false, true) => ExitCode::SUCCESS,
        (false, false) => ExitCode::FAILURE,
    }
}

/// Prints every attribute a definition's `prefill.from` may name: the citizen's own (`population.*`), their
/// marriage's (`family.*`) and, in a group's rows, a household member's (`member.*`).
fn attributes() -> String {
    let line = |name: &str, a: &Attribute| format!("  {name:<40} {:<6} {} / {}\n", a.kind.name(), a.vi, a.en);
    let mut out = String::from("The citizen's record in the national population database:\n");
    out.extend(POPULATION_ATTRIBUTES.iter().map(|a| line(a.name, a)));
    out.push_str("\nThe citizen's marriage as wife and husband (the citizen and the spouse the registry names):\n");
    out.extend(FAMILY_ATTRIBUTES.iter().map(|a| line(a.name, a)));
    out.push_str(
        "\nIn a group's rows, a household member's record (the row field filled from member.pin is the key):\n",
    );
    out.extend(
        POPULATION_ATTRIBUTES
            .iter()
            .map(|a| line(&a.name.replacen("population.", MEMBER_PREFIX, 1), a)),
    );
    out
}

/// Reads and compiles a definition, or says every problem with its JSON path.
fn load(file: &str) -> Result<Arc<Form>, Unloaded> {
    let json = std::fs::read_to_string(file).map_err(|e| Unloaded::Unreadable(format!("cannot read: {e}")))?;
    Form::compile(&json).map(Arc::new).map_err(|errors| {
        let lines: Vec<String> = errors
            .0
            .iter()
            .map(|e| format!("  error {}: {}", e.path, e.message))
            .collect();
        Unloaded::Invalid(format!("{} error(s)\n{}", errors.0.len(), lines.join("\n")))
    })
}

/// Prints lint warnings; true when there are none.
fn check(file: &str, form: &Form) -> bool {
    let warnings = lint(form);
    if warnings.is_empty() {
        println!(
            "{file}: ok ({} fields, ruleset {})",
            form.fields().count(),
            &form.ruleset_hash()[..12]
        );
    } else {
        println!("{file}: {} warning(s)", warnings.len());
        for w in &warnings {
            println!("  warning {}: {}", w.path, w.message);
        }
    }
    warnings.is_empty()
}

/// Prints the estimate table and the verdict; true when the prefilled filing fits the target.
fn report(file: &str, e: &Estimate) -> bool {
    let k = e.klm;
    println!("{file}");
    println!(
        "  model: K={:.2}s P={:.2}s B={:.2}s M={:.2}s, Telex ×{:.1}, file dialog {:.0}s",
        k.keystroke, k.point, k.click, k.think, k.telex_factor, k.file_dialog
    );
    println!(
        "  {:<22} {:>7} {:>10} {:>16} {:>13}",
        "step", "fields", "prefilled", "without prefill", "with prefill"
    );
    for s in &e.steps {
        println!(
            "  {:<22} {:>7} {:>10} {:>16} {:>13}",
            s.step,
            s.fields,
            s.prefilled,
            mmss(s.without_prefill),
            mmss(s.with_prefill)
        );
    }
    println!(
        "  {:<22} {:>7} {:>10} {:>16} {:>13}",
        "total",
        "",
        "",
        mmss(e.without_prefill),
        mmss(e.with_prefill)
    );
    if e.conditional_fields > 0 {
        println!(
            "  + {} conditional field(s) not on the typical path: up to {} more when shown",
            e.conditional_fields,
            mmss(e.conditional_seconds)
        );
    }
    let target = TARGET_MS / 1000.0;
    let fits = e.with_prefill <= target;
    let verdict = if fits { "within" } else { "OVER" };
    println!(
        "  verdict: {} with prefill is {verdict} the {} target",
        mmss(e.with_prefill),
        mmss(target)
    );
    fits
}

/// Seconds as m:ss.
fn mmss(seconds: f64) -> String {
    let s = seconds.round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}
