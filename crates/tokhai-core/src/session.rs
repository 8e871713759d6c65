//! One filing: values, visibility, required state and issues, updated by inputs that return patches.

use crate::canonical::json_text;
use crate::catalog::{CatalogView, Catalogs};
use crate::definition::FieldKind;
use crate::expr::{Env, Expr, Value};
use crate::form::{Form, MAX_ROWS};
use crate::issue::{Finding, Issue};
use crate::normalize::normalize;
use crate::rules::{kind, read, required::is_empty, Check};
use crate::text::uppercase;
use crate::{path, Date};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use std::sync::Arc;

/// The smallest change to apply to a rendered form.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Patch {
    /// A computed value changed.
    Value {
        /// The field's value path.
        path: String,
        /// Its new value.
        value: Json,
    },
    /// A field was shown or hidden.
    Visible {
        /// The field's value path.
        path: String,
        /// Whether it is shown now.
        visible: bool,
    },
    /// A field became required or optional.
    Required {
        /// The field's value path.
        path: String,
        /// Whether it is required now.
        required: bool,
    },
    /// A field's issues changed (empty: cleared).
    Issues {
        /// The field's value path.
        path: String,
        /// All its issues now.
        issues: Vec<Issue>,
    },
    /// A repeat group's row count changed.
    Rows {
        /// The group's value path.
        path: String,
        /// Its rows now.
        count: usize,
    },
    /// A catalogue select's options are now the children of `parent`.
    Options {
        /// The select's value path.
        path: String,
        /// The code the parent field holds (`None` while it holds none).
        parent: Option<String>,
    },
}

impl Patch {
    /// The value path the patch is about.
    pub fn path(&self) -> &str {
        match self {
            Patch::Value { path, .. }
            | Patch::Visible { path, .. }
            | Patch::Required { path, .. }
            | Patch::Issues { path, .. }
            | Patch::Rows { path, .. }
            | Patch::Options { path, .. } => path,
        }
    }
}

/// A request a session cannot carry out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The host did not provide a catalogue the form needs.
    #[error("the form needs the catalogue '{0}'")]
    MissingCatalog(String),
    /// No field has this path.
    #[error("{0}")]
    UnknownPath(String),
    /// The field cannot take input (computed, or a group).
    #[error("'{0}' is read-only")]
    ReadOnly(String),
    /// A row operation outside the group's bounds.
    #[error("group '{0}': {1}")]
    Rows(String, String),
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Slot {
    value: Json,
    visible: bool,
    required: bool,
    touched: bool,
    issues: Vec<Issue>,
    parent: Option<String>,
}

/// The state of one filing of a form.
#[derive(Debug, Clone)]
pub struct Session {
    form: Arc<Form>,
    catalogs: Arc<Catalogs>,
    today: Date,
    /// Per field, one slot (top level and groups) or one per row (fields in a group).
    slots: Vec<Vec<Slot>>,
}

impl Session {
    /// A blank filing; groups start with their minimum number of rows.
    pub fn new(form: Arc<Form>, catalogs: Arc<Catalogs>, today: Date) -> Result<Session, SessionError> {
        if let Some(missing) = form.external_catalogs().iter().find(|c| !catalogs.contains(c)) {
            return Err(SessionError::MissingCatalog((*missing).to_owned()));
        }
        let slots = form
            .fields
            .iter()
            .map(|f| match f.group {
                Some(g) => vec![Slot::default(); form.fields[g as usize].initial_rows],
                None => vec![Slot::default()],
            })
            .collect();
        let mut session = Session {
            form,
            catalogs,
            today,
            slots,
        };
        session.refresh_all(&mut Vec::new());
        Ok(session)
    }

    /// The compiled form of this session.
    pub fn form(&self) -> &Arc<Form> {
        &self.form
    }

    /// The whole current state as patches, for a first render.
    pub fn snapshot(&self) -> Vec<Patch> {
        self.snapshot_of(|_| true)
    }

    /// As [`Session::snapshot`], for the fields of the steps `on_step` keeps (a view rendered a step at a time).
    pub fn snapshot_of(&self, on_step: impl Fn(usize) -> bool) -> Vec<Patch> {
        let mut out = Vec::new();
        for (f, field) in self.form.fields.iter().enumerate() {
            if !on_step(field.step) {
                continue;
            }
            let f = f as u32;
            if field.kind == FieldKind::Group {
                out.push(Patch::Rows {
                    path: field.id.clone(),
                    count: self.rows(f),
                });
            }
            for row in 0..self.slots[f as usize].len() {
                self.state_patches(f, row, false, &mut out);
            }
        }
        out
    }

    /// Takes a raw value typed by the citizen and returns what changed. A name the form wants in capitals
    /// is kept in capitals, however typed (as the citizen sees it: the rule refuses it otherwise).
    pub fn input(&mut self, path: &str, value: Json) -> Result<Vec<Patch>, SessionError> {
        let target = self.input_target(path)?;
        let field = &self.form.fields[target.field as usize];
        let kind = field.kind;
        let value = match value {
            Json::String(s) if field.uppercase => Json::String(uppercase(&s)),
            other => other,
        };
        let slot = &mut self.slots[target.field as usize][target.row.unwrap_or(0)];
        let raw = match target.part {
            Some(part) => {
                let mut whole = slot.value.as_object().cloned().unwrap_or_default();
                whole.insert(part.to_owned(), value);
                Json::Object(whole)
            }
            None => value,
        };
        slot.value = normalize(kind, raw);
        slot.touched = true;
        let mut patches = Vec::new();
        self.propagate(target.field, target.row, &mut patches);
        Ok(patches)
    }

    /// Whether `path` names a value that can be given: a field (in an existing row) that is neither
    /// computed nor a group.
    pub fn check_input(&self, path: &str) -> Result<(), SessionError> {
        self.input_target(path).map(|_| ())
    }

    fn input_target(&self, path: &str) -> Result<path::Target, SessionError> {
        let target = path::parse(&self.form, path).map_err(SessionError::UnknownPath)?;
        let field = &self.form.fields[target.field as usize];
        if field.is_computed() || field.kind == FieldKind::Group {
            return Err(SessionError::ReadOnly(path.to_owned()));
        }
        if target.row.unwrap_or(0) >= self.slots[target.field as usize].len() {
            return Err(SessionError::UnknownPath(format!("unknown path '{path}'")));
        }
        Ok(target)
    }

    /// Adds an empty row at the end of a repeat group.
    pub fn add_row(&mut self, group: &str) -> Result<Vec<Patch>, SessionError> {
        let g = self.group_index(group)?;
        let max = self.form.fields[g as usize].max_rows.min(MAX_ROWS);
        if self.rows(g) >= max {
            return Err(SessionError::Rows(group.to_owned(), format!("at most {max} rows")));
        }
        for &child in &self.form.fields[g as usize].children {
            self.slots[child as usize].push(Slot::default());
        }
        self.after_rows_changed(g)
    }

    /// Removes one row of a repeat group; later rows move up.
    pub fn remove_row(&mut self, group: &str, index: usize) -> Result<Vec<Patch>, SessionError> {
        let g = self.group_index(group)?;
        if index >= self.rows(g) {
            return Err(SessionError::Rows(group.to_owned(), format!("no row {index}")));
        }
        for &child in &self.form.fields[g as usize].children {
            self.slots[child as usize].remove(index);
        }
        let mut patches = self.after_rows_changed(g)?;
        // Rows after the removed one changed paths: send their whole state.
        let children = self.form.fields[g as usize].children.clone();
        for child in children {
            for row in index..self.rows(g) {
                self.state_patches(child, row, true, &mut patches);
            }
        }
        Ok(patches)
    }

    /// Validates every visible field, as at submission, and returns what changed.
    pub fn validate_all(&mut self) -> Vec<Patch> {
        for slots in &mut self.slots {
            for slot in slots {
                slot.touched = true;
            }
        }
        let mut patches = Vec::new();
        self.refresh_all(&mut patches);
        patches
    }

    /// The errors [`Session::validate_all`] would find, found without marking any field as touched
    /// (so without showing them): whether going on from a step would meet one further on.
    pub fn pending_errors(&self) -> Vec<Issue> {
        let mut out = Vec::new();
        for (f, row) in self.page_order() {
            let slot = &self.slots[f as usize][row];
            if !slot.visible {
                continue;
            }
            let row_arg = self.form.fields[f as usize].group.map(|_| row);
            let path = path::of(&self.form, f, row_arg);
            out.extend(
                self.check(f, row_arg, &path, slot.required)
                    .into_iter()
                    .filter(Issue::is_error),
            );
        }
        out
    }

    /// Current issues of visible fields, in the order the page shows them: a group's rows one after
    /// the other, each with its fields.
    pub fn issues(&self) -> Vec<Issue> {
        self.page_order()
            .into_iter()
            .flat_map(|(f, row)| self.slots[f as usize][row].issues.iter().cloned())
            .collect()
    }

    /// Every slot as (field, row) in the order the page shows them: each field in form order, and
    /// after a group row by row, each row's fields in order.
    fn page_order(&self) -> Vec<(u32, usize)> {
        let mut out = Vec::with_capacity(self.slots.len());
        for (f, field) in (0..).zip(&self.form.fields) {
            if field.group.is_some() {
                continue;
            }
            out.push((f, 0));
            for row in 0..if field.kind == FieldKind::Group {
                self.rows(f)
            } else {
                0
            } {
                out.extend(field.children.iter().map(|&c| (c, row)));
            }
        }
        out
    }

    /// Whether nothing blocks submission (call after [`Session::validate_all`]).
    pub fn is_valid(&self) -> bool {
        self.slots
            .iter()
            .flatten()
            .all(|s| s.issues.iter().all(|i| !i.is_error()))
    }

    /// The values to submit: visible fields only, groups as arrays of rows.
    pub fn values(&self) -> Json {
        let mut out = Map::new();
        for (f, field) in self.form.fields.iter().enumerate() {
            if field.group.is_some() || !self.slots[f][0].visible {
                continue;
            }
            let slot = &self.slots[f][0];
            if field.kind == FieldKind::Group {
                let rows = (0..self.rows(f as u32))
                    .map(|row| Json::Object(self.row_values(field, row)))
                    .collect();
                out.insert(field.id.clone(), Json::Array(rows));
            } else if is_given(field.kind, &slot.value) {
                out.insert(field.id.clone(), slot.value.clone());
            }
        }
        Json::Object(out)
    }

    /// The value held at a path (`members[1].sex`, `residence.province`); `None` for a path the form
    /// does not have.
    pub fn value_at(&self, path: &str) -> Option<Json> {
        let target = crate::path::parse(&self.form, path).ok()?;
        let value = &self
            .slots
            .get(target.field as usize)?
            .get(target.row.unwrap_or(0))?
            .value;
        Some(match target.part {
            Some(part) => value.get(part).cloned().unwrap_or(Json::Null),
            None => value.clone(),
        })
    }

    /// Whether row `row` of group `group` holds no answer in any of its fields ("no value" as `required`
    /// judges it: an address with no part, an unchecked box…); false for a row or group the form lacks.
    pub fn row_is_empty(&self, group: &str, row: usize) -> bool {
        let Ok(g) = self.group_index(group) else { return false };
        let children = &self.form.fields[g as usize].children;
        row < self.rows(g)
            && children.iter().all(|&c| {
                let kind = self.form.fields[c as usize].kind;
                is_empty(kind, &self.slots[c as usize][row].value)
            })
    }

    /// Ids of the fields shown now (a group's fields count when the group is shown).
    pub fn visible_fields(&self) -> Vec<String> {
        let shown = |f: usize| match (self.slots[f].first(), self.form.fields[f].group) {
            (Some(slot), _) => slot.visible,
            (None, Some(g)) => self.slots[g as usize][0].visible,
            (None, None) => false,
        };
        (0..self.form.fields.len())
            .filter(|&f| shown(f))
            .map(|f| self.form.fields[f].id.clone())
            .collect()
    }

    /// Loads a whole set of values (a draft, a prefill, a submission), reporting what does not fit.
    pub fn load(&mut self, values: &Json) -> Vec<Issue> {
        let Some(object) = values.as_object() else {
            return vec![Issue::error("", "payload.not_object")];
        };
        let mut problems = Vec::new();
        for (id, value) in object {
            let Some(f) = self
                .form
                .index(id)
                .filter(|&f| self.form.fields[f as usize].group.is_none())
            else {
                problems.push(Issue::error(id.as_str(), "payload.unknown_field"));
                continue;
            };
            let field = &self.form.fields[f as usize];
            if field.kind != FieldKind::Group {
                let slot = &mut self.slots[f as usize][0];
                slot.value = normalize(field.kind, value.clone());
                slot.touched = true;
                continue;
            }
            let no_rows = Vec::new();
            let rows = if value.is_null() {
                Some(&no_rows)
            } else {
                value.as_array()
            };
            let Some(rows) = rows.filter(|r| r.len() <= MAX_ROWS) else {
                problems.push(Finding::error("type.invalid").with("expected", "rows").at(id));
                continue;
            };
            let children = field.children.clone();
            for &child in &children {
                self.slots[child as usize] = vec![
                    Slot {
                        touched: true,
                        ..Slot::default()
                    };
                    rows.len()
                ];
            }
            for (r, row) in rows.iter().enumerate() {
                let Some(cells) = row.as_object() else {
                    problems.push(
                        Finding::error("type.invalid")
                            .with("expected", "row")
                            .at(&format!("{id}[{r}]")),
                    );
                    continue;
                };
                for (child_id, cell) in cells {
                    match self.form.index(child_id).filter(|c| children.contains(c)) {
                        Some(c) => {
                            self.slots[c as usize][r].value = normalize(self.form.fields[c as usize].kind, cell.clone())
                        }
                        None => problems.push(Issue::error(format!("{id}[{r}].{child_id}"), "payload.unknown_field")),
                    }
                }
            }
        }
        self.refresh_all(&mut Vec::new());
        problems
    }

    /// Loads a saved draft like [`Session::load`], but drops the answers that no longer fit the definition
    /// (a field that is gone, a value of another type, an option that was removed), reporting each.
    pub fn restore(&mut self, values: &Json) -> Vec<Issue> {
        const NO_LONGER_FITS: [&str; 3] = ["type.invalid", "option.unknown", "option.not_in_parent"];
        let mut dropped = self.load(values);
        for f in 0..self.form.fields.len() as u32 {
            for row in 0..self.slots[f as usize].len() {
                let field = &self.form.fields[f as usize];
                let row_arg = field.group.map(|_| row);
                let path = path::of(&self.form, f, row_arg);
                let misfits: Vec<Issue> = self
                    .check(f, row_arg, &path, false)
                    .into_iter()
                    .filter(|i| NO_LONGER_FITS.contains(&i.code.as_str()) && i.path == path)
                    .collect();
                if !misfits.is_empty() && !field.is_computed() && field.kind != FieldKind::Group {
                    self.slots[f as usize][row].value = Json::Null;
                    dropped.extend(misfits);
                }
            }
        }
        self.refresh_all(&mut Vec::new());
        dropped
    }

    /// Number of rows of a group.
    fn rows(&self, group: u32) -> usize {
        self.form.fields[group as usize]
            .children
            .first()
            .map_or(0, |&c| self.slots[c as usize].len())
    }

    fn row_values(&self, group: &crate::form::Field, row: usize) -> Map<String, Json> {
        let mut cells = Map::new();
        for &c in &group.children {
            let slot = &self.slots[c as usize][row];
            if slot.visible && is_given(self.form.fields[c as usize].kind, &slot.value) {
                cells.insert(self.form.fields[c as usize].id.clone(), slot.value.clone());
            }
        }
        cells
    }

    fn group_index(&self, group: &str) -> Result<u32, SessionError> {
        self.form
            .index(group)
            .filter(|&g| self.form.fields[g as usize].kind == FieldKind::Group)
            .ok_or_else(|| SessionError::UnknownPath(format!("unknown group '{group}'")))
    }

    fn after_rows_changed(&mut self, g: u32) -> Result<Vec<Patch>, SessionError> {
        let mut patches = vec![Patch::Rows {
            path: self.form.fields[g as usize].id.clone(),
            count: self.rows(g),
        }];
        self.slots[g as usize][0].touched = true;
        self.propagate(g, None, &mut patches);
        let form = Arc::clone(&self.form);
        for &child in &form.fields[g as usize].children {
            self.propagate(child, None, &mut patches);
        }
        Ok(patches)
    }

    /// Re-evaluates what depends on a changed field: values and visibility first, then checks.
    fn propagate(&mut self, changed: u32, changed_row: Option<usize>, patches: &mut Vec<Patch>) {
        let form = Arc::clone(&self.form);
        let affects = &form.affects[changed as usize];
        let changed_group = form.fields[changed as usize].group;
        let rows_of = |s: &Session, f: u32| -> Vec<usize> {
            match (form.fields[f as usize].group, changed_row) {
                (Some(g), Some(r)) if Some(g) == changed_group && f == changed => vec![r],
                (Some(g), _) => (0..s.rows(g)).collect(),
                (None, _) => vec![0],
            }
        };
        for &f in &affects.values {
            for row in rows_of(self, f) {
                self.refresh_value(f, row, patches);
            }
        }
        for &f in &affects.checks {
            for row in rows_of(self, f) {
                self.refresh_checks(f, row, patches);
            }
        }
    }

    fn refresh_all(&mut self, patches: &mut Vec<Patch>) {
        let form = Arc::clone(&self.form);
        for pass in [false, true] {
            for &f in &form.eval_order {
                for row in 0..self.slots[f as usize].len() {
                    if pass {
                        self.refresh_checks(f, row, patches);
                    } else {
                        self.refresh_value(f, row, patches);
                    }
                }
            }
        }
    }

    /// Recomputes visibility and computed value of one slot.
    fn refresh_value(&mut self, f: u32, row: usize, patches: &mut Vec<Patch>) {
        let field = &self.form.fields[f as usize];
        let row_arg = field.group.map(|_| row);
        let env = SessionEnv(self);
        let visible = field.visible.iter().all(|e| e.eval(&env, row_arg).truthy());
        let computed = field.compute.as_ref().map(|e| e.eval(&env, row_arg).to_json());
        let path = || path::of(&self.form, f, row_arg);
        let slot = &self.slots[f as usize][row];
        let mut new = Vec::new();
        if slot.visible != visible {
            new.push(Patch::Visible { path: path(), visible });
        }
        if let Some(value) = computed.as_ref().filter(|v| **v != slot.value) {
            new.push(Patch::Value {
                path: path(),
                value: value.clone(),
            });
        }
        let slot = &mut self.slots[f as usize][row];
        slot.visible = visible;
        if let Some(value) = computed {
            slot.value = value;
        }
        patches.extend(new);
    }

    /// Recomputes required state, options parent and issues of one slot.
    fn refresh_checks(&mut self, f: u32, row: usize, patches: &mut Vec<Patch>) {
        let field = &self.form.fields[f as usize];
        let row_arg = field.group.map(|_| row);
        let env = SessionEnv(self);
        let slot = &self.slots[f as usize][row];
        let required = field.required
            || field
                .required_if
                .as_ref()
                .is_some_and(|e| e.eval(&env, row_arg).truthy());
        let parent = field.catalog_parent.and_then(|b| match read(&env, b, row_arg) {
            Value::Str(s) => Some(s),
            _ => None,
        });
        let path = path::of(&self.form, f, row_arg);
        let issues = if slot.visible && slot.touched {
            self.check(f, row_arg, &path, required)
        } else {
            Vec::new()
        };
        let mut new = Vec::new();
        if slot.required != required {
            new.push(Patch::Required {
                path: path.clone(),
                required,
            });
        }
        if slot.parent != parent {
            new.push(Patch::Options {
                path: path.clone(),
                parent: parent.clone(),
            });
        }
        if slot.issues != issues {
            new.push(Patch::Issues {
                path,
                issues: issues.clone(),
            });
        }
        let slot = &mut self.slots[f as usize][row];
        slot.required = required;
        slot.parent = parent;
        slot.issues = issues;
        patches.extend(new);
    }

    /// Runs the field's rules on its value.
    fn check(&self, f: u32, row: Option<usize>, path: &str, required: bool) -> Vec<Issue> {
        let value = match self.form.fields[f as usize].kind {
            FieldKind::Group => Json::from(self.rows(f)),
            _ => self.slots[f as usize][row.unwrap_or(0)].value.clone(),
        };
        self.run_rules(f, row, path, &value, required)
    }

    /// The errors and warnings a field's rules find in `value` taken on its own (visible or not,
    /// required or not): how an attached file's metadata is checked when the file is uploaded.
    pub fn check_value(&self, field_id: &str, value: &Json) -> Option<Vec<Issue>> {
        let f = self.form.index(field_id)?;
        let row = self.form.fields[f as usize].group.map(|_| 0);
        Some(self.run_rules(f, row, field_id, value, false))
    }

    /// A date that date field `field_id` takes as the session stands, for its hint's example: 5 March
    /// 1990, else 5 March of the nearest year it takes, else the nearest day to today it takes.
    pub fn example_date(&self, field_id: &str) -> Date {
        let takes = |d: Date| {
            let issues = self.check_value(field_id, &Json::from(d.to_string()));
            issues.is_some_and(|issues| !issues.iter().any(Issue::is_error))
        };
        for k in 0..=150 {
            for d in [1990 + k, 1990 - k]
                .map(|year| Date::new(year, 3, 5))
                .into_iter()
                .flatten()
            {
                if takes(d) {
                    return d;
                }
            }
        }
        for k in 0..=366 {
            for d in [self.today.add_days(k), self.today.add_days(-k)] {
                if takes(d) {
                    return d;
                }
            }
        }
        self.today
    }

    /// Why `value` cannot be field `field_id`'s value at all (of another type, a date that does not
    /// exist, not one of its options), as opposed to a value its rules find wrong: how the values of a
    /// prefill bundle are checked before they are shown, locked, to the citizen.
    /// A part of an address (`current_address.province`) is judged within its address.
    pub fn misfit(&self, path: &str, value: &Json) -> Option<Issue> {
        const MISFITS: [&str; 5] = [
            "type.invalid",
            "number.invalid",
            "date.invalid",
            "option.unknown",
            "option.not_in_parent",
        ];
        let (field_id, value) = match path.split_once('.') {
            Some((id, part)) => {
                let mut address = Map::new();
                address.insert(part.to_owned(), value.clone());
                (id, Json::Object(address))
            }
            None => (path, value.clone()),
        };
        let f = self.form.index(field_id)?;
        let field = &self.form.fields[f as usize];
        let value = normalize(field.kind, value);
        let row = field.group.map(|_| 0);
        let issues = self.run_rules(f, row, field_id, &value, false);
        issues.into_iter().find(|i| MISFITS.contains(&i.code.as_str()))
    }

    fn run_rules(&self, f: u32, row: Option<usize>, path: &str, value: &Json, required: bool) -> Vec<Issue> {
        let field = &self.form.fields[f as usize];
        let catalogs = CatalogView {
            form: &self.form.catalogs,
            host: &self.catalogs,
        };
        let mut cx = Check {
            path,
            env: &SessionEnv(self),
            row,
            catalogs,
            issues: Vec::new(),
        };
        let empty = field.kind != FieldKind::Group && is_empty(field.kind, value);
        if empty && required {
            // One error for an empty required field: its other rules would only say it again.
            cx.report(Finding::error("required"));
            return cx.issues;
        } else if let Some(wrong_type) = (!empty)
            .then(|| kind::check(field.kind, field.year_only, value))
            .flatten()
        {
            cx.report(wrong_type);
            return cx.issues;
        }
        for rule in field.rules.iter().filter(|r| !empty || r.checks_empty()) {
            rule.check(value, &mut cx);
        }
        cx.issues
    }

    /// The state of one slot as patches; `full` also sends empty issues and stored values (after rows moved).
    fn state_patches(&self, f: u32, row: usize, full: bool, out: &mut Vec<Patch>) {
        let field = &self.form.fields[f as usize];
        let slot = &self.slots[f as usize][row];
        let path = path::of(&self.form, f, field.group.map(|_| row));
        out.push(Patch::Visible {
            path: path.clone(),
            visible: slot.visible,
        });
        out.push(Patch::Required {
            path: path.clone(),
            required: slot.required,
        });
        if full || field.is_computed() {
            out.push(Patch::Value {
                path: path.clone(),
                value: slot.value.clone(),
            });
        }
        if field.catalog_parent.is_some() {
            out.push(Patch::Options {
                path: path.clone(),
                parent: slot.parent.clone(),
            });
        }
        if full || !slot.issues.is_empty() {
            out.push(Patch::Issues {
                path,
                issues: slot.issues.clone(),
            });
        }
    }
}

/// Validates submitted values from scratch, as the server does: the same rules as the browser,
/// plus refusals for values the form would never have sent.
pub fn validate_submission(
    form: &Arc<Form>,
    catalogs: &Arc<Catalogs>,
    values: &Json,
    today: Date,
) -> Result<Vec<Issue>, SessionError> {
    Session::submitted(form, catalogs, values, today).map(|(_, issues)| issues)
}

impl Session {
    /// A session holding submitted values, with every error `validate_submission` finds in them.
    pub fn submitted(
        form: &Arc<Form>,
        catalogs: &Arc<Catalogs>,
        values: &Json,
        today: Date,
    ) -> Result<(Session, Vec<Issue>), SessionError> {
        let mut session = Session::new(Arc::clone(form), Arc::clone(catalogs), today)?;
        let mut issues = session.load(values);
        session.validate_all();
        issues.extend(session.issues());
        issues.extend(session.payload_issues(values));
        Ok((session, issues))
    }

    /// The working days the agency has to decide on these answers (the form's `time_limit`): none when
    /// the form sets no limit or its expression gives null; what the expression gave, as the error, when
    /// that is no whole number from 0 to 365 (a fault of the definition: the dossier gets no due time).
    pub fn time_limit(&self) -> Result<Option<u32>, Json> {
        let Some(limit) = &self.form.time_limit else {
            return Ok(None);
        };
        match limit.eval(&SessionEnv(self), None) {
            Value::Null => Ok(None),
            given => crate::form::working_days(&given)
                .map(Some)
                .ok_or_else(|| given.to_json()),
        }
    }

    /// The date rules and `today()` take as today.
    pub fn today(&self) -> Date {
        self.today
    }

    /// Takes another date as today (the back end's, whose clock the computer's was off): computed
    /// values, visibility and checks follow.
    pub fn set_today(&mut self, today: Date) -> Vec<Patch> {
        self.today = today;
        let mut patches = Vec::new();
        self.refresh_all(&mut patches);
        patches
    }

    /// Whether the form shows the field at `path` (`id`, or `group[row].id`) with the values held.
    pub fn is_shown(&self, path: &str) -> bool {
        path::parse(&self.form, path).is_ok_and(|t| {
            let slot = self.slots[t.field as usize].get(t.row.unwrap_or(0));
            slot.is_some_and(|s| s.visible)
        })
    }

    /// The top-level fields that stay hidden whatever the citizen answers, now that the `locked` fields
    /// hold their values: each is hidden by a condition that reads only those, what is computed from
    /// them alone, and the date.
    pub fn hidden_for_good(&self, locked: &dyn Fn(&str) -> bool) -> Vec<String> {
        let form = &self.form;
        // Fields whose value (as conditions read it, null while hidden) the citizen cannot change.
        let mut fixed = vec![false; form.fields.len()];
        for &f in &form.eval_order {
            let field = &form.fields[f as usize];
            let reads_fixed = |e: &Expr| e.fields().iter().all(|&r| fixed[r as usize]);
            let value_fixed = match &field.compute {
                Some(compute) => reads_fixed(compute),
                None => field.group.is_none() && locked(&field.id),
            };
            let is_fixed = value_fixed && field.visible.iter().all(reads_fixed);
            fixed[f as usize] = is_fixed;
        }
        let env = SessionEnv(self);
        let hides_for_good = |e: &Expr| e.fields().iter().all(|&r| fixed[r as usize]) && !e.eval(&env, None).truthy();
        form.fields
            .iter()
            .filter(|field| field.group.is_none() && field.visible.iter().any(hides_for_good))
            .map(|field| field.id.clone())
            .collect()
    }

    /// Submitted values the form would never send: values not normalised, of hidden fields, altered computed values.
    fn payload_issues(&self, values: &Json) -> Vec<Issue> {
        let mut out = Vec::new();
        for (id, submitted) in values.as_object().into_iter().flatten() {
            let Some(f) = self
                .form
                .index(id)
                .filter(|&f| self.form.fields[f as usize].group.is_none())
            else {
                continue;
            };
            let field = &self.form.fields[f as usize];
            if field.kind != FieldKind::Group {
                self.check_submitted(f, None, submitted, &mut out);
                continue;
            }
            let rows = submitted.as_array().map_or(&[][..], Vec::as_slice);
            if !self.slots[f as usize][0].visible && !rows.is_empty() {
                out.push(Issue::error(id.as_str(), "payload.hidden_field"));
                continue;
            }
            for (r, row) in rows.iter().enumerate() {
                for (child, cell) in row.as_object().into_iter().flatten() {
                    if let Some(c) = self.form.index(child).filter(|c| field.children.contains(c)) {
                        self.check_submitted(c, Some(r), cell, &mut out);
                    }
                }
            }
        }
        out
    }

    fn check_submitted(&self, f: u32, row: Option<usize>, submitted: &Json, out: &mut Vec<Issue>) {
        let field = &self.form.fields[f as usize];
        let Some(slot) = self.slots[f as usize].get(row.unwrap_or(0)) else {
            return;
        };
        let path = path::of(&self.form, f, row);
        let canonical = normalize(field.kind, submitted.clone());
        // A computed value is the expression's, which the next check compares.
        if !field.is_computed() {
            report_not_canonical(&path, submitted, &canonical, out);
        }
        if !is_given(field.kind, &canonical) {
            return;
        }
        if !slot.visible {
            out.push(Issue::error(path, "payload.hidden_field"));
        } else if field.is_computed() && Value::from_json(&canonical) != Value::from_json(&slot.value) {
            out.push(Issue::error(path, "payload.computed_mismatch"));
        }
    }
}

/// Reports a submitted value (an address part by part) that is not its normalised form: the form
/// sends values normalised, and the server stores what it validated, never a rewritten value. A value
/// that normalises to nothing (`""`, blanks) is taken as absent, as the rules take it.
fn report_not_canonical(path: &str, submitted: &Json, canonical: &Json, out: &mut Vec<Issue>) {
    match (submitted, canonical) {
        (_, Json::Null) => {}
        (Json::Object(parts), Json::Object(canonical_parts)) => {
            for (part, value) in parts {
                let canonical = canonical_parts.get(part).unwrap_or(&Json::Null);
                report_not_canonical(&format!("{path}.{part}"), value, canonical, out);
            }
        }
        _ if submitted != canonical => {
            let expected = canonical.as_str().map_or_else(|| json_text(canonical), str::to_owned);
            out.push(Issue::error(path, "value.not_canonical").with("expected", expected));
        }
        _ => {}
    }
}

/// Whether a value goes into the submission: anything but nothing (an unchecked box is a "no").
fn is_given(kind: FieldKind, value: &Json) -> bool {
    value.is_boolean() || !is_empty(kind, value)
}

/// What expressions and rules read: visible values only (hidden fields read as null).
struct SessionEnv<'a>(&'a Session);

impl Env for SessionEnv<'_> {
    fn value(&self, field: u32, row: Option<usize>) -> Value {
        match self.0.slots.get(field as usize).and_then(|s| s.get(row.unwrap_or(0))) {
            Some(slot) if slot.visible => Value::from_json(&slot.value),
            _ => Value::Null,
        }
    }

    fn part(&self, field: u32, part: &str) -> Value {
        match self.0.slots.get(field as usize).and_then(|s| s.first()) {
            Some(slot) if slot.visible => slot.value.get(part).map_or(Value::Null, Value::from_json),
            _ => Value::Null,
        }
    }

    fn row_count(&self, group: u32) -> usize {
        self.0.rows(group)
    }

    fn today(&self) -> Date {
        self.0.today
    }
}
