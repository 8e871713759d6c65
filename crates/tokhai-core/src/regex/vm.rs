//! Runs a program over a text: every thread advances one character at a time (Pike's VM without
//! captures), so time is proportional to program × text whatever the pattern.

use super::class::Class;
use super::compile::Inst;
use super::parse::Look;

/// Whether `program` (with its `classes`) matches the whole of `text`.
pub(super) fn matches(program: &[Inst], classes: &[Class], text: &str) -> bool {
    let mut now = Threads::new(program.len());
    let mut next = Threads::new(program.len());
    let mut chars = text.chars();
    let mut current = chars.next();
    now.add(program, 0, None, current);
    while let Some(c) = current {
        if now.waiting.is_empty() {
            return false;
        }
        let after = chars.next();
        next.clear();
        for &pc in &now.waiting {
            let advances = match program[pc as usize] {
                Inst::Char(expected) => expected == c,
                Inst::Class(class) => classes[class as usize].contains(c),
                _ => false,
            };
            if advances {
                next.add(program, pc + 1, Some(c), after);
            }
        }
        std::mem::swap(&mut now, &mut next);
        current = after;
    }
    now.waiting
        .iter()
        .any(|&pc| matches!(program[pc as usize], Inst::Match))
}

/// The threads at one position: those waiting for a character (or at `Match`), without repeats.
struct Threads {
    waiting: Vec<u32>,
    visited: Vec<bool>,
    visited_list: Vec<u32>,
    stack: Vec<u32>,
}

impl Threads {
    fn new(size: usize) -> Threads {
        Threads {
            waiting: Vec::new(),
            visited: vec![false; size],
            visited_list: Vec::new(),
            stack: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.waiting.clear();
        for pc in self.visited_list.drain(..) {
            self.visited[pc as usize] = false;
        }
    }

    /// Adds the thread at `pc` and every thread it reaches without reading a character.
    fn add(&mut self, program: &[Inst], pc: u32, before: Option<char>, after: Option<char>) {
        self.stack.push(pc);
        while let Some(pc) = self.stack.pop() {
            if std::mem::replace(&mut self.visited[pc as usize], true) {
                continue;
            }
            self.visited_list.push(pc);
            match program[pc as usize] {
                Inst::Jump(to) => self.stack.push(to),
                Inst::Split(first, second) => self.stack.extend([second, first]),
                Inst::Look(look) if holds(look, before, after) => self.stack.push(pc + 1),
                Inst::Look(_) => {}
                Inst::Char(_) | Inst::Class(_) | Inst::Match => self.waiting.push(pc),
            }
        }
    }
}

/// Whether `look` holds between the characters `before` and `after`.
fn holds(look: Look, before: Option<char>, after: Option<char>) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    match look {
        Look::TextStart => before.is_none(),
        Look::TextEnd => after.is_none(),
        Look::LineStart => before.is_none_or(|c| c == '\n'),
        Look::LineEnd => after.is_none_or(|c| c == '\n'),
        Look::WordBoundary => is_word(before) != is_word(after),
        Look::NotWordBoundary => is_word(before) == is_word(after),
    }
}
