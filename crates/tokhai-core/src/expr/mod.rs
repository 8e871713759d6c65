//! The expression language of `visible_if`, `required_if`, `compute`, date bounds and rules.
//!
//! An expression is parsed once, when the form is compiled, into an immutable [`Expr`]; names
//! are resolved then through a [`Scope`], function arities are checked and `matches` patterns
//! are compiled. Evaluation reads field values through an [`Env`], is deterministic, never
//! panics and turns every type mismatch, missing value or division by zero into
//! [`Value::Null`].
//!
//! Grammar, lowest precedence first:
//!
//! ```text
//! or       := and (("or" | "||") and)*
//! and      := not (("and" | "&&") not)*
//! not      := ("not" | "!") not | compare
//! compare  := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") sum)?
//! sum      := product (("+" | "-") product)*
//! product  := unary (("*" | "/" | "%") unary)*
//! unary    := "-" unary | primary
//! primary  := number | string | "true" | "false" | "null" | "[" list "]" | "(" or ")"
//!           | name "(" list ")" | name
//! ```
//!
//! Strings take `'…'` or `"…"` with the escapes `\\ \' \" \n`; any other backslash is kept, so
//! `matches(pin, '\d{12}')` reads as written. Names are `[A-Za-z_][A-Za-z0-9_]*` except
//! the keywords `and or not in true false null`; `name.part` reads a part of an address field
//! (`new_address.commune`: `province`, `commune` or `street`).
//!
//! Semantics: `==` compares by value (1 == 1.0, a Date equals a Str holding the same ISO date,
//! null == null); `<` and friends compare numbers, texts, and dates (also with ISO-date texts),
//! and are false otherwise; `in` tests membership in a list or a substring in a text; `+` also
//! joins texts; `and`/`or` short-circuit and give booleans. Any other mismatch is Null. Arithmetic
//! on what is known to be a date when compiled (a date field, `today()`, `date`, `add_days`,
//! `add_years`) is refused then: `days_between` and `add_days` do what it would mean.
//!
//! Functions (any argument may be an expression):
//!
//! ```text
//! empty(x)                 null, blank text or []            len(x)              length of a text or list
//! today()                  the date of the filing            date(text)          a date from 'yyyy-mm-dd' or dd/mm/yyyy
//! year_of(d) month_of(d) day_of(d)                           age_on(dob, day)    whole years from dob to day
//! add_years(d, n)          add_days(d, n)                    days_between(from, to)   to − from, in days
//! upper(t) lower(t) trim(t)                                  contains(text_or_list, x)
//! matches(t, 'pattern')    the whole text, a literal pattern if(cond, then, else)
//! date_in_words(d)         "Ngày hai mươi chín tháng hai…"   number_in_words(n)  "mười hai"
//! count(g)                 rows of group g                   sum(g, e) min(g, e) max(g, e) any(g, e) all(g, e)
//! ```
//!
//! In `sum(g, e)` and its kin, `e` is evaluated once per row of `g` and may name that row's fields;
//! `sum` skips non-numbers, `min`/`max` compare numbers or dates (the first found decides which),
//! `any` of no rows is false and `all` of no rows is true.
//!
//! A field compared (`==`, `!=`, `in`, `contains`) with a constant it can never equal is refused when the form is
//! compiled, with what to write: a choice with a text that is none of its option values or with a
//! number, a number with a text, a checkbox group (a list: write `'code' in group`) with anything, any
//! field with `''` (write `empty(field)`).

mod eval;
mod functions;
mod lexer;
mod parser;
mod value;
pub(crate) use value::MAX_EXACT;

#[cfg(test)]
mod tests;

use crate::date::Date;
use std::fmt;

/// Longest accepted expression source, in bytes.
pub const MAX_SOURCE_LEN: usize = 4096;

/// Deepest accepted nesting of operations, calls, lists and parentheses.
pub const MAX_DEPTH: usize = 64;

/// Adds a number to a sorted list of unique ones, saying whether it was new (a BTreeSet's work,
/// in less wasm).
pub(crate) fn insert_sorted(set: &mut Vec<u32>, id: u32) -> bool {
    match set.binary_search(&id) {
        Ok(_) => false,
        Err(at) => {
            set.insert(at, id);
            true
        }
    }
}

/// A value computed by an expression or read from a field.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value: an empty field, or the result of an invalid operation.
    Null,
    /// A yes/no value.
    Bool(bool),
    /// A number; computed results are never NaN or infinite.
    Num(f64),
    /// A text.
    Str(String),
    /// A calendar date.
    Date(Date),
    /// A list of values, e.g. the options chosen in a checkbox group.
    List(Vec<Value>),
}

/// How a name in an expression is bound, decided by the form compiler's [`Scope`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// A field outside any repeating group.
    Field(u32),
    /// A field of the current row of a repeating group.
    RowField(u32),
    /// A repeating group, usable only as the first argument of an aggregate.
    Group(u32),
    /// A part of an address field outside any repeating group: the field, and one of
    /// [`crate::path::ADDRESS_PARTS`].
    Part(u32, &'static str),
}

/// Resolves names while compiling an expression.
pub trait Scope {
    /// Binds `name`; `row_group` is the repeating group whose row is current, if any.
    fn resolve(&self, name: &str, row_group: Option<u32>) -> Result<Binding, String>;

    /// Whether `field` holds a date (arithmetic on it is refused: it would give nothing).
    fn holds_date(&self, _field: u32) -> bool {
        false
    }

    /// Why `field` can never equal the constant `literal`, or hold it (`within`: `'code' in group`), if it
    /// cannot (a choice it does not offer, a text for a number, '' for anything): comparing them is
    /// refused, as the comparison would never hold.
    fn never_equals(&self, _field: u32, _literal: &Value, _within: bool) -> Option<String> {
        None
    }
}

/// What evaluation reads.
pub trait Env {
    /// The value of a field; `row` is given for a row field read inside a row.
    fn value(&self, field: u32, row: Option<usize>) -> Value;
    /// A part (`province`, `commune`, `street`) of an address field outside any repeating group.
    fn part(&self, field: u32, part: &str) -> Value;
    /// Number of rows of a repeating group.
    fn row_count(&self, group: u32) -> usize;
    /// The current date, supplied by the caller.
    fn today(&self) -> Date;
}

/// An error in an expression's source, at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset in the source where the problem is.
    pub pos: usize,
    /// What is wrong, in English.
    pub message: String,
}

impl ExprError {
    fn new(pos: usize, message: impl Into<String>) -> ExprError {
        ExprError {
            pos,
            message: message.into(),
        }
    }
}

impl fmt::Display for ExprError {
    /// Formats as `at 12: unknown function 'foo'`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.pos, self.message)
    }
}

impl std::error::Error for ExprError {}

/// A compiled expression: parsed once, evaluated many times.
#[derive(Clone, Debug)]
pub struct Expr {
    source: String,
    root: parser::Node,
    fields: Vec<u32>,
    uses_today: bool,
}

impl Expr {
    /// Parses and resolves `src`; `row_group` is the repeating group whose row is current.
    pub fn compile(src: &str, scope: &dyn Scope, row_group: Option<u32>) -> Result<Expr, ExprError> {
        let parsed = parser::parse(src, scope, row_group)?;
        Ok(Expr {
            source: src.to_string(),
            root: parsed.root,
            fields: parsed.fields,
            uses_today: parsed.uses_today,
        })
    }

    /// Evaluates the expression; `row` is the current row of the compile-time `row_group`.
    pub fn eval(&self, env: &dyn Env, row: Option<usize>) -> Value {
        eval::eval(&self.root, env, row).into_owned()
    }

    /// Every field and group id the expression reads, sorted and deduplicated.
    pub fn fields(&self) -> Vec<u32> {
        self.fields.clone()
    }

    /// Whether the expression calls `today()`.
    pub fn uses_today(&self) -> bool {
        self.uses_today
    }

    /// The value, if the expression reads no field and does not call `today()`.
    pub fn constant(&self) -> Option<Value> {
        match &self.root {
            parser::Node::Const(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// The source text the expression was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }
}
