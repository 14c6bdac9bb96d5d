//! The division of collected money per client agreement, by property: for
//! any amounts, commission plus what the client nets plus what the agency
//! keeps is exactly what was collected, and the commission is the agreed
//! share of the principal, rounded as agreed.

use kwijting_domain::money::div_round;
use kwijting_domain::{CaseId, ClaimId, ClientId, Money, Rounding, parse_date};
use kwijting_ledger::recipe::{
    self, AllocationRequest, BPS_PER_WHOLE, Beneficiary, ClaimBalance, ClientAgreement,
};
use kwijting_ledger::{CaseBalance, Ledger, TransferKey};
use proptest::prelude::*;

fn rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::HalfUp),
        Just(Rounding::Down),
        Just(Rounding::Up)
    ]
}

fn beneficiary() -> impl Strategy<Value = Beneficiary> {
    prop_oneof![Just(Beneficiary::Client), Just(Beneficiary::Agency)]
}

fn cents(max: i64) -> impl Strategy<Value = Money> {
    (0..=max).prop_map(Money::from_cents)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn commission_and_client_net_make_up_what_was_collected(
        principal in cents(1_000_000_000),
        bps in 0..=BPS_PER_WHOLE,
        r in rounding(),
    ) {
        let a = ClientAgreement::new(ClientId(1), bps, r, Beneficiary::Client, Beneficiary::Client).unwrap();
        let commission = a.commission_on(principal).unwrap();
        let net = principal.checked_sub(commission).unwrap();
        prop_assert_eq!(commission.checked_add(net).unwrap(), principal);
        prop_assert!(!commission.is_negative() && commission <= principal);
        let exact = div_round(
            i128::from(principal.cents()) * i128::from(bps),
            i128::from(BPS_PER_WHOLE),
            r,
        ).unwrap();
        prop_assert_eq!(i128::from(commission.cents()), exact);
    }

    #[test]
    fn an_allocation_divides_every_cent(
        principal in cents(5_000_000),
        interest in cents(500_000),
        costs in cents(200_000),
        vat in cents(42_000),
        paid in 1i64..6_000_000,
        bps in 0..=BPS_PER_WHOLE,
        r in rounding(),
        costs_to in beneficiary(),
        interest_to in beneficiary(),
    ) {
        let case = CaseId(9);
        let client = ClientId(4);
        let on = parse_date("2026-11-20").unwrap();
        let owed = CaseBalance { principal, interest, costs, vat };
        let mut l = Ledger::new();
        if owed.total().unwrap().cents() > 0 {
            l.apply(recipe::charge(TransferKey::parse("c").unwrap(), on, case, &owed, "intake").unwrap()).unwrap();
        }
        let receipt = TransferKey::parse("r").unwrap();
        let paid = Money::from_cents(paid);
        l.apply(recipe::receipt(receipt.clone(), on, paid, "entry").unwrap()).unwrap();
        let agreement = ClientAgreement::new(client, bps, r, costs_to, interest_to).unwrap();
        let plan = recipe::allocate(
            &l,
            &AllocationRequest {
                key: &TransferKey::parse("a").unwrap(),
                receipt: &receipt,
                case,
                amount: paid,
                on,
                agreement: &agreement,
                reason: "property",
            },
            &[ClaimBalance { claim: ClaimId(1), due_on: on, onerousness: 0, owed }],
            None,
        ).unwrap();
        let collected = plan.applied.total().unwrap();
        let out = plan.commission.cents() + plan.to_client.cents() + plan.to_agency.cents();
        prop_assert_eq!(out, collected.cents(), "commission + client net + agency = collected");
        prop_assert_eq!(collected.cents() + plan.refund.cents(), paid.cents());
        prop_assert_eq!(plan.commission, agreement.commission_on(plan.applied.principal).unwrap());
        let mut kept = 0;
        if costs_to == Beneficiary::Agency {
            kept += plan.applied.costs.cents() + plan.applied.vat.cents();
        }
        if interest_to == Beneficiary::Agency {
            kept += plan.applied.interest.cents();
        }
        prop_assert_eq!(plan.to_agency.cents(), kept);
        l.apply(plan.transfer).unwrap();
        prop_assert_eq!(l.verify(), Ok(()));
    }
}
