//! Parses tokens into an expression tree, resolving names and folding constant parts.

use super::eval::{eval, NoEnv};
use super::functions::{Agg, Callee, Func1, Func2};
use super::lexer::{tokenize, Tok, Token};
use super::{insert_sorted, Binding, ExprError, Scope, Value, MAX_DEPTH, MAX_SOURCE_LEN};
use crate::regex::Regex;

/// A node of a compiled expression.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Const(Value),
    Field(u32),
    RowField(u32),
    Part(u32, &'static str),
    Today,
    List(Vec<Node>),
    Not(Box<Node>),
    Neg(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    Call1(Func1, Box<Node>),
    Call2(Func2, Box<Node>, Box<Node>),
    If(Box<[Node; 3]>),
    Matches(Box<Node>, Box<Regex>),
    Count(u32),
    Aggregate(Agg, u32, Box<Node>),
}

/// Operators with two operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// The result of parsing a whole expression.
pub(crate) struct Parsed {
    pub root: Node,
    pub fields: Vec<u32>,
    pub uses_today: bool,
}

/// Parses `src` with names resolved through `scope`.
pub(crate) fn parse(src: &str, scope: &dyn Scope, row_group: Option<u32>) -> Result<Parsed> {
    if src.len() > MAX_SOURCE_LEN {
        return Err(ExprError::new(
            MAX_SOURCE_LEN,
            format!("expression longer than {MAX_SOURCE_LEN} bytes"),
        ));
    }
    let mut p = Parser {
        src,
        tokens: tokenize(src)?,
        at: 0,
        scope,
        row_group,
        depth: 0,
        fields: Vec::new(),
        uses_today: false,
    };
    let (root, _) = p.expr()?;
    if p.peek() != &Tok::End {
        return Err(p.unexpected());
    }
    Ok(Parsed {
        root,
        fields: p.fields,
        uses_today: p.uses_today,
    })
}

/// A node and the height of its tree.
type Built = (Node, usize);
type Result<T> = std::result::Result<T, ExprError>;

struct Parser<'s, 'c> {
    src: &'s str,
    tokens: Vec<Token<'s>>,
    at: usize,
    scope: &'c dyn Scope,
    row_group: Option<u32>,
    depth: usize,
    /// Fields read, sorted, each once.
    fields: Vec<u32>,
    uses_today: bool,
}

impl<'s> Parser<'s, '_> {
    fn token(&self) -> &Token<'s> {
        // The last token is End and is never consumed, so `at` stays in bounds.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn peek(&self) -> &Tok<'s> {
        &self.token().tok
    }

    fn pos(&self) -> usize {
        self.token().pos
    }

    fn next_is(&self, tok: &Tok) -> bool {
        self.tokens.get(self.at + 1).is_some_and(|t| &t.tok == tok)
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let found = self.peek() == tok;
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, tok: &Tok, what: &str) -> Result<()> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(self.error_here(format!("expected {what}")))
        }
    }

    fn error_here(&self, message: String) -> ExprError {
        let found = match self.peek() {
            Tok::End => "the end".to_string(),
            Tok::Str(_) => "a string".to_string(),
            _ => format!("'{}'", self.text()),
        };
        ExprError::new(self.pos(), format!("{message}, found {found}"))
    }

    fn unexpected(&self) -> ExprError {
        match self.peek() {
            Tok::End => ExprError::new(self.pos(), "unexpected end of expression"),
            Tok::Str(_) => ExprError::new(self.pos(), "unexpected string"),
            _ => ExprError::new(self.pos(), format!("unexpected '{}'", self.text())),
        }
    }

    /// Source text of the current token.
    fn text(&self) -> &'s str {
        let end = self.tokens.get(self.at + 1).map_or(self.src.len(), |t| t.pos);
        self.src.get(self.pos()..end).unwrap_or("").trim_end()
    }

    /// Runs `f` one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.depth >= MAX_DEPTH {
            return Err(too_deep(self.pos()));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn expr(&mut self) -> Result<Built> {
        self.nested(|p| p.operators(OR))
    }

    /// Parses operands joined by infix operators that bind at least as tightly as `min`.
    fn operators(&mut self, min: u8) -> Result<Built> {
        let mut left = self.prefix(min)?;
        while let Some((op, strength)) = infix(self.peek()).filter(|(_, s)| *s >= min) {
            let pos = self.pos();
            self.at += 1;
            let right = self.operators(strength + 1)?;
            if strength == COMPARE && infix(self.peek()).is_some_and(|(_, s)| s == COMPARE) {
                return Err(chained(self.pos()));
            }
            let arithmetic = matches!(
                op,
                Infix::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem)
            );
            if arithmetic && (self.gives_date(&left.0) || self.gives_date(&right.0)) {
                return Err(date_arithmetic(pos));
            }
            if let Infix::Binary(op @ (BinOp::Eq | BinOp::Ne | BinOp::In)) = op {
                self.check_literals(pos, op, &left.0, &right.0)?;
            }
            left = combine(pos, op, left, right)?;
        }
        Ok(left)
    }

    /// Refuses a field compared with a text it can never hold: `status == 'married'` where the options
    /// say `da_ket_hon`, `children == '1'` of a number, `'x' in choices` of a checkbox group without x.
    fn check_literals(&self, pos: usize, op: BinOp, left: &Node, right: &Node) -> Result<()> {
        let field = |n: &Node| match n {
            Node::Field(f) | Node::RowField(f) => Some(*f),
            _ => None,
        };
        let constant = |n: &Node| match n {
            Node::Const(v @ (Value::Str(_) | Value::Num(_))) => Some(v.clone()),
            _ => None,
        };
        // `within`: the constant is looked for in the field (`'code' in group`, a text in a text).
        let (f, literals, within): (u32, Vec<Value>, bool) = match (op, field(left), field(right)) {
            (BinOp::In, Some(f), None) => match right {
                Node::List(items) => (f, items.iter().filter_map(constant).collect(), false),
                Node::Const(Value::List(items)) => (f, items.clone(), false),
                _ => return Ok(()),
            },
            (BinOp::In, None, Some(f)) => (f, constant(left).into_iter().collect(), true),
            (BinOp::Eq | BinOp::Ne, Some(f), None) => (f, constant(right).into_iter().collect(), false),
            (BinOp::Eq | BinOp::Ne, None, Some(f)) => (f, constant(left).into_iter().collect(), false),
            _ => return Ok(()),
        };
        match literals
            .iter()
            .find_map(|literal| self.scope.never_equals(f, literal, within))
        {
            Some(why) => Err(ExprError::new(pos, why)),
            None => Ok(()),
        }
    }

    /// Whether a node is known to give a date.
    fn gives_date(&self, node: &Node) -> bool {
        match node {
            Node::Today | Node::Const(Value::Date(_)) => true,
            Node::Call1(Func1::Date, _) | Node::Call2(Func2::AddYears | Func2::AddDays, ..) => true,
            Node::Field(f) | Node::RowField(f) => self.scope.holds_date(*f),
            _ => false,
        }
    }

    /// Parses a prefix operator and its operand, or a primary expression.
    fn prefix(&mut self, min: u8) -> Result<Built> {
        let pos = self.pos();
        let (node, height) = match self.peek() {
            Tok::Not if min <= NOT => {
                self.at += 1;
                let (operand, height) = self.nested(|p| p.operators(NOT))?;
                (Node::Not(Box::new(operand)), height)
            }
            Tok::Minus => {
                self.at += 1;
                let (operand, height) = self.nested(|p| p.prefix(NEG))?;
                (Node::Neg(Box::new(operand)), height)
            }
            _ => return self.primary(),
        };
        build(pos, node, height)
    }

    // Out of line, like `call`, `combine` and `build`: the recursive path keeps small stack frames.
    #[inline(never)]
    fn primary(&mut self) -> Result<Built> {
        let pos = self.pos();
        let value = match self.peek() {
            Tok::Num(n) => Value::Num(*n),
            Tok::Str(s) => Value::Str(s.clone()),
            Tok::True => Value::Bool(true),
            Tok::False => Value::Bool(false),
            Tok::Null => Value::Null,
            Tok::LParen => {
                self.at += 1;
                let inner = self.expr()?;
                self.expect(&Tok::RParen, "')'")?;
                return Ok(inner);
            }
            Tok::LBracket => {
                self.at += 1;
                let (items, height) = self.list(&Tok::RBracket, "']'")?;
                return build(pos, Node::List(items), height);
            }
            Tok::Name(name) if self.next_is(&Tok::LParen) => return self.call(name, pos),
            Tok::Name(name) => return self.name(name, pos),
            _ => return Err(self.unexpected()),
        };
        self.at += 1;
        Ok((Node::Const(value), 1))
    }

    /// Parses `item, item, ...` up to the closing token; returns the items and their greatest height.
    fn list(&mut self, close: &Tok, what: &str) -> Result<(Vec<Node>, usize)> {
        let mut items = Vec::new();
        let mut height = 0;
        if self.eat(close) {
            return Ok((items, height));
        }
        loop {
            let (item, h) = self.expr()?;
            items.push(item);
            height = height.max(h);
            if self.eat(close) {
                return Ok((items, height));
            }
            self.expect(&Tok::Comma, &format!("',' or {what}"))?;
        }
    }

    fn name(&mut self, name: &str, pos: usize) -> Result<Built> {
        let node = match self.resolve(name, pos)? {
            Binding::Field(id) => Node::Field(id),
            Binding::RowField(id) => Node::RowField(id),
            Binding::Part(id, part) => Node::Part(id, part),
            Binding::Group(_) => {
                return Err(ExprError::new(
                    pos,
                    format!("'{name}' is a repeating group: use it in count, sum, min, max, any or all"),
                ))
            }
        };
        self.at += 1;
        Ok((node, 1))
    }

    fn resolve(&mut self, name: &str, pos: usize) -> Result<Binding> {
        let binding = self
            .scope
            .resolve(name, self.row_group)
            .map_err(|message| ExprError::new(pos, message))?;
        let (Binding::Field(id) | Binding::RowField(id) | Binding::Group(id) | Binding::Part(id, _)) = binding;
        insert_sorted(&mut self.fields, id);
        Ok(binding)
    }

    #[inline(never)]
    fn call(&mut self, name: &str, pos: usize) -> Result<Built> {
        let callee = Callee::lookup(name).ok_or_else(|| ExprError::new(pos, format!("unknown function '{name}'")))?;
        self.at += 2;
        match callee {
            Callee::Count => {
                let group = self.group(name)?;
                self.close(name, callee, pos)?;
                build(pos, Node::Count(group), 0)
            }
            Callee::Agg(agg) => {
                let group = self.group(name)?;
                self.separator(name, callee, pos)?;
                let outer = self.row_group.replace(group);
                let body = self.expr();
                self.row_group = outer;
                let (body, height) = body?;
                self.close(name, callee, pos)?;
                build(pos, Node::Aggregate(agg, group, Box::new(body)), height)
            }
            Callee::Matches => {
                let (text, height) = self.expr()?;
                self.separator(name, callee, pos)?;
                let regex = self.pattern()?;
                self.close(name, callee, pos)?;
                build(pos, Node::Matches(Box::new(text), Box::new(regex)), height)
            }
            _ => {
                let (args, height) = self.list(&Tok::RParen, "')'")?;
                if args.len() != callee.arity() {
                    let got = args.len();
                    return Err(ExprError::new(pos, format!("{}, got {got}", takes(name, callee))));
                }
                let mut args = args.into_iter();
                let mut arg = || Box::new(args.next().unwrap_or(Node::Const(Value::Null)));
                let node = match callee {
                    Callee::Today => {
                        self.uses_today = true;
                        Node::Today
                    }
                    Callee::One(f) => Node::Call1(f, arg()),
                    Callee::Two(f) => {
                        let (a, b) = (arg(), arg());
                        // contains(x, c) asks what `c in x` asks.
                        if f == Func2::Contains {
                            self.check_literals(pos, BinOp::In, &b, &a)?;
                        }
                        Node::Call2(f, a, b)
                    }
                    // Only `if` is left: the other callees were handled above.
                    _ => Node::If(Box::new([*arg(), *arg(), *arg()])),
                };
                build(pos, node, height)
            }
        }
    }

    /// The repeating group named as the first argument of an aggregate.
    fn group(&mut self, function: &str) -> Result<u32> {
        let pos = self.pos();
        let name = match *self.peek() {
            Tok::Name(name) if !self.next_is(&Tok::LParen) => name,
            _ => return Err(self.error_here(format!("{function} expects the name of a repeating group"))),
        };
        match self.resolve(name, pos)? {
            Binding::Group(id) => {
                self.at += 1;
                Ok(id)
            }
            _ => Err(ExprError::new(
                pos,
                format!("{function} expects a repeating group, '{name}' is not one"),
            )),
        }
    }

    /// The string literal pattern of `matches`, compiled to match whole texts.
    fn pattern(&mut self) -> Result<Regex> {
        let pos = self.pos();
        let Tok::Str(pattern) = self.peek() else {
            return Err(self.error_here("the pattern of matches must be a string literal".to_string()));
        };
        let regex = Regex::new(pattern).map_err(|e| ExprError::new(pos, format!("invalid pattern: {e}")))?;
        self.at += 1;
        Ok(regex)
    }

    /// Expects the ',' between arguments of a function with a fixed argument list.
    fn separator(&mut self, name: &str, callee: Callee, call_pos: usize) -> Result<()> {
        if self.peek() == &Tok::RParen {
            return Err(ExprError::new(call_pos, takes(name, callee)));
        }
        self.expect(&Tok::Comma, "','")
    }

    /// Expects the ')' after the last argument of a function with a fixed argument list.
    fn close(&mut self, name: &str, callee: Callee, call_pos: usize) -> Result<()> {
        if self.peek() == &Tok::Comma {
            return Err(ExprError::new(call_pos, takes(name, callee)));
        }
        self.expect(&Tok::RParen, "')'")
    }
}

// Binding strengths: a higher one binds tighter.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const COMPARE: u8 = 4;
const SUM: u8 = 5;
const PRODUCT: u8 = 6;
const NEG: u8 = 7;

/// An infix operator.
#[derive(Clone, Copy)]
enum Infix {
    Or,
    And,
    Binary(BinOp),
}

/// The infix operator of a token and its binding strength.
fn infix(tok: &Tok) -> Option<(Infix, u8)> {
    let binary = |op, strength| Some((Infix::Binary(op), strength));
    match tok {
        Tok::Or => Some((Infix::Or, OR)),
        Tok::And => Some((Infix::And, AND)),
        Tok::Eq => binary(BinOp::Eq, COMPARE),
        Tok::Ne => binary(BinOp::Ne, COMPARE),
        Tok::Lt => binary(BinOp::Lt, COMPARE),
        Tok::Le => binary(BinOp::Le, COMPARE),
        Tok::Gt => binary(BinOp::Gt, COMPARE),
        Tok::Ge => binary(BinOp::Ge, COMPARE),
        Tok::In => binary(BinOp::In, COMPARE),
        Tok::Plus => binary(BinOp::Add, SUM),
        Tok::Minus => binary(BinOp::Sub, SUM),
        Tok::Star => binary(BinOp::Mul, PRODUCT),
        Tok::Slash => binary(BinOp::Div, PRODUCT),
        Tok::Percent => binary(BinOp::Rem, PRODUCT),
        _ => None,
    }
}

fn takes(name: &str, callee: Callee) -> String {
    match callee.arity() {
        1 => format!("{name} takes 1 argument"),
        n => format!("{name} takes {n} arguments"),
    }
}

#[cold]
fn chained(pos: usize) -> ExprError {
    ExprError::new(pos, "comparisons cannot be chained: join them with 'and'")
}

#[cold]
fn date_arithmetic(pos: usize) -> ExprError {
    ExprError::new(
        pos,
        "dates take no arithmetic: use days_between(from, to), add_days(date, n) or add_years(date, n)",
    )
}

#[cold]
fn too_deep(pos: usize) -> ExprError {
    ExprError::new(
        pos,
        format!("expression nested too deeply (more than {MAX_DEPTH} levels)"),
    )
}

/// Joins two operands; `and`/`or` chains become one node with all their operands.
#[inline(never)]
fn combine(pos: usize, op: Infix, (left, lh): Built, (right, rh): Built) -> Result<Built> {
    let node = match (op, left) {
        (Infix::Or, Node::Or(mut items)) | (Infix::And, Node::And(mut items)) => {
            items.push(right);
            let node = if matches!(op, Infix::Or) {
                Node::Or(items)
            } else {
                Node::And(items)
            };
            // The chain's operands are one level below it.
            return build(pos, node, lh.saturating_sub(1).max(rh));
        }
        (Infix::Or, left) => Node::Or(vec![left, right]),
        (Infix::And, left) => Node::And(vec![left, right]),
        (Infix::Binary(op), left) => Node::Binary(op, Box::new(left), Box::new(right)),
    };
    build(pos, node, lh.max(rh))
}

/// Checks the height of a new node over children of height `height` and folds it if constant.
#[inline(never)]
fn build(pos: usize, node: Node, height: usize) -> Result<Built> {
    if height >= MAX_DEPTH {
        return Err(too_deep(pos));
    }
    if foldable(&node) {
        return Ok((Node::Const(eval(&node, &NoEnv, None).into_owned()), 1));
    }
    Ok((node, height + 1))
}

/// Whether a node reads nothing but constants, so it can be evaluated once now.
fn foldable(node: &Node) -> bool {
    let is_const = |n: &Node| matches!(n, Node::Const(_));
    match node {
        Node::Const(_)
        | Node::Field(_)
        | Node::RowField(_)
        | Node::Part(..)
        | Node::Today
        | Node::Count(_)
        | Node::Aggregate(..) => false,
        Node::List(items) | Node::And(items) | Node::Or(items) => items.iter().all(is_const),
        Node::Not(a) | Node::Neg(a) | Node::Call1(_, a) | Node::Matches(a, _) => is_const(a),
        Node::Binary(_, a, b) | Node::Call2(_, a, b) => is_const(a) && is_const(b),
        Node::If(args) => args.iter().all(is_const),
    }
}
