//! Option membership for selects, radios and checkbox groups: static lists or catalogues.

use super::{Check, Rule};
use crate::expr::{Binding, Value};
use crate::issue::Finding;
use serde_json::Value as Json;

/// Where a choice field's options come from.
#[derive(Debug)]
pub(crate) enum Source {
    /// Options listed in the definition.
    Static(Vec<String>),
    /// A named catalogue, optionally filtered by another field's value.
    Catalog {
        /// The catalogue's name.
        name: String,
        /// The field whose value the options must have as parent.
        parent: Option<Binding>,
    },
}

/// Every chosen code must be one of the options.
#[derive(Debug)]
pub(crate) struct Choice {
    pub source: Source,
}

impl Choice {
    fn check_code(&self, code: &str, cx: &mut Check<'_>) {
        match &self.source {
            Source::Static(codes) => {
                if !codes.iter().any(|c| c == code) {
                    cx.report(Finding::error("option.unknown").with("value", code));
                }
            }
            Source::Catalog { name, parent } => {
                let Some(option) = cx.catalogs.get(name).and_then(|c| c.get(code)) else {
                    cx.report(Finding::error("option.unknown").with("value", code));
                    return;
                };
                let Some(parent) = parent else { return };
                if let Value::Str(parent_code) = cx.read(*parent) {
                    if option.parent.as_deref() != Some(parent_code.as_str()) {
                        cx.report(Finding::error("option.not_in_parent").with("value", code));
                    }
                }
            }
        }
    }
}

impl Rule for Choice {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        match value {
            Json::String(code) => self.check_code(code, cx),
            Json::Array(codes) => codes
                .iter()
                .filter_map(Json::as_str)
                .for_each(|c| self.check_code(c, cx)),
            _ => {}
        }
    }
}
