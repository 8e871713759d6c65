//! Attached files (metadata only): name, media type, size and count.

use super::{Check, Rule};
use crate::issue::Finding;
use crate::text::is_invisible;
use serde_json::Value as Json;

/// The longest file name taken, in characters (as file systems keep them).
const MAX_NAME_CHARS: usize = 255;

/// Name endings of web pages and programs: opened on an official's computer by their name, they run,
/// whatever type they were sent as.
const RUNNABLE: [&str; 20] = [
    "html", "htm", "xhtml", "shtml", "hta", "js", "mjs", "exe", "com", "bat", "cmd", "ps1", "vbs", "wsf", "msi", "scr",
    "jar", "sh", "php", "lnk",
];

/// File constraints.
#[derive(Debug)]
pub(crate) struct File {
    pub accept: Vec<String>,
    pub max_size: Option<u64>,
    pub max_files: usize,
}

/// Whether a field's `accept` list (empty: anything) takes a media type, e.g. `image/*` takes `image/png`
/// but not `image/svg+xml`, a document that may hold scripts, which a list must name to take.
/// A list takes only a media type as written (`type/subtype`), not `image/png,text/html`.
pub fn accepts(accept: &[String], media_type: &str) -> bool {
    let media_type = media_type.to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    let written = media_type.split_once('/').is_some_and(|(t, s)| token(t) && token(s));
    accept.is_empty()
        || written
            && accept.iter().any(|a| match a.strip_suffix("/*") {
                Some(family) => media_type.split('/').next() == Some(family) && media_type != "image/svg+xml",
                None => *a == media_type,
            })
}

/// Whether a file name shows what the file is: not blank or too long, with no control or bidirectional
/// characters ("hoso\u{202E}fdp.exe" shows as "hosoexe.pdf") nor bytes that were not UTF-8 (read as U+FFFD),
/// and a name only, never a path ("../../hoso.pdf" would be saved outside an official's folder).
fn shows_itself(name: &str) -> bool {
    let hidden = |c: char| c.is_control() || is_invisible(c) || c == char::REPLACEMENT_CHARACTER;
    let path = name.contains(['/', '\\']) || name.chars().all(|c| c == '.');
    !name.trim().is_empty() && name.chars().count() <= MAX_NAME_CHARS && !name.chars().any(hidden) && !path
}

impl Rule for File {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        let Some(files) = value.as_array() else { return };
        if files.len() > self.max_files {
            cx.report(Finding::error("file.too_many").with("max", self.max_files));
        }
        for file in files {
            let name = file["name"].as_str().unwrap_or_default();
            if !shows_itself(name) {
                cx.report(Finding::error("file.name_invalid"));
                continue;
            }
            let ending = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
            if ending.is_some_and(|e| RUNNABLE.contains(&e.as_str())) {
                cx.report(Finding::error("file.runnable").with("name", name));
            }
            if !accepts(&self.accept, file["type"].as_str().unwrap_or_default()) {
                cx.report(
                    Finding::error("file.type")
                        .with("name", name)
                        .with("accept", self.accept.join(", ")),
                );
            }
            if let Some(max) = self.max_size.filter(|&m| file["size"].as_u64().unwrap_or(0) > m) {
                cx.report(
                    Finding::error("file.too_large")
                        .with("name", name)
                        .with("max_size", max.to_string()),
                );
            }
        }
    }
}
