//! Vietnamese validators: PIN, tax code, phone numbers, names, dates in words.
pub mod name;
pub mod phone;
pub mod pin;
pub mod tax_code;
pub mod words;

/// The digit values of `s` if it is exactly `N` ASCII digits.
fn ascii_digits<const N: usize>(s: &str) -> Option<[u8; N]> {
    let bytes: [u8; N] = s.as_bytes().try_into().ok()?;
    bytes.iter().all(u8::is_ascii_digit).then(|| bytes.map(|b| b - b'0'))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// No input makes a validator panic, and what parses reads back from its display.
        #[test]
        fn validators_take_any_input(s in any::<String>(), digits in "(\\+84 ?|0084|84|0)?[0-9 .()-]{0,12}") {
            for input in [s.as_str(), digits.as_str()] {
                let _ = super::pin::check(input, 2026);
                let _ = super::pin::is_cmnd9(input);
                let _ = super::tax_code::check(input, 2026);
                let _ = super::name::check(input, true);
                if let (Some(phone), _) = super::phone::parse(input) {
                    let shown = super::phone::display(&phone.e164);
                    prop_assert_eq!(super::phone::parse(&shown).0, Some(phone));
                }
            }
        }
    }
}
