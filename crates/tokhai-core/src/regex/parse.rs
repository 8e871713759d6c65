//! Parses a pattern into a syntax tree.

use super::class::Class;
use super::PatternError;

/// Groups and repetitions nest at most this deep.
const MAX_NESTING: usize = 64;
/// The largest count of a counted repetition.
const MAX_COUNT: u32 = 1000;
/// The most characters and ranges a class lists: each is put in its place as it comes, so a longer
/// list would take time growing with its square to read (20,000 in reverse order: about 20 ms).
const MAX_CLASS_ITEMS: usize = 20_000;

/// A parsed pattern.
#[derive(Debug)]
pub(super) enum Node {
    /// Matches the empty text.
    Empty,
    /// One character.
    Char(char),
    /// A class, by its index in the pattern's list of classes.
    Class(u32),
    /// An assertion about the characters around a position.
    Look(Look),
    /// Each item after the one before.
    Concat(Vec<Node>),
    /// Any one of the branches.
    Alt(Vec<Node>),
    /// A node repeated.
    Repeat {
        /// What is repeated.
        node: Box<Node>,
        /// Fewest repetitions.
        min: u32,
        /// Most repetitions (`None`: no bound).
        max: Option<u32>,
    },
}

/// The fewest and most characters of a text a pattern matches; no most when it takes any length.
pub(super) type Lengths = (u32, Option<u32>);

impl Node {
    /// How long a text this node matches can be, or `None` when it matches no text (an empty class).
    pub(super) fn lengths(&self, classes: &[Class]) -> Option<Lengths> {
        match self {
            Node::Empty | Node::Look(_) => Some((0, Some(0))),
            Node::Char(_) => Some((1, Some(1))),
            Node::Class(i) => (!classes[*i as usize].is_empty()).then_some((1, Some(1))),
            Node::Concat(items) => items.iter().try_fold((0, Some(0)), |(min, max): Lengths, item| {
                let (lo, hi) = item.lengths(classes)?;
                Some((min.saturating_add(lo), max.zip(hi).map(|(a, b)| a.saturating_add(b))))
            }),
            Node::Alt(branches) => branches
                .iter()
                .filter_map(|b| b.lengths(classes))
                .reduce(|(min, max), (lo, hi)| (min.min(lo), max.zip(hi).map(|(a, b)| a.max(b)))),
            Node::Repeat { node, min, max } => match node.lengths(classes) {
                None if *min == 0 => Some((0, Some(0))),
                None => None,
                Some((_, Some(0))) => Some((0, Some(0))),
                Some((lo, hi)) => Some((lo.saturating_mul(*min), hi.zip(*max).map(|(a, b)| a.saturating_mul(b)))),
            },
        }
    }
}

/// An assertion about the characters around a position.
#[derive(Clone, Copy, Debug)]
pub(super) enum Look {
    TextStart,
    TextEnd,
    LineStart,
    LineEnd,
    WordBoundary,
    NotWordBoundary,
}

/// The flags in force.
#[derive(Clone, Copy, Default)]
struct Flags {
    ignore_case: bool,
    multi_line: bool,
    dot_newline: bool,
}

/// A character or a class, as an escape or a class item gives it.
enum Item {
    Char(char),
    Class(Class),
}

type Result<T> = std::result::Result<T, PatternError>;

/// Parses `pattern` into a tree and the classes it names (each once, however often repeated).
pub(super) fn parse(pattern: &str) -> Result<(Node, Vec<Class>)> {
    let mut parser = Parser {
        chars: pattern.chars().collect(),
        at: 0,
        depth: 0,
        classes: Vec::new(),
    };
    let tree = parser.alternation(&mut Flags::default())?;
    match parser.peek() {
        None => Ok((tree, parser.classes)),
        Some(_) => Err(parser.error("unopened group ')'")),
    }
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
    classes: Vec<Class>,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        self.at += usize::from(found);
        found
    }

    fn error(&self, reason: &'static str) -> PatternError {
        self.error_at(self.at, reason)
    }

    fn error_at(&self, at: usize, reason: &'static str) -> PatternError {
        PatternError { reason, at: Some(at) }
    }

    /// Alternatives separated by `|`, up to a `)` or the end; flags set in one hold for the next.
    fn alternation(&mut self, flags: &mut Flags) -> Result<Node> {
        let mut branches = vec![self.concat(flags)?];
        while self.eat('|') {
            branches.push(self.concat(flags)?);
        }
        Ok(if branches.len() == 1 {
            branches.swap_remove(0)
        } else {
            Node::Alt(branches)
        })
    }

    /// Repeated atoms one after the other, up to a `|`, a `)` or the end.
    fn concat(&mut self, flags: &mut Flags) -> Result<Node> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            if let Some(atom) = self.atom(flags)? {
                items.push(self.repetitions(atom)?);
            }
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.swap_remove(0),
            _ => Node::Concat(items),
        })
    }

    /// One character, class, assertion or group; `None` for a group that only sets flags.
    fn atom(&mut self, flags: &mut Flags) -> Result<Option<Node>> {
        let start = self.at;
        let Some(c) = self.next() else { return Ok(None) };
        Ok(Some(match c {
            '(' => return self.group(flags),
            '[' => {
                let class = self.class(*flags)?;
                self.add_class(class)
            }
            '.' => self.add_class(Class::any(flags.dot_newline)),
            '^' => Node::Look(if flags.multi_line {
                Look::LineStart
            } else {
                Look::TextStart
            }),
            '$' => Node::Look(if flags.multi_line { Look::LineEnd } else { Look::TextEnd }),
            '*' | '+' | '?' | '{' => return Err(self.error_at(start, "a repetition with nothing to repeat")),
            '\\' => match self.peek() {
                Some('A') => self.look(Look::TextStart),
                Some('z') => self.look(Look::TextEnd),
                Some('b') => self.look(Look::WordBoundary),
                Some('B') => self.look(Look::NotWordBoundary),
                _ => {
                    let item = self.escape()?;
                    self.literal(item, *flags)
                }
            },
            c => self.literal(Item::Char(c), *flags),
        }))
    }

    fn look(&mut self, look: Look) -> Node {
        self.at += 1;
        Node::Look(look)
    }

    /// The repetition operators after an atom, if any.
    fn repetitions(&mut self, mut node: Node) -> Result<Node> {
        let mut stacked = 0;
        loop {
            let start = self.at;
            let (min, max) = match self.peek() {
                Some('{') => self.counts()?,
                Some(c @ ('*' | '+' | '?')) => {
                    self.at += 1;
                    (u32::from(c == '+'), (c == '?').then_some(1))
                }
                _ => return Ok(node),
            };
            self.eat('?');
            stacked += 1;
            if self.depth + stacked > MAX_NESTING {
                return Err(self.error_at(start, "groups and repetitions nest too deep"));
            }
            node = Node::Repeat {
                node: Box::new(node),
                min,
                max,
            };
        }
    }

    /// The counts of `{n}`, `{n,}` or `{n,m}`.
    fn counts(&mut self) -> Result<(u32, Option<u32>)> {
        let start = self.at;
        self.at += 1;
        let min = self.number(start)?;
        let max = if self.eat(',') {
            if self.peek() == Some('}') {
                None
            } else {
                Some(self.number(start)?)
            }
        } else {
            Some(min)
        };
        if !self.eat('}') {
            return Err(self.error_at(start, "a counted repetition must be {n}, {n,} or {n,m}"));
        }
        if max.is_some_and(|max| max < min) {
            return Err(self.error_at(start, "a counted repetition's maximum is below its minimum"));
        }
        Ok((min, max))
    }

    fn number(&mut self, start: usize) -> Result<u32> {
        let mut value: Option<u32> = None;
        while let Some(digit) = self.peek().and_then(|c| c.to_digit(10)) {
            self.at += 1;
            value = Some(value.unwrap_or(0).saturating_mul(10).saturating_add(digit));
        }
        match value {
            None => Err(self.error_at(start, "a counted repetition must be {n}, {n,} or {n,m}")),
            Some(n) if n > MAX_COUNT => Err(self.error_at(start, "a repetition count above 1000")),
            Some(n) => Ok(n),
        }
    }

    /// A group after its `(`: capturing, named, non-capturing, or flags alone.
    fn group(&mut self, flags: &mut Flags) -> Result<Option<Node>> {
        let open = self.at - 1;
        let mut inner = *flags;
        if self.eat('?') {
            let named = if self.eat('P') {
                if !self.eat('<') {
                    return Err(self.error("a named group must be (?P<name>…)"));
                }
                true
            } else {
                self.eat('<')
            };
            if named {
                self.group_name()?;
            } else if self.set_flags(&mut inner)? {
                *flags = inner;
                return Ok(None);
            }
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error_at(open, "groups and repetitions nest too deep"));
        }
        let node = self.alternation(&mut inner)?;
        if !self.eat(')') {
            return Err(self.error_at(open, "unclosed group '('"));
        }
        self.depth -= 1;
        Ok(Some(node))
    }

    /// A group's name up to its `>`.
    fn group_name(&mut self) -> Result<()> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            self.at += 1;
        }
        let starts_well = self.chars.get(start).is_some_and(|c| !c.is_ascii_digit());
        if self.at == start || !starts_well || !self.eat('>') {
            return Err(self.error_at(
                start,
                "a group name must be letters, digits or '_', not starting with a digit, then '>'",
            ));
        }
        Ok(())
    }

    /// Flags up to `)` (true: they hold to the end of the enclosing group) or `:` (false: for the
    /// group; `(?:` sets none).
    fn set_flags(&mut self, flags: &mut Flags) -> Result<bool> {
        let start = self.at;
        let mut on = true;
        let mut letters = 0;
        loop {
            match self.next() {
                Some(':') if self.at == start + 1 => return Ok(false),
                Some(')') | Some(':') if letters == 0 => return Err(self.error_at(start, "a flag group sets no flag")),
                Some(')') => return Ok(true),
                Some(':') => return Ok(false),
                Some('-') if on => on = false,
                Some('i') => flags.ignore_case = on,
                Some('m') => flags.multi_line = on,
                Some('s') => flags.dot_newline = on,
                Some('U') => {}
                Some(_) => return Err(self.error_at(self.at - 1, "unknown flag (i, m, s and U are known)")),
                None => return Err(self.error_at(start - 2, "unclosed group '('")),
            }
            letters += usize::from(self.chars[self.at - 1] != '-');
        }
    }

    /// The error of a class set operation at `at`.
    fn set_operation(&self, at: usize) -> PatternError {
        self.error_at(at, "'&&', '--' and '~~' inside a class are not supported")
    }

    /// A class after its `[`.
    fn class(&mut self, flags: Flags) -> Result<Class> {
        let open = self.at - 1;
        let negated = self.eat('^');
        let mut class = Class::default();
        let mut first = true;
        for items in 0.. {
            if items > MAX_CLASS_ITEMS {
                return Err(self.error_at(open, "a class of more than 20000 characters and ranges"));
            }
            let c = self.next().ok_or_else(|| self.error_at(open, "unclosed class '['"))?;
            match c {
                ']' if !first => break,
                '[' => return Err(self.error_at(self.at - 1, "'[' inside a class must be written '\\['")),
                // The regex crate reads these as intersection, difference and symmetric difference (a class
                // may start with '--': a range from '-').
                '&' | '~' if self.peek() == Some(c) => return Err(self.set_operation(self.at - 1)),
                '-' if !first && self.peek() == Some('-') => return Err(self.set_operation(self.at - 1)),
                _ => first = false,
            }
            let item = self.class_item(c)?;
            let ranged = self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&c| c != ']');
            if ranged && self.chars.get(self.at + 1) == Some(&'-') {
                return Err(self.set_operation(self.at));
            }
            match item {
                Item::Class(set) => class.add(&set),
                Item::Char(lo) if ranged => {
                    let dash = self.at;
                    self.at += 1;
                    let c = self.next().expect("a character follows the dash");
                    let Item::Char(hi) = self.class_item(c)? else {
                        return Err(self.error_at(dash, "a range must end with a character"));
                    };
                    if hi < lo {
                        return Err(self.error_at(dash, "a range's end is before its start"));
                    }
                    class.add(&Class::range(lo, hi));
                }
                Item::Char(c) => class.add(&Class::range(c, c)),
            }
        }
        if flags.ignore_case {
            class.fold_ascii_case();
        }
        if negated {
            class.negate();
        } else {
            class.normalize();
        }
        Ok(class)
    }

    fn class_item(&mut self, c: char) -> Result<Item> {
        if c == '\\' {
            self.escape()
        } else {
            Ok(Item::Char(c))
        }
    }

    /// An escape after its `\`: a character or a class.
    fn escape(&mut self) -> Result<Item> {
        let start = self.at - 1;
        let c = self
            .next()
            .ok_or_else(|| self.error_at(start, "a pattern cannot end with '\\'"))?;
        if let Some(class) = Class::perl(c) {
            return Ok(Item::Class(class));
        }
        Ok(Item::Char(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0C',
            'v' => '\x0B',
            'x' => self.code_point(start, 2)?,
            'u' => self.code_point(start, 4)?,
            // `\<` and `\>` are word-boundary assertions in other dialects: refused, not guessed.
            c if c.is_ascii_punctuation() && c != '<' && c != '>' => c,
            _ => return Err(self.error_at(start, "unknown escape")),
        }))
    }

    /// The code point of `\x` or `\u`: `digits` hex digits, or any number of them in braces.
    fn code_point(&mut self, start: usize, digits: usize) -> Result<char> {
        let braced = self.eat('{');
        let mut value: u32 = 0;
        let mut count = 0;
        while let Some(digit) = self.peek().and_then(|c| c.to_digit(16)) {
            if !braced && count == digits {
                break;
            }
            self.at += 1;
            count += 1;
            value = value.saturating_mul(16).saturating_add(digit);
        }
        let complete = if braced {
            count > 0 && self.eat('}')
        } else {
            count == digits
        };
        match char::from_u32(value) {
            Some(c) if complete => Ok(c),
            _ => Err(self.error_at(
                start,
                "a character code must be \\xHH, \\uHHHH or \\x{H…} naming a Unicode scalar",
            )),
        }
    }

    /// A literal character or class, with both cases of an ASCII letter under `i`.
    fn literal(&mut self, item: Item, flags: Flags) -> Node {
        match item {
            Item::Char(c) if flags.ignore_case && c.is_ascii_alphabetic() => {
                let mut class = Class::range(c, c);
                class.fold_ascii_case();
                self.add_class(class)
            }
            Item::Char(c) => Node::Char(c),
            Item::Class(class) => self.add_class(class),
        }
    }

    fn add_class(&mut self, class: Class) -> Node {
        self.classes.push(class);
        Node::Class(self.classes.len() as u32 - 1)
    }
}
