//! Validation issues as data: a path, a stable code and parameters; words come from the catalogues.

use crate::canonical::json_text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How serious an issue is: errors block submission, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Shown to the citizen, does not block submission.
    Warning,
}

/// One problem with one value, e.g. `{ path: "pin", code: "pin.birth_year_mismatch" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// Value path: `full_name`, `members[2].pin`, `residence.commune`.
    pub path: String,
    /// Stable machine code, e.g. `required` or `tax_code.checksum`.
    pub code: String,
    /// Values interpolated into the message, e.g. `{"max": "50"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// Error or warning.
    #[serde(default = "error_severity", skip_serializing_if = "is_error")]
    pub severity: Severity,
}

fn error_severity() -> Severity {
    Severity::Error
}

fn is_error(s: &Severity) -> bool {
    *s == Severity::Error
}

impl Issue {
    /// An error with no parameters.
    pub fn error(path: impl Into<String>, code: impl Into<String>) -> Issue {
        Issue {
            path: path.into(),
            code: code.into(),
            params: BTreeMap::new(),
            severity: Severity::Error,
        }
    }

    /// A warning with no parameters.
    pub fn warning(path: impl Into<String>, code: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Warning,
            ..Issue::error(path, code)
        }
    }

    /// The same issue with one more parameter.
    pub fn with(mut self, name: &str, value: impl ToString) -> Issue {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    /// Whether this issue blocks submission.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The JSON of this issue, as `Serialize` writes it, without serde's value serializer in the wasm bundle.
    pub fn to_json(&self) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        o.insert("path".into(), self.path.as_str().into());
        o.insert("code".into(), self.code.as_str().into());
        if !self.params.is_empty() {
            let mut params = serde_json::Map::new();
            for (name, value) in &self.params {
                params.insert(name.clone(), value.as_str().into());
            }
            o.insert("params".into(), params.into());
        }
        if self.severity == Severity::Warning {
            o.insert("severity".into(), "warning".into());
        }
        o.into()
    }

    /// An issue read leniently from JSON (a back end's refusal reason, which carries more keys), or
    /// None without a path and a code; a parameter that is not text is kept as its JSON.
    pub fn from_json(v: &serde_json::Value) -> Option<Issue> {
        let text = |key: &str| v.get(key).and_then(serde_json::Value::as_str);
        let mut issue = Issue::error(text("path")?, text("code")?);
        if text("severity") == Some("warning") {
            issue.severity = Severity::Warning;
        }
        for (name, value) in v
            .get("params")
            .and_then(serde_json::Value::as_object)
            .into_iter()
            .flatten()
        {
            let value = value.as_str().map_or_else(|| json_text(value), str::to_owned);
            issue.params.insert(name.clone(), value);
        }
        Some(issue)
    }
}

/// The outcome of checking one value with a Vietnamese validator: a code and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable code, e.g. `pin.unknown_prefix`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Message parameters.
    pub params: Vec<(&'static str, String)>,
}

impl Finding {
    /// An error finding.
    pub fn error(code: &'static str) -> Finding {
        Finding {
            code,
            severity: Severity::Error,
            params: Vec::new(),
        }
    }

    /// A warning finding.
    pub fn warning(code: &'static str) -> Finding {
        Finding {
            code,
            severity: Severity::Warning,
            params: Vec::new(),
        }
    }

    /// The same finding with one more parameter.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Finding {
        self.params.push((name, value.to_string()));
        self
    }

    /// This finding as an issue at a path.
    pub fn at(&self, path: &str) -> Issue {
        let mut params = BTreeMap::new();
        // Inserted one by one: collecting would pull in a sort for a handful of pairs.
        params.extend(self.params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        Issue {
            path: path.to_owned(),
            code: self.code.to_owned(),
            params,
            severity: self.severity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn to_json_is_the_serialized_issue() {
        let error = Issue::error("members[1].pin", "required");
        let warning = Issue::warning("phone", "phone.landline")
            .with("prefix", "024")
            .with("area", "Hà Nội");
        for issue in [
            error.clone(),
            error.with("max", 50),
            warning.clone(),
            Issue {
                params: BTreeMap::new(),
                ..warning
            },
        ] {
            assert_eq!(issue.to_json(), serde_json::to_value(&issue).unwrap());
        }
    }

    #[test]
    fn refusal_reasons_become_issues_with_every_parameter() {
        let r =
            json!({"path": "pin", "code": "pin.mismatch", "params": {"year": "1990", "age": 36}, "message_vi": "Sai"});
        let issue = Issue::from_json(&r).unwrap();
        assert_eq!((issue.path.as_str(), issue.code.as_str()), ("pin", "pin.mismatch"));
        assert_eq!(issue.params["year"], "1990");
        assert_eq!(issue.params["age"], "36", "a number parameter is kept as its JSON");
        assert_eq!(issue.severity, Severity::Error);
        let warning = json!({"path": "email", "code": "email.unusual", "severity": "warning"});
        assert_eq!(Issue::from_json(&warning).unwrap().severity, Severity::Warning);
        assert_eq!(
            Issue::from_json(&json!({"path": "pin"})),
            None,
            "a reason without a code is no issue"
        );
    }
}
