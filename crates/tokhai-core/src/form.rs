//! Compiling a definition once into an immutable [`Form`]: field index, expressions, rules and
//! the dependency graph that tells which fields to re-evaluate when one changes.

use crate::canonical::{lone_surrogate, parse_unique_str, without_key, Objects};
use crate::catalog::{Catalogs, EXTERNAL_CATALOGS};
use crate::definition::{FieldDef, FieldKind, FormDef, OptionDef, PrefillDef, RuleDef, Text};
use crate::expr::{insert_sorted, Binding, Expr, Scope, Value};
use crate::path::ADDRESS_PARTS;
use crate::rules::{self, Rule};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

/// Largest definition accepted, in bytes.
const MAX_DEFINITION_BYTES: usize = 4 << 20;

/// Most rows a repeat group holds: a definition may not ask for more.
pub(crate) const MAX_ROWS: usize = 500;

/// One problem in a definition, located by a JSON path such as `$.steps[0].sections[1].fields[2].max`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct DefinitionError {
    /// Where the problem is.
    pub path: String,
    /// What is wrong, for the form author.
    pub message: String,
}

/// Every problem found in a definition.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, thiserror::Error)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.path, e.message)).collect();
        f.write_str(&lines.join("\n"))
    }
}

/// The working days a time limit's value stands for: a whole number from 0 to 365.
pub(crate) fn working_days(value: &Value) -> Option<u32> {
    match value {
        Value::Num(n) if n.fract() == 0.0 && (0.0..=365.0).contains(n) => Some(*n as u32),
        _ => None,
    }
}

/// One compiled field.
#[derive(Debug)]
pub struct Field {
    /// Identifier, unique in the form.
    pub id: String,
    /// Kind of field.
    pub kind: FieldKind,
    /// Label shown to the citizen.
    pub label: Text,
    /// Enclosing repeat group, if any.
    pub group: Option<u32>,
    /// Fields of a repeat group's rows.
    pub children: Vec<u32>,
    /// Index of the step the field is on.
    pub step: usize,
    /// Where the value is prefilled from.
    pub prefill: Option<PrefillDef>,
    /// JSON path of the field in the definition.
    pub def_path: String,
    /// What a group calls one of its rows (`row_name`).
    pub row_name: Option<Text>,
    pub(crate) visible: Vec<Expr>,
    pub(crate) required: bool,
    pub(crate) required_if: Option<Expr>,
    pub(crate) compute: Option<Expr>,
    pub(crate) rules: Vec<Box<dyn Rule>>,
    pub(crate) catalog_parent: Option<Binding>,
    /// What a value must look like, for the pattern's error.
    pub(crate) pattern_message: Option<Text>,
    pub(crate) initial_rows: usize,
    pub(crate) max_rows: usize,
    /// A name or text the form wants in capitals (`uppercase`): typed in any case, it is kept in capitals.
    pub(crate) uppercase: bool,
    /// A date that may be a year alone (`year_only`).
    pub(crate) year_only: bool,
}

impl Field {
    /// Whether the value is computed from other fields (read-only).
    pub fn is_computed(&self) -> bool {
        self.compute.is_some()
    }
}

/// Which fields to re-evaluate after one changes, in dependency order.
#[derive(Debug, Default)]
pub(crate) struct Affects {
    /// Fields whose visibility or computed value may change (the changed field first).
    pub values: Vec<u32>,
    /// Fields whose required state or issues may change.
    pub checks: Vec<u32>,
}

/// A compiled, immutable form definition; share it between sessions.
#[derive(Debug)]
pub struct Form {
    def: FormDef,
    pub(crate) fields: Vec<Field>,
    by_id: HashMap<String, u32>,
    pub(crate) affects: Vec<Affects>,
    pub(crate) order: Vec<u32>,
    /// Fields in dependency order: every field after those its visibility and value read.
    pub(crate) eval_order: Vec<u32>,
    pub(crate) catalogs: Catalogs,
    external_catalogs: Vec<&'static str>,
    custom_messages: Vec<(String, Text)>,
    /// The working days to decide on a dossier, from its answers (`time_limit`).
    pub(crate) time_limit: Option<Expr>,
    /// Made on first use: a widget needs it only for drafts and the submission.
    ruleset_hash: OnceLock<String>,
}

impl Form {
    /// Compiles a JSON definition, reporting every problem found with its JSON path.
    pub fn compile(json: &str) -> Result<Form, DefinitionErrors> {
        let fail = |message: String| {
            DefinitionErrors(vec![DefinitionError {
                path: "$".into(),
                message,
            }])
        };
        // Editors on Windows save UTF-8 with a byte-order mark, which JSON does not allow.
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        if json.len() > MAX_DEFINITION_BYTES {
            return Err(fail(format!("definition is larger than {MAX_DEFINITION_BYTES} bytes")));
        }
        // A key written twice would be read as one of the two, the other lost without a word.
        let root = parse_unique_str(json).map_err(|e| {
            let message = e.to_string();
            fail(if e.is_data() {
                message
            } else if let Some(at) = message.strip_prefix("recursion limit exceeded") {
                // Valid JSON, deeper than any definition: "not valid JSON" would send its author looking for a typo.
                format!("nested more than 128 levels deep{at}")
            } else if let Some(words) = lone_surrogate(&e) {
                format!("a string holds {words}")
            } else {
                format!("not valid JSON: {message}")
            })
        })?;
        Form::from_json(&root)
    }

    /// Compiles a definition already parsed as JSON.
    pub fn from_json(root: &Json) -> Result<Form, DefinitionErrors> {
        match FormDef::deserialize(Objects(root)) {
            Ok(def) => Compiler::default().compile(def),
            Err(_) => Err(structural_errors(root)),
        }
    }

    /// The definition as written (steps, sections, labels, options) for rendering.
    pub fn def(&self) -> &FormDef {
        &self.def
    }

    /// Form identifier.
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// Definition version.
    pub fn version(&self) -> &str {
        &self.def.version
    }

    /// Hex SHA-256 of the canonical definition: which rules the citizen's filing was checked with.
    pub fn ruleset_hash(&self) -> &str {
        self.ruleset_hash.get_or_init(|| {
            let canonical = serde_json::to_string(&self.def).unwrap_or_default();
            crate::digest::sha256_hex(canonical.as_bytes())
        })
    }

    /// Catalogue names the host must provide.
    pub fn external_catalogs(&self) -> &[&'static str] {
        &self.external_catalogs
    }

    /// A field by identifier.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.by_id.get(id).map(|&i| &self.fields[i as usize])
    }

    /// All fields in form order.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.order.iter().map(|&i| &self.fields[i as usize])
    }

    /// The repeat group a field's rows belong to, if any.
    pub fn group_of(&self, field: &Field) -> Option<&Field> {
        field.group.map(|g| &self.fields[g as usize])
    }

    /// The form's own catalogues (defined inline).
    pub fn catalogs(&self) -> &Catalogs {
        &self.catalogs
    }

    pub(crate) fn index(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// The message a definition gives for a custom rule code.
    pub fn custom_message(&self, code: &str) -> Option<&Text> {
        self.custom_messages
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, message)| message)
    }
}

/// The values a choice field offers when its definition holds them: its options, or a catalogue of the
/// form's own (a host's, such as the communes, is known only when a session starts).
fn choice_values(def: &FieldDef, catalogs: &BTreeMap<String, Vec<OptionDef>>) -> Option<Vec<String>> {
    use FieldKind::{CheckboxGroup, Radio, Select};
    if !matches!(def.kind, Select | Radio | CheckboxGroup) {
        return None;
    }
    Some(def.listed_options(catalogs)?.iter().map(|o| o.value.clone()).collect())
}

/// The structural errors of a definition that does not parse: those of every field, not only
/// the first, or else the definition's own.
fn structural_errors(root: &Json) -> DefinitionErrors {
    let mut errors = Vec::new();
    for (i, step) in array(root, "steps").iter().enumerate() {
        for (j, section) in array(step, "sections").iter().enumerate() {
            for (k, field) in array(section, "fields").iter().enumerate() {
                field_errors(field, &format!("$.steps[{i}].sections[{j}].fields[{k}]"), &mut errors);
            }
        }
    }
    if errors.is_empty() {
        errors.extend(parse_at::<FormDef>(root, "$").err());
    }
    DefinitionErrors(errors)
}

fn array<'a>(v: &'a Json, key: &str) -> &'a [Json] {
    v.get(key).and_then(Json::as_array).map_or(&[], Vec::as_slice)
}

fn field_errors(field: &Json, path: &str, errors: &mut Vec<DefinitionError>) {
    if let Err(e) = parse_at::<FieldDef>(&without_key(field, "fields"), path) {
        errors.push(e);
    }
    for (i, child) in array(field, "fields").iter().enumerate() {
        field_errors(child, &format!("{path}.fields[{i}]"), errors);
    }
}

/// Deserialises `v`, naming in an error the exact place inside it.
#[cfg(feature = "definition-paths")]
fn parse_at<T: DeserializeOwned>(v: &Json, base: &str) -> Result<T, DefinitionError> {
    serde_path_to_error::deserialize(Objects(v)).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." {
            base.to_owned()
        } else {
            format!("{base}.{inner}").replace(".[", "[")
        };
        DefinitionError {
            path,
            message: e.into_inner().to_string(),
        }
    })
}

/// Deserialises `v`, naming in an error its field (or the definition), not the inner path `tokhai check` gives.
#[cfg(not(feature = "definition-paths"))]
fn parse_at<T: DeserializeOwned>(v: &Json, base: &str) -> Result<T, DefinitionError> {
    T::deserialize(Objects(v)).map_err(|e| DefinitionError {
        path: base.to_owned(),
        message: e.to_string(),
    })
}

/// Fields visited during compilation, with the context of where they stand.
struct Entry<'a> {
    def: &'a FieldDef,
    path: String,
    group: Option<u32>,
    step: usize,
    inherited_visibility: Vec<(&'a str, String)>,
}

#[derive(Default)]
struct Compiler {
    errors: Vec<DefinitionError>,
    by_id: HashMap<String, u32>,
    groups: Vec<Option<u32>>,
    kinds: Vec<FieldKind>,
    /// The values a choice field offers, where the definition holds them (inline or a form catalogue).
    choices: Vec<Option<Vec<String>>>,
}

impl Scope for Compiler {
    fn resolve(&self, name: &str, row_group: Option<u32>) -> Result<Binding, String> {
        if let Some((address, part)) = name.split_once('.') {
            return self.resolve_part(address, part);
        }
        let &f = self.by_id.get(name).ok_or_else(|| format!("unknown field '{name}'"))?;
        match self.kinds[f as usize] {
            FieldKind::Group => return Ok(Binding::Group(f)),
            // An address is no single value: read whole, it would always be empty.
            FieldKind::Address if self.groups[f as usize].is_some() => {
                return Err(format!(
                    "'{name}' is an address in a group's rows: expressions cannot read it"
                ))
            }
            FieldKind::Address => {
                let parts: Vec<String> = ADDRESS_PARTS.iter().map(|p| format!("{name}.{p}")).collect();
                return Err(format!(
                    "'{name}' is an address: read one of its parts, {}",
                    parts.join(", ")
                ));
            }
            _ => {}
        }
        match self.groups[f as usize] {
            None => Ok(Binding::Field(f)),
            Some(g) if Some(g) == row_group => Ok(Binding::RowField(f)),
            Some(g) => Err(format!(
                "'{name}' is in the rows of group '{}': use it inside an aggregate such as any({0}, …)",
                self.name(g)
            )),
        }
    }

    fn holds_date(&self, field: u32) -> bool {
        self.kinds[field as usize] == FieldKind::Date
    }

    fn never_equals(&self, field: u32, literal: &Value, within: bool) -> Option<String> {
        let name = || self.name(field);
        let kind = self.kinds[field as usize];
        match literal {
            Value::Str(s) if s.is_empty() => Some(format!(
                "'{}' is never the text '': to ask whether it is answered, write empty({0})",
                name()
            )),
            _ if kind == FieldKind::CheckboxGroup && !within => Some(format!(
                "'{}' is a list of choices, never one value: write 'code' in {0}",
                name()
            )),
            Value::Str(s) if kind == FieldKind::Number => Some(format!(
                "'{}' holds a number: compare it with a number, not the text '{s}'",
                name()
            )),
            Value::Num(n) if self.choices[field as usize].is_some() => Some(format!(
                "'{}' holds an option's value, a text: compare it with '{n}', not the number {n}",
                name()
            )),
            Value::Str(s) => {
                let values = self.choices[field as usize].as_ref()?;
                (!values.contains(s))
                    .then(|| format!("'{}' has no option '{s}': its values are {}", name(), values.join(", ")))
            }
            _ => None,
        }
    }
}

impl Compiler {
    /// Binds `address.part`: a part of an address field outside any repeating group.
    fn resolve_part(&self, address: &str, part: &str) -> Result<Binding, String> {
        let &f = self
            .by_id
            .get(address)
            .ok_or_else(|| format!("unknown field '{address}'"))?;
        if self.kinds[f as usize] != FieldKind::Address || self.groups[f as usize].is_some() {
            return Err(format!(
                "'{address}.{part}': only an address outside a group's rows has parts"
            ));
        }
        let part = ADDRESS_PARTS.iter().find(|p| **p == part).ok_or_else(|| {
            format!(
                "'{address}.{part}': an address's parts are {}",
                ADDRESS_PARTS.join(", ")
            )
        })?;
        Ok(Binding::Part(f, part))
    }
}

/// The compiler's passes stay out of line (`#[inline(never)]`): a browser's optimising compiler
/// works on one wasm function at a time, and the passes inlined into one 14 KB function kept it
/// busy for 20–95 ms on a background core while the first form mounted.
impl Compiler {
    fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(DefinitionError {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn name(&self, f: u32) -> &str {
        self.by_id
            .iter()
            .find(|(_, &i)| i == f)
            .map_or("?", |(k, _)| k.as_str())
    }

    fn expr(&mut self, src: &str, path: &str, row_group: Option<u32>) -> Option<Expr> {
        match Expr::compile(src, &*self, row_group) {
            Ok(e) => Some(e),
            Err(e) => {
                self.error(path, format!("expression error {e}"));
                None
            }
        }
    }

    /// Compiles an optional expression attribute such as `required_if`.
    fn optional_expr(&mut self, src: &Option<String>, path: &str, key: &str, row_group: Option<u32>) -> Option<Expr> {
        src.as_ref()
            .and_then(|s| self.expr(s, &format!("{path}.{key}"), row_group))
    }

    fn bind(&mut self, name: &str, path: &str, row_group: Option<u32>, kinds: &[FieldKind]) -> Option<Binding> {
        match self.resolve(name, row_group) {
            Ok(b @ (Binding::Field(f) | Binding::RowField(f))) if kinds.contains(&self.kinds[f as usize]) => Some(b),
            Ok(_) => {
                // "a date or number field": the first kind takes the article.
                let names: Vec<String> = (kinds.iter().enumerate())
                    .map(|(i, kind)| {
                        if i == 0 {
                            kind.with_article()
                        } else {
                            kind.name().to_owned()
                        }
                    })
                    .collect();
                self.error(path, format!("'{name}' must be {} field", names.join(" or ")));
                None
            }
            Err(message) => {
                self.error(path, message);
                None
            }
        }
    }

    #[inline(never)]
    fn compile(mut self, def: FormDef) -> Result<Form, DefinitionErrors> {
        if def.tokhai != 1 {
            self.error(
                "$.tokhai",
                format!("unsupported format version {}; this engine reads version 1", def.tokhai),
            );
        }
        check_id(&mut self, &def.id, "$");
        if def.steps.is_empty() {
            self.error("$.steps", "a form needs at least one step");
        }
        self.errors.extend(crate::prefill::check_definition(&def));
        let mut catalogs = Catalogs::new();
        for (name, options) in &def.catalogs {
            if let Err(e) = catalogs.insert(name, options.clone()) {
                self.error(&format!("$.catalogs.{name}"), e.0);
            }
        }
        let entries = self.index(&def);
        let mut fields: Vec<Field> = Vec::with_capacity(entries.len());
        let mut external = Vec::new();
        let mut custom_messages = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let field = self.field(index as u32, entry, &def, &mut external, &mut custom_messages);
            fields.push(field);
        }
        for (i, rule) in def.rules.iter().enumerate() {
            let path = format!("$.rules[{i}]");
            let target = rule.path.as_deref().and_then(|p| self.by_id.get(p).copied());
            match target {
                Some(f) if self.groups[f as usize].is_none() => {
                    self.custom_code(rule, &path, &mut custom_messages);
                    if let Some(check) = self.expr(&rule.check, &format!("{path}.check"), None) {
                        let custom = rules::custom::Custom {
                            check,
                            code: rule.code.clone(),
                            warning: rule.warning,
                        };
                        fields[f as usize].rules.push(Box::new(custom));
                    }
                }
                _ => self.error(
                    &format!("{path}.path"),
                    "a form rule needs the id of a field outside repeat groups",
                ),
            }
        }
        for i in 0..fields.len() {
            if let Some(g) = fields[i].group {
                fields[g as usize].children.push(i as u32);
            }
        }
        let time_limit = self.time_limit(&def);
        let order: Vec<u32> = (0..fields.len() as u32).collect();
        let (affects, eval_order) = self.graph(&fields, &entries);
        if !self.errors.is_empty() {
            // Few, so compared in turn rather than hashed (a hash set of its own would add to the wasm bundle).
            let mut unique: Vec<DefinitionError> = Vec::new();
            for e in self.errors {
                if !unique.contains(&e) {
                    unique.push(e);
                }
            }
            return Err(DefinitionErrors(unique));
        }
        Ok(Form {
            ruleset_hash: OnceLock::new(),
            def,
            fields,
            by_id: self.by_id,
            affects,
            order,
            eval_order,
            catalogs,
            external_catalogs: EXTERNAL_CATALOGS.into_iter().filter(|c| external.contains(c)).collect(),
            custom_messages,
            time_limit,
        })
    }

    /// Compiles the form's `time_limit`; one that is a constant must be a number of working days it can be.
    fn time_limit(&mut self, def: &FormDef) -> Option<Expr> {
        let limit = self.optional_expr(&def.time_limit, "$", "time_limit", None)?;
        if limit
            .constant()
            .is_some_and(|v| !matches!(v, Value::Null) && working_days(&v).is_none())
        {
            self.error(
                "$.time_limit",
                "a time limit is a whole number of working days from 0 to 365, or null",
            );
        }
        Some(limit)
    }

    /// Checks a step's or section's id: well formed, and unique among steps and sections.
    fn container_id<'a>(&mut self, id: &'a str, path: &str, seen: &mut HashSet<&'a str>) {
        check_id(self, id, path);
        if !seen.insert(id) {
            self.error(&format!("{path}.id"), format!("duplicate step or section id '{id}'"));
        }
    }

    /// Gives every field an index, in form order, and checks identifiers.
    #[inline(never)]
    fn index<'a>(&mut self, def: &'a FormDef) -> Vec<Entry<'a>> {
        let mut entries = Vec::new();
        let mut containers = HashSet::new();
        for (i, step) in def.steps.iter().enumerate() {
            let step_path = format!("$.steps[{i}]");
            self.container_id(&step.id, &step_path, &mut containers);
            if step.sections.is_empty() {
                self.error(&format!("{step_path}.sections"), "a step needs at least one section");
            }
            for (j, section) in step.sections.iter().enumerate() {
                let section_path = format!("{step_path}.sections[{j}]");
                self.container_id(&section.id, &section_path, &mut containers);
                let mut inherited = Vec::new();
                if let Some(v) = &step.visible_if {
                    inherited.push((v.as_str(), format!("{step_path}.visible_if")));
                }
                if let Some(v) = &section.visible_if {
                    inherited.push((v.as_str(), format!("{section_path}.visible_if")));
                }
                for (k, field) in section.fields.iter().enumerate() {
                    let path = format!("{section_path}.fields[{k}]");
                    self.add(field, path, None, i, inherited.clone(), &mut entries);
                }
            }
        }
        self.choices = entries.iter().map(|e| choice_values(e.def, &def.catalogs)).collect();
        entries
    }

    fn add<'a>(
        &mut self,
        def: &'a FieldDef,
        path: String,
        group: Option<u32>,
        step: usize,
        inherited_visibility: Vec<(&'a str, String)>,
        entries: &mut Vec<Entry<'a>>,
    ) {
        let index = entries.len() as u32;
        check_id(self, &def.id, &path);
        if self.by_id.insert(def.id.clone(), index).is_some() {
            self.error(&format!("{path}.id"), format!("duplicate field id '{}'", def.id));
        }
        self.groups.push(group);
        self.kinds.push(def.kind);
        let children = def.fields.as_deref().unwrap_or_default();
        let mut inner_visibility = Vec::new();
        if !children.is_empty() {
            inner_visibility.clone_from(&inherited_visibility);
            if let Some(v) = &def.visible_if {
                inner_visibility.push((v.as_str(), format!("{path}.visible_if")));
            }
        }
        entries.push(Entry {
            def,
            path: path.clone(),
            group,
            step,
            inherited_visibility,
        });
        if def.kind == FieldKind::Group && group.is_some() {
            self.error(&format!("{path}.kind"), "repeat groups cannot be nested");
            return;
        }
        for (i, child) in children.iter().enumerate() {
            let row_group = (def.kind == FieldKind::Group).then_some(index);
            self.add(
                child,
                format!("{path}.fields[{i}]"),
                row_group,
                step,
                inner_visibility.clone(),
                entries,
            );
        }
    }

    /// Compiles one field's expressions and rules.
    #[inline(never)]
    fn field(
        &mut self,
        index: u32,
        entry: &Entry<'_>,
        form: &FormDef,
        external: &mut Vec<&'static str>,
        custom_messages: &mut Vec<(String, Text)>,
    ) -> Field {
        let (def, path, group) = (entry.def, entry.path.as_str(), entry.group);
        check_attributes(self, def, path);
        if def.label.get("vi").trim().is_empty() {
            self.error(&format!("{path}.label"), "a field needs a Vietnamese label");
        }
        // Group-level visibility is evaluated outside any row; row fields' own conditions inside their row.
        let mut visible = Vec::new();
        for (src, vpath) in &entry.inherited_visibility {
            visible.extend(self.expr(src, vpath, None));
        }
        visible.extend(self.optional_expr(&def.visible_if, path, "visible_if", group));
        if def.required && visible.iter().any(|e| e.constant().is_some_and(|v| !v.truthy())) {
            self.error(
                &format!("{path}.required"),
                "the field is required but can never be visible",
            );
        }
        let required_if = self.optional_expr(&def.required_if, path, "required_if", group);
        let compute = self.optional_expr(&def.compute, path, "compute", group);
        if compute.is_some() && (def.required || def.prefill.is_some()) {
            self.error(
                &format!("{path}.compute"),
                "a computed field cannot also be required or prefilled",
            );
        }
        let mut catalog_parent = None;
        let rules = self.rules(index, entry, form, external, custom_messages, &mut catalog_parent);
        Field {
            id: def.id.clone(),
            kind: def.kind,
            label: def.label.clone(),
            group,
            children: Vec::new(),
            step: entry.step,
            prefill: def.prefill.clone(),
            def_path: path.to_owned(),
            row_name: def.row_name.clone(),
            visible,
            required: def.required || (def.kind == FieldKind::Group && def.min_rows.unwrap_or(0) > 0),
            required_if,
            compute,
            rules,
            catalog_parent,
            pattern_message: def.pattern_message.clone(),
            initial_rows: def.min_rows.unwrap_or(0).max(usize::from(def.required)),
            max_rows: def.max_rows.unwrap_or(usize::MAX),
            uppercase: def.uppercase,
            year_only: def.year_only,
        }
    }

    /// Compiles a field's rules, in the order they run: the bounds of its value, the checks its kind
    /// brings, then its own custom rules.
    #[inline(never)]
    fn rules(
        &mut self,
        index: u32,
        entry: &Entry<'_>,
        form: &FormDef,
        external: &mut Vec<&'static str>,
        custom_messages: &mut Vec<(String, Text)>,
        catalog_parent: &mut Option<Binding>,
    ) -> Vec<Box<dyn Rule>> {
        let mut out = self.bound_rules(entry);
        self.kind_rules(index, entry, form, external, catalog_parent, &mut out);
        self.custom_rules(entry, custom_messages, &mut out);
        out
    }

    /// The rules of the bounds a definition sets on a value: length, pattern, range, whole number, dates.
    fn bound_rules(&mut self, entry: &Entry<'_>) -> Vec<Box<dyn Rule>> {
        let (def, path) = (entry.def, entry.path.as_str());
        let mut out: Vec<Box<dyn Rule>> = Vec::new();
        out.extend(self.length_rule(def, path));
        out.extend(self.pattern_rule(def, path));
        out.extend(self.range_rule(def, path));
        if def.integer {
            out.push(Box::new(rules::integer::Integer));
        }
        out.extend(self.date_bounds_rule(def, path, entry.group));
        out
    }

    /// The length rule, when the field bounds its length.
    fn length_rule(&mut self, def: &FieldDef, path: &str) -> Option<Box<dyn Rule>> {
        if def.min_length.is_none() && def.max_length.is_none() {
            return None;
        }
        if def.min_length > def.max_length && def.max_length.is_some() {
            self.error(&format!("{path}.min_length"), "min_length is greater than max_length");
        }
        Some(Box::new(rules::length::Length {
            min: def.min_length,
            max: def.max_length,
        }))
    }

    /// The pattern rule, when the field gives a pattern that compiles.
    fn pattern_rule(&mut self, def: &FieldDef, path: &str) -> Option<Box<dyn Rule>> {
        match rules::pattern::Pattern::new(def.pattern.as_ref()?) {
            Ok(rule) => {
                self.pattern_fits(&rule, def, path);
                Some(Box::new(rule))
            }
            Err(e) => {
                self.error(&format!("{path}.pattern"), format!("invalid pattern: {e}"));
                None
            }
        }
    }

    /// Refuses a pattern that takes no value, or none of a length the field takes.
    fn pattern_fits(&mut self, rule: &rules::pattern::Pattern, def: &FieldDef, path: &str) {
        let at = format!("{path}.pattern");
        let Some((shortest, longest)) = rule.lengths() else {
            return self.error(&at, "the pattern matches no text, so no answer could be accepted");
        };
        if let Some(max) = def.max_length.filter(|&max| shortest as usize > max) {
            self.error(
                &at,
                format!("the pattern takes at least {shortest} characters, more than max_length ({max})"),
            );
        }
        if let Some((min, longest)) = def.min_length.zip(longest).filter(|&(min, l)| (l as usize) < min) {
            self.error(
                &at,
                format!("the pattern takes at most {longest} characters, fewer than min_length ({min})"),
            );
        }
    }

    /// The range rule, when the field bounds its number.
    fn range_rule(&mut self, def: &FieldDef, path: &str) -> Option<Box<dyn Rule>> {
        if def.min.is_none() && def.max.is_none() {
            return None;
        }
        if def.min.zip(def.max).is_some_and(|(a, b)| a > b) {
            self.error(&format!("{path}.min"), "min is greater than max");
        } else if def.integer && def.min.zip(def.max).is_some_and(|(a, b)| a.ceil() > b.floor()) {
            self.error(&format!("{path}.min"), "no whole number lies between min and max");
        }
        Some(Box::new(rules::range::Range {
            min: def.min,
            max: def.max,
        }))
    }

    /// The date bounds rule, when the field bounds its date (by dates or expressions).
    fn date_bounds_rule(&mut self, def: &FieldDef, path: &str, group: Option<u32>) -> Option<Box<dyn Rule>> {
        if def.min_date.is_none() && def.max_date.is_none() {
            return None;
        }
        let min = self.optional_expr(&def.min_date, path, "min_date", group);
        let max = self.optional_expr(&def.max_date, path, "max_date", group);
        // A bound that is a constant but no date would bound nothing.
        for (key, bound, given) in [("min_date", &min, &def.min_date), ("max_date", &max, &def.max_date)] {
            if bound
                .as_ref()
                .and_then(|e| e.constant())
                .is_some_and(|v| v.as_date().is_none())
            {
                self.error(
                    &format!("{path}.{key}"),
                    format!(
                        "'{key}' is no date: {} is no day of the calendar; give 'yyyy-mm-dd' in quotes, or an expression \
                         such as today()",
                        given.as_deref().unwrap_or_default()
                    ),
                );
            }
        }
        let constant = |e: &Option<Expr>| e.as_ref().and_then(|e| e.constant()).and_then(|v| v.as_date());
        if constant(&min).zip(constant(&max)).is_some_and(|(a, b)| a > b) {
            self.error(&format!("{path}.min_date"), "min_date is after max_date");
        }
        Some(Box::new(rules::date_bounds::DateBounds { min, max }))
    }

    /// The rules a field's kind brings: its options, its format, a PIN's links, its files, a group's rows.
    fn kind_rules(
        &mut self,
        index: u32,
        entry: &Entry<'_>,
        form: &FormDef,
        external: &mut Vec<&'static str>,
        catalog_parent: &mut Option<Binding>,
        out: &mut Vec<Box<dyn Rule>>,
    ) {
        use rules::*;
        use FieldKind::*;
        let (def, path, group) = (entry.def, entry.path.as_str(), entry.group);
        match def.kind {
            Select | Radio | CheckboxGroup => {
                if let Some(source) = self.choice_source(def, path, group, form, external, catalog_parent) {
                    out.push(Box::new(choice::Choice { source }));
                }
            }
            Email => out.push(Box::new(email::Email)),
            Phone => out.push(Box::new(phone::Phone)),
            TaxCode => out.push(Box::new(tax_code::TaxCode)),
            Name => out.push(Box::new(name::Name {
                uppercase: def.uppercase,
            })),
            Pin => out.push(Box::new(self.pin_rule(def, path, group))),
            Address => {
                external.extend(EXTERNAL_CATALOGS);
                out.push(Box::new(address::Address));
            }
            File => out.push(Box::new(file_rule(def))),
            Group => {
                out.push(Box::new(self.rows_rule(def, path)));
                out.extend(self.periods_rule(index, def, path));
                out.extend(self.members_rule(index, def));
            }
            Text if def.uppercase => out.push(Box::new(capitals::Capitals)),
            Text | Textarea | Number | Date | Checkbox => {}
        }
    }

    /// A PIN's rule, with the date of birth and sex fields its `pin_links` name.
    fn pin_rule(&mut self, def: &FieldDef, path: &str, group: Option<u32>) -> rules::pin::Pin {
        use FieldKind::{Date, Number, Radio, Select};
        let links = def.pin_links.as_ref();
        let lpath = format!("{path}.pin_links");
        let dob = links
            .and_then(|l| l.dob.as_deref())
            .and_then(|n| self.bind(n, &lpath, group, &[Date, Number]));
        let sex = links
            .and_then(|l| l.sex.as_deref())
            .and_then(|n| self.bind(n, &lpath, group, &[Select, Radio]));
        let sex_is = links.and_then(|l| l.sex_is);
        if sex_is.is_some() && links.is_some_and(|l| l.sex.is_some()) {
            self.error(&format!("{lpath}.sex_is"), "give 'sex' or 'sex_is', not both");
        }
        rules::pin::Pin { dob, sex, sex_is }
    }

    /// A repeat group's rows rule, after checking its fields and row bounds.
    fn rows_rule(&mut self, def: &FieldDef, path: &str) -> rules::rows::Rows {
        if def.fields.as_ref().is_none_or(Vec::is_empty) {
            self.error(&format!("{path}.fields"), "a repeat group needs at least one field");
        }
        let (min, max) = (def.min_rows.unwrap_or(0), def.max_rows);
        if max.is_some_and(|m| m == 0 || m < min) {
            self.error(
                &format!("{path}.max_rows"),
                "max_rows must be at least 1 and at least min_rows",
            );
        }
        for (key, rows) in [("min_rows", Some(min)), ("max_rows", max)] {
            if rows.is_some_and(|n| n > MAX_ROWS) {
                self.error(&format!("{path}.{key}"), format!("{key} must be at most {MAX_ROWS}"));
            }
        }
        rules::rows::Rows {
            min: min.max(usize::from(def.required)),
            max,
        }
    }

    /// A repeat group's periods rule, when it gives `periods` whose `from` and `to` are date fields of its rows.
    fn periods_rule(&mut self, index: u32, def: &FieldDef, path: &str) -> Option<Box<dyn Rule>> {
        use FieldKind::Date;
        let p = def.periods.as_ref()?;
        let ppath = format!("{path}.periods");
        let from = self.bind(&p.from, &ppath, Some(index), &[Date]);
        let to = self.bind(&p.to, &ppath, Some(index), &[Date]);
        let cover_from = self.optional_expr(&p.cover_from, &ppath, "cover_from", None);
        let cover_to = self.optional_expr(&p.cover_to, &ppath, "cover_to", None);
        match (from, to) {
            (Some(Binding::RowField(from)), Some(Binding::RowField(to))) => Some(Box::new(rules::periods::Periods {
                group: index,
                from,
                to,
                cover_from,
                cover_to,
            })),
            // A date outside the rows would check no period at all.
            (Some(_), Some(_)) => {
                self.error(&ppath, "'from' and 'to' are date fields of the group's rows");
                None
            }
            _ => None,
        }
    }

    /// The rule of a repeat group filled from household members: each person (its key, `member.pin`) once.
    fn members_rule(&mut self, index: u32, def: &FieldDef) -> Option<Box<dyn Rule>> {
        let key = crate::prefill::member_key(def)?;
        match self.resolve(key, Some(index)) {
            Ok(Binding::RowField(key)) => Some(Box::new(rules::members::DistinctMembers { group: index, key })),
            _ => None,
        }
    }

    /// A field's own custom rules, each checked in the field's row when it has one.
    fn custom_rules(
        &mut self,
        entry: &Entry<'_>,
        custom_messages: &mut Vec<(String, Text)>,
        out: &mut Vec<Box<dyn Rule>>,
    ) {
        let (def, path, group) = (entry.def, entry.path.as_str(), entry.group);
        for (i, rule) in def.rules.iter().enumerate() {
            let rpath = format!("{path}.rules[{i}]");
            self.custom_code(rule, &rpath, custom_messages);
            if rule.path.is_some() {
                self.error(
                    &format!("{rpath}.path"),
                    "a field's own rule is about that field: 'path' is for form-level rules",
                );
            }
            if let Some(check) = self.expr(&rule.check, &format!("{rpath}.check"), group) {
                out.push(Box::new(rules::custom::Custom {
                    check,
                    code: rule.code.clone(),
                    warning: rule.warning,
                }));
            }
        }
    }

    /// Keeps a custom rule's message under its code: a code is `custom.` then a-z, 0-9, `_` or `.`,
    /// and one code has one message (the issue names its code, and the code its message).
    fn custom_code(&mut self, rule: &RuleDef, rpath: &str, messages: &mut Vec<(String, Text)>) {
        let name = rule.code.strip_prefix("custom.").unwrap_or_default();
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
        if !valid {
            self.error(
                &format!("{rpath}.code"),
                "custom rule codes are 'custom.' then a-z, 0-9, _ or .",
            );
        }
        for lang in ["vi", "en"] {
            if let Some(name) = placeholder_unfilled(rule.message.get(lang)) {
                self.error(
                    &format!("{rpath}.message"),
                    format!("a rule's message fills in only {{label}}: {{{name}}} would show as written"),
                );
            }
        }
        match messages.iter().find(|(code, _)| *code == rule.code) {
            Some((_, message)) if *message != rule.message => self.error(
                &format!("{rpath}.code"),
                format!(
                    "'{}' is the code of another rule with another message: give each its own",
                    rule.code
                ),
            ),
            Some(_) => {}
            None => messages.push((rule.code.clone(), rule.message.clone())),
        }
    }

    #[inline(never)]
    fn choice_source(
        &mut self,
        def: &FieldDef,
        path: &str,
        group: Option<u32>,
        form: &FormDef,
        external: &mut Vec<&'static str>,
        catalog_parent: &mut Option<Binding>,
    ) -> Option<rules::choice::Source> {
        use rules::choice::Source;
        match (&def.options, &def.catalog) {
            (Some(options), None) => {
                if options.is_empty() {
                    self.error(&format!("{path}.options"), "a choice field needs at least one option");
                }
                let mut seen = HashSet::new();
                for (i, o) in options.iter().enumerate() {
                    if !seen.insert(o.value.as_str()) {
                        self.error(
                            &format!("{path}.options[{i}].value"),
                            format!("duplicate option '{}'", o.value),
                        );
                    }
                    if o.parent.is_some() {
                        self.error(
                            &format!("{path}.options[{i}].parent"),
                            "'parent' is for the options of a catalogue a list is filtered by",
                        );
                    }
                }
                Some(Source::Static(options.iter().map(|o| o.value.clone()).collect()))
            }
            (None, Some(name)) => {
                if !form.catalogs.contains_key(name) {
                    if let Some(known) = EXTERNAL_CATALOGS.into_iter().find(|c| c == name) {
                        external.push(known);
                    } else {
                        self.error(&format!("{path}.catalog"), format!("unknown catalogue '{name}': give it in the definition's catalogs (a host gives only provinces and communes)"));
                    }
                }
                let parent = def.parent.as_deref().and_then(|p| {
                    self.bind(
                        p,
                        &format!("{path}.parent"),
                        group,
                        &[FieldKind::Select, FieldKind::Radio],
                    )
                });
                *catalog_parent = parent;
                Some(Source::Catalog {
                    name: name.clone(),
                    parent,
                })
            }
            (Some(_), Some(_)) => {
                self.error(path, "give either options or catalog, not both");
                None
            }
            (None, None) => {
                self.error(path, "a choice field needs options or a catalog");
                None
            }
        }
    }

    /// Builds the dependency graph, refuses cycles, and lists what each change affects.
    #[inline(never)]
    fn graph(&mut self, fields: &[Field], entries: &[Entry<'_>]) -> (Vec<Affects>, Vec<u32>) {
        let n = fields.len();
        let mut propagates: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut checks: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, f) in fields.iter().enumerate() {
            let i = i as u32;
            for e in f.visible.iter().chain(&f.compute) {
                for r in e.fields() {
                    insert_sorted(&mut propagates[r as usize], i);
                }
            }
            let rule_reads = rule_reads(f, entries[i as usize].def, &self.by_id);
            for r in f.required_if.iter().flat_map(Expr::fields).chain(rule_reads) {
                insert_sorted(&mut checks[r as usize], i);
            }
            if let Some(g) = f.group {
                insert_sorted(&mut checks[i as usize], g);
            }
        }
        let rank = match topological_rank(&propagates) {
            Ok(rank) => rank,
            Err(in_cycle) => {
                let cyclic: Vec<&str> = fields.iter().map(|f| f.id.as_str()).collect();
                let names: Vec<&str> = in_cycle.iter().map(|&i| cyclic[i as usize]).collect();
                let path = in_cycle
                    .first()
                    .map_or("$".to_owned(), |&i| entries[i as usize].path.clone());
                self.error(&path, format!("dependency cycle between fields: {}", names.join(", ")));
                return (Vec::new(), Vec::new());
            }
        };
        // Ranks are a permutation of 0..n: the field at each rank is the evaluation order, so sorted
        // ranks list fields in evaluation order.
        let mut eval_order = vec![0u32; n];
        for (f, &r) in rank.iter().enumerate() {
            eval_order[r as usize] = f as u32;
        }
        let in_order = |ranks: &mut Vec<u32>| -> Vec<u32> {
            // A heap sorts them in less wasm than `sort_unstable` (2 KiB gzip less).
            *ranks = BinaryHeap::from(std::mem::take(ranks)).into_sorted_vec();
            ranks.iter().map(|&r| eval_order[r as usize]).collect()
        };
        // Ranks reached from the current source, unmarked again before the next one: the work stays
        // proportional to what each change reaches, not to the size of the form.
        let mut marked = vec![false; n];
        let mut affects = Vec::with_capacity(n);
        for source in 0..n as u32 {
            let mut reached = Vec::new();
            mark(&mut marked, &mut reached, rank[source as usize]);
            let mut stack = vec![source];
            while let Some(f) = stack.pop() {
                for &d in &propagates[f as usize] {
                    if mark(&mut marked, &mut reached, rank[d as usize]) {
                        stack.push(d);
                    }
                }
            }
            let values = in_order(&mut reached);
            let mut all = reached;
            for &f in &values {
                for &c in &checks[f as usize] {
                    mark(&mut marked, &mut all, rank[c as usize]);
                }
            }
            let checks = in_order(&mut all);
            for &r in &all {
                marked[r as usize] = false;
            }
            affects.push(Affects { values, checks });
        }
        (affects, eval_order)
    }
}

/// Marks a rank and lists it, unless it is marked already; whether it was new.
fn mark(marked: &mut [bool], ranks: &mut Vec<u32>, r: u32) -> bool {
    let new = !std::mem::replace(&mut marked[r as usize], true);
    if new {
        ranks.push(r);
    }
    new
}

/// Fields a field's rules read, besides its own value.
fn rule_reads(field: &Field, def: &FieldDef, by_id: &HashMap<String, u32>) -> Vec<u32> {
    let mut reads = Vec::new();
    let id = |name: &str| by_id.get(name).copied();
    if let Some(links) = &def.pin_links {
        reads.extend(links.dob.as_deref().and_then(id));
        reads.extend(links.sex.as_deref().and_then(id));
    }
    reads.extend(def.parent.as_deref().and_then(id));
    if let Some(p) = &def.periods {
        reads.extend(id(&p.from));
        reads.extend(id(&p.to));
    }
    reads.extend(field.rule_exprs().flat_map(|e| e.fields()));
    reads
}

impl Field {
    /// Expressions inside the field's rules (custom checks, date bounds, period cover bounds).
    fn rule_exprs(&self) -> impl Iterator<Item = &Expr> {
        self.rules.iter().flat_map(|r| r.exprs())
    }
}

/// Topological rank of every node (each rank used once); with a cycle, the nodes left on it (or behind it)
/// once every acyclic node is ranked.
fn topological_rank(edges: &[Vec<u32>]) -> Result<Vec<u32>, Vec<u32>> {
    let n = edges.len();
    let mut indegree = vec![0usize; n];
    for targets in edges {
        for &t in targets {
            indegree[t as usize] += 1;
        }
    }
    let mut ready: Vec<u32> = (0..n as u32).filter(|&i| indegree[i as usize] == 0).rev().collect();
    let mut rank = vec![u32::MAX; n];
    let mut next = 0;
    while let Some(f) = ready.pop() {
        rank[f as usize] = next;
        next += 1;
        for &t in edges[f as usize].iter().rev() {
            indegree[t as usize] -= 1;
            if indegree[t as usize] == 0 {
                ready.push(t);
            }
        }
    }
    if next as usize == n {
        Ok(rank)
    } else {
        Err((0..n as u32).filter(|&i| rank[i as usize] == u32::MAX).collect())
    }
}

/// A file field's rule: the types it accepts (lower case), its largest size and its most files.
fn file_rule(def: &FieldDef) -> rules::file::File {
    rules::file::File {
        accept: def
            .accept
            .clone()
            .unwrap_or_default()
            .iter()
            .map(|a| a.to_ascii_lowercase())
            .collect(),
        max_size: def.max_size,
        max_files: def.max_files.unwrap_or(1),
    }
}

/// The first `{name}` in a text that is not `{label}`, the one placeholder a rule's message has filled in.
fn placeholder_unfilled(text: &str) -> Option<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .find(|name| {
            *name != "label" && !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

/// Identifiers: a lower-case letter, then lower-case letters, digits or underscores (`path`: the owner's).
fn check_id(c: &mut Compiler, id: &str, path: &str) {
    let mut chars = id.chars();
    let ok = chars.next().is_some_and(|ch| ch.is_ascii_lowercase())
        && chars.all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        && id.len() <= 64;
    if !ok {
        c.error(
            &format!("{path}.id"),
            format!("'{id}' is not a valid id (a-z first, then a-z, 0-9, _; at most 64)"),
        );
    }
}

/// Refuses attributes that mean nothing for the field's kind.
#[inline(never)]
fn check_attributes(c: &mut Compiler, def: &FieldDef, path: &str) {
    use FieldKind::*;
    let textual = [Text, Textarea, Name, Email];
    let choice = [Select, Radio, CheckboxGroup];
    let present: [(&str, bool, &[FieldKind]); 22] = [
        ("min_length", def.min_length.is_some(), &textual),
        ("max_length", def.max_length.is_some(), &textual),
        ("pattern", def.pattern.is_some(), &textual),
        ("min", def.min.is_some(), &[Number]),
        ("max", def.max.is_some(), &[Number]),
        ("integer", def.integer, &[Number]),
        ("min_date", def.min_date.is_some(), &[Date]),
        ("max_date", def.max_date.is_some(), &[Date]),
        ("year_only", def.year_only, &[Date]),
        ("uppercase", def.uppercase, &[Name, Text]),
        ("options", def.options.is_some(), &choice),
        ("catalog", def.catalog.is_some(), &choice),
        ("parent", def.parent.is_some(), &[Select, Radio]),
        ("fields", def.fields.is_some(), &[Group]),
        ("min_rows", def.min_rows.is_some(), &[Group]),
        ("max_rows", def.max_rows.is_some(), &[Group]),
        ("row_name", def.row_name.is_some(), &[Group]),
        ("periods", def.periods.is_some(), &[Group]),
        ("pin_links", def.pin_links.is_some(), &[Pin]),
        ("accept", def.accept.is_some(), &[File]),
        ("max_size", def.max_size.is_some(), &[File]),
        ("max_files", def.max_files.is_some(), &[File]),
    ];
    for (name, given, kinds) in present {
        if given && !kinds.contains(&def.kind) {
            c.error(
                &format!("{path}.{name}"),
                format!("'{name}' does not apply to {} field", def.kind.with_article()),
            );
        }
    }
    if def.pattern_message.is_some() && def.pattern.is_none() {
        c.error(
            &format!("{path}.pattern_message"),
            "'pattern_message' explains 'pattern': give 'pattern' too",
        );
    }
    if def.parent.is_some() && def.catalog.is_none() {
        c.error(
            &format!("{path}.parent"),
            "'parent' filters a catalogue: give 'catalog' too",
        );
    }
    if def.parent.as_deref() == Some(def.id.as_str()) {
        c.error(&format!("{path}.parent"), "a list cannot be filtered by itself");
    }
    for (name, limit) in [
        ("max_files", def.max_files.map(|n| n as u64)),
        ("max_size", def.max_size),
    ] {
        if limit == Some(0) {
            c.error(&format!("{path}.{name}"), format!("'{name}' is at least 1"));
        }
    }
    // A browser tells a file's media type, not its extension.
    for (i, media_type) in def.accept.iter().flatten().enumerate() {
        let valid = media_type
            .split_once('/')
            .is_some_and(|(family, sub)| !family.is_empty() && family != "*" && !sub.is_empty() && !sub.contains('/'));
        if !valid {
            c.error(
                &format!("{path}.accept[{i}]"),
                format!("'{media_type}' is not a media type such as application/pdf or image/*"),
            );
        }
    }
    let not_computable = [Group, File, Address, CheckboxGroup];
    if def.compute.is_some() && not_computable.contains(&def.kind) {
        c.error(
            &format!("{path}.compute"),
            format!("{} field cannot be computed", def.kind.with_article()),
        );
    }
    if def.prefill.is_some() && [Group, File].contains(&def.kind) {
        c.error(
            &format!("{path}.prefill"),
            format!("{} field cannot be prefilled", def.kind.with_article()),
        );
    }
}
