use super::*;
use proptest::prelude::*;
use std::cell::Cell;
use std::collections::HashMap;

const KIDS: u32 = 10;
const JOBS: u32 = 20;

/// Top-level fields a, b, name, dob, flag, tags; groups kids (kid_age, kid_name, kid_dob) and jobs (job_from).
struct TestScope;

impl Scope for TestScope {
    fn resolve(&self, name: &str, row_group: Option<u32>) -> Result<Binding, String> {
        let top = ["a", "b", "name", "dob", "flag", "tags"];
        let rows = [
            ("kid_age", 11, KIDS),
            ("kid_name", 12, KIDS),
            ("kid_dob", 13, KIDS),
            ("job_from", 21, JOBS),
        ];
        if let Some(i) = top.iter().position(|n| *n == name) {
            return Ok(Binding::Field(i as u32 + 1));
        }
        match name {
            "kids" => return Ok(Binding::Group(KIDS)),
            "jobs" => return Ok(Binding::Group(JOBS)),
            _ => {}
        }
        match rows.iter().find(|(n, _, _)| *n == name) {
            Some((_, id, group)) if row_group == Some(*group) => Ok(Binding::RowField(*id)),
            Some(_) => Err(format!("'{name}' is a field of a repeating group, outside its rows")),
            None => Err(format!("unknown field '{name}'")),
        }
    }
}

/// Field values by (id, row), row counts, today 2025-03-25, and a count of reads.
#[derive(Debug)]
struct TestEnv {
    values: HashMap<(u32, Option<usize>), Value>,
    rows: HashMap<u32, usize>,
    reads: Cell<usize>,
}

impl Env for TestEnv {
    fn value(&self, field: u32, row: Option<usize>) -> Value {
        self.reads.set(self.reads.get() + 1);
        self.values.get(&(field, row)).cloned().unwrap_or(Value::Null)
    }

    fn part(&self, _field: u32, _part: &str) -> Value {
        Value::Null
    }

    fn row_count(&self, group: u32) -> usize {
        self.rows.get(&group).copied().unwrap_or(0)
    }

    fn today(&self) -> Date {
        date(2025, 3, 25)
    }
}

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

fn s(text: &str) -> Value {
    Value::Str(text.to_string())
}

/// a = 6, b = 4, name = " Lê Văn A ", dob = "2007-03-26", flag = true, tags = ["x", "y"];
/// kids: ages 3, 10, 7 with names and dates of birth; jobs: no rows.
fn env() -> TestEnv {
    let mut values = HashMap::new();
    values.insert((1, None), Value::Num(6.0));
    values.insert((2, None), Value::Num(4.0));
    values.insert((3, None), s(" Lê Văn A "));
    values.insert((4, None), s("2007-03-26"));
    values.insert((5, None), Value::Bool(true));
    values.insert((6, None), Value::List(vec![s("x"), s("y")]));
    for (row, (age, name, dob)) in [
        (3.0, "An", "2021-05-01"),
        (10.0, "Bình", "2014-12-31"),
        (7.0, "", "2017-07-07"),
    ]
    .into_iter()
    .enumerate()
    {
        values.insert((11, Some(row)), Value::Num(age));
        values.insert((12, Some(row)), s(name));
        values.insert((13, Some(row)), s(dob));
    }
    TestEnv {
        values,
        rows: HashMap::from([(KIDS, 3), (JOBS, 0)]),
        reads: Cell::new(0),
    }
}

fn compile(src: &str) -> Expr {
    Expr::compile(src, &TestScope, None).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn run(src: &str) -> Value {
    compile(src).eval(&env(), None)
}

fn error(src: &str) -> (usize, String) {
    match Expr::compile(src, &TestScope, None) {
        Ok(_) => panic!("{src} compiled"),
        Err(e) => (e.pos, e.message),
    }
}

fn assert_error(src: &str, pos: usize, fragment: &str) {
    let (at, message) = error(src);
    assert_eq!(at, pos, "{src}: {message}");
    assert!(message.contains(fragment), "{src}: {message}");
}

#[test]
fn literals() {
    assert_eq!(run("42"), Value::Num(42.0));
    assert_eq!(run("3.25"), Value::Num(3.25));
    assert_eq!(run(r#"'it\'s' + "\"q\"" + '\\' + '\n'"#), s("it's\"q\"\\\n"));
    assert_eq!(run("'Hà Nội'"), s("Hà Nội"));
    assert_eq!(run(r"'\d{12}' + '\\'"), s(r"\d{12}\"));
    assert_eq!(run("true"), Value::Bool(true));
    assert_eq!(run("false"), Value::Bool(false));
    assert_eq!(run("null"), Value::Null);
    assert_eq!(
        run("[1, 'a', [null]]"),
        Value::List(vec![Value::Num(1.0), s("a"), Value::List(vec![Value::Null])])
    );
    assert_eq!(run("[]"), Value::List(vec![]));
}

#[test]
fn lexer_errors_have_positions() {
    assert_error("a = 1", 2, "use '=='");
    assert_error("a & b", 2, "'&&'");
    assert_error("a | b", 2, "'||'");
    assert_error("'abc", 0, "unterminated string");
    assert_error("1 + \"abc", 4, "unterminated string");
    assert_error("a # b", 2, "unexpected character '#'");
    assert_error("a + đ", 4, "unexpected character 'đ'");
    assert_error("1. + 2", 1, "digits after '.'");
    assert_error(&"9".repeat(400), 0, "number too large");
}

#[test]
fn parser_errors_have_positions() {
    assert_error("", 0, "unexpected end");
    assert_error("1 +", 3, "unexpected end");
    assert_error("(1 + 2", 6, "expected ')'");
    assert_error("[1, 2", 5, "expected ',' or ']'");
    assert_error("1 2", 2, "unexpected '2'");
    assert_error("a == 'x' 'y'", 9, "unexpected string");
    assert_error("1 + )", 4, "unexpected ')'");
    assert_error("a < b < 3", 6, "cannot be chained");
    assert_error("a + zz", 4, "unknown field 'zz'");
    assert_error("kid_age > 1", 0, "outside its rows");
    assert_error("len(1, 2)", 0, "len takes 1 argument, got 2");
    assert_error("1 + age_on(dob)", 4, "age_on takes 2 arguments, got 1");
    assert_error("today(1)", 0, "today takes 0 arguments, got 1");
    assert_error("if(a, b)", 0, "if takes 3 arguments, got 2");
    assert_error("kids", 0, "'kids' is a repeating group");
    assert_error("len(kids)", 4, "'kids' is a repeating group");
    assert_error("count(a)", 6, "count expects a repeating group, 'a' is not one");
    assert_error("count(1)", 6, "count expects the name of a repeating group");
    assert_error("count(kids, 1)", 0, "count takes 1 argument");
    assert_error("sum(kids)", 0, "sum takes 2 arguments");
    assert_error("sum(kids, 1, 2)", 0, "sum takes 2 arguments");
    assert_error("sum(a, 1)", 4, "not one");
    assert_error("sum(kids, job_from)", 10, "outside its rows");
    assert_error("matches(name, a)", 14, "must be a string literal");
    assert_error("matches(name, 'a' + 'b')", 18, "expected ')'");
    assert_error("matches(name, '(')", 14, "invalid pattern");
    assert_error("matches(name, 'a)|(b')", 14, "invalid pattern");
    assert_error("matches(name)", 0, "matches takes 2 arguments");
}

#[test]
fn error_display_names_the_position() {
    let e = Expr::compile("a + foo(1)", &TestScope, None).unwrap_err();
    assert_eq!(
        e,
        ExprError {
            pos: 4,
            message: "unknown function 'foo'".to_string()
        }
    );
    assert_eq!(e.to_string(), "at 4: unknown function 'foo'");
}

#[test]
fn precedence_and_associativity() {
    assert_eq!(run("1 + 2 * 3"), Value::Num(7.0));
    assert_eq!(run("(1 + 2) * 3"), Value::Num(9.0));
    assert_eq!(run("2 - 3 - 4"), Value::Num(-5.0));
    assert_eq!(run("24 / 4 / 2"), Value::Num(3.0));
    assert_eq!(run("-2 * 3"), Value::Num(-6.0));
    assert_eq!(run("- -2"), Value::Num(2.0));
    assert_eq!(run("1 + 2 == 3"), Value::Bool(true));
    assert_eq!(run("not 1 == 2"), Value::Bool(true));
    assert_eq!(run("!true == false"), Value::Bool(true));
    assert_eq!(run("true or false and false"), Value::Bool(true));
    assert_eq!(run("(true or false) and false"), Value::Bool(false));
    assert_eq!(run("not false and false"), Value::Bool(false));
    assert_eq!(run("1 < 2 && 3 > 2 || false"), Value::Bool(true));
    assert_eq!(run("'x' in tags and a > b"), Value::Bool(true));
}

#[test]
fn equality_is_by_value() {
    assert_eq!(run("1 == 1.0"), Value::Bool(true));
    assert_eq!(run("a == 6"), Value::Bool(true));
    assert_eq!(run("'a' == 'a'"), Value::Bool(true));
    assert_eq!(run("'1' == 1"), Value::Bool(false));
    assert_eq!(run("null == null"), Value::Bool(true));
    assert_eq!(run("null == 0"), Value::Bool(false));
    assert_eq!(run("null != 0"), Value::Bool(true));
    assert_eq!(run("date('26/03/2007') == dob"), Value::Bool(true));
    assert_eq!(run("dob == date('2007-03-26')"), Value::Bool(true));
    assert_eq!(run("date('2007-03-26') == '26/03/2007'"), Value::Bool(false));
    assert_eq!(run("[1, 'x'] == [1.0, 'x']"), Value::Bool(true));
    assert_eq!(run("tags == ['x', 'y']"), Value::Bool(true));
    assert_eq!(run("tags != ['x']"), Value::Bool(true));
    assert_eq!(run("true == 1"), Value::Bool(false));
}

#[test]
fn ordering_compares_like_with_like() {
    assert_eq!(run("a > b"), Value::Bool(true));
    assert_eq!(run("a <= 6"), Value::Bool(true));
    assert_eq!(run("a < 6"), Value::Bool(false));
    assert_eq!(run("a >= 7"), Value::Bool(false));
    assert_eq!(run("'an' < 'bình'"), Value::Bool(true));
    assert_eq!(run("date('2007-03-26') < date('2007-04-01')"), Value::Bool(true));
    assert_eq!(run("date(dob) < '2008-01-01'"), Value::Bool(true));
    assert_eq!(run("'2008-01-01' > date(dob)"), Value::Bool(true));
    assert_eq!(run("date(dob) < 'soon'"), Value::Bool(false));
    assert_eq!(run("date(dob) >= 'soon'"), Value::Bool(false));
    assert_eq!(run("1 < '2'"), Value::Bool(false));
    assert_eq!(run("1 >= '2'"), Value::Bool(false));
    assert_eq!(run("null < 1"), Value::Bool(false));
    assert_eq!(run("null >= 1"), Value::Bool(false));
    assert_eq!(run("true > false"), Value::Bool(false));
}

#[test]
fn membership() {
    assert_eq!(run("'x' in tags"), Value::Bool(true));
    assert_eq!(run("'z' in tags"), Value::Bool(false));
    assert_eq!(run("6 in [1, 6.0]"), Value::Bool(true));
    assert_eq!(run("null in [1, null]"), Value::Bool(true));
    assert_eq!(run("'Văn' in name"), Value::Bool(true));
    assert_eq!(run("'văn' in name"), Value::Bool(false));
    assert_eq!(run("1 in 123"), Value::Bool(false));
    assert_eq!(run("1 in null"), Value::Bool(false));
    assert_eq!(run("not 'z' in tags"), Value::Bool(true));
    assert_eq!(run("contains(tags, 'y')"), Value::Bool(true));
    assert_eq!(run("contains('abc', 'bc')"), Value::Bool(true));
    assert_eq!(run("contains(null, 'bc')"), Value::Bool(false));
}

#[test]
fn arithmetic_is_null_safe() {
    assert_eq!(run("a + b"), Value::Num(10.0));
    assert_eq!(run("a - b"), Value::Num(2.0));
    assert_eq!(run("a * b"), Value::Num(24.0));
    assert_eq!(run("7 / 2"), Value::Num(3.5));
    assert_eq!(run("7 % 4"), Value::Num(3.0));
    assert_eq!(run("'Lê' + ' ' + 'An'"), s("Lê An"));
    assert_eq!(run("1 / 0"), Value::Null);
    assert_eq!(run("0 / 0"), Value::Null);
    assert_eq!(run("1 % 0"), Value::Null);
    assert_eq!(run("'a' + 1"), Value::Null);
    assert_eq!(run("'a' - 'b'"), Value::Null);
    assert_eq!(run("null + 1"), Value::Null);
    assert_eq!(run("-'a'"), Value::Null);
    assert_eq!(run("-null"), Value::Null);
    assert_eq!(run("flag * 2"), Value::Null);
    let huge = format!("{0} * {0}", "9".repeat(300));
    assert_eq!(run(&huge), Value::Null);
}

#[test]
fn logic_short_circuits_and_returns_booleans() {
    assert_eq!(run("1 and 'x'"), Value::Bool(true));
    assert_eq!(run("0 or null"), Value::Bool(false));
    assert_eq!(run("'' or []"), Value::Bool(false));
    assert_eq!(run("not null"), Value::Bool(true));
    assert_eq!(run("!tags"), Value::Bool(false));
    let e = env();
    assert_eq!(compile("false and a == 1").eval(&e, None), Value::Bool(false));
    assert_eq!(compile("true or a == 1").eval(&e, None), Value::Bool(true));
    assert_eq!(compile("if(true, 1, a)").eval(&e, None), Value::Num(1.0));
    assert_eq!(e.reads.get(), 0, "the right-hand sides must not be read");
    assert_eq!(compile("flag and a == 6").eval(&e, None), Value::Bool(true));
    assert_eq!(e.reads.get(), 2);
}

#[test]
fn text_functions() {
    assert_eq!(run("empty(null)"), Value::Bool(true));
    assert_eq!(run("empty('  ')"), Value::Bool(true));
    assert_eq!(run("empty([])"), Value::Bool(true));
    assert_eq!(run("empty(name)"), Value::Bool(false));
    assert_eq!(run("empty(0)"), Value::Bool(false));
    assert_eq!(run("empty(false)"), Value::Bool(false));
    assert_eq!(run("len('Đặng')"), Value::Num(4.0));
    assert_eq!(run("len(tags)"), Value::Num(2.0));
    assert_eq!(run("len(null)"), Value::Num(0.0));
    assert_eq!(run("len(12)"), Value::Null);
    assert_eq!(run("upper('nguyễn đức')"), s("NGUYỄN ĐỨC"));
    assert_eq!(run("lower('NGUYỄN ĐỨC')"), s("nguyễn đức"));
    assert_eq!(run("trim(name)"), s("Lê Văn A"));
    assert_eq!(run("upper(1)"), Value::Null);
    assert_eq!(run("trim(null)"), Value::Null);
}

#[test]
fn matches_whole_text_only() {
    assert_eq!(run(r"matches('0912345678', '0\d{9}')"), Value::Bool(true));
    assert_eq!(run(r"matches('x0912345678', '0\d{9}')"), Value::Bool(false));
    assert_eq!(run(r"matches('09123456789', '0\d{9}')"), Value::Bool(false));
    assert_eq!(run("matches('abc', 'b')"), Value::Bool(false));
    assert_eq!(run("matches('abc', 'a|abc')"), Value::Bool(true));
    assert_eq!(run("matches('Lê', '(?i)lê')"), Value::Bool(true));
    assert_eq!(run("matches(a, '6')"), Value::Null);
    assert_eq!(run("matches(null, '.*')"), Value::Null);
}

#[test]
fn date_functions() {
    assert_eq!(run("today()"), Value::Date(date(2025, 3, 25)));
    assert_eq!(run("age_on(dob, today())"), Value::Num(17.0));
    assert_eq!(run("age_on(dob, '2025-03-26')"), Value::Num(18.0));
    assert_eq!(run("age_on(dob, 'tomorrow')"), Value::Null);
    assert_eq!(run("year_of(dob)"), Value::Num(2007.0));
    assert_eq!(run("month_of('26/03/2007')"), Value::Num(3.0));
    assert_eq!(run("day_of(date('2007-03-26'))"), Value::Num(26.0));
    assert_eq!(run("year_of(2007)"), Value::Null);
    assert_eq!(run("add_years('2008-02-29', 14)"), Value::Date(date(2022, 2, 28)));
    assert_eq!(run("add_years(dob, -120)"), Value::Date(date(1887, 3, 26)));
    assert_eq!(run("add_years(dob, 2.9)"), Value::Date(date(2009, 3, 26)));
    assert_eq!(run("add_years(dob, 9000)"), Value::Null);
    assert_eq!(run("add_years(dob, 99999999999)"), Value::Null);
    assert_eq!(run("add_years(dob, 'x')"), Value::Null);
    assert_eq!(run("add_days('2024-12-31', 1)"), Value::Date(date(2025, 1, 1)));
    assert_eq!(run("add_days('2024-03-01', -1)"), Value::Date(date(2024, 2, 29)));
    assert_eq!(run("add_days('0001-01-01', -1)"), Value::Null);
    assert_eq!(run("days_between('2024-02-28', '2024-03-01')"), Value::Num(2.0));
    assert_eq!(run("days_between('2024-03-01', '2024-02-28')"), Value::Num(-2.0));
    assert_eq!(run("days_between(null, today())"), Value::Null);
    assert_eq!(run("date('05/03/2025')"), Value::Date(date(2025, 3, 5)));
    assert_eq!(run("date('2025-02-30')"), Value::Null);
    assert_eq!(run("date(20250305)"), Value::Null);
}

#[test]
fn conditionals_and_words() {
    assert_eq!(run("if(a > b, 'lớn', 'nhỏ')"), s("lớn"));
    assert_eq!(run("if(null, 1, 2)"), Value::Num(2.0));
    assert_eq!(run("number_in_words(25)"), s("hai mươi lăm"));
    assert_eq!(run("number_in_words(a * 100 + 5)"), s("sáu trăm linh năm"));
    assert_eq!(run("number_in_words(-1)"), Value::Null);
    assert_eq!(run("number_in_words(1.5)"), Value::Null);
    assert_eq!(run("number_in_words('5')"), Value::Null);
    assert_eq!(
        run("date_in_words('25/03/2025')"),
        s("Ngày hai mươi lăm tháng ba năm hai nghìn không trăm hai mươi lăm")
    );
    assert_eq!(run("date_in_words(null)"), Value::Null);
}

#[test]
fn aggregates_over_rows() {
    assert_eq!(run("count(kids)"), Value::Num(3.0));
    assert_eq!(run("sum(kids, kid_age)"), Value::Num(20.0));
    assert_eq!(run("sum(kids, kid_age * a)"), Value::Num(120.0));
    assert_eq!(run("sum(kids, kid_name)"), Value::Num(0.0));
    assert_eq!(run("min(kids, kid_age)"), Value::Num(3.0));
    assert_eq!(run("max(kids, kid_age)"), Value::Num(10.0));
    assert_eq!(run("min(kids, kid_dob)"), Value::Date(date(2014, 12, 31)));
    assert_eq!(run("max(kids, kid_dob)"), Value::Date(date(2021, 5, 1)));
    assert_eq!(run("max(kids, kid_name)"), Value::Null);
    assert_eq!(run("any(kids, kid_age > 8)"), Value::Bool(true));
    assert_eq!(run("any(kids, kid_age > 10)"), Value::Bool(false));
    assert_eq!(run("all(kids, kid_age > 2)"), Value::Bool(true));
    assert_eq!(run("all(kids, not empty(kid_name))"), Value::Bool(false));
    assert_eq!(run("all(kids, age_on(kid_dob, today()) < 18)"), Value::Bool(true));
    assert_eq!(run("count(jobs) + sum(jobs, job_from)"), Value::Num(0.0));
    assert_eq!(run("min(jobs, job_from)"), Value::Null);
    assert_eq!(run("any(jobs, true)"), Value::Bool(false));
    assert_eq!(run("all(jobs, false)"), Value::Bool(true));
}

#[test]
fn row_expressions_read_the_current_row() {
    let e = env();
    let rule = Expr::compile("kid_age < a and count(kids) > 1", &TestScope, Some(KIDS)).unwrap();
    assert_eq!(rule.eval(&e, Some(0)), Value::Bool(true));
    assert_eq!(rule.eval(&e, Some(1)), Value::Bool(false));
    assert_eq!(rule.eval(&e, Some(9)), Value::Bool(false));
    assert_eq!(rule.fields(), vec![1, KIDS, 11]);
    assert!(Expr::compile("job_from", &TestScope, Some(KIDS)).is_err());
}

#[test]
fn fields_today_and_constants() {
    let e = compile("a + b + a + count(kids) + sum(kids, kid_age) + len(name)");
    assert_eq!(e.fields(), vec![1, 2, 3, KIDS, 11]);
    assert!(!e.uses_today());
    assert_eq!(e.constant(), None);
    assert_eq!(e.source(), "a + b + a + count(kids) + sum(kids, kid_age) + len(name)");

    let e = compile("age_on(dob, today()) >= 14");
    assert_eq!(e.fields(), vec![4]);
    assert!(e.uses_today());
    assert_eq!(e.constant(), None);
    assert_eq!(compile("add_years(today(), -120)").constant(), None);
    assert_eq!(compile("count(jobs)").constant(), None);

    assert_eq!(compile("1 + 2 * 3").constant(), Some(Value::Num(7.0)));
    assert_eq!(
        compile("add_years('2000-01-01', 18)").constant(),
        Some(Value::Date(date(2018, 1, 1)))
    );
    assert_eq!(
        compile("['a', 'b']").constant(),
        Some(Value::List(vec![s("a"), s("b")]))
    );
    assert_eq!(compile("if(true, 'x', 1 / 0)").constant(), Some(s("x")));
    assert_eq!(compile("matches('12', '\\d+')").constant(), Some(Value::Bool(true)));
    assert!(compile("'1900-01-01'").fields().is_empty());
}

#[test]
fn nesting_and_size_are_capped() {
    let nested = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(compile(&nested(40)).eval(&env(), None), Value::Num(6.0));
    assert_error(&nested(64), 64, "nested too deeply");
    assert_error(&nested(1000), 64, "nested too deeply");
    assert_error(&format!("{}1", "-".repeat(500)), 64, "nested too deeply");
    assert_error(&format!("{}1", "not ".repeat(500)), 256, "nested too deeply");
    assert_error(
        &format!("{}1{}", "len([".repeat(200), "])".repeat(200)),
        160,
        "nested too deeply",
    );
    let (_, message) = error(&vec!["a"; 100].join(" + "));
    assert!(message.contains("nested too deeply"), "{message}");
    // Long chains of constants fold as they are read; `and`/`or` chains stay flat.
    assert_eq!(run(&vec!["1"; 1000].join("+")), Value::Num(1000.0));
    assert_eq!(run(&vec!["a == 1"; 300].join(" or ")), Value::Bool(false));
    let long = format!("'{}'", "x".repeat(MAX_SOURCE_LEN));
    assert_error(&long, MAX_SOURCE_LEN, "longer than 4096 bytes");
}

#[test]
fn values_convert_to_and_from_json() {
    use serde_json::json;
    let v = Value::from_json(&json!([null, true, 1.5, 2, "x", {"commune": "1"}]));
    assert_eq!(
        v,
        Value::List(vec![
            Value::Null,
            Value::Bool(true),
            Value::Num(1.5),
            Value::Num(2.0),
            s("x"),
            Value::Null
        ])
    );
    assert_eq!(v.to_json(), json!([null, true, 1.5, 2, "x", null]));
    assert_eq!(Value::Date(date(2025, 3, 5)).to_json(), json!("2025-03-05"));
    assert_eq!(Value::Num(f64::NAN).to_json(), json!(null));
    assert_eq!(Value::Num(f64::INFINITY).to_json(), json!(null));
    assert_eq!(s("05/03/2025").as_date(), Some(date(2025, 3, 5)));
    assert_eq!(
        Value::Date(Date {
            year: 2025,
            month: 2,
            day: 30
        })
        .as_date(),
        None
    );
    assert_eq!(Value::Num(20250305.0).as_date(), None);
}

#[test]
fn truthiness() {
    let falsy = [
        Value::Null,
        Value::Bool(false),
        Value::Num(0.0),
        Value::Num(f64::NAN),
        s(""),
        Value::List(vec![]),
    ];
    assert!(falsy.iter().all(|v| !v.truthy()));
    let truthy = [
        Value::Bool(true),
        Value::Num(-1.0),
        s(" "),
        Value::Date(date(2025, 1, 1)),
        Value::List(vec![Value::Null]),
    ];
    assert!(truthy.iter().all(Value::truthy));
}

#[test]
fn expressions_are_shareable() {
    fn shareable<T: Send + Sync + Clone + std::fmt::Debug>(_: &T) {}
    let e = compile("matches(name, '[A-Z]+') and a > 1");
    shareable(&e);
    let copy = e.clone();
    assert_eq!(copy.eval(&env(), None), e.eval(&env(), None));
}

/// Values an environment may hold, including ones an expression never produces.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Num),
        prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::MAX), Just(-0.0)].prop_map(Value::Num),
        ".{0,12}".prop_map(Value::Str),
        prop_oneof![Just("2024-02-29"), Just("31/12/9999"), Just("0001-01-01"), Just(" ")].prop_map(s),
        (any::<i32>(), any::<u8>(), any::<u8>()).prop_map(|(year, month, day)| Value::Date(Date { year, month, day })),
        (1..=9999i32, 1..=12u8, 1..=28u8).prop_map(|(y, m, d)| Value::Date(date(y, m, d))),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop::collection::vec(inner, 0..3).prop_map(Value::List)
    })
}

fn any_env() -> impl Strategy<Value = TestEnv> {
    (
        prop::collection::vec(any_value(), 6),
        prop::collection::vec(any_value(), 9),
        0..4usize,
    )
        .prop_map(|(top, rows, count)| {
            let mut values = HashMap::new();
            for (i, v) in top.into_iter().enumerate() {
                values.insert((i as u32 + 1, None), v);
            }
            for (i, v) in rows.into_iter().enumerate() {
                values.insert((11 + (i % 3) as u32, Some(i / 3)), v);
            }
            TestEnv {
                values,
                rows: HashMap::from([(KIDS, count), (JOBS, count)]),
                reads: Cell::new(0),
            }
        })
}

const NAMES: &[&str] = &[
    "a", "b", "name", "dob", "flag", "tags", "kid_age", "kid_dob", "kids", "jobs",
];
const FUNCS: &[&str] = &[
    "empty",
    "len",
    "today",
    "age_on",
    "year_of",
    "month_of",
    "day_of",
    "add_years",
    "add_days",
    "days_between",
    "date",
    "upper",
    "lower",
    "trim",
    "matches",
    "if",
    "contains",
    "date_in_words",
    "number_in_words",
    "count",
    "sum",
    "min",
    "max",
    "any",
    "all",
];
const OPS: &[&str] = &[
    "or", "||", "and", "&&", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%",
];
const ATOMS: &[&str] = &[
    "0",
    "1",
    "2.5",
    "99999999999999999999",
    "'x'",
    "'2024-02-29'",
    "'29/02/2024'",
    "''",
    "'.*'",
    "'('",
    "true",
    "false",
    "null",
    "[1, 'x']",
    "[]",
    "today()",
];

/// Well-formed expressions over the test scope's names, functions and operators.
fn well_formed() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select([NAMES[..6].to_vec(), ATOMS.to_vec()].concat()).prop_map(String::from);
    leaf.prop_recursive(4, 48, 3, |inner| {
        let one = [
            "empty",
            "len",
            "year_of",
            "month_of",
            "day_of",
            "date",
            "upper",
            "lower",
            "trim",
            "date_in_words",
            "number_in_words",
        ];
        let two = ["age_on", "add_years", "add_days", "days_between", "contains"];
        let agg = ["sum", "min", "max", "any", "all"];
        prop_oneof![
            (inner.clone(), prop::sample::select(OPS), inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (prop::sample::select(one.to_vec()), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (prop::sample::select(two.to_vec()), inner.clone(), inner.clone())
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            (prop::sample::select(agg.to_vec()), inner.clone()).prop_map(|(f, a)| format!("{f}(kids, {a} + kid_age)")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("if({c}, {a}, -{b})")),
            inner.clone().prop_map(|a| format!("(not matches({a}, '[0-9]+'))")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("[{a}, {b}, count(kids)]")),
        ]
    })
}

/// Any sequence of the language's tokens, well-formed or not.
fn token_soup() -> impl Strategy<Value = String> {
    let tokens = [
        NAMES,
        FUNCS,
        OPS,
        ATOMS,
        &["(", ")", "[", "]", ",", "!", "not", "-", "'", "\\", "=", "\"a", "é"],
    ]
    .concat();
    prop::collection::vec(prop::sample::select(tokens), 0..30).prop_map(|t| t.join(" "))
}

/// `remainder(x, y)` and `x % y` give the same bits (NaN for NaN).
fn same_remainder(x: f64, y: f64) -> bool {
    let (ours, std) = (eval::remainder(x, y), x % y);
    ours.to_bits() == std.to_bits() || (ours.is_nan() && std.is_nan())
}

#[test]
fn remainder_is_the_operator_s_at_the_edges() {
    let tiny = f64::from_bits(1);
    let edges = [
        0.0,
        -0.0,
        tiny,
        3.0 * tiny,
        f64::MIN_POSITIVE,
        0.1,
        0.3,
        1.0,
        3.0,
        7.5,
        1e17,
        1e300,
        f64::MAX,
    ];
    for x in edges.iter().flat_map(|&x| [x, -x]) {
        for y in edges.iter().flat_map(|&y| [y, -y]) {
            assert!(same_remainder(x, y), "{x:e} % {y:e}");
        }
    }
}

proptest! {
    #[test]
    fn remainder_is_the_operator_s(
        x in any::<u64>(),
        y in any::<u64>(),
        small in any::<i32>(),
        (a, b) in (-1e6..1e6f64, -50.0..50.0f64),
    ) {
        let (x, y) = (f64::from_bits(x), f64::from_bits(y));
        prop_assume!(x.is_finite() && y.is_finite());
        prop_assert!(same_remainder(x, y), "{:e} % {:e}", x, y);
        prop_assert!(same_remainder(x, f64::from(small)), "{:e} % {}", x, small);
        prop_assert!(same_remainder(f64::from(small), 7.0), "{} % 7", small);
        prop_assert!(same_remainder(a, b), "{} % {}", a, b);
    }

    #[test]
    fn compile_never_panics_on_any_text(src in "\\PC{0,80}|.{0,80}") {
        let _ = Expr::compile(&src, &TestScope, None);
        let _ = Expr::compile(&src, &TestScope, Some(KIDS));
    }

    #[test]
    fn token_soup_compiles_or_fails_cleanly(src in token_soup(), env in any_env()) {
        for row_group in [None, Some(KIDS)] {
            match Expr::compile(&src, &TestScope, row_group) {
                Ok(e) => {
                    let _ = e.eval(&env, row_group.map(|_| 1));
                }
                Err(err) => prop_assert!(err.pos <= src.len()),
            }
        }
    }

    #[test]
    fn well_formed_expressions_compile_and_evaluate(src in well_formed(), env in any_env()) {
        let e = match Expr::compile(&src, &TestScope, None) {
            Ok(e) => e,
            // The generator puts dates into sums too, which the language refuses by design.
            Err(err) if err.message.starts_with("dates take no arithmetic") => return Ok(()),
            Err(err) => return Err(TestCaseError::fail(format!("{src}: {err}"))),
        };
        let first = e.eval(&env, None);
        prop_assert_eq!(format!("{first:?}"), format!("{:?}", e.eval(&env, None)), "deterministic");
        if let Some(constant) = e.constant() {
            prop_assert_eq!(format!("{constant:?}"), format!("{first:?}"));
            prop_assert!(e.fields().is_empty() && !e.uses_today());
        }
    }
}

#[test]
fn deepest_expressions_fit_the_wasm_stack() {
    // 1 MiB is the default stack of wasm32-unknown-unknown; unoptimised builds use the most.
    let deepest = [
        format!("{}a{}", "len([".repeat(31), "])".repeat(31)),
        format!("{}a{}", "(".repeat(63), ")".repeat(63)),
        format!("{}a", "-".repeat(63)),
        format!("{}a", "not ".repeat(63)),
        vec!["a"; 64].join(" + "),
    ];
    let results = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let env = env();
            deepest.map(|src| Expr::compile(&src, &TestScope, None).map(|e| e.eval(&env, None)))
        })
        .unwrap()
        .join()
        .unwrap();
    let [call, paren, neg, not, sum] = results.map(Result::unwrap);
    assert_eq!(
        (call, paren, neg, not, sum),
        (
            Value::Num(1.0),
            Value::Num(6.0),
            Value::Num(-6.0),
            Value::Bool(false),
            Value::Num(384.0)
        )
    );
}
