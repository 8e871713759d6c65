//! Validation rules, one small module per rule, compiled once from a field definition.

pub(crate) mod address;
pub(crate) mod capitals;
pub(crate) mod choice;
pub(crate) mod custom;
pub(crate) mod date_bounds;
pub(crate) mod email;
pub(crate) mod file;
pub(crate) mod integer;
pub(crate) mod kind;
pub(crate) mod length;
pub(crate) mod members;
pub(crate) mod name;
pub(crate) mod pattern;
pub(crate) mod periods;
pub(crate) mod phone;
pub(crate) mod pin;
pub(crate) mod range;
pub(crate) mod required;
pub(crate) mod rows;
pub(crate) mod tax_code;

use crate::catalog::CatalogView;
use crate::expr::{Binding, Env, Expr, Value};
use crate::issue::{Finding, Issue};
use serde_json::Value as Json;
use std::fmt;

/// One compiled check of a field's value.
pub(crate) trait Rule: Send + Sync {
    /// Checks a well-typed value and reports findings to `cx`.
    fn check(&self, value: &Json, cx: &mut Check<'_>);

    /// Whether the rule also runs on an empty value (cross-field rules do).
    fn checks_empty(&self) -> bool {
        false
    }

    /// Expressions the rule evaluates (their fields are the rule's dependencies).
    fn exprs(&self) -> Vec<&Expr> {
        Vec::new()
    }
}

/// Rules print as a placeholder: a `Debug` supertrait would put every rule's `Debug` code (and
/// the expression trees') into each vtable, and so into the wasm, though nothing prints them there.
impl fmt::Debug for dyn Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rule")
    }
}

/// What a rule sees while checking one value.
pub(crate) struct Check<'a> {
    /// Path of the value, e.g. `members[1].pin`.
    pub path: &'a str,
    /// Other fields' values.
    pub env: &'a dyn Env,
    /// Current row when the field is inside a repeat group.
    pub row: Option<usize>,
    /// Options catalogues.
    pub catalogs: CatalogView<'a>,
    /// Issues found so far.
    pub issues: Vec<Issue>,
}

impl Check<'_> {
    /// Records a finding at the value's path.
    pub fn report(&mut self, finding: Finding) {
        self.issues.push(finding.at(self.path));
    }

    /// Records a finding at a sub-path such as `.commune`.
    pub fn report_at(&mut self, suffix: &str, finding: Finding) {
        self.issues.push(finding.at(&format!("{}{suffix}", self.path)));
    }

    /// Reads another field's value as bound at compile time.
    pub fn read(&self, binding: Binding) -> Value {
        read(self.env, binding, self.row)
    }

    /// The current year, from the session's "today".
    pub fn current_year(&self) -> i32 {
        self.env.today().year
    }
}

/// Reads a bound field in the current row: top-level fields ignore the row; a group reads as its row count.
pub(crate) fn read(env: &dyn Env, binding: Binding, row: Option<usize>) -> Value {
    match binding {
        Binding::Field(f) => env.value(f, None),
        Binding::RowField(f) => env.value(f, row),
        Binding::Group(g) => Value::Num(env.row_count(g) as f64),
        Binding::Part(f, part) => env.part(f, part),
    }
}
