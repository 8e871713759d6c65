//! tokhai-core: the pure-Rust form engine shared by the browser widget (as wasm) and the server.
//!
//! A definition is compiled once into an immutable [`Form`]; a [`Session`] holds one filing's
//! values and answers every input with the smallest list of [`Patch`]es. No I/O, no clock:
//! "today" and timestamps are arguments.
#![warn(missing_docs)]

pub mod answer;
pub mod canonical;
pub mod catalog;
pub mod date;
pub mod definition;
pub mod digest;
pub mod estimate;
pub mod expr;
pub mod form;
pub mod issue;
pub mod lint;
pub mod messages;
pub mod normalize;
pub mod office_hours;
pub mod path;
pub mod prefill;
pub mod regex;
mod rules;
pub mod session;
pub mod submission;
pub mod text;
pub mod timing;
pub mod vn;

pub use catalog::Catalogs;
pub use date::Date;
pub use definition::{FieldKind, FormDef, Text};
pub use form::{DefinitionError, DefinitionErrors, Form};
pub use issue::{Finding, Issue, Severity};
pub use session::{validate_submission, Patch, Session, SessionError};
