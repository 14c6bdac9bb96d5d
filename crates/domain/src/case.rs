//! Cases and their lifecycle. A case groups one client's claims against one
//! debtor (with co-liable parties) and moves from intake to closed.

use std::fmt;

use crate::ids::CaseId;

/// The agency's case number as printed on letters: `KW` and ten digits, the
/// last of which is a mod-11 check digit over the case id so that a typo in a
/// bank transfer's free text rarely matches another case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseNumberError {
    #[error("'{0}' is not a case number (expected KW and ten digits, e.g. KW0000000017)")]
    Shape(String),
    #[error("'{0}' has a wrong check digit")]
    Checksum(String),
    #[error("case id {0} is out of range for a case number")]
    OutOfRange(i64),
}

fn case_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * (i as u32 % 8 + 2))
        .sum();
    ((11 - sum % 11) % 11 % 10) as u8
}

impl CaseNumber {
    pub fn for_case(id: CaseId) -> Result<CaseNumber, CaseNumberError> {
        if !(0..1_000_000_000).contains(&id.0) {
            return Err(CaseNumberError::OutOfRange(id.0));
        }
        let body = format!("{:09}", id.0);
        let check = case_check_digit(body.as_bytes());
        Ok(CaseNumber(format!("KW{body}{check}")))
    }

    pub fn parse(input: &str) -> Result<CaseNumber, CaseNumberError> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() != 12 || !s.starts_with("KW") || !b[2..].iter().all(u8::is_ascii_digit) {
            return Err(CaseNumberError::Shape(input.to_owned()));
        }
        if b[11] - b'0' != case_check_digit(&b[2..11]) {
            return Err(CaseNumberError::Checksum(input.to_owned()));
        }
        Ok(CaseNumber(s))
    }

    /// The case id this number was made from.
    pub fn case_id(&self) -> CaseId {
        let n = self.0.as_bytes()[2..11]
            .iter()
            .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'));
        CaseId(n)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether the debtor acts as a consumer or in a profession or business. It
/// decides the 14-dagenbrief (statutory 14-day letter), the BIK regime and
/// statutory against commercial interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DebtorType {
    Consumer,
    Business,
}

impl DebtorType {
    pub fn as_str(self) -> &'static str {
        match self {
            DebtorType::Consumer => "consumer",
            DebtorType::Business => "business",
        }
    }

    pub fn parse(s: &str) -> Option<DebtorType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "consumer" | "particulier" | "c" => Some(DebtorType::Consumer),
            "business" | "zakelijk" | "b" => Some(DebtorType::Business),
            _ => None,
        }
    }
}

/// Why a case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClosureReason {
    /// Everything owed was paid (kwijting).
    Paid,
    /// The client took the case back.
    Withdrawn,
    /// Judged unrecoverable and written off.
    WrittenOff,
    /// Handed over to another agency (abroad, R6) or back to the client.
    HandedOver,
}

impl ClosureReason {
    pub const ALL: [ClosureReason; 4] = [
        ClosureReason::Paid,
        ClosureReason::Withdrawn,
        ClosureReason::WrittenOff,
        ClosureReason::HandedOver,
    ];
}

/// Where a case stands. Holds (dispute, debt relief, GDPR restriction, ...)
/// are separate facts that pause a case in any open state; they are not
/// states themselves, because several can apply at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStatus {
    /// Received from the client, not yet checked.
    Intake,
    /// Amicable collection: letters, contacts, arrangements.
    Active,
    /// Legal collection: summons, judgment, enforcement.
    Legal,
    Closed(ClosureReason),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a case cannot go from {from} to {to}")]
pub struct TransitionError {
    pub from: CaseStatus,
    pub to: CaseStatus,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 7] = [
        CaseStatus::Intake,
        CaseStatus::Active,
        CaseStatus::Legal,
        CaseStatus::Closed(ClosureReason::Paid),
        CaseStatus::Closed(ClosureReason::Withdrawn),
        CaseStatus::Closed(ClosureReason::WrittenOff),
        CaseStatus::Closed(ClosureReason::HandedOver),
    ];

    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Closed(_))
    }

    /// Whether the move is allowed. The one way back from closed is a paid
    /// case reopened because a payment that closed it was reversed (a SEPA
    /// refund or a bounced transfer); anything else closed stays closed.
    pub fn can_become(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        use ClosureReason::*;
        match (self, to) {
            (Intake, Active) => true,
            (Intake, Closed(Withdrawn | Paid | HandedOver)) => true,
            (Active, Legal) => true,
            (Active, Closed(_)) => true,
            // A payment arrangement agreed during proceedings takes the case
            // back to amicable collection.
            (Legal, Active) => true,
            (Legal, Closed(_)) => true,
            (Closed(Paid), Active) => true,
            _ => false,
        }
    }

    pub fn transition(self, to: CaseStatus) -> Result<CaseStatus, TransitionError> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }

    /// Storage and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Intake => "intake",
            CaseStatus::Active => "active",
            CaseStatus::Legal => "legal",
            CaseStatus::Closed(ClosureReason::Paid) => "closed_paid",
            CaseStatus::Closed(ClosureReason::Withdrawn) => "closed_withdrawn",
            CaseStatus::Closed(ClosureReason::WrittenOff) => "closed_written_off",
            CaseStatus::Closed(ClosureReason::HandedOver) => "closed_handed_over",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_round_trip_and_check() {
        let n = CaseNumber::for_case(CaseId(17)).unwrap();
        assert_eq!(n.as_str().len(), 12);
        assert_eq!(CaseNumber::parse(n.as_str()).unwrap(), n);
        assert_eq!(n.case_id(), CaseId(17));
        let mut typo = n.as_str().to_owned();
        typo.replace_range(10..11, "9");
        assert!(CaseNumber::parse(&typo).is_err());
        assert!(CaseNumber::for_case(CaseId(-1)).is_err());
        assert!(CaseNumber::parse("KW12").is_err());
    }

    #[test]
    fn allowed_transitions() {
        use CaseStatus::*;
        use ClosureReason::*;
        let allowed = [
            (Intake, Active),
            (Intake, Closed(Withdrawn)),
            (Intake, Closed(Paid)),
            (Intake, Closed(HandedOver)),
            (Active, Legal),
            (Active, Closed(Paid)),
            (Active, Closed(Withdrawn)),
            (Active, Closed(WrittenOff)),
            (Active, Closed(HandedOver)),
            (Legal, Active),
            (Legal, Closed(Paid)),
            (Legal, Closed(Withdrawn)),
            (Legal, Closed(WrittenOff)),
            (Legal, Closed(HandedOver)),
            (Closed(Paid), Active),
        ];
        for (from, to) in allowed {
            assert_eq!(from.transition(to), Ok(to), "{from} -> {to}");
        }
        // Every other pair is refused: the negative space, tried in full.
        let mut refused = 0;
        for from in CaseStatus::ALL {
            for to in CaseStatus::ALL {
                if allowed.contains(&(from, to)) {
                    continue;
                }
                assert_eq!(
                    from.transition(to),
                    Err(TransitionError { from, to }),
                    "{from} -> {to} must be refused"
                );
                refused += 1;
            }
        }
        assert_eq!(refused, 49 - allowed.len());
    }

    #[test]
    fn status_spelling_round_trips() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
    }
}
