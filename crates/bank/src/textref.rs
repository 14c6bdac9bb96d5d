//! Structured references found in free text: the Dutch betalingskenmerk
//! after `BETALINGSKENM.`/`BETALINGSKENMERK`, `ISSUER: CUR REF:` (ABN AMRO),
//! `SCOR/CUR/` (ING), `/CDTRREF/` (Rabobank). Extracted, not validated: the
//! matcher checks the reference before it trusts it.

use crate::model::{RefIssuer, StructuredRef};

/// Most digits a betalingskenmerk has.
const KENMERK_DIGITS_MAX: usize = 16;

/// The first structured reference in `text`, if any.
pub(crate) fn find_structured_ref(text: &str) -> Option<StructuredRef> {
    let upper = text.to_ascii_uppercase();
    for marker in ["BETALINGSKENMERK", "BETALINGSKENM.", "BETALINGSKENM"] {
        if let Some(pos) = upper.find(marker)
            && let Some(r) = digits_after(&text[pos + marker.len()..])
        {
            return Some(cur(r));
        }
    }
    if let Some(pos) = upper.find("ISSUER: CUR") {
        let rest = &upper[pos..];
        if let Some(ref_pos) = rest.find("REF:")
            && let Some(r) = digits_after(&text[pos + ref_pos + 4..])
        {
            return Some(cur(r));
        }
    }
    for (marker, issuer) in [("SCOR/CUR/", RefIssuer::Cur), ("SCOR/ISO/", RefIssuer::Iso)] {
        if let Some(pos) = upper.find(marker) {
            let r = token_after(&text[pos + marker.len()..]);
            if !r.is_empty() {
                return Some(StructuredRef {
                    issuer,
                    reference: r,
                });
            }
        }
    }
    None
}

fn cur(reference: String) -> StructuredRef {
    StructuredRef {
        issuer: RefIssuer::Cur,
        reference,
    }
}

/// Digits after optional `:`, `.` and spaces; single spaces or dots between
/// groups of digits are allowed (`1234 5678 9012 3456`). `None` when fewer
/// than 7 digits (the shortest betalingskenmerk) follow.
fn digits_after(s: &str) -> Option<String> {
    let s = s.trim_start_matches([':', '.', ' ']);
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            out.push(c);
            if out.len() > KENMERK_DIGITS_MAX {
                return None;
            }
        } else if (c == ' ' || c == '.') && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            continue;
        } else {
            break;
        }
    }
    (out.len() >= 7).then_some(out)
}

fn token_after(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_in_text() {
        let cur = |t: &str| find_structured_ref(t).map(|r| (r.issuer, r.reference));
        let some = |r: &str| Some((RefIssuer::Cur, r.to_owned()));
        assert_eq!(
            cur("BETALINGSKENM.  1067931951601240"),
            some("1067931951601240")
        );
        assert_eq!(
            cur("betalingskenmerk: 5000 0567 8901 2345 dank"),
            some("5000056789012345")
        );
        assert_eq!(
            cur("ISSUER: CUR                  REF: 4420043232693268"),
            some("4420043232693268")
        );
        assert_eq!(
            cur("BELASTINGDIENST SCOR/CUR/8850426741301240"),
            some("8850426741301240")
        );
        assert_eq!(cur("BETALINGSKENM.: 342157/DEC- 16"), None);
        assert_eq!(cur("Factuur 2014-002"), None);
    }
}
