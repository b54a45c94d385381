//! SCIM filters (RFC 7644 §3.4.2.2): parsed into a [`Filter`] and evaluated against a
//! resource as SCIM renders it (JSON), so a filter sees exactly what a provider reads back.
//! Attribute names are case-insensitive; string comparisons are too, except for `id` and
//! `externalId`, which are case-exact.

use super::ScimError;
use serde_json::Value;

/// An attribute path: an optional schema URN, an attribute and an optional sub-attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    pub urn: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(AttrPath, Op, Value),
    Present(AttrPath),
    /// `emails[type eq "work"]`, optionally followed by `.value op …`.
    Within {
        path: AttrPath,
        inner: Box<Filter>,
        then: Option<(String, Option<(Op, Value)>)>,
    },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

impl Filter {
    /// The value of `attr eq "value"` when this filter is exactly that (case-insensitive
    /// attribute name): the lookups a store answers from an index.
    pub fn equality(&self, attr: &str) -> Option<&str> {
        match self {
            Filter::Compare(path, Op::Eq, Value::String(v))
                if path.sub.is_none() && path.attr.eq_ignore_ascii_case(attr) =>
            {
                Some(v)
            }
            _ => None,
        }
    }

    /// Whether `resource` matches.
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Not(f) => !f.matches(resource),
            Filter::Present(path) => values_at(resource, path).iter().any(|v| present(v)),
            Filter::Compare(path, op, wanted) => {
                let exact = is_case_exact(&path.attr);
                values_at(resource, path)
                    .iter()
                    .any(|v| compare(v, *op, wanted, exact))
            }
            Filter::Within { path, inner, then } => {
                let elements = elements_at(resource, path);
                elements.iter().any(|element| {
                    if !inner.matches(element) {
                        return false;
                    }
                    match then {
                        None => true,
                        Some((sub, None)) => field(element, sub).is_some_and(present),
                        Some((sub, Some((op, wanted)))) => {
                            field(element, sub).is_some_and(|v| compare(v, *op, wanted, false))
                        }
                    }
                })
            }
        }
    }

    /// Every attribute the filter names, for checking them against what can be filtered.
    pub fn attributes(&self) -> Vec<String> {
        let name = |p: &AttrPath| match &p.sub {
            Some(sub) => format!("{}.{sub}", p.attr),
            None => p.attr.clone(),
        };
        match self {
            Filter::Compare(p, _, _) | Filter::Present(p) => vec![name(p)],
            Filter::Within { path, then, .. } => {
                let mut names = vec![name(path)];
                if let Some((sub, _)) = then {
                    names.push(format!("{}.{sub}", path.attr));
                }
                names
            }
            Filter::And(a, b) | Filter::Or(a, b) => {
                let mut names = a.attributes();
                names.extend(b.attributes());
                names
            }
            Filter::Not(f) => f.attributes(),
        }
    }
}

fn is_case_exact(attr: &str) -> bool {
    attr.eq_ignore_ascii_case("id") || attr.eq_ignore_ascii_case("externalId")
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// A member of a JSON object, its name matched case-insensitively.
pub fn field<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    object
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The elements of a (multi-valued) attribute, as they are.
fn elements_at<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let base = match &path.urn {
        Some(urn) => match field(resource, urn) {
            Some(ext) => ext,
            None => return Vec::new(),
        },
        None => resource,
    };
    match field(base, &path.attr) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// The values a path reaches in a resource: a multi-valued attribute gives each element
/// (or each element's sub-attribute); a multi-valued attribute compared without a
/// sub-attribute compares each element's `value`.
fn values_at<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let elements = elements_at(resource, path);
    match &path.sub {
        Some(sub) => elements.into_iter().filter_map(|e| field(e, sub)).collect(),
        None => elements
            .into_iter()
            .map(|e| {
                if e.is_object() {
                    field(e, "value").unwrap_or(e)
                } else {
                    e
                }
            })
            .collect(),
    }
}

fn compare(actual: &Value, op: Op, wanted: &Value, exact: bool) -> bool {
    use std::cmp::Ordering;
    let ordering = match (actual, wanted) {
        (Value::String(a), Value::String(w)) => {
            let (a, w) = if exact {
                (a.clone(), w.clone())
            } else {
                (a.to_lowercase(), w.to_lowercase())
            };
            match op {
                Op::Co => return a.contains(&w),
                Op::Sw => return a.starts_with(&w),
                Op::Ew => return a.ends_with(&w),
                _ => a.cmp(&w),
            }
        }
        (Value::Bool(a), Value::Bool(w)) => a.cmp(w),
        // Entra sends booleans as strings: "True", "False".
        (Value::Bool(a), Value::String(w)) => match parse_bool(w) {
            Some(w) => a.cmp(&w),
            None => return op == Op::Ne,
        },
        (Value::Number(a), Value::Number(w)) => a
            .as_f64()
            .partial_cmp(&w.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Null, Value::Null) => Ordering::Equal,
        _ => return op == Op::Ne,
    };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Co | Op::Sw | Op::Ew => false,
    }
}

/// `true`/`false` in any case, as Entra ID sends them.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Parses a filter. Errors are `400 invalidFilter` naming what is wrong.
pub fn parse(text: &str) -> Result<Filter, ScimError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let filter = parser.or()?;
    if let Some(extra) = parser.tokens.get(parser.at) {
        return Err(invalid(format!(
            "unexpected {} in the filter",
            extra.describe()
        )));
    }
    Ok(filter)
}

fn invalid(detail: String) -> ScimError {
    ScimError::bad_request("invalidFilter", detail)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("\"{w}\""),
            Token::Text(t) => format!("the string \"{t}\""),
            Token::Open => "\"(\"".into(),
            Token::Close => "\")\"".into(),
            Token::OpenBracket => "\"[\"".into(),
            Token::CloseBracket => "\"]\"".into(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, ScimError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    '[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                });
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err(invalid("a string in the filter is not closed".into())),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some(other) => s.push(other),
                            None => {
                                return Err(invalid("a string in the filter is not closed".into()));
                            }
                        },
                        Some(other) => s.push(other),
                    }
                }
                tokens.push(Token::Text(s));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "()[]\"".contains(c) {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                // `emails[type eq "work"].value`: the sub-attribute after a bracket.
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn or(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, ScimError> {
        if self.peek_word("not") {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.group()?)));
        }
        if self.tokens.get(self.at) == Some(&Token::Open) {
            return self.group();
        }
        self.expression()
    }

    fn group(&mut self) -> Result<Filter, ScimError> {
        if self.next() != Some(Token::Open) {
            return Err(invalid(
                "\"not\" must be followed by a filter in parentheses".into(),
            ));
        }
        let inner = self.or()?;
        if self.next() != Some(Token::Close) {
            return Err(invalid("a \"(\" in the filter is not closed".into()));
        }
        Ok(inner)
    }

    fn expression(&mut self) -> Result<Filter, ScimError> {
        let attr = match self.next() {
            Some(Token::Word(w)) => w,
            Some(other) => {
                return Err(invalid(format!(
                    "expected an attribute name, found {}",
                    other.describe()
                )));
            }
            None => {
                return Err(invalid(
                    "the filter ends where an attribute was expected".into(),
                ));
            }
        };
        let path = attr_path(&attr)?;
        if self.tokens.get(self.at) == Some(&Token::OpenBracket) {
            self.at += 1;
            let inner = self.or()?;
            if self.next() != Some(Token::CloseBracket) {
                return Err(invalid(format!("the \"[\" after {attr} is not closed")));
            }
            // `].value eq "x"` arrives as the word ".value".
            let then = match self.tokens.get(self.at) {
                Some(Token::Word(w)) if w.starts_with('.') => {
                    let sub = w[1..].to_string();
                    self.at += 1;
                    if self.peek_word("pr") {
                        self.at += 1;
                        Some((sub, None))
                    } else {
                        let (op, value) = self.comparison(&attr)?;
                        Some((sub, Some((op, value))))
                    }
                }
                _ => None,
            };
            return Ok(Filter::Within {
                path,
                inner: Box::new(inner),
                then,
            });
        }
        if self.peek_word("pr") {
            self.at += 1;
            return Ok(Filter::Present(path));
        }
        let (op, value) = self.comparison(&attr)?;
        Ok(Filter::Compare(path, op, value))
    }

    fn comparison(&mut self, attr: &str) -> Result<(Op, Value), ScimError> {
        let op = match self.next() {
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                "co" => Op::Co,
                "sw" => Op::Sw,
                "ew" => Op::Ew,
                "gt" => Op::Gt,
                "ge" => Op::Ge,
                "lt" => Op::Lt,
                "le" => Op::Le,
                other => {
                    return Err(invalid(format!(
                        "\"{other}\" after {attr} is not an operator Trellis supports (eq, ne, co, sw, ew, gt, ge, lt, le, pr)"
                    )));
                }
            },
            _ => return Err(invalid(format!("{attr} must be followed by an operator"))),
        };
        let value = match self.next() {
            Some(Token::Text(s)) => Value::String(s),
            Some(Token::Word(w)) => match w.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                number => match number.parse::<f64>() {
                    Ok(n) => serde_json::Number::from_f64(n)
                        .map(Value::Number)
                        .unwrap_or(Value::Null),
                    Err(_) => {
                        return Err(invalid(format!(
                            "the value compared with {attr} must be a quoted string, a number, true, false or null, not {number}"
                        )));
                    }
                },
            },
            _ => return Err(invalid(format!("{attr} is compared with nothing"))),
        };
        Ok((op, value))
    }
}

/// Splits `urn:…:User:manager.value` or `name.givenName` into its parts.
pub fn attr_path(text: &str) -> Result<AttrPath, ScimError> {
    let (urn, rest) = match text.to_ascii_lowercase().starts_with("urn:") {
        true => match text.rfind(':') {
            Some(i) => (Some(text[..i].to_string()), &text[i + 1..]),
            None => (None, text),
        },
        false => (None, text),
    };
    let mut parts = rest.splitn(2, '.');
    let attr = parts.next().unwrap_or_default().to_string();
    let sub = parts.next().map(str::to_string);
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
    };
    if !valid(&attr) || sub.as_deref().is_some_and(|s| !valid(s)) {
        return Err(invalid(format!("\"{text}\" is not an attribute path")));
    }
    Ok(AttrPath { urn, attr, sub })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "id": "12",
            "userName": "Ada.Lovelace@example.com",
            "active": true,
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [
                {"value": "ada@home.example", "type": "home"},
                {"value": "ada@example.com", "type": "work", "primary": true}
            ],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "department": "Engineering",
                "manager": {"value": "3"}
            }
        })
    }

    fn holds(text: &str) -> bool {
        parse(text).unwrap().matches(&user())
    }

    #[test]
    fn filters_match_as_providers_send_them() {
        assert!(
            holds(r#"userName eq "ada.lovelace@example.com""#),
            "case-insensitive"
        );
        assert!(!holds(r#"id eq "12 ""#));
        assert!(holds(r#"name.familyName sw "Love""#));
        assert!(holds(r#"emails co "home.example""#), "each element's value");
        assert!(holds(
            r#"emails[type eq "work"].value eq "ada@example.com""#
        ));
        assert!(!holds(
            r#"emails[type eq "work"].value eq "ada@home.example""#
        ));
        assert!(holds(r#"emails[type eq "work" and primary eq true]"#));
        assert!(holds(r#"active eq "True""#), "Entra's string booleans");
        assert!(holds(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "3""#
        ));
        assert!(holds(
            r#"title pr or (userName ew "example.com" and not (active eq false))"#
        ));
        assert!(!holds(r#"title pr"#));
        assert!(
            holds(r#"USERNAME Eq "Ada.Lovelace@example.com""#),
            "case-insensitive names"
        );
    }

    #[test]
    fn an_equality_is_recognised_for_an_indexed_lookup() {
        let f = parse(r#"userName eq "x@example.com""#).unwrap();
        assert_eq!(f.equality("username"), Some("x@example.com"));
        assert_eq!(
            parse(r#"userName co "x""#).unwrap().equality("userName"),
            None
        );
    }

    #[test]
    fn a_broken_filter_says_what_is_wrong() {
        let detail = |t: &str| parse(t).unwrap_err().detail;
        assert!(detail(r#"userName xx "a""#).contains("\"xx\" after userName"));
        assert!(detail(r#"userName eq "a"#).contains("not closed"));
        assert!(detail(r#"(userName eq "a""#).contains("not closed"));
        assert!(detail(r#"userName eq a"#).contains("quoted string"));
        assert_eq!(
            parse("userName eq").unwrap_err().scim_type,
            Some("invalidFilter")
        );
    }
}
