//! E-mail addresses: one `@`, a plausible local part and a dotted domain.

use super::{Check, Rule};
use crate::issue::Finding;
use serde_json::Value as Json;

/// The e-mail syntax check.
#[derive(Debug)]
pub(crate) struct Email;

/// Whether a string looks like a deliverable e-mail address.
pub(crate) fn is_valid(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    local_ok && domain_ok && s.len() <= 254
}

impl Rule for Email {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        if value.as_str().is_some_and(|s| !is_valid(s)) {
            cx.report(Finding::error("email.invalid"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn plausible_addresses() {
        for ok in ["an.nguyen@example.vn", "a+b@mail.gov.vn", "nguyễn@ví-dụ.vn"] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@x.vn", "a@@x.vn", "a@x..vn", "a b@x.vn", "a@x.1", ".a@x.vn", "a@-x.vn",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }
}
