//! The members of the citizen's household, listed above the rows of a group filled from them: a box
//! ticked adds the member's row (national data then fills it), a box cleared removes it; the boxes
//! follow the rows however they change (typed, removed, restored from a draft). The list gives no PIN:
//! a member's handle asks for their row, whose bundle brings the PIN.

use super::{object, State};
use crate::ui::{Txt, Word};
use serde_json::Value as Json;
use tokhai_core::definition::Text;
use tokhai_core::path::top_field;
use tokhai_core::prefill::member_key;
use tokhai_core::Patch;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

/// A household's members offered above a group's rows.
pub(super) struct Household {
    group: String,
    /// Each member's box.
    boxes: Vec<MemberBox>,
}

/// A member's box in a household list.
struct MemberBox {
    /// The member's handle, which asks the host for their row (`{group, member}`).
    handle: String,
    /// The member's PIN, once a row bundle named the member's handle.
    pin: Option<String>,
    /// Whether the box was ticked and the member's row is on its way (their PIN not known yet).
    asked: bool,
    input: HtmlInputElement,
}

/// One member as the portal lists them.
struct Member {
    handle: String,
    pin_masked: String,
    name: String,
    birth_year: Option<u64>,
}

impl State {
    /// The top-level groups whose rows are filled from household members.
    pub fn member_groups(&self) -> Vec<String> {
        let def = self.form.def();
        def.top_fields()
            .filter(|f| member_key(f).is_some())
            .map(|f| f.id.clone())
            .collect()
    }

    /// Lists the members of the citizen's household (`{members: [{handle, pin_masked, name,
    /// birth_year}]}`, from the portal) above the rows of `group`; refuses a list of another shape, or
    /// for a group not filled from household members. An empty list shows nothing; a second list for a group is ignored.
    pub fn household(&mut self, group: &str, list: &Json) -> Result<(), String> {
        let members = read_members(list)?;
        if !self.member_groups().iter().any(|g| g == group) {
            return Err(format!(
                "household: '{group}' is not a group filled from household members"
            ));
        }
        let Some(rows_el) = self.groups.get(group).map(|g| g.rows_el.clone()) else {
            return Ok(());
        };
        if members.is_empty() || self.households.iter().any(|h| h.group == group) {
            return Ok(());
        }
        let id = format!("{}-household", self.dom.id(group));
        let hint_id = format!("{id}-hint");
        let fieldset = self.dom.make(
            None,
            "fieldset",
            &[("class", "tk-household"), ("id", &id), ("aria-describedby", &hint_id)],
            "",
        );
        if let Some(parent) = rows_el.parent_node() {
            let _ = parent.insert_before(&fieldset, Some(&rows_el));
        }
        let legend = self.dom.make(Some(&fieldset), "legend", &[("class", "tk-legend")], "");
        let hint = self
            .dom
            .make(Some(&fieldset), "p", &[("class", "tk-hint"), ("id", &hint_id)], "");
        let options = self.dom.add(&fieldset, "div", "tk-options", "");
        let mut texts = vec![
            (legend, Txt::Word(Word::HouseholdLegend)),
            (hint, Txt::Word(Word::HouseholdHint)),
        ];
        let mut boxes = Vec::new();
        for (i, m) in members.into_iter().enumerate() {
            let row = self.dom.add(&options, "div", "tk-option", "");
            let box_id = format!("{id}-{i}");
            let attrs = [("class", "tk-choice"), ("type", "checkbox"), ("id", &box_id)];
            let input = self.dom.make(Some(&row), "input", &attrs, "");
            let label = self.dom.make(Some(&row), "label", &[("for", &box_id)], "");
            let name = self.dom.add(&label, "span", "", "");
            // The masked PIN is seen, and heard as the digits it shows (not as asterisks).
            let masked = format!(" ({})", m.pin_masked);
            self.dom.make(
                Some(&label),
                "span",
                &[("class", "tk-pin-masked"), ("aria-hidden", "true")],
                &masked,
            );
            let heard = self.dom.add(&label, "span", "tk-vh", "");
            texts.push((name, Txt::Def(member_label(&m))));
            texts.push((heard, Txt::Def(masked_heard(&m.pin_masked))));
            // A row bundle may have come first (a PIN typed, a draft restored): its member is known.
            boxes.push(MemberBox {
                pin: self.pin_of_handle(group, &m.handle),
                handle: m.handle,
                asked: false,
                input: input.unchecked_into::<HtmlInputElement>(),
            });
        }
        for (e, t) in &texts {
            e.set_text_content(Some(&t.render(&self.lang)));
        }
        self.chrome.extend(texts);
        self.households.push(Household {
            group: group.to_owned(),
            boxes,
        });
        self.sync_households();
        Ok(())
    }

    /// A box of a household's list changed: asks the host for the member's row by their handle (its
    /// bundle then adds the row), or, the member's PIN known, adds the row, its key holding the PIN; or
    /// removes the rows naming the member. Focus stays on the box; what happened is said.
    pub(super) fn pick_member(&mut self, target: &Element) {
        let found = self.households.iter().enumerate().find_map(|(h, list)| {
            let b = list.boxes.iter().position(|b| b.input.is_same_node(Some(target)))?;
            Some((h, b))
        });
        let Some((h, b)) = found else { return };
        let group = self.households[h].group.clone();
        let Some(key) = self.member_key_of(&group) else { return };
        let ticked = target.unchecked_ref::<HtmlInputElement>().checked();
        let listed = &mut self.households[h].boxes[b];
        let (handle, pin) = (listed.handle.clone(), listed.pin.clone());
        if !self.busy {
            listed.asked = ticked && pin.is_none();
            match pin {
                None if ticked => {
                    let asked = object([("group", group.as_str().into()), ("member", handle.into())]);
                    self.events.push(("member", asked));
                }
                Some(pin) if ticked && !self.names_member(&group, &pin) => self.add_member_row(&group, &key, &pin),
                Some(pin) if !ticked => self.remove_member_rows(&group, &pin),
                _ => {}
            }
        }
        self.sync_households();
    }

    /// Learns the PIN of the listed member of `handle` from their row's bundle (the host names the
    /// handle with it), and adds the member's row if their box asked for it and no row names them yet.
    pub(super) fn member_listed(&mut self, group: &str, handle: &str, pin: &str) {
        let listed = (self.households.iter_mut())
            .filter(|h| h.group == group)
            .flat_map(|h| h.boxes.iter_mut())
            .find(|b| b.handle == handle);
        let Some(listed) = listed else { return };
        listed.pin = Some(pin.to_owned());
        let asked = std::mem::take(&mut listed.asked);
        if let Some(key) = self
            .member_key_of(group)
            .filter(|_| asked && !self.names_member(group, pin))
        {
            self.add_member_row(group, &key, pin);
        }
        self.sync_households();
    }

    /// The row asked for by a member's handle could not be had: their box clears.
    pub(super) fn member_missing(&mut self, handle: &str) {
        for b in self.households.iter_mut().flat_map(|h| h.boxes.iter_mut()) {
            b.asked &= b.handle != handle;
        }
        self.sync_households();
    }

    /// Puts `pin` in the key field of the first row of `group` with nothing in it (a form's first rows
    /// come empty), else of a row added, unless the group is full (then says so).
    fn add_member_row(&mut self, group: &str, key: &str, pin: &str) {
        let Some(g) = self.groups.get(group) else { return };
        let (rows, full) = (g.rows.len(), g.add.hidden());
        let row = match (0..rows).find(|r| self.session.row_is_empty(group, *r)) {
            Some(row) => row,
            None if full => {
                self.notify(Word::RowsFull.rows(&self.lang, g.def.row_name.as_ref(), rows, 0));
                return;
            }
            None => match self.add_row(group, false) {
                Some(row) => row,
                None => return,
            },
        };
        let path = format!("{group}[{row}].{key}");
        let patches = self
            .session
            .input(&path, Json::String(pin.to_owned()))
            .unwrap_or_default();
        self.apply(patches, None);
        let kept = self.session.value_at(&path).unwrap_or(Json::Null);
        self.commit(&path, kept);
    }

    /// Removes the rows of `group` that name member `pin`, focus staying where it is.
    fn remove_member_rows(&mut self, group: &str, pin: &str) {
        let rows = self.groups.get(group).map_or(0, |g| g.rows.len());
        let named: Vec<usize> = (0..rows).rev().filter(|r| self.row_names(group, *r, pin)).collect();
        for row in named {
            self.remove_row(group, row, false);
        }
    }

    /// Whether patches are about a group a household list follows: only those can change whom its
    /// rows name (the lists are not looked at for every keystroke elsewhere).
    pub(super) fn lists_follow(&self, patches: &[Patch]) -> bool {
        let followed = |p: &Patch| self.households.iter().any(|h| h.group == top_field(p.path()));
        patches.iter().any(followed)
    }

    /// Ticks the box of each member some row names or whose row is on its way, and clears the others.
    pub(super) fn sync_households(&self) {
        for h in &self.households {
            for b in &h.boxes {
                let named = b.pin.as_ref().is_some_and(|pin| self.names_member(&h.group, pin));
                b.input.set_checked(named || b.asked);
            }
        }
    }
}

/// The members of a list from the portal, or why it is not one.
fn read_members(list: &Json) -> Result<Vec<Member>, String> {
    let entries = list["members"]
        .as_array()
        .ok_or("household: the list has no members array")?;
    entries
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let text = |k: &str| m[k].as_str().filter(|s| !s.trim().is_empty()).map(str::to_owned);
            let birth_year = match &m["birth_year"] {
                Json::Null => Some(None),
                Json::Number(n) => n.as_u64().map(Some),
                _ => None,
            };
            match (text("handle"), text("pin_masked"), text("name"), birth_year) {
                (Some(handle), Some(pin_masked), Some(name), Some(birth_year)) => Ok(Member {
                    handle,
                    pin_masked,
                    name,
                    birth_year,
                }),
                _ => Err(format!(
                    "household: member {i} is not {{handle, pin_masked, name, birth_year}} (texts, and a year or nothing)"
                )),
            }
        })
        .collect()
}

/// What a member's box says: the name, and the year of birth when known.
fn member_label(m: &Member) -> Text {
    match m.birth_year {
        Some(year) => Text::Both {
            vi: format!("{}, sinh năm {year}", m.name),
            en: Some(format!("{}, born in {year}", m.name)),
        },
        None => Text::Vi(m.name.clone()),
    }
}

/// What a screen reader says of a masked PIN (`001*******45`): the digits it shows, not its asterisks.
fn masked_heard(masked: &str) -> Text {
    let first = masked.split('*').next().unwrap_or_default();
    let last = masked.rsplit('*').next().unwrap_or_default();
    let heard = |lang| Word::MaskedPinHeard.fill(lang, first, last);
    Text::Both {
        vi: heard("vi"),
        en: Some(heard("en")),
    }
}
