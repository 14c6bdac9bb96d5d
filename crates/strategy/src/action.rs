//! What a step does.

use crate::facts::names;

names! {
    /// The route of a proposed legal step.
    LegalRoute {
        /// A writ of summons (dagvaarding) before the court.
        Court = "court",
        /// A payment order procedure (e.g. the European order for payment).
        PaymentOrder = "payment_order",
        /// Enforcement of a judgment by a bailiff (gerechtsdeurwaarder).
        Bailiff = "bailiff",
    }
}

/// What a step does. Letters, demands and phone calls contact the debtor;
/// checks and proposals do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A friendly reminder without costs.
    Reminder,
    /// The statutory 14-day letter (art. 6:96(6) BW); consumers only.
    FourteenDayLetter,
    /// The first formal demand (sommatie), with collection costs.
    FirstDemand,
    /// The second demand, offering a payment arrangement.
    SecondDemand,
    /// The final demand that announces legal steps (laatste sommatie).
    SummonsWarning,
    /// A proposal to a person to take a legal step; never taken by itself.
    ProposeLegalAction(LegalRoute),
    /// Ask the address provider for the current address (R5).
    AddressCheck,
    /// Ask a credit bureau for the debtor's solvency (R8, R12).
    CreditCheck,
    /// A task for a collector to call the debtor.
    PhoneTask,
    /// Close the case (e.g. written off).
    CloseCase,
    /// Hand the case back to the client.
    ReturnToClient,
}

/// The spellings of the actions in strategy files, without the route.
pub const ACTION_NAMES: &[&str] = &[
    "reminder",
    "fourteen_day_letter",
    "first_demand",
    "second_demand",
    "summons_warning",
    "propose_legal_action",
    "address_check",
    "credit_check",
    "phone_task",
    "close_case",
    "return_to_client",
];

impl Action {
    /// The spelling in strategy files (`action = "..."`).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Reminder => "reminder",
            Action::FourteenDayLetter => "fourteen_day_letter",
            Action::FirstDemand => "first_demand",
            Action::SecondDemand => "second_demand",
            Action::SummonsWarning => "summons_warning",
            Action::ProposeLegalAction(_) => "propose_legal_action",
            Action::AddressCheck => "address_check",
            Action::CreditCheck => "credit_check",
            Action::PhoneTask => "phone_task",
            Action::CloseCase => "close_case",
            Action::ReturnToClient => "return_to_client",
        }
    }

    /// Parses an action name; `propose_legal_action` needs its route.
    pub fn parse(name: &str, route: Option<LegalRoute>) -> Option<Action> {
        Some(match name {
            "reminder" => Action::Reminder,
            "fourteen_day_letter" => Action::FourteenDayLetter,
            "first_demand" => Action::FirstDemand,
            "second_demand" => Action::SecondDemand,
            "summons_warning" => Action::SummonsWarning,
            "propose_legal_action" => Action::ProposeLegalAction(route?),
            "address_check" => Action::AddressCheck,
            "credit_check" => Action::CreditCheck,
            "phone_task" => Action::PhoneTask,
            "close_case" => Action::CloseCase,
            "return_to_client" => Action::ReturnToClient,
            _ => return None,
        })
    }

    /// The action reaches the debtor (a letter, e-mail or call), so the Wkid
    /// contact hours apply.
    pub fn is_contact(self) -> bool {
        matches!(
            self,
            Action::Reminder
                | Action::FourteenDayLetter
                | Action::FirstDemand
                | Action::SecondDemand
                | Action::SummonsWarning
                | Action::PhoneTask
        )
    }

    /// The action demands collection costs, so for a consumer it may only
    /// come after the 14-day term has passed (art. 6:96(6) BW). The second
    /// and final demand repeat the costs of the first.
    pub fn demands_costs(self) -> bool {
        matches!(
            self,
            Action::FirstDemand | Action::SecondDemand | Action::SummonsWarning
        )
    }

    /// The action threatens or prepares a legal step, so the agency must
    /// really intend to take it (Wkid: no empty threats).
    pub fn announces_or_takes_legal_steps(self) -> bool {
        matches!(self, Action::SummonsWarning | Action::ProposeLegalAction(_))
    }

    /// What the purpose receivables management (the agency as the client's
    /// processor, R1) lists: reminders, customer service by phone, and
    /// handing the case back or closing it. Not the 14-day letter or
    /// demands with costs (collection), provider checks (other recipients'
    /// purposes) or legal steps.
    pub fn within_receivables_management(self) -> bool {
        matches!(
            self,
            Action::Reminder | Action::PhoneTask | Action::ReturnToClient | Action::CloseCase
        )
    }

    /// A legal step: a decision with legal effect in the sense of GDPR
    /// art. 22, which a person reviews before it is carried out.
    pub fn is_legal_step(self) -> bool {
        matches!(self, Action::ProposeLegalAction(_))
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::ProposeLegalAction(route) => write!(f, "propose_legal_action({route})"),
            other => f.write_str(other.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses() {
        for name in ACTION_NAMES {
            let a = Action::parse(name, Some(LegalRoute::Court));
            assert_eq!(a.map(Action::as_str), Some(*name));
        }
        assert_eq!(Action::parse("propose_legal_action", None), None);
        assert_eq!(Action::parse("sue", None), None);
    }
}
