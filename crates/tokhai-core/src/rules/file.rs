//! Attached files (metadata only): name, media type, size and count.

use super::{Check, Rule};
use crate::issue::Finding;
use crate::text::is_invisible;
use serde_json::Value as Json;

/// The longest file name taken, in characters (as file systems keep them).
const MAX_NAME_CHARS: usize = 255;

/// Name endings of web pages, programs and shortcuts: opened on an official's computer by their name,
/// they run (or reach out), whatever type they were sent as.
const RUNNABLE: [&str; 36] = [
    "html",
    "htm",
    "xhtml",
    "xht",
    "shtml",
    "mhtml",
    "mht",
    "svg",
    "hta",
    "js",
    "mjs",
    "jse",
    "exe",
    "com",
    "bat",
    "cmd",
    "ps1",
    "vbs",
    "vbe",
    "wsf",
    "msi",
    "msc",
    "scr",
    "pif",
    "cpl",
    "chm",
    "reg",
    "jar",
    "sh",
    "php",
    "lnk",
    "url",
    "scf",
    "library-ms",
    "iso",
    "appref-ms",
];

/// The name endings of the file types forms take: a file of one of these types must be named as one
/// (a page named `hoso.pdf.html` or `hoso.html.` sent as a PDF would open as a page by its name).
const ENDINGS: [(&str, &[&str]); 14] = [
    ("application/pdf", &["pdf"]),
    ("image/jpeg", &["jpg", "jpeg", "jpe", "jfif"]),
    ("image/png", &["png"]),
    ("image/gif", &["gif"]),
    ("image/webp", &["webp"]),
    ("image/heic", &["heic", "heif"]),
    ("image/heif", &["heif", "heic"]),
    ("image/tiff", &["tif", "tiff"]),
    ("image/bmp", &["bmp"]),
    ("text/plain", &["txt"]),
    ("application/msword", &["doc"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    ("application/vnd.ms-excel", &["xls"]),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
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
/// and a name only, never a path ("../../hoso.pdf" would be saved outside an official's folder) nor one
/// Windows reads as another ("hoso.html." is saved as "hoso.html", "hoso.html::$DATA" too).
fn shows_itself(name: &str) -> bool {
    let hidden = |c: char| c.is_control() || is_invisible(c) || c == char::REPLACEMENT_CHARACTER;
    let path = name.contains(['/', '\\', ':']) || name.ends_with(['.', ' ']);
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
            let media_type = file["type"].as_str().unwrap_or_default().to_ascii_lowercase();
            let named_as = ENDINGS
                .iter()
                .find(|(t, _)| *t == media_type)
                .map(|(_, endings)| *endings);
            if ending.as_deref().is_some_and(|e| RUNNABLE.contains(&e)) {
                cx.report(Finding::error("file.runnable").with("name", name));
                continue;
            }
            // A name with no ending at all (some phones' pickers) opens as nothing by its name.
            if let Some(endings) = named_as.filter(|e| ending.as_deref().is_some_and(|n| !e.contains(&n))) {
                cx.report(
                    Finding::error("file.name_type")
                        .with("name", name)
                        .with("ending", endings[0]),
                );
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
