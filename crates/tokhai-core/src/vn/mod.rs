//! Vietnamese validators: PIN, tax code, phone numbers, names, dates in words.
pub mod words;
