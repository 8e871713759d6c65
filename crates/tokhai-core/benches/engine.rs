//! Compile, one keystroke and full validation on generated 40- and 700-field forms; patterns
//! against regex-lite, which they replaced; officials' working time over waits of a day to two years;
//! reading the administrative-units catalogue as a server publishes it to browsers.

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::hint::black_box;
use std::sync::Arc;
use tokhai_core::office_hours::OfficeHours;
use tokhai_core::{Catalogs, Date, Form, Session};

mod generated;

fn engine(c: &mut Criterion) {
    let today = Date::new(2026, 11, 23).unwrap();
    let catalogs = Arc::new(Catalogs::new());
    for n in [40, 700] {
        let json = generated::definition(n).to_string();
        c.bench_function(&format!("compile {n} fields"), |b| {
            b.iter(|| Form::compile(black_box(&json)).unwrap())
        });
        let form = Arc::new(Form::compile(&json).unwrap());
        let mut session = Session::new(Arc::clone(&form), Arc::clone(&catalogs), today).unwrap();
        let middle = format!("f{}", (n / 20) * 10 + 3);
        let mut flip = false;
        c.bench_function(&format!("input one PIN keystroke, {n} fields"), |b| {
            b.iter(|| {
                flip = !flip;
                let value = if flip { "001089012345" } else { "00108901234" };
                black_box(session.input(&middle, json!(value)).unwrap())
            })
        });
        let dob = format!("f{}", (n / 20) * 10 + 1);
        c.bench_function(&format!("input a date with dependents, {n} fields"), |b| {
            b.iter(|| {
                flip = !flip;
                let value = if flip { "15/03/1989" } else { "15/03/1990" };
                black_box(session.input(&dob, json!(value)).unwrap())
            })
        });
        c.bench_function(&format!("validate_all {n} fields"), |b| {
            b.iter(|| black_box(session.validate_all()))
        });
    }
}

fn patterns(c: &mut Criterion) {
    let cases = [
        (r"0\d{9}", "0912345678"),
        (r"[A-Z]{2}[0-9]{3}", "AB123"),
        (r"(?i)nguy[eễ]n( [a-zà-ỹ]+)+", "Nguyễn văn an"),
        (r"[^@\s]+@[^@\s]+\.[a-z]{2,}", "ten.ho@example.gov.vn"),
    ];
    for (pattern, text) in cases {
        let ours = tokhai_core::regex::Regex::new(pattern).unwrap();
        let theirs = regex_lite::Regex::new(&format!(r"\A(?:{pattern})\z")).unwrap();
        c.bench_function(&format!("pattern {pattern} (tokhai)"), |b| {
            b.iter(|| ours.matches(black_box(text)))
        });
        c.bench_function(&format!("pattern {pattern} (regex-lite)"), |b| {
            b.iter(|| theirs.is_match(black_box(text)))
        });
        c.bench_function(&format!("compile {pattern} (tokhai)"), |b| {
            b.iter(|| tokhai_core::regex::Regex::new(black_box(pattern)).unwrap())
        });
    }
}

fn working_time(c: &mut Criterion) {
    let office = OfficeHours::default();
    let received = Date::new(2026, 1, 5).unwrap().viet_nam_start() + 9 * 3_600_000;
    for days in [1, 30, 730] {
        let decided = received + days * 86_400_000;
        c.bench_function(&format!("working time of a {days}-day wait"), |b| {
            b.iter(|| office.working_ms(black_box(received), black_box(decided)))
        });
    }
}

fn catalogue(c: &mut Criterion) {
    let shared = std::env::var_os("TOKHAI_SHARED").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        Into::into,
    );
    let path = shared.join("data/admin-units/units-2025.json");
    let units =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (set TOKHAI_SHARED)", path.display()));
    let (_, published) = Catalogs::from_admin_units_published(&units).unwrap();
    c.bench_function("read the published administrative units", |b| {
        b.iter(|| Catalogs::from_json(black_box(&published)).unwrap())
    });
}

criterion_group!(benches, engine, patterns, working_time, catalogue);
criterion_main!(benches);
