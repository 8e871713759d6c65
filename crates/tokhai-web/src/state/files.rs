//! Attached files: removed with a button, and sent to the back end as they are chosen (the
//! `uploads` option): the JS face uploads them, the value gains the back end's references, and
//! until then the files hold the filing back with a reason.

use super::{object, State};
use crate::dom::Dom;
use crate::render::{Control, Files};
use crate::ui::Word;
use serde_json::Value as Json;
use tokhai_core::messages::size_text;
use tokhai_core::{FieldKind, Issue};

/// The code of a file still uploading when the form is checked.
pub(super) const UPLOADING: &str = "file.uploading";

/// The code of a file whose upload failed or the back end no longer holds: it is to be chosen again.
const NOT_UPLOADED: &str = "file.not_uploaded";

/// The codes of the issues this module adds.
const CODES: [&str; 2] = [UPLOADING, NOT_UPLOADED];

/// A file field's chosen files and where they are.
pub(super) struct Upload {
    /// Their metadata, as chosen; those the back end keeps carry its reference (`upload`).
    files: Vec<Json>,
    stage: Stage,
    /// Percentage of their bytes sent so far.
    sent: u32,
    /// Why the back end refused them (`{message_vi, message_en}`), if it said.
    refusal: Option<Json>,
}

/// Where chosen files are.
#[derive(PartialEq)]
enum Stage {
    /// Being uploaded.
    Sending,
    /// Kept by the back end.
    Kept,
    /// Refused or lost on the way: the citizen chooses them again.
    Failed,
}

impl State {
    /// The files of a field once the citizen chose `chosen`: added to those chosen before when the
    /// field takes several (a phone's camera gives one photo at a time), else in their place. Files
    /// refused (a wrong type, too large) or whose upload failed are left out: they are being replaced.
    pub(super) fn with_earlier_files(&self, path: &str, chosen: Json) -> Json {
        let Some(n) = self.nodes.get(path) else { return chosen };
        let several = matches!(&n.control, Control::File(f) if f.several);
        let Some(new) = chosen.as_array().filter(|new| several && !new.is_empty()) else {
            return chosen;
        };
        let failed = self
            .uploads
            .iter()
            .flatten()
            .any(|(p, u)| p == path && u.stage == Stage::Failed);
        let refused = |f: &Json| {
            let alone = self.session.check_value(&n.def.id, &Json::Array(vec![f.clone()]));
            alone.unwrap_or_default().iter().any(Issue::is_error)
        };
        let earlier = self.session.value_at(path).unwrap_or(Json::Null);
        let kept = earlier.as_array().into_iter().flatten();
        let kept = kept.filter(|f| (!failed || is_kept(f)) && !refused(f));
        Json::Array(kept.chain(new).cloned().collect())
    }

    /// After the files of a field changed: asks the JS face to upload those the back end does not keep
    /// yet, if the field's rules pass.
    pub(super) fn files_chosen(&mut self, path: &str, value: &Json) {
        let Some(n) = self.nodes.get_mut(path).filter(|n| n.def.kind == FieldKind::File) else {
            return;
        };
        let Some(uploads) = self.uploads.as_mut() else { return };
        n.st.issues.retain(|i| !CODES.contains(&i.code.as_str()));
        let files = value.as_array().cloned().unwrap_or_default();
        uploads.retain(|(p, _)| p != path);
        if !files.is_empty() && !n.st.issues.iter().any(Issue::is_error) {
            let waiting: Vec<Json> = files.iter().filter(|f| !is_kept(f)).cloned().collect();
            let stage = if waiting.is_empty() {
                Stage::Kept
            } else {
                Stage::Sending
            };
            uploads.push((
                path.to_owned(),
                Upload {
                    files,
                    stage,
                    sent: 0,
                    refusal: None,
                },
            ));
            if !waiting.is_empty() {
                let attach = object([
                    ("path", path.into()),
                    ("field", n.def.id.as_str().into()),
                    ("files", waiting.into()),
                ]);
                self.events.push(("attach", attach));
            }
        }
        self.render_upload(path);
        self.send_if_uploaded();
    }

    /// Says in the upload line, to screen readers, why the files just chosen are refused (a wrong type, too
    /// large): focus is back on the box, and its error under the label is not announced. A refusal said
    /// already is not said again when another file is removed.
    pub(super) fn say_refused_files(&mut self, path: &str) {
        self.render_upload(path);
        let Some(n) = self.nodes.get(path).filter(|n| matches!(n.control, Control::File(_))) else {
            return;
        };
        let errors: Vec<String> = (n.st.issues.iter().filter(|i| i.is_error()))
            .map(|i| super::message(&self.form, &self.server_messages, i, &self.lang))
            .collect();
        let refusal = (!errors.is_empty()).then(|| errors.join(". "));
        let Some(n) = self.nodes.get_mut(path) else { return };
        let said = std::mem::replace(&mut n.st.said, refusal.clone());
        let Control::File(f) = &n.control else { return };
        if let Some(text) = refusal.filter(|r| said.as_ref() != Some(r)) {
            f.line.set_text_content(Some(&text));
            let _ = f.line.class_list().add_1("tk-vh");
        }
    }

    /// Says that files `names`, already in a box, were chosen again and not added twice.
    pub fn chosen_again(&self, names: &str) {
        self.notify(Word::FileChosenAgain.fill(&self.lang, names, ""));
    }

    /// Removes file `index` from a file box (the citizen changed their mind; a file box alone cannot be
    /// emptied), and puts focus on the next file's button, the one before, or the box.
    pub(super) fn remove_file(&mut self, path: &str, index: usize) {
        let Some(Control::File(f)) = self.nodes.get(path).map(|n| &n.control) else {
            return;
        };
        let mut files = self
            .session
            .value_at(path)
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        if index >= files.len() {
            return;
        }
        let removed = files.remove(index);
        let name = removed["name"].as_str().unwrap_or_default();
        let size = size_text(removed["size"].as_u64().unwrap_or_default(), &self.lang);
        self.notify(Word::FileRemoved.fill(&self.lang, name, &size));
        if files.is_empty() {
            f.input.set_value("");
        }
        let value = Json::Array(files);
        let patches = self.session.input(path, value.clone()).unwrap_or_default();
        self.apply(patches, None);
        self.commit(path, value);
        let Some(Control::File(f)) = self.nodes.get(path).map(|n| &n.control) else {
            return;
        };
        let buttons = f.remove.children();
        let next = buttons
            .item(index as u32)
            .or_else(|| index.checked_sub(1).and_then(|i| buttons.item(i as u32)));
        self.focus = Some(crate::dom::html(&next.unwrap_or_else(|| f.input.clone().into())));
    }

    /// The JS face's answer for the files of a field the back end did not keep yet: its references
    /// in order, or `None` when the upload failed.
    pub fn uploaded(&mut self, path: &str, references: Option<Vec<String>>, refusal: Option<Json>) {
        // An answer for files no longer waiting (one removed while it was on its way) is left alone.
        let Some(upload) = self.upload_at(path).filter(|u| u.stage == Stage::Sending) else {
            return;
        };
        let waiting = upload.files.iter().filter(|f| !is_kept(f)).count();
        match references {
            Some(references) if references.len() != waiting => return,
            Some(references) => {
                upload.stage = Stage::Kept;
                let mut references = references.into_iter();
                let kept = (upload.files.iter())
                    .map(|file| {
                        let mut file = file.clone();
                        if let Some(o) = file.as_object_mut().filter(|o| !o.contains_key(UPLOAD)) {
                            o.insert(UPLOAD.into(), Json::String(references.next().unwrap_or_default()));
                        }
                        file
                    })
                    .collect();
                upload.files.clone_from(&kept);
                let value = Json::Array(kept);
                let patches = self.session.input(path, value.clone()).unwrap_or_default();
                self.apply(patches, None);
                // The host (and the draft) learn the references.
                self.events
                    .push(("change", object([("path", path.into()), ("value", value)])));
            }
            None => {
                upload.stage = Stage::Failed;
                upload.refusal = refusal;
                // The same file can then be chosen again (a file box fires no change for the same choice).
                if let Some(Control::File(f)) = self.nodes.get(path).map(|n| &n.control) {
                    f.input.set_value("");
                }
            }
        }
        self.upload_issues(false);
        self.render_issues(path);
        self.render_upload(path);
        self.send_if_uploaded();
    }

    /// The upload of the files chosen at `path`, if any.
    fn upload_at(&mut self, path: &str) -> Option<&mut Upload> {
        let found = self.uploads.iter_mut().flatten().find(|(p, _)| p == path);
        found.map(|(_, upload)| upload)
    }

    /// Sends the form (or shows its errors) if Submit was pressed while files were on their way and
    /// none is any more.
    fn send_if_uploaded(&mut self) {
        let sending = self.uploads.iter().flatten().any(|(_, u)| u.stage == Stage::Sending);
        if self.send_after_uploads && !sending {
            self.send_after_uploads = false;
            self.busy = false;
            self.set_status(None);
            self.send_if_valid();
        }
    }

    /// How much of a field's files the JS face has sent, in percent: shown after the upload line, to the
    /// eye only (a screen reader would hear every step).
    pub fn upload_progress(&mut self, path: &str, percent: u32) {
        if let Some(upload) = self.upload_at(path) {
            upload.sent = percent.min(100);
            self.render_upload(path);
        }
    }

    /// Files the back end refused to find (kept past its retention, say, while a draft waited): they
    /// are to be chosen again, as after a failed upload.
    pub(super) fn files_refused(&mut self, issues: &[Issue]) {
        for issue in issues.iter().filter(|i| i.code == NOT_UPLOADED) {
            if let Some(upload) = self.upload_at(&issue.path) {
                upload.stage = Stage::Failed;
            }
            self.render_upload(&issue.path);
        }
    }

    /// Sends the form once the files on their way are kept (the citizen pressed Submit meanwhile).
    pub(super) fn wait_for_uploads(&mut self) {
        self.upload_issues(false);
        self.send_after_uploads = true;
        self.set_busy(true);
        self.set_status(Some((Word::WaitingForUploads, String::new())));
        self.events.push(("waiting", Json::Null));
    }

    /// Puts the errors of files the back end does not keep (with `waiting`, also of those still
    /// being uploaded) on their fields, and returns them.
    pub(super) fn upload_issues(&mut self, waiting: bool) -> Vec<Issue> {
        let Some(uploads) = &self.uploads else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (path, upload) in uploads {
            let Some(n) = self.nodes.get_mut(path) else { continue };
            n.st.issues.retain(|i| !CODES.contains(&i.code.as_str()));
            // A hidden field's files are not sent: they hold nothing back.
            let code = match upload.stage {
                _ if !n.st.visible => continue,
                Stage::Failed => NOT_UPLOADED,
                Stage::Sending if waiting => UPLOADING,
                _ => continue,
            };
            let issue = Issue::error(path, code).with("name", upload.names());
            // Files the back end refused are said in its words (their content is not of their type, ...).
            self.server_messages.retain(|(i, _)| i != &issue);
            if let (Stage::Failed, Some(words)) = (&upload.stage, &upload.refusal) {
                self.server_messages.push((issue.clone(), words.clone()));
            }
            n.st.issues.push(issue.clone());
            n.st.shown = true;
            out.push(issue);
        }
        out
    }

    /// Splits a draft's files at `path` into those the back end keeps, which come back with the draft
    /// (recorded as kept, said so under the box), and the others, to be chosen again.
    pub(super) fn restore_uploaded(&mut self, path: &str, value: &Json) -> (Json, Vec<Json>) {
        let all = value.as_array().cloned().unwrap_or_default();
        let Some(uploads) = self.uploads.as_mut() else {
            return (Json::Array(Vec::new()), all);
        };
        let (files, lost): (Vec<Json>, Vec<Json>) = all.into_iter().partition(is_kept);
        if files.is_empty() {
            return (Json::Array(files), lost);
        }
        uploads.push((
            path.to_owned(),
            Upload {
                files: files.clone(),
                stage: Stage::Kept,
                sent: 100,
                refusal: None,
            },
        ));
        self.render_upload(path);
        (Json::Array(files), lost)
    }

    /// Forgets the uploads of a group's rows once rows move (their paths name other rows now); the
    /// files already kept stay in the values.
    pub(super) fn forget_uploads(&mut self, group: &str) {
        let Some(uploads) = self.uploads.as_mut() else { return };
        let prefix = format!("{group}[");
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(uploads)
            .into_iter()
            .partition(|(p, _)| p.starts_with(&prefix));
        *uploads = kept;
        for (path, _) in gone {
            self.render_upload(&path);
        }
    }

    /// Writes a file field's upload line in the current language.
    pub(super) fn render_upload(&self, path: &str) {
        let Some(Control::File(f)) = self.nodes.get(path).map(|n| &n.control) else {
            return;
        };
        let line = &f.line;
        let upload = self.uploads.iter().flatten().find(|(p, _)| p == path).map(|(_, u)| u);
        let word = upload.map(|u| match u.stage {
            Stage::Sending => Word::Uploading,
            Stage::Kept => Word::Uploaded,
            Stage::Failed => Word::UploadFailed,
        });
        let refused = upload.and_then(|u| u.refusal.as_ref().filter(|_| u.stage == Stage::Failed));
        let text = match refused.and_then(|r| r.get(if self.lang == "en" { "message_en" } else { "message_vi" })) {
            Some(words) => words.as_str().map(str::to_owned),
            None => word.zip(upload).map(|(w, u)| w.fill(&self.lang, &u.names(), "")),
        };
        // Written only when it changes: a screen reader would read the line again at every percent.
        if line.first_child().and_then(|t| t.text_content()) != text {
            line.set_text_content(text.as_deref());
        }
        let sending = upload.filter(|u| u.stage == Stage::Sending && u.sent > 0);
        match (sending.map(|u| format!(" {}%", u.sent)), line.last_element_child()) {
            (Some(percent), Some(e)) => e.set_text_content(Some(&percent)),
            (Some(percent), None) => {
                self.dom.make(Some(line), "span", &[("aria-hidden", "true")], &percent);
            }
            (None, Some(e)) => e.remove(),
            (None, None) => {}
        }
        // A failure happens while the citizen does something else: screen readers hear it here, while
        // the eye reads the field's error.
        let _ = line
            .class_list()
            .toggle_with_force("tk-vh", word == Some(Word::UploadFailed));
    }
}

impl Upload {
    /// The names its line and errors speak of: the files not kept yet, or all once they are.
    fn names(&self) -> String {
        let waiting: Vec<Json> = self.files.iter().filter(|f| !is_kept(f)).cloned().collect();
        file_names(if waiting.is_empty() { &self.files } else { &waiting })
    }
}

impl Files {
    /// Shows the names of the files in a file field's value (or that none is), a button per file that
    /// removes it, and whether a choice adds to them.
    pub(super) fn show_chosen(&self, dom: &Dom, path: &str, value: &Json, lang: &str) {
        let files = value.as_array().map_or(&[][..], Vec::as_slice);
        let names = if files.is_empty() {
            Word::NoFileChosen.get(lang).to_owned()
        } else {
            file_names(files)
        };
        self.chosen.set_text_content(Some(&names));
        let more = self.several && !files.is_empty();
        let choose = if more { Word::ChooseMoreFiles } else { Word::ChooseFile };
        self.choose.set_text_content(Some(choose.get(lang)));
        self.remove.set_text_content(None);
        for (i, file) in files.iter().enumerate() {
            let index = i.to_string();
            let attrs = [
                ("type", "button"),
                ("class", "tk-btn tk-btn-link tk-remove-file"),
                ("data-act", "remove-file"),
                ("data-path", path),
                ("data-index", &index),
            ];
            let name = file["name"].as_str().unwrap_or_default();
            let size = size_text(file["size"].as_u64().unwrap_or_default(), lang);
            let text = Word::RemoveFile.fill(lang, name, &size);
            dom.make(Some(&self.remove), "button", &attrs, &text);
        }
    }
}

/// The member of a file's metadata that holds the back end's reference for it.
const UPLOAD: &str = "upload";

/// Whether the back end keeps a file (its metadata holds the reference).
fn is_kept(file: &Json) -> bool {
    file[UPLOAD].is_string()
}

/// The names of files, comma-separated.
fn file_names(files: &[Json]) -> String {
    let names: Vec<&str> = files.iter().filter_map(|f| f["name"].as_str()).collect();
    names.join(", ")
}
