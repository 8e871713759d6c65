//! Rows filled from household members: a PIN typed in a row's key field asks the host for that
//! member's signed row, which fills and locks the row; the marks follow the members when rows move.

use super::{object, refuse_if_any, Source, State};
use crate::ui::Word;
use serde_json::Value as Json;
use tokhai_core::prefill::{member_key, PrefillValue};
use tokhai_core::vn::pin;

/// A household member's row values, signed by the portal (see `prefill_row`).
pub(super) struct MemberRow {
    group: String,
    member: String,
    /// The member's handle in the household list, as the host heard it with the bundle.
    handle: Option<String>,
    /// What the member's bundle did for each row field, by id: locked, filled, or left to the citizen.
    fields: Vec<(String, Source)>,
    /// The values the session kept as the member's fields were filled, by row field id.
    kept: Vec<(String, Json)>,
    bundle: Json,
}

impl State {
    /// The group whose member key `path` is (`members[1].m_pin` → `members`), if it is one.
    pub(super) fn member_key_group(&self, path: &str) -> Option<String> {
        let (group, rest) = path.split_once('[')?;
        let (_, field) = rest.split_once("].")?;
        (self.member_key_of(group)?.as_str() == field).then(|| group.to_owned())
    }

    /// Asks the host for a household member's row once a key field holds a PIN not asked for yet.
    pub(super) fn ask_member_row(&mut self, group: &str, value: &Json) {
        let Some(pin) = value.as_str().filter(|p| pin::is_pin(p)) else {
            return;
        };
        if self.member_rows.iter().any(|m| m.group == group && m.member == pin) {
            self.fill_member_rows(group, pin);
        } else {
            self.events
                .push(("member", object([("group", group.into()), ("pin", pin.into())])));
        }
    }

    /// Asks again for the members that restored rows name: a draft keeps their values, not their
    /// signatures, so national data fills and locks them afresh.
    pub(super) fn ask_restored_members(&mut self) {
        for group in self.member_groups() {
            let Some(key) = self.member_key_of(&group) else {
                continue;
            };
            let rows = self.session.values()[&group].as_array().cloned().unwrap_or_default();
            for row in rows {
                self.ask_member_row(&group, &row[&key]);
            }
        }
    }

    /// Fills the rows of a household member from a signed row bundle (`{row: {group, member}, values}`),
    /// but for the entries it returns (`[{path, code}]`, by row field id: values their fields cannot hold,
    /// left to the citizen); or refuses the whole bundle. `handle` is the member's in the household list,
    /// as the host heard it with the bundle: a box ticked for them gets its row.
    pub fn prefill_row(&mut self, bundle: Json, handle: Option<&str>) -> Result<Json, String> {
        let scope = bundle.get("row").ok_or("prefill: the bundle is not a member's row")?;
        let (Some(group), Some(member)) = (scope["group"].as_str(), scope["member"].as_str()) else {
            return Err("prefill: the row bundle names no group or member".into());
        };
        let (group, member) = (group.to_owned(), member.to_owned());
        let Some(key) = self.member_key_of(&group) else {
            return Err(format!("prefill: '{group}' is not filled from household members"));
        };
        let values = bundle
            .get("values")
            .and_then(Json::as_object)
            .ok_or("prefill: the bundle has no values")?;
        let row_fields = self
            .groups
            .get(&group)
            .and_then(|g| g.def.fields.as_deref())
            .unwrap_or_default();
        let problems: Vec<String> = values
            .iter()
            .filter_map(|(field, pv)| {
                if row_fields.iter().any(|f| f.id == *field) {
                    PrefillValue::shape_problem(field, pv)
                } else {
                    Some(format!("'{group}' has no field '{field}'"))
                }
            })
            .collect();
        refuse_if_any(problems)?;
        let left_out = self.unfit_entries(values.iter());
        let fields = values
            .iter()
            .filter(|(f, _)| **f != key)
            .map(|(f, pv)| match left_out.iter().any(|u| u["path"] == **f) {
                true => (f.clone(), Source::LeftOut),
                false => (f.clone(), Source::filled(pv["locked"] == true)),
            })
            .collect();
        self.member_rows.retain(|m| !(m.group == group && m.member == member));
        self.member_rows.push(MemberRow {
            group: group.clone(),
            member: member.clone(),
            handle: handle.map(str::to_owned),
            fields,
            kept: Vec::new(),
            bundle,
        });
        self.fill_member_rows(&group, &member);
        if let Some(handle) = handle {
            self.member_listed(&group, handle, &member);
        }
        // Heard by screen readers (the eye sees the row fill); a line saying the lookup waits goes.
        self.clear_status(Word::MemberRetrying);
        // Said where a row still names the member (a box cleared while the lookup was on its way: none).
        if self.names_member(&group, &member) {
            let notice = match left_out.is_empty() {
                true => Word::MemberFilled.get(&self.lang).to_owned(),
                false => {
                    let fields = self.labels_of(left_out.iter().filter_map(|u| u["path"].as_str()));
                    Word::MemberFilledPartly.fill(&self.lang, &fields, "")
                }
            };
            self.notify(notice);
        }
        Ok(Json::Array(left_out))
    }

    /// Puts a member's signed values into every row of `group` that names the member, and marks them.
    fn fill_member_rows(&mut self, group: &str, member: &str) {
        let Some(key) = self.member_key_of(group) else {
            return;
        };
        let Some(filled) = self.member_rows.iter().find(|m| m.group == group && m.member == member) else {
            return;
        };
        let values: Vec<(String, Json)> = (filled.fields.iter())
            .filter(|(_, source)| *source != Source::LeftOut)
            .map(|(f, _)| (f.clone(), filled.bundle["values"][f]["value"].clone()))
            .collect();
        let rows = self.session.values()[group].as_array().cloned().unwrap_or_default();
        let mut kept = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if row[&key].as_str() != Some(member) {
                continue;
            }
            for (field, value) in &values {
                let path = format!("{group}[{i}].{field}");
                let patches = self.session.input(&path, value.clone()).unwrap_or_default();
                self.apply(patches, None);
                self.show_value(&path, value);
            }
            kept = self.row_values(&format!("{group}[{i}]"), values.iter().map(|(f, _)| f));
        }
        if let Some(m) = self
            .member_rows
            .iter_mut()
            .find(|m| m.group == group && m.member == member)
        {
            if !kept.is_empty() {
                m.kept = kept;
            }
        }
        self.refresh_member_marks(group);
    }

    /// The values the session keeps for `fields` of `row` (`members[1]`).
    fn row_values<'f>(&self, row: &str, fields: impl Iterator<Item = &'f String>) -> Vec<(String, Json)> {
        fields.map(|f| (f.clone(), self.row_value(row, f))).collect()
    }

    /// The value the session keeps for `field` of `row`.
    fn row_value(&self, row: &str, field: &str) -> Json {
        self.session.value_at(&format!("{row}.{field}")).unwrap_or(Json::Null)
    }

    /// Once the key at `path` names someone else (`pin`), empties what a household member's row filled
    /// in that row and is still as filled: the former person's details must not stay under the new
    /// number, and what the citizen typed over them stays. The former member is the one whose locked
    /// values the row still holds.
    pub(super) fn clear_former_member(&mut self, group: &str, path: &str, pin: &Json) {
        let Some((row, _)) = path.rsplit_once('.') else { return };
        let former = self.member_rows.iter().find(|m| {
            let mut locked = m.fields.iter().filter(|(_, s)| *s == Source::Locked).peekable();
            m.group == group
                && pin.as_str() != Some(m.member.as_str())
                && locked.peek().is_some()
                && locked.all(|(f, _)| {
                    let kept = m.kept.iter().find(|(k, _)| k == f);
                    kept.is_some_and(|(_, v)| *v == self.row_value(row, f))
                })
        });
        let Some(former) = former else { return };
        let now = self.row_values(row, former.kept.iter().map(|(f, _)| f));
        let stale: Vec<String> = now
            .iter()
            .zip(&former.kept)
            .filter(|((_, value), (_, kept))| value == kept && !value.is_null())
            .map(|((field, _), _)| format!("{row}.{field}"))
            .collect();
        for p in stale {
            let patches = self.session.input(&p, Json::Null).unwrap_or_default();
            self.apply(patches, None);
            self.show_value(&p, &Json::Null);
        }
    }

    /// Locks and labels the fields of each row of `group` that a member's bundle filled, says at those it
    /// left to the citizen that they are to be answered (until they are), and unlocks the others (a row
    /// whose PIN changed, rows moved up by a removal).
    pub(super) fn refresh_member_marks(&mut self, group: &str) {
        let Some(key) = self.member_key_of(group) else { return };
        let fields: Vec<String> = self.groups[group]
            .fields
            .iter()
            .map(|f| f.id.clone())
            .filter(|f| *f != key)
            .collect();
        let rows = self.session.values()[group].as_array().cloned().unwrap_or_default();
        for (i, row) in rows.iter().enumerate() {
            let filled = self
                .member_rows
                .iter()
                .find(|m| m.group == group && row[&key].as_str() == Some(m.member.as_str()));
            let marks: Vec<(String, Option<Source>)> = fields
                .iter()
                .map(|f| {
                    let source = filled
                        .and_then(|m| m.fields.iter().find(|(id, _)| id == f))
                        .map(|(_, s)| *s);
                    let answered = source == Some(Source::LeftOut) && !row[f].is_null();
                    (f.clone(), source.filter(|_| !answered))
                })
                .collect();
            for (field, mark) in marks {
                let path = format!("{group}[{i}].{field}");
                match mark {
                    Some(source) => self.mark_source(&path, source),
                    None => self.unmark_prefilled(&path),
                }
            }
        }
    }

    /// Clears the line about the member of a PIN (not found, or asked again) once no row names it, or
    /// (`any`) whichever it names: on another screen.
    pub(super) fn forget_member_status(&mut self, any: bool) {
        let member = self
            .status_words
            .iter()
            .find(|(w, _)| matches!(w, Word::MemberNotFound | Word::MemberRetrying));
        let Some((word, pin)) = member else {
            return;
        };
        let named = self.groups.keys().any(|g| self.names_member(g, pin));
        if any || !named {
            self.clear_status(*word);
        } else {
            // Rows moved up, or another row's PIN changed: the line follows the row of the PIN.
            self.render_status();
        }
    }

    /// Whether a row of `group` (filled from household members) names the member of `pin`.
    pub(super) fn names_member(&self, group: &str, pin: &str) -> bool {
        let rows = self.groups.get(group).map_or(0, |g| g.rows.len());
        (0..rows).any(|row| self.row_names(group, row, pin))
    }

    /// Whether row `row` of `group` holds `pin` in its key field.
    pub(super) fn row_names(&self, group: &str, row: usize, pin: &str) -> bool {
        let Some(key) = self.member_key_of(group) else {
            return false;
        };
        let held = self.session.value_at(&format!("{group}[{row}].{key}"));
        held.as_ref().and_then(Json::as_str) == Some(pin)
    }

    /// The PIN of the member of `handle` in the household list of `group`, if a row bundle named them.
    pub(super) fn pin_of_handle(&self, group: &str, handle: &str) -> Option<String> {
        let named = |m: &&MemberRow| m.group == group && m.handle.as_deref() == Some(handle);
        self.member_rows.iter().find(named).map(|m| m.member.clone())
    }

    /// The key field of a group filled from household members (see `member_key`).
    pub(super) fn member_key_of(&self, group: &str) -> Option<String> {
        self.groups
            .get(group)
            .and_then(|g| member_key(&g.def))
            .map(str::to_owned)
    }

    /// The signed row bundles of the members the rows still name, for the submission.
    pub(super) fn member_bundles(&self) -> Vec<Json> {
        let values = self.session.values();
        self.member_rows
            .iter()
            .filter(|m| {
                let Some(key) = self.member_key_of(&m.group) else {
                    return false;
                };
                let rows = values[&m.group].as_array().map_or(&[][..], Vec::as_slice);
                rows.iter().any(|r| r[&key].as_str() == Some(&m.member))
            })
            .map(|m| m.bundle.clone())
            .collect()
    }
}
