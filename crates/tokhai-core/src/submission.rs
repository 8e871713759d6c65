//! The canonical submission: visible values in a stable form, their digest, and what identifies the attempt.

use crate::canonical::canonical_json;
use crate::digest::sha256_hex;
use crate::session::Session;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// What the browser sends and the server stores: values plus the facts needed to check them later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// Form identifier.
    pub form_id: String,
    /// Definition version the citizen filled.
    pub form_version: String,
    /// Hash of the definition the citizen saw (which rules applied).
    pub ruleset_hash: String,
    /// Visible values: keys sorted, text NFC, dates ISO 8601.
    pub values: Json,
    /// SHA-256 of the canonical JSON of `values`.
    pub digest: String,
    /// Created once at the first attempt and kept across retries, so a replay is recognised.
    pub idempotency_key: String,
    /// The signed prefill bundle the values were prefilled from, as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Json>,
    /// The signed bundles of household members' rows, as received.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub row_prefills: Vec<Json>,
}

impl Submission {
    /// The JSON of this submission, as `Serialize` writes it, without serde's value serializer in the wasm bundle.
    pub fn into_json(self) -> Json {
        let mut o = serde_json::Map::new();
        o.insert("form_id".into(), self.form_id.into());
        o.insert("form_version".into(), self.form_version.into());
        o.insert("ruleset_hash".into(), self.ruleset_hash.into());
        o.insert("values".into(), self.values);
        o.insert("digest".into(), self.digest.into());
        o.insert("idempotency_key".into(), self.idempotency_key.into());
        if let Some(prefill) = self.prefill {
            o.insert("prefill".into(), prefill);
        }
        if !self.row_prefills.is_empty() {
            o.insert("row_prefills".into(), self.row_prefills.into());
        }
        o.into()
    }
}

/// The digest of a set of values, as stored with a dossier.
pub fn values_digest(values: &Json) -> String {
    sha256_hex(canonical_json(values).as_bytes())
}

/// Whether an idempotency key is acceptable: 16 to 128 characters of `A-Za-z0-9-_`.
pub fn is_valid_idempotency_key(key: &str) -> bool {
    (16..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Session {
    /// The submission of the current values, with an idempotency key chosen by the shell at the first attempt.
    pub fn submission(&self, idempotency_key: &str, prefill: Option<Json>, row_prefills: Vec<Json>) -> Submission {
        let values = self.values();
        let form = self.form();
        Submission {
            form_id: form.id().to_owned(),
            form_version: form.version().to_owned(),
            ruleset_hash: form.ruleset_hash().to_owned(),
            digest: values_digest(&values),
            values,
            idempotency_key: idempotency_key.to_owned(),
            prefill,
            row_prefills,
        }
    }
}

impl Submission {
    /// Whether the digest matches the values (the payload was not altered on the way).
    pub fn digest_matches(&self) -> bool {
        values_digest(&self.values) == self.digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn into_json_is_the_serialized_submission() {
        let plain = Submission {
            form_id: "ho-tich".into(),
            form_version: "2".into(),
            ruleset_hash: "ab12".into(),
            values: json!({"a": [1, -2, 1.5, -0.0, 1e300], "b": {"c": "Nguyễn", "d": null, "e": true}}),
            digest: "cd34".into(),
            idempotency_key: "k".repeat(16),
            prefill: None,
            row_prefills: Vec::new(),
        };
        let prefilled = Submission {
            prefill: Some(json!({"signature": "s", "values": {"a": 1}})),
            row_prefills: vec![json!({"member": "001"}), json!(2)],
            ..plain.clone()
        };
        for s in [plain, prefilled] {
            assert_eq!(s.clone().into_json(), serde_json::to_value(&s).unwrap());
        }
    }

    #[test]
    fn digests_ignore_key_order_and_number_spelling() {
        let a = json!({"b": 1965.0, "a": {"z": [1, {"y": 2, "x": 1}], "c": "Nguyễn"}});
        assert_eq!(
            values_digest(&a),
            values_digest(&json!({"a": {"z": [1, {"x": 1, "y": 2}], "c": "Nguyễn"}, "b": 1965}))
        );
    }

    #[test]
    fn idempotency_keys_are_bounded() {
        assert!(is_valid_idempotency_key("0f8e2b6c-3d1a-4c55-9a0e-7b3f2c1d4e5f"));
        assert!(!is_valid_idempotency_key("short"));
        assert!(!is_valid_idempotency_key("with space and more than sixteen"));
    }
}
