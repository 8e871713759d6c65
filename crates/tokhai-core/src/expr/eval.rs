//! Evaluates a compiled expression tree; total: every failure is Null, never a panic.

use super::functions::{apply1, apply2, Agg};
use super::parser::{BinOp, Node};
use super::value::{contains, loose_eq, order};
use super::{Env, Value};
use crate::date::Date;
use std::borrow::Cow;
use std::cmp::Ordering;

/// Evaluates `node`; constants are borrowed from the tree rather than copied.
pub(crate) fn eval<'a>(node: &'a Node, env: &dyn Env, row: Option<usize>) -> Cow<'a, Value> {
    let value = match node {
        Node::Const(v) => return Cow::Borrowed(v),
        Node::If(args) => {
            let [cond, then, otherwise] = &**args;
            let chosen = if eval(cond, env, row).truthy() { then } else { otherwise };
            return eval(chosen, env, row);
        }
        Node::Field(id) => env.value(*id, None),
        Node::RowField(id) => env.value(*id, row),
        Node::Part(id, part) => env.part(*id, part),
        Node::Today => Value::Date(env.today()),
        Node::List(items) => Value::List(items.iter().map(|n| eval(n, env, row).into_owned()).collect()),
        Node::Not(a) => Value::Bool(!eval(a, env, row).truthy()),
        Node::Neg(a) => eval(a, env, row).as_num().map_or(Value::Null, |n| Value::num(-n)),
        Node::And(items) => Value::Bool(items.iter().all(|n| eval(n, env, row).truthy())),
        Node::Or(items) => Value::Bool(items.iter().any(|n| eval(n, env, row).truthy())),
        Node::Binary(op, a, b) => binary(*op, &eval(a, env, row), &eval(b, env, row)),
        Node::Call1(f, a) => apply1(*f, &eval(a, env, row)),
        Node::Call2(f, a, b) => apply2(*f, &eval(a, env, row), &eval(b, env, row)),
        Node::Matches(text, regex) => match &*eval(text, env, row) {
            Value::Str(s) => Value::Bool(regex.matches(s)),
            _ => Value::Null,
        },
        Node::Count(group) => Value::Num(env.row_count(*group) as f64),
        Node::Aggregate(agg, group, body) => {
            let rows = (0..env.row_count(*group)).map(|i| eval(body, env, Some(i)));
            aggregate(*agg, rows)
        }
    };
    Cow::Owned(value)
}

fn binary(op: BinOp, a: &Value, b: &Value) -> Value {
    let ordered = |want: fn(Ordering) -> bool| Value::Bool(order(a, b).is_some_and(want));
    match op {
        BinOp::Eq => Value::Bool(loose_eq(a, b)),
        BinOp::Ne => Value::Bool(!loose_eq(a, b)),
        BinOp::Lt => ordered(Ordering::is_lt),
        BinOp::Le => ordered(Ordering::is_le),
        BinOp::Gt => ordered(Ordering::is_gt),
        BinOp::Ge => ordered(Ordering::is_ge),
        BinOp::In => Value::Bool(contains(b, a)),
        BinOp::Add => match (a, b) {
            (Value::Str(x), Value::Str(y)) => Value::Str([x.as_str(), y.as_str()].concat()),
            _ => arithmetic(a, b, |x, y| x + y),
        },
        BinOp::Sub => arithmetic(a, b, |x, y| x - y),
        BinOp::Mul => arithmetic(a, b, |x, y| x * y),
        // Division by zero gives an infinity or NaN, which `Value::num` turns into Null.
        BinOp::Div => arithmetic(a, b, |x, y| x / y),
        BinOp::Rem => arithmetic(a, b, remainder),
    }
}

fn arithmetic(a: &Value, b: &Value, f: fn(f64, f64) -> f64) -> Value {
    match (a.as_num(), b.as_num()) {
        (Some(x), Some(y)) => Value::num(f(x, y)),
        _ => Value::Null,
    }
}

/// `x % y` of finite numbers, bit for bit, without the libm `fmod` that `%` brings into the wasm bundle.
pub(super) fn remainder(x: f64, y: f64) -> f64 {
    let (mut rest, y) = (x.abs(), y.abs());
    if y == 0.0 {
        return f64::NAN;
    }
    // Takes off y·2^k, the largest k first: each subtraction is exact, the rest being under twice it.
    let mut power = y;
    while power * 2.0 <= rest {
        power *= 2.0;
    }
    while power >= y {
        if rest >= power {
            rest -= power;
        }
        power /= 2.0;
    }
    rest.copysign(x)
}

/// Combines the body's values over the rows; `sum` skips non-numbers, `min`/`max` non-comparables.
fn aggregate<'a>(agg: Agg, mut rows: impl Iterator<Item = Cow<'a, Value>>) -> Value {
    match agg {
        Agg::Sum => Value::num(rows.filter_map(|v| v.as_num()).sum()),
        Agg::Any => Value::Bool(rows.any(|v| v.truthy())),
        Agg::All => Value::Bool(rows.all(|v| v.truthy())),
        Agg::Min => extreme(rows, Ordering::Less),
        Agg::Max => extreme(rows, Ordering::Greater),
    }
}

/// The smallest or greatest number or date; the first one found decides which kind is compared.
fn extreme<'a>(rows: impl Iterator<Item = Cow<'a, Value>>, want: Ordering) -> Value {
    let mut best = Value::Null;
    for v in rows {
        let candidate = match v.as_num() {
            Some(n) => Value::Num(n),
            None => match v.as_date() {
                Some(d) => Value::Date(d),
                None => continue,
            },
        };
        if best == Value::Null || order(&candidate, &best) == Some(want) {
            best = candidate;
        }
    }
    best
}

/// An environment with no fields, used to fold constant parts at compile time.
pub(crate) struct NoEnv;

impl Env for NoEnv {
    fn value(&self, _field: u32, _row: Option<usize>) -> Value {
        Value::Null
    }

    fn part(&self, _field: u32, _part: &str) -> Value {
        Value::Null
    }

    fn row_count(&self, _group: u32) -> usize {
        0
    }

    fn today(&self) -> Date {
        Date::from_days(0)
    }
}
