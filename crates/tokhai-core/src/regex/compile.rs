//! Compiles a syntax tree into the instructions of a Thompson automaton.

use super::parse::{Look, Node};
use super::PatternError;

/// A compiled pattern has at most this many instructions.
const MAX_PROGRAM: usize = 20_000;

/// One instruction; threads advance past a character by `Char` and `Class`.
#[derive(Clone, Copy, Debug)]
pub(super) enum Inst {
    Char(char),
    /// A character of the class with this index.
    Class(u32),
    Look(Look),
    /// Continue at both targets.
    Split(u32, u32),
    Jump(u32),
    Match,
}

/// Compiles `tree`; the program starts at 0.
pub(super) fn compile(tree: &Node) -> Result<Vec<Inst>, PatternError> {
    let mut program = Program(Vec::new());
    program.node(tree)?;
    program.push(Inst::Match)?;
    Ok(program.0)
}

struct Program(Vec<Inst>);

impl Program {
    fn push(&mut self, inst: Inst) -> Result<usize, PatternError> {
        if self.0.len() == MAX_PROGRAM {
            return Err(PatternError {
                reason: "the pattern is too large once its repetitions are expanded",
                at: None,
            });
        }
        self.0.push(inst);
        Ok(self.0.len() - 1)
    }

    fn next(&self) -> u32 {
        self.0.len() as u32
    }

    fn node(&mut self, node: &Node) -> Result<(), PatternError> {
        match node {
            Node::Empty => {}
            Node::Char(c) => {
                self.push(Inst::Char(*c))?;
            }
            Node::Class(class) => {
                self.push(Inst::Class(*class))?;
            }
            Node::Look(look) => {
                self.push(Inst::Look(*look))?;
            }
            Node::Concat(items) => items.iter().try_for_each(|item| self.node(item))?,
            Node::Alt(branches) => {
                let (last, others) = branches.split_last().expect("an alternation has branches");
                let mut exits = Vec::with_capacity(others.len());
                for branch in others {
                    let split = self.push(Inst::Split(0, 0))?;
                    self.node(branch)?;
                    exits.push(self.push(Inst::Jump(0))?);
                    self.0[split] = Inst::Split(split as u32 + 1, self.next());
                }
                self.node(last)?;
                for exit in exits {
                    self.0[exit] = Inst::Jump(self.next());
                }
            }
            Node::Repeat { node, min, max } => {
                for _ in 0..*min {
                    self.node(node)?;
                }
                match max {
                    None => {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.node(node)?;
                        self.push(Inst::Jump(split as u32))?;
                        self.0[split] = Inst::Split(split as u32 + 1, self.next());
                    }
                    Some(max) => {
                        for _ in *min..*max {
                            let split = self.push(Inst::Split(0, 0))?;
                            self.node(node)?;
                            self.0[split] = Inst::Split(split as u32 + 1, self.next());
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
