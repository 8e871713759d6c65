//! Loading the administrative-units catalogue and the form definitions at start.

use axum::body::Bytes;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokhai_core::catalog::{CatalogError, Catalogs};
use tokhai_core::digest::sha256_hex;
use tokhai_core::{DefinitionErrors, Form};

/// A file served as it was loaded: its text, and an entity tag (a digest of it) with which a browser
/// that keeps the file asks only whether it changed (the catalogue is 400 KB of JSON).
#[derive(Debug)]
pub struct Published {
    /// The file's text.
    pub text: Bytes,
    /// Its entity tag, the first 32 hex digits of its SHA-256, weak (`W/"…"`): the same for the file
    /// gzipped on the way or not.
    pub etag: String,
}

impl Published {
    /// The text and its entity tag.
    pub fn new(text: String) -> Published {
        let etag = format!("W/\"{}\"", &sha256_hex(text.as_bytes())[..32]);
        Published {
            text: text.into(),
            etag,
        }
    }
}

/// A catalogue or definition that cannot be used; the server does not start.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// File.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The administrative-units file is invalid.
    #[error("administrative-units catalogue {path}: {message} (set TOKHAI_UNITS to a units-2025.json file)")]
    Units {
        /// File.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A form definition does not compile; every problem is listed with its JSON path.
    #[error("form definition {path} is invalid:\n{errors}")]
    Definition {
        /// File.
        path: PathBuf,
        /// Problems, one per line (`$.json.path: message`).
        errors: String,
    },
    /// Two files define the same form.
    #[error("form definition {path}: {message}")]
    Naming {
        /// File.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A compiled form and its definition text as served.
pub struct LoadedForm {
    /// The compiled form.
    pub form: Arc<Form>,
    /// The definition file's text.
    pub source: Published,
    /// The file's name without `.json` (served at `/forms/<file>.json` as well as `/forms/<id>.json`).
    pub file: String,
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Reads the administrative-units catalogue: the catalogues, and the file as browsers get it (only
/// what a catalogue reads of it).
pub fn load_units(path: &Path) -> Result<(Catalogs, Published), LoadError> {
    let text = read(path)?;
    let invalid = |e: CatalogError| LoadError::Units {
        path: path.to_owned(),
        message: e.0,
    };
    let (catalogs, published) = Catalogs::from_admin_units_published(&text).map_err(invalid)?;
    Ok((catalogs, Published::new(published)))
}

/// The `*.json` files of a directory, sorted (none if the directory does not exist).
fn definition_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(LoadError::Read {
                path: dir.to_owned(),
                source,
            })
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Compiles one definition file.
fn compile_file(path: &Path) -> Result<LoadedForm, LoadError> {
    let source = read(path)?;
    let form = Form::compile(&source).map_err(|e: DefinitionErrors| LoadError::Definition {
        path: path.to_owned(),
        errors: e.to_string(),
    })?;
    Ok(LoadedForm {
        form: Arc::new(form),
        source: Published::new(source),
        file: path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned(),
    })
}

/// Compiles every `*.json` of a directory, by form id (none if the directory does not exist).
pub fn load_forms(dir: &Path) -> Result<BTreeMap<String, LoadedForm>, LoadError> {
    let paths = definition_files(dir)?;
    if paths.is_empty() {
        tracing::warn!(dir = %dir.display(), "no form definitions");
    }
    let mut forms = BTreeMap::new();
    for path in paths {
        let loaded = compile_file(&path)?;
        let id = loaded.form.id().to_owned();
        if forms.contains_key(&id) {
            let message = format!("another definition already has the id {id:?}");
            return Err(LoadError::Naming { path, message });
        }
        forms.insert(id, loaded);
    }
    Ok(forms)
}

/// Every version a submission may name, by ruleset hash: the current forms and the earlier
/// versions kept in `<forms>/archive/` (so that a citizen who started before an update can still file).
pub fn versions(
    current: &BTreeMap<String, LoadedForm>,
    archive: &Path,
) -> Result<HashMap<String, Arc<Form>>, LoadError> {
    let mut by_hash: HashMap<String, Arc<Form>> = current
        .values()
        .map(|f| (f.form.ruleset_hash().to_owned(), f.form.clone()))
        .collect();
    for path in definition_files(archive)? {
        let form = compile_file(&path)?.form;
        by_hash.entry(form.ruleset_hash().to_owned()).or_insert(form);
    }
    Ok(by_hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_definitions_name_the_file_and_path() {
        let dir = std::env::temp_dir().join(format!("tokhai-forms-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("x.json"),
            r#"{"tokhai": 1, "id": "x", "version": "1", "title": "X", "steps": 3}"#,
        )
        .unwrap();
        let err = load_forms(&dir).err().expect("a bad definition is refused").to_string();
        assert!(err.contains("x.json") && err.contains("$"), "{err}");
        assert!(load_forms(&dir.join("absent")).unwrap().is_empty());
        let units = load_units(&dir.join("x.json"))
            .expect_err("not a units file")
            .to_string();
        assert!(units.contains("TOKHAI_UNITS"), "{units}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
