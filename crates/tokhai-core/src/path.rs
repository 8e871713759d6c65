//! Value paths: `full_name`, `members[2].pin`, `residence.commune`.

use crate::definition::FieldKind;
use crate::form::Form;

/// The parts of an address value.
pub const ADDRESS_PARTS: [&str; 3] = ["province", "commune", "street"];

/// What a path points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Field index.
    pub field: u32,
    /// Row of the enclosing repeat group.
    pub row: Option<usize>,
    /// Address part, if the path names one.
    pub part: Option<&'static str>,
}

/// Resolves a path against a form.
pub fn parse(form: &Form, path: &str) -> Result<Target, String> {
    let unknown = || format!("unknown path '{path}'");
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    if let Some((group_id, index)) = head.strip_suffix(']').and_then(|h| h.split_once('[')) {
        let group = form.index(group_id).ok_or_else(unknown)?;
        let row: usize = index.parse().map_err(|_| unknown())?;
        let (child_id, part) = match rest.ok_or_else(unknown)?.split_once('.') {
            Some((c, p)) => (c, Some(p)),
            None => (rest.unwrap_or_default(), None),
        };
        let field = form
            .index(child_id)
            .filter(|&f| form.fields[f as usize].group == Some(group))
            .ok_or_else(unknown)?;
        return Ok(Target {
            field,
            row: Some(row),
            part: address_part(form, field, part).ok_or_else(unknown)?,
        });
    }
    let field = form
        .index(head)
        .filter(|&f| form.fields[f as usize].group.is_none())
        .ok_or_else(unknown)?;
    Ok(Target {
        field,
        row: None,
        part: address_part(form, field, rest).ok_or_else(unknown)?,
    })
}

/// `Some(part)` for a valid address part, `Some(None)` for no part, `None` for an invalid one.
fn address_part(form: &Form, field: u32, part: Option<&str>) -> Option<Option<&'static str>> {
    match part {
        None => Some(None),
        Some(p) if form.fields[field as usize].kind == FieldKind::Address => {
            ADDRESS_PARTS.iter().find(|&&a| a == p).map(|&a| Some(a))
        }
        Some(_) => None,
    }
}

/// The path of a field in a row (or at the top level).
pub fn of(form: &Form, field: u32, row: Option<usize>) -> String {
    let f = &form.fields[field as usize];
    match (f.group, row) {
        (Some(g), Some(r)) => format!("{}[{r}].{}", form.fields[g as usize].id, f.id),
        _ => f.id.clone(),
    }
}

/// The top-level field a path belongs to: `members[2].pin` → `members`, `residence.commune` → `residence`.
pub fn top_field(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// The field id a path names (for labels): `members[2].pin` → `pin`, `residence.commune` → `residence`.
pub fn field_id(path: &str) -> &str {
    let last_group_end = path.rfind("].").map_or(0, |i| i + 2);
    let rest = &path[last_group_end..];
    rest.split(['.', '[']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_fields_and_field_ids() {
        assert_eq!(top_field("members[2].pin"), "members");
        assert_eq!(top_field("residence.commune"), "residence");
        assert_eq!(top_field("email"), "email");
        assert_eq!(field_id("members[2].pin"), "pin");
        assert_eq!(field_id("residence.commune"), "residence");
    }
}
