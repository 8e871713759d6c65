//! Splits an expression's source into tokens with their byte positions.

use super::ExprError;

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok<'s> {
    Num(f64),
    Str(String),
    Name(&'s str),
    True,
    False,
    Null,
    And,
    Or,
    Not,
    In,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    End,
}

/// A token and the byte offset where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token<'s> {
    pub tok: Tok<'s>,
    pub pos: usize,
}

/// Splits `src` into tokens, ending with [`Tok::End`] at `src.len()`.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>, ExprError> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let two = bytes.get(i..i + 2).unwrap_or(&[]);
        let (tok, len) = match b {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'0'..=b'9' => number(src, start)?,
            b'\'' | b'"' => string(src, start)?,
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                let word = |from: usize| {
                    (bytes[from..].iter())
                        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                        .count()
                };
                let mut len = word(start);
                // `name.part`: a part of an address.
                if bytes.get(start + len) == Some(&b'.')
                    && bytes.get(start + len + 1).is_some_and(u8::is_ascii_alphabetic)
                {
                    len += 1 + word(start + len + 1);
                }
                (keyword(&src[start..start + len]), len)
            }
            _ if two == b"==" => (Tok::Eq, 2),
            _ if two == b"!=" => (Tok::Ne, 2),
            _ if two == b"<=" => (Tok::Le, 2),
            _ if two == b">=" => (Tok::Ge, 2),
            _ if two == b"&&" => (Tok::And, 2),
            _ if two == b"||" => (Tok::Or, 2),
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b'[' => (Tok::LBracket, 1),
            b']' => (Tok::RBracket, 1),
            b',' => (Tok::Comma, 1),
            b'+' => (Tok::Plus, 1),
            b'-' => (Tok::Minus, 1),
            b'*' => (Tok::Star, 1),
            b'/' => (Tok::Slash, 1),
            b'%' => (Tok::Percent, 1),
            b'<' => (Tok::Lt, 1),
            b'>' => (Tok::Gt, 1),
            b'!' => (Tok::Not, 1),
            b'=' => return Err(ExprError::new(start, "use '==' to compare")),
            b'&' => return Err(ExprError::new(start, "use '&&' or 'and'")),
            b'|' => return Err(ExprError::new(start, "use '||' or 'or'")),
            _ => {
                let c = src[start..].chars().next().unwrap_or('?');
                return Err(ExprError::new(start, format!("unexpected character '{c}'")));
            }
        };
        tokens.push(Token { tok, pos: start });
        i += len;
    }
    tokens.push(Token {
        tok: Tok::End,
        pos: src.len(),
    });
    Ok(tokens)
}

fn keyword(word: &str) -> Tok<'_> {
    match word {
        "true" => Tok::True,
        "false" => Tok::False,
        "null" => Tok::Null,
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "in" => Tok::In,
        _ => Tok::Name(word),
    }
}

/// Reads `digits` or `digits.digits` at `start`.
fn number(src: &str, start: usize) -> Result<(Tok<'static>, usize), ExprError> {
    let bytes = &src.as_bytes()[start..];
    let int = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut len = int;
    if bytes.get(int) == Some(&b'.') {
        let frac = bytes[int + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if frac == 0 {
            return Err(ExprError::new(start + int, "expected digits after '.'"));
        }
        len = int + 1 + frac;
    }
    match crate::normalize::parse_decimal(&src[start..start + len]) {
        Some(n) if n.is_finite() => Ok((Tok::Num(n), len)),
        _ => Err(ExprError::new(start, "number too large")),
    }
}

/// Reads a quoted string at `start` with `\\ \' \" \n` escapes; other backslashes are kept.
fn string(src: &str, start: usize) -> Result<(Tok<'static>, usize), ExprError> {
    let mut chars = src[start..].char_indices();
    let quote = chars.next().map_or('"', |(_, c)| c);
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Ok((Tok::Str(out), i + 1)),
            '\\' => match chars.next() {
                Some((_, '\\')) => out.push('\\'),
                Some((_, '\'')) => out.push('\''),
                Some((_, '"')) => out.push('"'),
                Some((_, 'n')) => out.push('\n'),
                // Any other backslash is kept, so regex patterns read naturally: '\d{12}'.
                Some((_, c)) => out.extend(['\\', c]),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(ExprError::new(start, "unterminated string"))
}
