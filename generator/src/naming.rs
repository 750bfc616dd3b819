//! Rust names for everything the spec names: case conversion, keywords, invalid characters and
//! collisions are all handled here.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords, strict and reserved, in every edition this generator targets.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers, so they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// Replaces accented Latin letters with their base letter and every other character that cannot be
/// part of an identifier with a space, so case conversion finds word boundaries.
fn to_ascii_words(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'Á' | 'À' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'O',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
            'ç' => 'c',
            'Ç' => 'C',
            'ñ' => 'n',
            'Ñ' => 'N',
            c if c.is_ascii_alphanumeric() => c,
            _ => ' ',
        })
        .collect()
}

/// Returns an upper camel case type or variant name for `text`, or `fallback` when nothing of it
/// is usable.
pub fn type_name(text: &str, fallback: &str) -> String {
    let name = to_ascii_words(text).to_upper_camel_case();
    let name = if name.is_empty() { fallback.to_string() } else { name };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) { format!("{fallback}{name}") } else { name };
    if name == "Self" {
        "Self_".to_string()
    } else {
        name
    }
}

/// Returns a snake case field, parameter or method name for `text`; keywords become raw
/// identifiers (`r#type`) where Rust allows it.
pub fn value_name(text: &str, fallback: &str) -> String {
    let name = to_ascii_words(text).to_snake_case();
    let name = if name.is_empty() { fallback.to_string() } else { name };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) { format!("{fallback}_{name}") } else { name };
    escape_keyword(name)
}

fn escape_keyword(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// Hands out names that are unique within one scope, adding a number to later duplicates.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// Creates a scope in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope { taken: reserved.iter().map(|name| name.to_string()).collect() }
    }

    /// Returns `name`, or `name2`, `name3`, … if taken, and marks the result as taken.
    pub fn claim(&mut self, name: &str) -> String {
        let bare = name.trim_start_matches("r#");
        if self.taken.insert(bare.to_string()) {
            return name.to_string();
        }
        let separator = if bare.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        (2..)
            .map(|n| format!("{bare}{separator}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or_else(|| bare.to_string())
    }

    /// Claims `name` (or a numbered form of it) such that `name` followed by `suffix` is free too,
    /// and claims both; returns the name without the suffix.
    pub fn claim_with_suffix(&mut self, name: &str, suffix: &str) -> String {
        let separator = if name.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        let candidates = std::iter::once(name.to_string()).chain((2..).map(|n| format!("{name}{separator}{n}")));
        for candidate in candidates {
            let with_suffix = format!("{candidate}{suffix}");
            if !self.taken.contains(&candidate) && !self.taken.contains(&with_suffix) {
                self.taken.insert(with_suffix);
                self.taken.insert(candidate.clone());
                return candidate;
            }
        }
        name.to_string()
    }

    /// Returns whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name.trim_start_matches("r#"))
    }
}

/// Returns the variant name for an HTTP status, from its reason phrase.
pub fn status_variant(code: u16) -> String {
    let reason = match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        415 => "UnsupportedMediaType",
        422 => "UnprocessableEntity",
        423 => "Locked",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => return format!("Status{code}"),
    };
    reason.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_from_awkward_text() {
        assert_eq!(type_name("user-session", "Type"), "UserSession");
        assert_eq!(type_name("01", "Value"), "Value01");
        assert_eq!(type_name("Transação", "Type"), "Transacao");
        assert_eq!(type_name("---", "Type"), "Type");
        assert_eq!(type_name("TAKE_MORE_PAY_LESS", "Value"), "TakeMorePayLess");
    }

    #[test]
    fn value_names_escape_keywords() {
        assert_eq!(value_name("type", "field"), "r#type");
        assert_eq!(value_name("self", "field"), "self_");
        assert_eq!(value_name("purchase-invoices", "field"), "purchase_invoices");
        assert_eq!(value_name("CPlug-Company-Id", "field"), "c_plug_company_id");
        assert_eq!(value_name("2fa", "field"), "field_2fa");
        assert_eq!(value_name("@id", "field"), "id");
    }

    #[test]
    fn scope_numbers_collisions() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim("name"), "name");
        assert_eq!(scope.claim("name"), "name2");
        assert_eq!(scope.claim("v1"), "v1");
        assert_eq!(scope.claim("v1"), "v1_2");
        assert_eq!(scope.claim("r#type"), "r#type");
        assert_eq!(scope.claim("type"), "type2");
    }

    #[test]
    fn scope_claims_suffixed_names_together() {
        let mut scope = Scope::default();
        assert_eq!(scope.claim("GetError"), "GetError");
        assert_eq!(scope.claim_with_suffix("Get", "Error"), "Get2");
        assert!(scope.contains("Get2Error"));
        assert_eq!(scope.claim("Get2Error"), "Get2Error2");
    }
}
