//! The built-in functions: names, arities and the pure ones' implementations.

use super::value::{contains, MAX_EXACT};
use super::Value;
use crate::vn::words;

/// Functions of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func1 {
    Empty,
    Len,
    YearOf,
    MonthOf,
    DayOf,
    Date,
    Upper,
    Lower,
    Trim,
    DateInWords,
    NumberInWords,
}

/// Functions of two arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Func2 {
    AgeOn,
    AddYears,
    AddDays,
    DaysBetween,
    Contains,
}

/// Aggregates over a repeating group's rows that take an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Agg {
    Sum,
    Min,
    Max,
    Any,
    All,
}

/// What a function name calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Callee {
    Today,
    One(Func1),
    Two(Func2),
    If,
    Matches,
    Count,
    Agg(Agg),
}

impl Callee {
    /// The function of a name.
    pub fn lookup(name: &str) -> Option<Callee> {
        Some(match name {
            "today" => Callee::Today,
            "empty" => Callee::One(Func1::Empty),
            "len" => Callee::One(Func1::Len),
            "year_of" => Callee::One(Func1::YearOf),
            "month_of" => Callee::One(Func1::MonthOf),
            "day_of" => Callee::One(Func1::DayOf),
            "date" => Callee::One(Func1::Date),
            "upper" => Callee::One(Func1::Upper),
            "lower" => Callee::One(Func1::Lower),
            "trim" => Callee::One(Func1::Trim),
            "date_in_words" => Callee::One(Func1::DateInWords),
            "number_in_words" => Callee::One(Func1::NumberInWords),
            "age_on" => Callee::Two(Func2::AgeOn),
            "add_years" => Callee::Two(Func2::AddYears),
            "add_days" => Callee::Two(Func2::AddDays),
            "days_between" => Callee::Two(Func2::DaysBetween),
            "contains" => Callee::Two(Func2::Contains),
            "if" => Callee::If,
            "matches" => Callee::Matches,
            "count" => Callee::Count,
            "sum" => Callee::Agg(Agg::Sum),
            "min" => Callee::Agg(Agg::Min),
            "max" => Callee::Agg(Agg::Max),
            "any" => Callee::Agg(Agg::Any),
            "all" => Callee::Agg(Agg::All),
            _ => return None,
        })
    }

    /// Number of arguments the function takes.
    pub fn arity(self) -> usize {
        match self {
            Callee::Today => 0,
            Callee::One(_) | Callee::Count => 1,
            Callee::Two(_) | Callee::Matches | Callee::Agg(_) => 2,
            Callee::If => 3,
        }
    }
}

/// Largest number of years `add_years` moves a date by.
const MAX_YEARS: f64 = 10_000.0;
/// Largest number of days `add_days` moves a date by (a little over 10,000 years).
const MAX_DAYS: f64 = 3_700_000.0;

/// Applies a function of one argument.
pub(crate) fn apply1(f: Func1, x: &Value) -> Value {
    match f {
        Func1::Empty => Value::Bool(match x {
            Value::Null => true,
            Value::Str(s) => s.trim().is_empty(),
            Value::List(items) => items.is_empty(),
            _ => false,
        }),
        Func1::Len => match x {
            Value::Null => Value::Num(0.0),
            Value::Str(s) => Value::Num(s.chars().count() as f64),
            Value::List(items) => Value::Num(items.len() as f64),
            _ => Value::Null,
        },
        Func1::YearOf => x.as_date().map_or(Value::Null, |d| Value::Num(f64::from(d.year))),
        Func1::MonthOf => x.as_date().map_or(Value::Null, |d| Value::Num(f64::from(d.month))),
        Func1::DayOf => x.as_date().map_or(Value::Null, |d| Value::Num(f64::from(d.day))),
        Func1::Date => x.as_date().map_or(Value::Null, Value::Date),
        Func1::Upper => map_str(x, crate::text::uppercase),
        Func1::Lower => map_str(x, crate::text::lowercase),
        Func1::Trim => map_str(x, |s| s.trim().to_string()),
        Func1::DateInWords => x.as_date().map_or(Value::Null, |d| Value::Str(words::date_in_words(d))),
        Func1::NumberInWords => match x.as_num() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= MAX_EXACT => Value::Str(words::number_in_words(n as u64)),
            _ => Value::Null,
        },
    }
}

/// Applies a function of two arguments.
pub(crate) fn apply2(f: Func2, a: &Value, b: &Value) -> Value {
    match f {
        Func2::Contains => Value::Bool(contains(a, b)),
        Func2::AgeOn => match (a.as_date(), b.as_date()) {
            (Some(dob), Some(on)) => Value::Num(f64::from(dob.years_until(on))),
            _ => Value::Null,
        },
        Func2::DaysBetween => match (a.as_date(), b.as_date()) {
            (Some(from), Some(to)) => Value::Num((to.to_days() - from.to_days()) as f64),
            _ => Value::Null,
        },
        Func2::AddYears => match (a.as_date(), whole(b, MAX_YEARS)) {
            (Some(d), Some(n)) => checked_date(d.add_years(n as i32)),
            _ => Value::Null,
        },
        Func2::AddDays => match (a.as_date(), whole(b, MAX_DAYS)) {
            (Some(d), Some(n)) => checked_date(d.add_days(n as i64)),
            _ => Value::Null,
        },
    }
}

fn map_str(x: &Value, f: impl Fn(&str) -> String) -> Value {
    match x {
        Value::Str(s) => Value::Str(f(s)),
        _ => Value::Null,
    }
}

/// The number truncated to a whole number, if it is at most `limit` in size.
fn whole(x: &Value, limit: f64) -> Option<f64> {
    x.as_num().map(f64::trunc).filter(|n| n.abs() <= limit)
}

/// The date if it lies in years 1 to 9999, else Null.
fn checked_date(d: crate::date::Date) -> Value {
    crate::date::Date::new(d.year, d.month, d.day).map_or(Value::Null, Value::Date)
}
