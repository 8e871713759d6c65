//! Character classes: sorted, disjoint ranges of code points.

/// A set of characters: ranges kept in order (they may overlap until `normalize`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Class {
    ranges: Vec<(u32, u32)>,
}

const MAX_CHAR: u32 = char::MAX as u32;

impl Class {
    /// The characters from `lo` to `hi`.
    pub fn range(lo: char, hi: char) -> Class {
        Class {
            ranges: vec![(lo as u32, hi as u32)],
        }
    }

    /// `\d`, `\w`, `\s` (ASCII) for the letter after the backslash, negated when it is upper case.
    pub fn perl(letter: char) -> Option<Class> {
        let ranges: &[(u8, u8)] = match letter.to_ascii_lowercase() {
            'd' => &[(b'0', b'9')],
            'w' => &[(b'0', b'9'), (b'A', b'Z'), (b'_', b'_'), (b'a', b'z')],
            's' => &[(b'\t', b'\r'), (b' ', b' ')],
            _ => return None,
        };
        let mut class = Class {
            ranges: ranges.iter().map(|&(lo, hi)| (lo.into(), hi.into())).collect(),
        };
        if letter.is_ascii_uppercase() {
            class.negate();
        }
        Some(class)
    }

    /// Any character, or any but `\n`.
    pub fn any(newline: bool) -> Class {
        let mut class = Class::default();
        if !newline {
            class.add(&Class::range('\n', '\n'));
        }
        class.negate();
        class
    }

    /// Whether the set holds no character.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether `c` is in the set.
    pub fn contains(&self, c: char) -> bool {
        let c = c as u32;
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
    }

    /// Adds the characters of `other` (then `normalize` before matching), each range in its place.
    pub fn add(&mut self, other: &Class) {
        for &range in &other.ranges {
            let at = self.ranges.partition_point(|&r| r < range);
            self.ranges.insert(at, range);
        }
    }

    /// Adds the other case of every ASCII letter in the set.
    pub fn fold_ascii_case(&mut self) {
        const CASES: [(u32, u32); 2] = [('a' as u32, 'z' as u32), ('A' as u32, 'Z' as u32)];
        let mut extra = Vec::new();
        for &(lo, hi) in &self.ranges {
            for (from, to) in CASES {
                let (start, end) = (lo.max(from), hi.min(to));
                if start <= end {
                    extra.push((start ^ 0x20, end ^ 0x20));
                }
            }
        }
        self.add(&Class { ranges: extra });
        self.normalize();
    }

    /// Replaces the set by its complement.
    pub fn negate(&mut self) {
        self.normalize();
        let mut complement = Vec::new();
        let mut next = 0;
        for &(lo, hi) in &self.ranges {
            if lo > next {
                complement.push((next, lo - 1));
            }
            next = hi + 1;
        }
        if next <= MAX_CHAR {
            complement.push((next, MAX_CHAR));
        }
        self.ranges = complement;
    }

    /// Merges the ranges that overlap or touch.
    pub fn normalize(&mut self) {
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(self.ranges.len());
        for &(lo, hi) in &self.ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        self.ranges = merged;
    }
}
