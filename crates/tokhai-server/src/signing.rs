//! The Ed25519 key that signs prefill bundles, and its public form for the well-known URL.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokhai_core::prefill::PrefillBundle;

/// A problem with a key file (the signing key, or the subject key).
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// Key file.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The file does not hold the base64 of 32 bytes.
    #[error("key file {0}: expected the base64 encoding of 32 bytes")]
    Format(PathBuf),
    /// The setting holds what looks like a key itself, where the key's file is named; the value is not
    /// repeated (it would reach the logs).
    #[error("{0} is the path of the file holding the key, not the key itself")]
    KeyNotPath(&'static str),
    /// No randomness was available to create a key.
    #[error("cannot create a signing key: no system randomness ({0})")]
    Random(String),
}

/// Whether a path is rather the base64 of a 32-byte seed.
fn looks_like_seed(path: &Path) -> bool {
    (path.to_str())
        .and_then(|p| STANDARD.decode(p.trim()).ok())
        .is_some_and(|b| b.len() == 32)
}

/// Reads the base64 of 32 bytes from a key file; with `create`, an absent file is written with `new()`.
/// `setting` names the setting of the file's path, for a key given in its place.
fn read_key_file(
    path: &Path,
    create: bool,
    setting: &'static str,
    new: impl FnOnce() -> Result<[u8; 32], KeyError>,
) -> Result<[u8; 32], KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => (STANDARD.decode(text.trim()).ok())
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| KeyError::Format(path.to_owned())),
        Err(e) if create && e.kind() == std::io::ErrorKind::NotFound => {
            let key = new()?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            std::fs::write(path, format!("{}\n", STANDARD.encode(key))).map_err(io)?;
            restrict(path).map_err(io)?;
            Ok(key)
        }
        // A key given in place of its file's path (as base64, as the file holds it).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && looks_like_seed(path) => {
            Err(KeyError::KeyNotPath(setting))
        }
        Err(e) => Err(io(e)),
    }
}

/// 32 bytes of system randomness.
fn random_key() -> Result<[u8; 32], KeyError> {
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(key)
}

/// The portal's signing key with its identifier, the public keys of those it signed with before, and the
/// secret that keys what names a citizen (drafts, timing records).
#[derive(Clone)]
pub struct Keys {
    signing: SigningKey,
    kid: String,
    /// Keys replaced since, by identifier: the bundles they signed (kept in dossiers, or sent just
    /// before the key changed) still verify.
    retired: Vec<(String, VerifyingKey)>,
    /// The key of a citizen's digests (`subject_key`, `timing_subject`, `draft_key`): apart from the
    /// signing key, so that a changed signing key loses no citizen's drafts and splits no filing's timing.
    subjects: [u8; 32],
}

impl Keys {
    /// A key from its 32-byte seed (which keys citizens' digests too, until `subjects_keyed_by`).
    pub fn from_seed(seed: [u8; 32]) -> Keys {
        let signing = SigningKey::from_bytes(&seed);
        let digest = Sha256::digest(signing.verifying_key().as_bytes());
        let kid = URL_SAFE_NO_PAD.encode(&digest[..12]);
        Keys {
            signing,
            kid,
            retired: Vec::new(),
            subjects: seed,
        }
    }

    /// Keys citizens' digests by the key file `path` (TOKHAI_SUBJECT_KEY); with `create`, an absent file
    /// is written with the signing key's seed, which keyed them before there was such a file, so that
    /// no citizen's drafts or timing records change at the upgrade; later signing keys leave it as is.
    pub fn subjects_keyed_by(mut self, path: &Path, create: bool) -> Result<Keys, KeyError> {
        self.subjects = read_key_file(path, create, "TOKHAI_SUBJECT_KEY (subject_key)", || {
            Ok(self.signing.to_bytes())
        })?;
        Ok(self)
    }

    /// Keeps the public key in `file` (a JSON list of `{kid, x}`, the keys this portal has signed with)
    /// and takes the others there as retired: a key changed is never a key forgotten.
    pub fn remember(mut self, file: &Path) -> Result<Keys, KeyError> {
        let io = |source| KeyError::Io {
            path: file.to_owned(),
            source,
        };
        let mut known: Vec<Json> = match std::fs::read_to_string(file) {
            Ok(text) => serde_json::from_str(&text).map_err(|_| KeyError::Format(file.to_owned()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(e)),
        };
        for entry in &known {
            let x = entry["x"].as_str().and_then(|x| URL_SAFE_NO_PAD.decode(x).ok());
            let key = x.and_then(|x| VerifyingKey::try_from(x.as_slice()).ok());
            match (entry["kid"].as_str(), key) {
                (Some(kid), Some(key)) if kid != self.kid => self.retired.push((kid.to_owned(), key)),
                (Some(_), Some(_)) => {}
                _ => return Err(KeyError::Format(file.to_owned())),
            }
        }
        if !known.iter().any(|k| k["kid"] == self.kid.as_str()) {
            known.push(self.public_jwk());
            let text = serde_json::to_string_pretty(&known).unwrap_or_default();
            std::fs::write(file, text + "\n").map_err(io)?;
        }
        Ok(self)
    }

    /// Reads the key file (base64 seed); with `create`, writes a new random key if the file is absent.
    pub fn load(path: &Path, create: bool) -> Result<Keys, KeyError> {
        read_key_file(path, create, "TOKHAI_SIGNING_KEY (signing_key)", random_key).map(Keys::from_seed)
    }

    /// The key identifier carried in every bundle.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs a bundle in place (sets its key identifier and signature).
    pub fn sign(&self, bundle: &mut PrefillBundle) {
        bundle.kid = self.kid.clone();
        let signature = self.signing.sign(&bundle.signing_bytes());
        bundle.signature = URL_SAFE_NO_PAD.encode(signature.to_bytes());
    }

    /// An opaque key of a citizen on this portal, for what a browser keeps per citizen (drafts): a digest
    /// of the PIN keyed by the subject key, so it names one citizen (a masked PIN is shared by many) and
    /// the PIN cannot be guessed back from it.
    pub fn subject_key(&self, pin: &str) -> String {
        URL_SAFE_NO_PAD.encode(&self.keyed_digest(b"tokhai-subject-v1\n", pin)[..18])
    }

    /// The subject of a citizen's timing records and logins (hex): a digest of the PIN keyed by the subject
    /// key, so that QA data names nobody and no PIN can be tried against it (its digits are few).
    pub fn timing_subject(&self, pin: &str) -> String {
        self.keyed_digest(b"tokhai-timing-v2\n", pin)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A citizen's own key for their drafts in a browser (32 bytes, base64url): a digest of the PIN keyed
    /// by the subject key, given only to the citizen's logged-in pages, so that another citizen's page on
    /// the same computer cannot open their drafts.
    pub fn draft_key(&self, pin: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.keyed_digest(b"tokhai-draft-v1\n", pin))
    }

    /// The handle of member `member` of citizen `subject`'s household, which the household list gives in
    /// place of the member's PIN (18 bytes, base64url): a digest of both PINs keyed by the subject key, so
    /// the member's PIN cannot be guessed back from it (its digits are few), and it names nobody in another
    /// citizen's session.
    pub fn member_handle(&self, subject: &str, member: &str) -> String {
        let both = format!("{subject}\n{member}");
        URL_SAFE_NO_PAD.encode(&self.keyed_digest(b"tokhai-member-v1\n", &both)[..18])
    }

    /// SHA-256 of a purpose, the subject key and a PIN (or PINs, a line each): a value only this portal can
    /// make from the PIN.
    fn keyed_digest(&self, purpose: &[u8], pin: &str) -> [u8; 32] {
        Sha256::new()
            .chain_update(purpose)
            .chain_update(self.subjects)
            .chain_update(pin.as_bytes())
            .finalize()
            .into()
    }

    /// Whether a bundle carries a valid signature by this key, or by one it replaced.
    pub fn verify(&self, bundle: &PrefillBundle) -> bool {
        verify_with(&self.signing.verifying_key(), &self.kid, bundle)
            || self.retired.iter().any(|(kid, key)| verify_with(key, kid, bundle))
    }

    /// The public keys as a JSON Web Key Set (RFC 8037 `OKP`/`Ed25519`): the current one first, then
    /// those it replaced, for the bundles of older dossiers.
    pub fn jwks(&self) -> Json {
        let retired = self.retired.iter().map(|(kid, key)| jwk(kid, key));
        let keys: Vec<Json> = [self.public_jwk()].into_iter().chain(retired).collect();
        json!({ "keys": keys })
    }

    fn public_jwk(&self) -> Json {
        jwk(&self.kid, &self.signing.verifying_key())
    }
}

/// A public key as a JSON Web Key.
fn jwk(kid: &str, key: &VerifyingKey) -> Json {
    json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": URL_SAFE_NO_PAD.encode(key.as_bytes())})
}

/// Whether a bundle carries a valid signature by a public key with an identifier (what an official's system does).
pub fn verify_with(key: &VerifyingKey, kid: &str, bundle: &PrefillBundle) -> bool {
    if bundle.kid != kid {
        return false;
    }
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(&bundle.signature) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify(&bundle.signing_bytes(), &signature).is_ok()
}

#[cfg(unix)]
fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use tokhai_core::prefill::{PrefillValue, BUNDLE_FORMAT};

    #[test]
    fn a_timing_subject_is_keyed_so_no_pin_can_be_tried_against_it() {
        let pin = "030065051188";
        let (ours, theirs) = (Keys::from_seed([7; 32]), Keys::from_seed([8; 32]));
        let subject = ours.timing_subject(pin);
        assert_eq!(subject.len(), 64);
        assert_eq!(subject, ours.timing_subject(pin), "one citizen, one subject");
        assert_ne!(subject, ours.timing_subject("030065051189"));
        assert_ne!(subject, theirs.timing_subject(pin), "another key: another subject");
        let bare = tokhai_core::digest::sha256_hex(format!("tokhai-timing\n{pin}").as_bytes());
        assert_ne!(subject, bare);
    }

    #[test]
    fn citizens_keep_their_digests_when_the_signing_key_changes() {
        let dir = std::env::temp_dir().join(format!("tokhai-subject-{}", std::process::id()));
        let file = dir.join("subject.key");
        let _ = std::fs::remove_dir_all(&dir);
        let pin = "030065051188";
        let before = Keys::from_seed([7; 32]);
        // The upgrade: the file is made from the signing key, so nothing a citizen has changes.
        let upgraded = Keys::from_seed([7; 32]).subjects_keyed_by(&file, true).unwrap();
        assert_eq!(upgraded.timing_subject(pin), before.timing_subject(pin));
        assert_eq!(upgraded.draft_key(pin), before.draft_key(pin));
        assert_eq!(upgraded.subject_key(pin), before.subject_key(pin));
        // A new signing key: bundles are signed by it, citizens' digests stay.
        let rotated = Keys::from_seed([8; 32]).subjects_keyed_by(&file, true).unwrap();
        assert_ne!(rotated.kid(), before.kid());
        assert_eq!(rotated.timing_subject(pin), before.timing_subject(pin));
        assert_eq!(rotated.draft_key(pin), before.draft_key(pin));
        assert_eq!(rotated.subject_key(pin), before.subject_key(pin));
        // A file named but absent is not made; a file of another shape is refused.
        let absent = Keys::from_seed([8; 32]).subjects_keyed_by(&dir.join("absent.key"), false);
        assert!(matches!(absent, Err(KeyError::Io { .. })));
        std::fs::write(&file, "not a key").unwrap();
        let broken = Keys::from_seed([8; 32]).subjects_keyed_by(&file, true);
        assert!(matches!(broken, Err(KeyError::Format(_))));
        let seed = STANDARD.encode([3u8; 32]);
        let error = (Keys::from_seed([8; 32]).subjects_keyed_by(Path::new(&seed), false))
            .err()
            .unwrap()
            .to_string();
        assert!(
            error.starts_with("TOKHAI_SUBJECT_KEY (subject_key) is the path"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn bundle() -> PrefillBundle {
        let mut values = BTreeMap::new();
        values.insert(
            "full_name".to_owned(),
            PrefillValue {
                value: json!("Nguyễn Văn An"),
                source: "population.full_name".into(),
                locked: true,
            },
        );
        PrefillBundle {
            format: BUNDLE_FORMAT,
            kid: String::new(),
            origin: "registry.local".into(),
            subject: "001090012345".into(),
            form_id: "ct01".into(),
            form_version: "1".into(),
            issued_at: 1,
            expires_at: 2,
            values,
            row: None,
            signature: String::new(),
        }
    }

    #[test]
    fn a_key_given_where_its_file_is_named_is_refused_without_repeating_it() {
        let seed = STANDARD.encode([3u8; 32]);
        let error = Keys::load(Path::new(&seed), false).err().unwrap().to_string();
        assert!(
            error.starts_with("TOKHAI_SIGNING_KEY (signing_key) is the path of the file holding the key"),
            "{error}"
        );
        assert!(!error.contains(&seed), "{error}");
        // A file that is not there is named, as before.
        let missing = Keys::load(Path::new("/nonexistent/prefill.key"), false)
            .err()
            .unwrap()
            .to_string();
        assert!(missing.starts_with("key file /nonexistent/prefill.key: "), "{missing}");
    }

    #[test]
    fn signatures_verify_and_tampering_is_found() {
        let keys = Keys::from_seed([7; 32]);
        let mut b = bundle();
        keys.sign(&mut b);
        assert!(keys.verify(&b));
        let mut tampered = b.clone();
        tampered.values.get_mut("full_name").unwrap().value = json!("Nguyễn Văn Ân");
        assert!(!keys.verify(&tampered));
        let mut later = b.clone();
        later.expires_at += 1;
        assert!(!keys.verify(&later));
        assert!(!Keys::from_seed([8; 32]).verify(&b));
        let mut garbage = b.clone();
        garbage.signature = "!!".into();
        assert!(!keys.verify(&garbage));
    }

    /// What `JSON.parse` then `JSON.stringify` in a browser does to numbers: `1965.0` becomes `1965`.
    fn through_javascript(v: Json) -> Json {
        match v {
            Json::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
                json!(n.as_f64().unwrap() as i64)
            }
            Json::Array(a) => Json::Array(a.into_iter().map(through_javascript).collect()),
            Json::Object(o) => Json::Object(o.into_iter().map(|(k, v)| (k, through_javascript(v))).collect()),
            other => other,
        }
    }

    #[test]
    fn a_bundle_keeps_its_signature_through_a_browser() {
        let keys = Keys::from_seed([5; 32]);
        let mut b = bundle();
        b.values.insert(
            "father_birth_year".into(),
            PrefillValue {
                value: json!(1965.0),
                source: "family.husband_birth_year".into(),
                locked: false,
            },
        );
        keys.sign(&mut b);
        let text = serde_json::to_string(&b).unwrap();
        assert!(text.contains("1965.0"));
        let back: PrefillBundle =
            serde_json::from_value(through_javascript(serde_json::from_str(&text).unwrap())).unwrap();
        assert_eq!(back.values["father_birth_year"].value, json!(1965));
        assert!(keys.verify(&back));
    }

    #[test]
    fn the_published_key_verifies_downstream() {
        let keys = Keys::from_seed([9; 32]);
        let mut b = bundle();
        keys.sign(&mut b);
        let jwk = &keys.jwks()["keys"][0];
        let x: [u8; 32] = URL_SAFE_NO_PAD
            .decode(jwk["x"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let public = VerifyingKey::from_bytes(&x).unwrap();
        assert!(verify_with(&public, jwk["kid"].as_str().unwrap(), &b));
    }

    #[test]
    fn a_key_changed_is_remembered_and_what_it_signed_still_verifies() {
        let dir = std::env::temp_dir().join(format!("tokhai-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("prefill-keys.json");
        let _ = std::fs::remove_file(&file);
        let old = Keys::from_seed([3; 32]).remember(&file).unwrap();
        let mut signed_before = bundle();
        old.sign(&mut signed_before);
        let new = Keys::from_seed([4; 32]).remember(&file).unwrap();
        assert!(new.verify(&signed_before), "signed by the key replaced");
        let jwks = new.jwks();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap())
            .collect();
        assert_eq!(kids, [new.kid(), old.kid()], "the current key first");
        // Started again with the same key, nothing is added; a key never used here verifies nothing.
        let again = Keys::from_seed([4; 32]).remember(&file).unwrap();
        assert_eq!(again.jwks(), new.jwks());
        let mut stranger = bundle();
        Keys::from_seed([5; 32]).sign(&mut stranger);
        assert!(!new.verify(&stranger));
        std::fs::write(&file, "[{\"kid\": \"x\"}]").unwrap();
        assert!(matches!(
            Keys::from_seed([4; 32]).remember(&file),
            Err(KeyError::Format(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn key_files_are_created_once_and_checked() {
        let dir = std::env::temp_dir().join(format!("tokhai-key-{}", std::process::id()));
        let path = dir.join("dev.key");
        let _ = std::fs::remove_file(&path);
        let first = Keys::load(&path, true).unwrap();
        let again = Keys::load(&path, false).unwrap();
        assert_eq!(first.kid(), again.kid());
        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(Keys::load(&path, false), Err(KeyError::Format(_))));
        assert!(matches!(
            Keys::load(&dir.join("absent.key"), false),
            Err(KeyError::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
