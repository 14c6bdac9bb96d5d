//! Matching a bank credit to a case.
//!
//! Order (first that finds exactly one open case wins):
//! 1. the structured reference: a valid 16-digit betalingskenmerk (the case
//!    id is its last 15 digits) or a valid RF reference over a valid case
//!    number: confidence [`Confidence::High`];
//! 2. the free text: a case number (`KW` + 10 digits) or a valid 16-digit
//!    betalingskenmerk, also written with spaces, dots or dashes inside:
//!    [`Confidence::Medium`]; two different open cases named is ambiguous
//!    and goes to a person;
//! 3. the counterparty IBAN, when it is the debtor IBAN of exactly one open
//!    case: [`Confidence::Low`]; of several, unmatched.
//!
//! A reference that fails its check digits is never trusted, and never
//! causes a refusal: the line simply goes on to the next rule and, in the
//! end, to the unmatched queue with the reason.

use kwijting_domain::{
    Betalingskenmerk, CaseId, CaseNumber, ClaimId, CreditorReference, Iban, Money,
};

/// Free-text lines read from one credit; more are ignored.
pub const REMITTANCE_LINES_MAX: usize = 64;
/// Characters read from one line or reference; more are ignored.
pub const REMITTANCE_TEXT_LEN_MAX: usize = 1_000;
/// Distinct cases noted from one free text; more are ignored.
pub const TEXT_CANDIDATES_MAX: usize = 16;
/// The length of the betalingskenmerk Kwijting issues.
const KENMERK_DIGITS: usize = 16;
/// The digits of a case number after `KW`.
const CASE_NUMBER_DIGITS: usize = 10;

/// A structured creditor reference as the statement gives it
/// (`RmtInf/Strd/CdtrRefInf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructuredReference {
    /// `Tp/Issr` as given: `CUR` for a betalingskenmerk, `ISO` for RF.
    /// Informative only: both forms are tried whatever it says.
    pub issuer: Option<String>,
    pub text: String,
}

/// The parts of a credit entry that matching looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditLine {
    pub amount: Money,
    pub structured: Option<StructuredReference>,
    /// `RmtInf/Ustrd` lines or the MT940 `:86:` remittance text.
    pub unstructured: Vec<String>,
    /// The payer's account as given; may be invalid.
    pub counterparty_iban: Option<String>,
}

/// What matching needs to know about cases.
pub trait CaseLookup {
    /// Whether case `id` exists (`Some`) and is open (`Some(true)`).
    fn case_open(&self, id: CaseId) -> Option<bool>;
    /// The open cases whose debtor is known to pay from `iban`.
    fn open_cases_of_debtor_iban(&self, iban: &Iban) -> Vec<CaseId>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// The rule that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchRule {
    StructuredKenmerk,
    StructuredRf,
    TextCaseNumber,
    TextKenmerk,
    DebtorIban,
}

impl MatchRule {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchRule::StructuredKenmerk => "structured-kenmerk",
            MatchRule::StructuredRf => "structured-rf",
            MatchRule::TextCaseNumber => "text-case-number",
            MatchRule::TextKenmerk => "text-kenmerk",
            MatchRule::DebtorIban => "debtor-iban",
        }
    }

    pub fn confidence(self) -> Confidence {
        match self {
            MatchRule::StructuredKenmerk | MatchRule::StructuredRf => Confidence::High,
            MatchRule::TextCaseNumber | MatchRule::TextKenmerk => Confidence::Medium,
            MatchRule::DebtorIban => Confidence::Low,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchOutcome {
    Matched {
        case: CaseId,
        confidence: Confidence,
        rule: MatchRule,
        /// Why, for the record and the person reviewing.
        reason: String,
    },
    /// For the unmatched queue, with why no rule matched.
    Unmatched { reason: String },
}

/// Matches a credit to a case; see the module documentation for the order.
pub fn match_credit(input: &CreditLine, lookup: &dyn CaseLookup) -> MatchOutcome {
    let mut notes: Vec<String> = Vec::new();

    // 1. The structured reference.
    if let Some(s) = &input.structured {
        let text = clip(&s.text);
        let issuer = s.issuer.as_deref().map_or("none".to_owned(), clip);
        match structured_case(&text) {
            Some((id, rule, shown)) => match lookup.case_open(id) {
                Some(true) => {
                    return matched(
                        id,
                        rule,
                        format!("structured reference {shown} (issuer {issuer}) names case {id}"),
                    );
                }
                Some(false) => notes.push(format!(
                    "structured reference {shown} names case {id}, which is closed"
                )),
                None => notes.push(format!(
                    "structured reference {shown} names case {id}, which is not known"
                )),
            },
            None => notes.push(format!(
                "structured reference '{text}' (issuer {issuer}) is not a valid betalingskenmerk \
                 or RF reference over a case number; not trusted"
            )),
        }
    }

    // 2. The free text.
    let found = text_candidates(&input.unstructured);
    let mut open: Vec<(CaseId, MatchRule, String)> = Vec::new();
    for (id, rule, shown) in found {
        match lookup.case_open(id) {
            Some(true) => {
                if !open.iter().any(|(o, _, _)| *o == id) {
                    open.push((id, rule, shown));
                }
            }
            Some(false) => notes.push(format!("free text names {shown}: case {id} is closed")),
            None => notes.push(format!("free text names {shown}: case {id} is not known")),
        }
    }
    match open.as_slice() {
        [(id, rule, shown)] => {
            return matched(*id, *rule, format!("free text names {shown} (case {id})"));
        }
        [] => {}
        several => {
            let ids: Vec<String> = several.iter().map(|(id, _, _)| id.to_string()).collect();
            return MatchOutcome::Unmatched {
                reason: format!(
                    "free text names {} open cases ({}); a person must choose",
                    several.len(),
                    ids.join(", ")
                ),
            };
        }
    }

    // 3. The counterparty IBAN.
    if let Some(raw) = &input.counterparty_iban {
        match Iban::parse(&clip(raw)) {
            Ok(iban) => {
                let mut cases = lookup.open_cases_of_debtor_iban(&iban);
                cases.sort();
                cases.dedup();
                match cases.as_slice() {
                    [id] => {
                        return matched(
                            *id,
                            MatchRule::DebtorIban,
                            format!(
                                "counterparty IBAN {} is the debtor IBAN of open case {id}",
                                iban.as_str()
                            ),
                        );
                    }
                    [] => notes.push(format!(
                        "counterparty IBAN {} belongs to no open case",
                        iban.as_str()
                    )),
                    several => {
                        return MatchOutcome::Unmatched {
                            reason: format!("IBAN belongs to {} open cases", several.len()),
                        };
                    }
                }
            }
            Err(_) => notes.push(format!(
                "counterparty IBAN '{}' is not valid; not used",
                clip(raw)
            )),
        }
    }

    let mut reason = "no structured reference, case number or known debtor IBAN".to_owned();
    if !notes.is_empty() {
        reason.push_str(": ");
        reason.push_str(&notes.join("; "));
    }
    MatchOutcome::Unmatched { reason }
}

/// The fewest characters an invoice number has, spaces and dashes left out,
/// to be looked for in a remittance: a shorter one ("1", "12") in free text
/// is more likely an instalment count or a day than an invoice.
pub const INVOICE_NUMBER_LEN_MIN: usize = 3;
/// The most remittance words one invoice number is looked for across
/// ("INV 2024 001"): an invoice number written with spaces inside.
const INVOICE_WORDS_MAX: usize = 4;

/// The claim a payment's remittance designates (art. 6:43(1) BW: a payment
/// the debtor designates to a claim goes to that claim first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Designation {
    pub claim: ClaimId,
    /// The invoice number as the claim has it.
    pub invoice_number: String,
}

/// The one definition of which claim a credit designates: the claim whose
/// invoice number the structured reference or the free text names as a
/// whole word (or a run of words: "INV 2024 001"), compared without case,
/// spaces and dashes. `claims` are the matched case's claims with their
/// invoice numbers. Two different claims named is no designation (the
/// debtor's intent is unclear, so art. 6:43(2) BW applies); an invoice
/// number shorter than [`INVOICE_NUMBER_LEN_MIN`] is never looked for.
///
/// A word is what lies between white space and `:` `;` `#` `(` `)` `[`
/// `]` `"`, with a full stop or comma at its end left off; a comma or dot
/// inside a word stays, so the amount "1001,50" never names invoice 1001.
pub fn designated_claim<'a>(
    line: &CreditLine,
    claims: impl IntoIterator<Item = (ClaimId, &'a str)>,
) -> Option<Designation> {
    let wanted: Vec<(ClaimId, String, &str)> = claims
        .into_iter()
        .map(|(id, number)| (id, invoice_key(number), number))
        .filter(|(_, key, _)| key.chars().count() >= INVOICE_NUMBER_LEN_MIN)
        .collect();
    if wanted.is_empty() {
        return None;
    }
    let texts = line.structured.iter().map(|s| clip(&s.text)).chain(
        line.unstructured
            .iter()
            .take(REMITTANCE_LINES_MAX)
            .map(|l| clip(l)),
    );
    let mut named: Option<&(ClaimId, String, &str)> = None;
    for text in texts {
        let words: Vec<String> = text
            .split(|c: char| {
                c.is_whitespace() || matches!(c, ':' | ';' | '#' | '(' | ')' | '[' | ']' | '"')
            })
            .map(|w| w.trim_end_matches(['.', ',']))
            .map(invoice_key)
            .filter(|w| !w.is_empty())
            .collect();
        for start in 0..words.len() {
            let mut run = String::new();
            for word in words.iter().skip(start).take(INVOICE_WORDS_MAX) {
                run.push_str(word);
                for w in wanted.iter().filter(|(_, key, _)| *key == run) {
                    match named {
                        Some((other, _, _)) if *other != w.0 => return None,
                        _ => named = Some(w),
                    }
                }
            }
        }
    }
    named.map(|(claim, _, number)| Designation {
        claim: *claim,
        invoice_number: (*number).to_owned(),
    })
}

/// An invoice number or remittance word as compared: upper case, without
/// spaces and dashes.
fn invoice_key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}'..='\u{2015}'))
        .flat_map(char::to_uppercase)
        .collect()
}

fn matched(case: CaseId, rule: MatchRule, reason: String) -> MatchOutcome {
    MatchOutcome::Matched {
        case,
        confidence: rule.confidence(),
        rule,
        reason,
    }
}

fn clip(s: &str) -> String {
    s.chars().take(REMITTANCE_TEXT_LEN_MAX).collect()
}

/// The case named by a 16-digit betalingskenmerk: its last 15 digits.
fn kenmerk_case(k: &Betalingskenmerk) -> Option<CaseId> {
    let s = k.as_str();
    if s.len() != KENMERK_DIGITS {
        return None;
    }
    s[1..].parse::<i64>().ok().map(CaseId)
}

fn structured_case(text: &str) -> Option<(CaseId, MatchRule, String)> {
    if let Ok(k) = Betalingskenmerk::parse(text)
        && let Some(id) = kenmerk_case(&k)
    {
        return Some((id, MatchRule::StructuredKenmerk, k.as_str().to_owned()));
    }
    let rf = CreditorReference::parse(text).ok()?;
    let n = CaseNumber::parse(rf.as_str().get(4..)?).ok()?;
    Some((n.case_id(), MatchRule::StructuredRf, rf.as_str().to_owned()))
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-')
}

/// Maximal digit runs of `text` and whether each is joined to the one
/// before by separators only (spaces, dots, dashes).
fn digit_groups(text: &str) -> Vec<(String, bool, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut groups: Vec<(String, bool, usize)> = Vec::new();
    let mut i = 0;
    let mut joined = false;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            let mut g = String::new();
            while i < chars.len() && chars[i].is_ascii_digit() {
                g.push(chars[i]);
                i += 1;
            }
            groups.push((g, joined, start));
            // Joined to the next group if only separators lie between.
            let mut j = i;
            while j < chars.len() && is_separator(chars[j]) {
                j += 1;
            }
            joined = j < chars.len() && chars[j].is_ascii_digit();
            i = j;
        } else {
            joined = false;
            i += 1;
        }
    }
    groups
}

/// Cases named in the free text, in order found, without repeats.
fn text_candidates(lines: &[String]) -> Vec<(CaseId, MatchRule, String)> {
    let lines: Vec<String> = lines
        .iter()
        .take(REMITTANCE_LINES_MAX)
        .map(|l| clip(l))
        .collect();
    // Each line alone, then all lines joined without a break: MT940 and
    // some banks wrap the text in the middle of a reference.
    let mut texts: Vec<String> = lines.clone();
    if lines.len() > 1 {
        texts.push(lines.concat());
    }
    let mut out: Vec<(CaseId, MatchRule, String)> = Vec::new();
    let mut push = |id: CaseId, rule: MatchRule, shown: String| {
        if out.len() < TEXT_CANDIDATES_MAX && !out.iter().any(|(o, _, _)| *o == id) {
            out.push((id, rule, shown));
        }
    };
    for text in &texts {
        let upper = text.to_ascii_uppercase();
        let groups = digit_groups(&upper);
        // Case numbers: KW, optional separators, groups adding up to ten
        // digits exactly.
        let chars: Vec<char> = upper.chars().collect();
        for (gi, (_, _, start)) in groups.iter().enumerate() {
            let mut k = *start;
            while k > 0 && is_separator(chars[k - 1]) {
                k -= 1;
            }
            let after_kw = k >= 2 && chars[k - 2] == 'K' && chars[k - 1] == 'W';
            let chain_start = gi == 0 || !groups[gi].1;
            if !(after_kw && chain_start) {
                continue;
            }
            if let Some(digits) = join_groups(&groups[gi..], CASE_NUMBER_DIGITS)
                && let Ok(n) = CaseNumber::parse(&format!("KW{digits}"))
            {
                push(
                    n.case_id(),
                    MatchRule::TextCaseNumber,
                    n.as_str().to_owned(),
                );
            }
        }
        // Betalingskenmerken: any run of joined groups of 16 digits that
        // starts a group.
        for gi in 0..groups.len() {
            if let Some(digits) = join_groups(&groups[gi..], KENMERK_DIGITS)
                && let Ok(k) = Betalingskenmerk::parse(&digits)
                && let Some(id) = kenmerk_case(&k)
            {
                push(
                    id,
                    MatchRule::TextKenmerk,
                    format!("betalingskenmerk {}", k.as_str()),
                );
            }
        }
    }
    out
}

/// The digits of `groups[0]` and the groups joined to it, when they add up
/// to exactly `len` digits at a group boundary.
fn join_groups(groups: &[(String, bool, usize)], len: usize) -> Option<String> {
    let mut digits = String::new();
    for (i, (g, joined, _)) in groups.iter().enumerate() {
        if i > 0 && !joined {
            return None;
        }
        digits.push_str(g);
        if digits.len() == len {
            return Some(digits);
        }
        if digits.len() > len {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Cases {
        open: HashMap<CaseId, bool>,
        by_iban: HashMap<Iban, Vec<CaseId>>,
    }

    impl CaseLookup for Cases {
        fn case_open(&self, id: CaseId) -> Option<bool> {
            self.open.get(&id).copied()
        }
        fn open_cases_of_debtor_iban(&self, iban: &Iban) -> Vec<CaseId> {
            self.by_iban.get(iban).cloned().unwrap_or_default()
        }
    }

    fn iban(n: u64) -> Iban {
        Iban::dutch("INGB", n).unwrap()
    }

    fn cases() -> Cases {
        // Open: 17, 42, 123456789, 987654321987654 (kenmerk only). Closed: 5.
        let open = HashMap::from([
            (CaseId(17), true),
            (CaseId(42), true),
            (CaseId(123_456_789), true),
            (CaseId(987_654_321_987_654), true),
            (CaseId(5), false),
        ]);
        let by_iban = HashMap::from([
            (iban(1), vec![CaseId(42)]),
            (iban(2), vec![CaseId(17), CaseId(42)]),
        ]);
        Cases { open, by_iban }
    }

    fn kenmerk(id: u64) -> String {
        Betalingskenmerk::generate16(id)
            .unwrap()
            .as_str()
            .to_owned()
    }

    fn case_number(id: i64) -> String {
        CaseNumber::for_case(CaseId(id))
            .unwrap()
            .as_str()
            .to_owned()
    }

    /// Which claim a remittance designates among claims 1 (`INV-2024-001`),
    /// 2 (`INV-2024-002`) and 3 (`1001`): `check(structured, lines, claim)`.
    fn check_designation(structured: Option<&str>, lines: &[&str], expected: Option<i64>) {
        let line = CreditLine {
            amount: Money::from_cents(100),
            structured: structured.map(|t| StructuredReference {
                issuer: None,
                text: t.to_owned(),
            }),
            unstructured: lines.iter().map(|l| (*l).to_owned()).collect(),
            counterparty_iban: None,
        };
        let claims = [
            (ClaimId(1), "INV-2024-001"),
            (ClaimId(2), "INV-2024-002"),
            (ClaimId(3), "1001"),
            (ClaimId(4), "7"),
        ];
        let got = designated_claim(&line, claims).map(|d| d.claim.0);
        assert_eq!(got, expected, "{structured:?} {lines:?}");
    }

    #[test]
    fn a_remittance_designates_the_invoice_it_names_as_a_whole_word() {
        check_designation(None, &["Factuur INV-2024-002"], Some(2));
        check_designation(None, &["factuur inv-2024-002."], Some(2));
        check_designation(None, &["factuur: INV 2024 002, dank"], Some(2));
        check_designation(None, &["factuur INV2024002"], Some(2));
        check_designation(Some("INV-2024-001"), &[], Some(1));
        check_designation(None, &["inv-2024-001 en nogmaals INV 2024 001"], Some(1));
        check_designation(None, &["nr 1001"], Some(3));
        // Not a whole word, an amount, too short, or two invoices: none.
        check_designation(None, &["XINV-2024-002"], None);
        check_designation(None, &["INV-2024-0021"], None);
        check_designation(None, &["EUR 1001,50"], None);
        check_designation(None, &["termijn 7 van 12"], None);
        check_designation(None, &["INV-2024-001 en INV-2024-002"], None);
        check_designation(None, &["INV-2024-001", "INV-2024-002"], None);
        check_designation(None, &["KW0000000017"], None);
        check_designation(None, &[], None);
    }

    fn rf(id: i64) -> String {
        CreditorReference::generate(&case_number(id))
            .unwrap()
            .as_str()
            .to_owned()
    }

    fn line(
        structured: Option<(&str, &str)>,
        text: &[&str],
        counterparty: Option<&str>,
    ) -> CreditLine {
        CreditLine {
            amount: Money::from_cents(12_50),
            structured: structured.map(|(issuer, text)| StructuredReference {
                issuer: Some(issuer.to_owned()),
                text: text.to_owned(),
            }),
            unstructured: text.iter().map(|s| (*s).to_owned()).collect(),
            counterparty_iban: counterparty.map(str::to_owned),
        }
    }

    fn render(o: &MatchOutcome) -> String {
        match o {
            MatchOutcome::Matched {
                case,
                confidence,
                rule,
                ..
            } => format!("{} {} {}", confidence.as_str(), case, rule.as_str()),
            MatchOutcome::Unmatched { reason } => format!("unmatched: {reason}"),
        }
    }

    /// `expected` is `"<confidence> <case> <rule>"` exactly, or
    /// `"unmatched: "` and the start of the reason, or a part of it after
    /// `"unmatched: ...": "`.
    fn check(input: CreditLine, expected: &str) {
        let got = render(&match_credit(&input, &cases()));
        let ok = match expected.strip_prefix("unmatched: ...") {
            Some(part) => got.starts_with("unmatched: ") && got.contains(part),
            None => {
                got.starts_with(expected) && (expected.starts_with("unmatched") || got == expected)
            }
        };
        assert!(ok, "input {input:?}\n got: {got}\nwant: {expected}");
    }

    #[test]
    fn structured_references_first() {
        let k17 = kenmerk(17);
        check(
            line(Some(("CUR", &k17)), &[], None),
            "high 17 structured-kenmerk",
        );
        // The structured reference wins over the text and the IBAN.
        let text = format!("betreft {}", case_number(42));
        check(
            line(Some(("CUR", &k17)), &[&text], Some(iban(1).as_str())),
            "high 17 structured-kenmerk",
        );
        check(
            line(Some(("ISO", &rf(17))), &[], None),
            "high 17 structured-rf",
        );
        // The issuer is informative: both forms are tried.
        check(
            line(Some(("ISO", &k17)), &[], None),
            "high 17 structured-kenmerk",
        );
        check(
            line(Some(("CUR", &kenmerk(987_654_321_987_654))), &[], None),
            "high 987654321987654 structured-kenmerk",
        );
    }

    #[test]
    fn invalid_references_are_never_trusted() {
        // A wrong check digit in the kenmerk: falls through to the text.
        let mut bad = kenmerk(17).into_bytes();
        bad[0] = if bad[0] == b'9' { b'1' } else { bad[0] + 1 };
        let bad = String::from_utf8(bad).unwrap();
        check(
            line(Some(("CUR", &bad)), &[], None),
            "unmatched: ...not trusted",
        );
        let text = format!("zie {}", case_number(42));
        check(
            line(Some(("CUR", &bad)), &[&text], None),
            "medium 42 text-case-number",
        );
        // The example of an invalid kenmerk and an invalid RF from sepa.md.
        check(
            line(Some(("CUR", "4420043232693268")), &[], None),
            "unmatched: ...not trusted",
        );
        check(
            line(Some(("ISO", "RF17539007547034")), &[], None),
            "unmatched: ...not trusted",
        );
        // A valid RF that is not over a case number.
        check(
            line(Some(("ISO", "RF18539007547034")), &[], None),
            "unmatched: ...not trusted",
        );
        // A case number with a wrong check digit in the text.
        let mut n = case_number(17);
        let last = n.pop().unwrap();
        n.push(if last == '9' {
            '0'
        } else {
            char::from(last as u8 + 1)
        });
        check(
            line(None, &[&n], None),
            "unmatched: no structured reference",
        );
        // An invalid IBAN is noted, not refused.
        check(
            line(None, &[], Some("NL00INGB0000000001")),
            "unmatched: ...is not valid; not used",
        );
    }

    #[test]
    fn free_text() {
        let n = case_number(123_456_789);
        check(line(None, &[&n], None), "medium 123456789 text-case-number");
        check(
            line(
                None,
                &[&format!("factuur 2024-77 dossier {}", n.to_lowercase())],
                None,
            ),
            "medium 123456789 text-case-number",
        );
        // Spaces and dots inside the case number.
        let spaced = format!("KW {} {}.{}", &n[2..5], &n[5..8], &n[8..]);
        check(
            line(None, &[&spaced], None),
            "medium 123456789 text-case-number",
        );
        // The kenmerk with spaces after BETALINGSKENM., as banks print it.
        let k = kenmerk(42);
        let grouped = format!(
            "BETALINGSKENM. {} {} {} {}",
            &k[..4],
            &k[4..8],
            &k[8..12],
            &k[12..]
        );
        check(line(None, &[&grouped], None), "medium 42 text-kenmerk");
        check(
            line(None, &[&format!("ISSUER: CUR REF: {k} EUR 12.50")], None),
            "medium 42 text-kenmerk",
        );
        // Wrapped over two lines in the middle of the reference.
        check(
            line(None, &[&format!("/REMI/{}", &n[..6]), &n[6..]], None),
            "medium 123456789 text-case-number",
        );
        // An RF reference in the text names the case number inside it.
        check(line(None, &[&rf(17)], None), "medium 17 text-case-number");
        // Too many digits run into the number: not a case number.
        check(
            line(None, &[&format!("{n}9")], None),
            "unmatched: no structured",
        );
        // Two open cases named: a person chooses.
        check(
            line(
                None,
                &[&format!("{} en {}", case_number(17), case_number(42))],
                None,
            ),
            "unmatched: free text names 2 open cases (17, 42)",
        );
        // The same case twice is one case.
        check(
            line(
                None,
                &[&format!("{} {}", case_number(17), kenmerk(17))],
                None,
            ),
            "medium 17 text-case-number",
        );
    }

    #[test]
    fn closed_and_unknown_cases_fall_through() {
        check(
            line(Some(("CUR", &kenmerk(5))), &[], None),
            "unmatched: ...names case 5, which is closed",
        );
        check(
            line(Some(("CUR", &kenmerk(99))), &[], Some(iban(1).as_str())),
            "low 42 debtor-iban",
        );
        check(
            line(None, &[&case_number(5)], None),
            "unmatched: ...case 5 is closed",
        );
    }

    #[test]
    fn debtor_iban_last() {
        check(
            line(None, &["bedankt"], Some(iban(1).as_str())),
            "low 42 debtor-iban",
        );
        // Spaced and lower case as typed.
        let typed = iban(1).as_str().to_lowercase();
        check(line(None, &[], Some(&typed)), "low 42 debtor-iban");
        check(
            line(None, &[], Some(iban(2).as_str())),
            "unmatched: IBAN belongs to 2 open cases",
        );
        check(
            line(None, &[], Some(iban(3).as_str())),
            "unmatched: ...belongs to no open case",
        );
        check(line(None, &[], None), "unmatched: no structured reference");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        struct Every;

        impl CaseLookup for Every {
            fn case_open(&self, _: CaseId) -> Option<bool> {
                Some(true)
            }
            fn open_cases_of_debtor_iban(&self, _: &Iban) -> Vec<CaseId> {
                Vec::new()
            }
        }

        proptest! {
            #[test]
            fn any_input_gives_an_outcome(
                structured in proptest::option::of(("[A-Z]{0,4}", "\\PC{0,40}")),
                text in proptest::collection::vec("\\PC{0,80}", 0..4),
                iban in proptest::option::of("[A-Z0-9 ]{0,34}"),
            ) {
                let input = CreditLine {
                    amount: Money::from_cents(1),
                    structured: structured.map(|(issuer, text)| StructuredReference { issuer: Some(issuer), text }),
                    unstructured: text,
                    counterparty_iban: iban,
                };
                // Never panics; a match always carries a reason.
                match match_credit(&input, &cases()) {
                    MatchOutcome::Matched { reason, .. } | MatchOutcome::Unmatched { reason } => {
                        prop_assert!(!reason.is_empty());
                    }
                }
            }

            #[test]
            fn a_reference_in_noise_is_found(
                id in 0i64..1_000_000_000,
                before in "[a-z/: ]{0,20}",
                after in "[a-z/: ]{0,20}",
                use_kenmerk in any::<bool>(),
                spaced in any::<bool>(),
            ) {
                let reference = if use_kenmerk {
                    kenmerk(u64::try_from(id).unwrap())
                } else {
                    case_number(id)
                };
                let reference = if spaced {
                    let (head, tail) = reference.split_at(4);
                    format!("{head} {tail}")
                } else {
                    reference
                };
                let text = format!("{before} {reference} {after}");
                let got = match_credit(&line(None, &[&text], None), &Every);
                let rule = if use_kenmerk { MatchRule::TextKenmerk } else { MatchRule::TextCaseNumber };
                prop_assert!(
                    matches!(&got, MatchOutcome::Matched { case, rule: r, .. } if *case == CaseId(id) && *r == rule),
                    "{text}: {got:?}"
                );
            }
        }
    }

    #[test]
    fn limits_hold_on_hostile_text() {
        let long = "KW1".repeat(10_000);
        let lines: Vec<&str> = std::iter::repeat_n(long.as_str(), 1_000).collect();
        check(
            line(None, &lines, None),
            "unmatched: no structured reference",
        );
    }
}
