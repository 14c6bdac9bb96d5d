//! The input of a decision: what the lead's daily run reads from the database
//! for one case. Plain `Copy` fields, an enum wherever a value is one of a
//! few, no strings, so that filling it costs no allocation.

use kwijting_domain::{Date, DebtorType, Money};

/// Everything [`crate::decide`] needs to know about one case.
///
/// Dates are civil dates (Europe/Amsterdam); the decision's own date
/// (`as_of`) is an argument of `decide`, never read from a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    pub debtor_type: DebtorType,
    /// The principal (hoofdsom) of the case's claims together.
    pub principal: Money,
    /// Everything still owed today: principal, interest and costs, less
    /// payments. Zero or less means nothing is owed.
    pub balance: Money,
    /// The due date of the oldest unpaid claim; `days_past_due` counts from
    /// the day after it.
    pub due_on: Date,
    /// The day the agency received the case: the first step's waiting period
    /// counts from it.
    pub received_on: Date,
    /// Steps taken on the case so far (by any strategy, or by hand).
    pub steps_done: u16,
    /// The last step of *this* strategy version that was carried out. The
    /// lead stores the step id; [`crate::Strategy::index_of`] maps it to the
    /// index when a case moves to another version.
    pub last_step: Option<StepDone>,
    /// When a 14-day letter (art. 6:96(6) BW) was sent, by the agency or
    /// earlier by the client. `None`: no valid letter was sent.
    pub fourteen_day_letter_sent_on: Option<Date>,
    pub score_band: ScoreBand,
    pub address: AddressStatus,
    pub phone_known: bool,
    pub email_known: bool,
    pub arrangement: ArrangementState,
    pub dispute: DisputeState,
    /// The day of a judgment (vonnis) on the claim, if there is one. A
    /// bailiff can only be instructed on a judgment.
    pub judgment_on: Option<Date>,
    /// The last day on which the claim is not time-barred, from
    /// [`crate::limitation_last_day`] (the law crate's limitation rules,
    /// art. 3:307-3:319 BW and 7:28 BW).
    pub limitation_last_day: Date,
    /// Holds recorded on the case (a dispute, an open arrangement and an
    /// expired limitation are also derived from the fields above).
    pub holds: HoldSet,
}

/// A step of the strategy that was carried out: its index in the strategy's
/// list (0 = the first step) and the day it was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepDone {
    pub index: u16,
    pub on: Date,
}

macro_rules! names {
    (
        $(#[$doc:meta])*
        $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $(#[$vdoc])* $variant ),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The spelling in strategy files and in a decision's variables.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text ),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// The position in [`Self::ALL`], for bit masks.
            #[allow(dead_code)]
            pub(crate) fn code(self) -> u8 {
                self as u8
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use names;

names! {
    /// The credit-score band of the debtor from the scoring model (R12): how
    /// recoverable the claim looks, A best to E worst.
    ScoreBand {
        A = "A",
        B = "B",
        C = "C",
        D = "D",
        E = "E",
        /// No score yet (no credit check done).
        Unknown = "unknown",
    }
}

names! {
    /// What is known about the debtor's address (R5).
    AddressStatus {
        /// Confirmed by the address provider.
        Verified = "verified",
        /// As delivered by the client, not yet checked.
        Unverified = "unverified",
        /// No usable address (returned post, no address).
        Unknown = "unknown",
        /// The debtor lives abroad (R6).
        Abroad = "abroad",
    }
}

names! {
    /// A payment arrangement (betalingsregeling).
    ArrangementState {
        None = "none",
        /// Agreed and kept: collection pauses.
        Active = "active",
        /// Agreed but not kept: collection resumes.
        Broken = "broken",
    }
}

names! {
    /// A dispute of the claim by the debtor.
    DisputeState {
        None = "none",
        /// Open: collection is held until it is resolved.
        Open = "open",
        /// Resolved in favour of the claim: collection may resume.
        Resolved = "resolved",
    }
}

names! {
    /// Why collection stops or pauses. A strategy never overrides a hold.
    Hold {
        /// The debtor disputes the claim; until it is resolved.
        Dispute = "dispute",
        /// Municipal debt assistance (schuldhulpverlening).
        DebtCounselling = "debt_counselling",
        /// Statutory debt relief (Wsnp): collection stops.
        Wsnp = "wsnp",
        /// GDPR art. 18: processing restricted.
        GdprRestriction = "gdpr_restriction",
        /// GDPR art. 21: an objection is being assessed.
        PendingObjection = "pending_objection",
        Deceased = "deceased",
        /// The claim is time-barred: it is not pursued.
        LimitationExpired = "limitation_expired",
        /// A payment arrangement is being kept: collection pauses.
        ActiveArrangement = "active_arrangement",
        /// The client asked to stop for now.
        ClientHold = "client_hold",
        /// The person concerned asked for a human to look again (GDPR art. 22).
        HumanReviewRequested = "human_review_requested",
        /// GDPR art. 21(1): an objection to collection was accepted (no
        /// compelling grounds): collection stops.
        ObjectionAccepted = "objection_accepted",
    }
}

impl Hold {
    /// Whether the hold pauses collection (it may resume when the hold
    /// ends) rather than ending it.
    pub fn is_pause(self) -> bool {
        !matches!(
            self,
            Hold::Wsnp | Hold::Deceased | Hold::LimitationExpired | Hold::ObjectionAccepted
        )
    }
}

/// A set of holds as a bit set. The bit of each hold is its position in
/// [`Hold::ALL`] and never changes between releases, so the lead may store
/// [`HoldSet::bits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HoldSet(u16);

impl HoldSet {
    pub const EMPTY: HoldSet = HoldSet(0);

    /// From stored bits; bits that name no hold are refused.
    pub fn from_bits(bits: u16) -> Option<HoldSet> {
        let all = (1u16 << Hold::ALL.len()) - 1;
        (bits & !all == 0).then_some(HoldSet(bits))
    }

    pub fn bits(self) -> u16 {
        self.0
    }

    pub fn of(holds: &[Hold]) -> HoldSet {
        holds.iter().fold(HoldSet::EMPTY, |s, h| s.with(*h))
    }

    #[must_use]
    pub fn with(self, hold: Hold) -> HoldSet {
        HoldSet(self.0 | 1 << hold.code())
    }

    pub fn contains(self, hold: Hold) -> bool {
        self.0 & (1 << hold.code()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The holds in the order of [`Hold::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Hold> {
        Hold::ALL.iter().copied().filter(move |h| self.contains(*h))
    }
}

impl std::fmt::Display for HoldSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, h) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(h.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in ScoreBand::ALL {
            assert_eq!(ScoreBand::parse(b.as_str()), Some(*b));
        }
        for h in Hold::ALL {
            assert_eq!(Hold::parse(h.as_str()), Some(*h));
        }
        assert_eq!(AddressStatus::parse("Verified"), None);
    }

    #[test]
    fn hold_bits_are_stable() {
        // Stored by the lead: these numbers must never change.
        assert_eq!(HoldSet::of(&[Hold::Dispute]).bits(), 1);
        assert_eq!(HoldSet::of(&[Hold::Deceased]).bits(), 1 << 5);
        assert_eq!(HoldSet::of(&[Hold::HumanReviewRequested]).bits(), 1 << 9);
        assert_eq!(HoldSet::of(&[Hold::ObjectionAccepted]).bits(), 1 << 10);
        assert_eq!(HoldSet::from_bits(1 << 11), None);
        let s = HoldSet::of(&[Hold::Wsnp, Hold::ClientHold]);
        assert_eq!(HoldSet::from_bits(s.bits()), Some(s));
        assert_eq!(s.to_string(), "wsnp, client_hold");
        assert_eq!(s.len(), 2);
    }
}
