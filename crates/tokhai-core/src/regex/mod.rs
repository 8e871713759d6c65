//! tokhai's regular expressions: the `pattern` keyword and the `matches` function, matched against
//! the whole text, in time proportional to pattern × text (no backtracking).
//!
//! The dialect is the `regex` crate's, restricted to what a form needs and to ASCII classes (as
//! `regex-lite`, which the server and the widget used before, so definitions keep their meaning):
//! - a character stands for itself; `\` before ASCII punctuation makes it literal;
//!   `\n \t \r \f \v`, `\xHH`, `\x{H…}`, `\uHHHH` and `\u{H…}` name characters;
//! - `.` is any character but `\n`; `\d \w \s` are ASCII digits, word characters and spaces,
//!   `\D \W \S` their complements; `[…]` and `[^…]` hold characters, ranges `a-z` and those classes
//!   (not nested classes, nor the set operations `&&`, `--` and `~~`, which are refused);
//! - `(…)`, `(?:…)`, `(?<name>…)` and `(?P<name>…)` group; `|` separates alternatives;
//! - `* + ? {n} {n,} {n,m}` repeat (counts up to 1000), optionally followed by a lazy `?`;
//! - `^ $ \A \z \b \B` assert the start, the end, a word boundary and its absence;
//! - `(?flags)` and `(?flags:…)` set `i` (ASCII case-insensitive), `m` (`^ $` at line breaks),
//!   `s` (`.` also matches `\n`) and `U`, or clear them after `-`.

mod class;
mod compile;
mod parse;
#[cfg(test)]
mod tests;
mod vm;

use class::Class;
use compile::Inst;
use std::fmt;

/// A compiled pattern.
#[derive(Clone, Debug)]
pub struct Regex {
    program: Vec<Inst>,
    /// The classes `program` names by index: a repeated class is stored once.
    classes: Vec<Class>,
    /// How long a text it matches can be (`None`: no text matches).
    lengths: Option<parse::Lengths>,
}

/// Why a pattern was refused, and where (a character offset from 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    /// What is wrong.
    pub reason: &'static str,
    /// Where, when one place is to blame.
    pub at: Option<usize>,
}

impl Regex {
    /// Compiles `pattern`, or says why it cannot.
    pub fn new(pattern: &str) -> Result<Regex, PatternError> {
        let (tree, classes) = parse::parse(pattern)?;
        Ok(Regex {
            program: compile::compile(&tree)?,
            lengths: tree.lengths(&classes),
            classes,
        })
    }

    /// The fewest and most characters of a text it matches (no most: any length), or `None` when
    /// no text matches; assertions are taken to hold.
    pub fn lengths(&self) -> Option<(u32, Option<u32>)> {
        self.lengths
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        vm::matches(&self.program, &self.classes, text)
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(f, "{} at character {}", self.reason, at + 1),
            None => f.write_str(self.reason),
        }
    }
}
