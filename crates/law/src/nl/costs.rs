//! Extrajudicial collection costs: the BIK (Besluit vergoeding voor
//! buitengerechtelijke incassokosten, Stb. 2012, 141) and art. 6:96 BW.
//!
//! Rounding: the scale is summed exactly over its brackets and rounded once,
//! to the cent, half up; VAT and agreed percentages likewise.

use kwijting_domain::{Date, DebtorType, Money, Rounding, money::div_round};

use crate::{LawError, RateBps};

/// Art. 2(2) BIK: the costs are at least EUR 40.
pub const BIK_MINIMUM: Money = Money::from_cents(40_00);
/// Art. 2(1) BIK: the costs are at most EUR 6,775.
pub const BIK_MAXIMUM: Money = Money::from_cents(6_775_00);
/// Art. 6:96(4) BW: the fixed compensation in a commercial contract.
pub const COMMERCIAL_FIXED_COMPENSATION: Money = Money::from_cents(40_00);

/// Art. 2(1) BIK: (width of the bracket in cents, rate in bps); the last
/// bracket is open.
const BIK_SCALE: [(i64, i64); 5] = [
    (2_500_00, 1500),
    (2_500_00, 1000),
    (5_000_00, 500),
    (190_000_00, 100),
    (i64::MAX, 50),
];

/// The scale of art. 2(1) BIK over the principal (hoofdsom), with the minimum
/// of art. 2(2) and the maximum of art. 2(1): 15% of the first EUR 2,500, 10%
/// of the next 2,500, 5% of the next 5,000, 1% of the next 190,000, 0.5% of
/// the remainder; at least EUR 40, at most EUR 6,775.
pub fn bik_scale(principal: Money) -> Result<Money, LawError> {
    if principal.is_negative() {
        return Err(LawError::NegativePrincipal(principal));
    }
    let mut left = i128::from(principal.cents());
    let mut exact: i128 = 0; // cents x bps
    for (width, bps) in BIK_SCALE {
        let part = left.min(i128::from(width));
        exact += part * i128::from(bps);
        left -= part;
        if left == 0 {
            break;
        }
    }
    let cents = div_round(exact, 10_000, Rounding::HalfUp).unwrap_or(0);
    let scale = Money::from_cents(i64::try_from(cents).unwrap_or(i64::MAX));
    Ok(scale.max(BIK_MINIMUM).min(BIK_MAXIMUM))
}

/// Art. 2(3) BIK: the costs raised by the VAT rate, when the creditor cannot
/// deduct the VAT on the collection service and declares so. The raise
/// applies to the EUR 40 minimum too. Returns the VAT amount alone.
pub fn vat_raise(costs: Money, vat_rate: RateBps) -> Result<Money, LawError> {
    Ok(costs.mul_ratio(i64::from(vat_rate.bps()), 10_000, Rounding::HalfUp)?)
}

/// Art. 6:96(7) BW: several claims of one creditor against one debtor are
/// demanded together and costed on the sum of their principals.
pub fn sum_of_principals(principals: &[Money]) -> Result<Money, LawError> {
    principals.iter().try_fold(Money::ZERO, |sum, p| {
        if p.is_negative() {
            return Err(LawError::NegativePrincipal(*p));
        }
        Ok(sum.checked_add(*p)?)
    })
}

/// Explanatory memorandum to the BIK, point 5, with art. 6:119(2) BW: when
/// collection runs longer than a year, the principal may be increased by the
/// statutory interest added to it after that year, and the costs recalculated
/// on the result.
pub fn principal_increased_by_added_interest(
    principal: Money,
    added_interest: Money,
) -> Result<Money, LawError> {
    if added_interest.is_negative() {
        return Err(LawError::NegativeAmount(added_interest));
    }
    Ok(principal.checked_add(added_interest)?)
}

/// Art. 6:96(6) BW with the reference (nl-law.md section 2): a partial payment
/// within the 14-day term leaves costs on the unpaid part only.
pub fn costs_on_unpaid_part(principal: Money, paid_within_term: Money) -> Result<Money, LawError> {
    if paid_within_term.is_negative() {
        return Err(LawError::NegativeAmount(paid_within_term));
    }
    let unpaid = principal.checked_sub(paid_within_term)?.max(Money::ZERO);
    if unpaid.is_zero() {
        return Ok(Money::ZERO);
    }
    bik_scale(unpaid)
}

/// Art. 3 BIK: the decree does not apply to a debtor already in default
/// before 1 July 2012.
pub fn bik_applies(in_default_on: Date) -> bool {
    (in_default_on.year(), in_default_on.month()) >= (2012, 7)
}

/// Art. 6:96(4) BW: in a commercial contract the creditor is owed EUR 40
/// without any reminder from the day after the payment deadline. `None` when
/// the contract is not commercial (a consumer debtor).
pub fn commercial_fixed_compensation(debtor: DebtorType) -> Option<Money> {
    match debtor {
        DebtorType::Business => Some(COMMERCIAL_FIXED_COMPENSATION),
        DebtorType::Consumer => None,
    }
}

/// What a client agreed with its business debtors about collection costs.
/// Ignored for consumers: for them the BIK is mandatory (art. 6:96(5) BW).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BusinessCostsAgreement {
    /// Nothing agreed: the BIK applies.
    #[default]
    Bik,
    /// A fixed amount agreed.
    FixedAmount(Money),
    /// A percentage of the principal agreed.
    Percentage(RateBps),
}

/// Which rule set the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostsRule {
    /// The scale of art. 2(1) BIK.
    BikScale,
    /// The minimum of art. 2(2) BIK.
    BikMinimum,
    /// The maximum of art. 2(1) BIK.
    BikMaximum,
    /// An amount or percentage agreed with a business debtor.
    Agreed,
    /// Nothing unpaid: no costs.
    NothingUnpaid,
}

impl CostsRule {
    pub fn as_str(self) -> &'static str {
        match self {
            CostsRule::BikScale => "bik-scale",
            CostsRule::BikMinimum => "bik-minimum",
            CostsRule::BikMaximum => "bik-maximum",
            CostsRule::Agreed => "agreed",
            CostsRule::NothingUnpaid => "nothing-unpaid",
        }
    }
}

/// Everything that decides the collection costs of one demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostsRequest {
    pub debtor: DebtorType,
    /// The principals demanded together (art. 6:96(7) BW).
    pub principals: Vec<Money>,
    /// Interest added to the principal after a year, when the client setting
    /// to recalculate is on (BIK memorandum point 5); zero otherwise.
    pub added_interest: Money,
    /// The VAT rate, when the creditor declared it cannot deduct VAT.
    pub vat_rate: Option<RateBps>,
    pub agreement: BusinessCostsAgreement,
}

impl CostsRequest {
    /// A consumer demand over one principal, without VAT.
    pub fn consumer(principal: Money) -> CostsRequest {
        CostsRequest {
            debtor: DebtorType::Consumer,
            principals: vec![principal],
            added_interest: Money::ZERO,
            vat_rate: None,
            agreement: BusinessCostsAgreement::Bik,
        }
    }
}

/// The collection costs of one demand and how they were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Costs {
    /// The principal the costs were computed on.
    pub base: Money,
    /// What the BIK gives on `base`, for comparison with an agreed amount.
    pub bik: Money,
    pub costs: Money,
    pub vat: Money,
    pub rule: CostsRule,
    /// An agreed amount above the BIK: a court may reduce it to the BIK
    /// amount (HR 10-07-2015, ECLI:NL:HR:2015:1868).
    pub exceeds_bik: bool,
}

impl Costs {
    pub fn total(&self) -> Result<Money, LawError> {
        Ok(self.costs.checked_add(self.vat)?)
    }
}

/// The collection costs of a demand: art. 6:96(5)-(7) BW and the BIK. For a
/// consumer always the BIK; for a business the BIK unless an amount or a
/// percentage was agreed. The VAT raise (art. 2(3) BIK) applies to either.
pub fn collection_costs(request: &CostsRequest) -> Result<Costs, LawError> {
    let principal = sum_of_principals(&request.principals)?;
    let base = principal_increased_by_added_interest(principal, request.added_interest)?;
    costs_on_base(request.debtor, base, request.vat_rate, request.agreement)
}

/// [`collection_costs`] on a base already summed (art. 6:96(7) BW) and
/// increased (BIK memorandum point 5).
pub fn costs_on_base(
    debtor: DebtorType,
    base: Money,
    vat_rate: Option<RateBps>,
    agreement: BusinessCostsAgreement,
) -> Result<Costs, LawError> {
    if base.is_negative() {
        return Err(LawError::NegativePrincipal(base));
    }
    let bik = if base.is_zero() {
        Money::ZERO
    } else {
        bik_scale(base)?
    };
    let agreement = match debtor {
        DebtorType::Consumer => BusinessCostsAgreement::Bik,
        DebtorType::Business => agreement,
    };
    let (costs, rule) = if base.is_zero() {
        (Money::ZERO, CostsRule::NothingUnpaid)
    } else {
        match agreement {
            BusinessCostsAgreement::Bik if bik == BIK_MINIMUM => (bik, CostsRule::BikMinimum),
            BusinessCostsAgreement::Bik if bik == BIK_MAXIMUM => (bik, CostsRule::BikMaximum),
            BusinessCostsAgreement::Bik => (bik, CostsRule::BikScale),
            BusinessCostsAgreement::FixedAmount(amount) => {
                if amount.is_negative() {
                    return Err(LawError::NegativeAmount(amount));
                }
                (amount, CostsRule::Agreed)
            }
            BusinessCostsAgreement::Percentage(rate) => (
                base.mul_ratio(i64::from(rate.bps()), 10_000, Rounding::HalfUp)?,
                CostsRule::Agreed,
            ),
        }
    };
    let vat = match vat_rate {
        Some(rate) => vat_raise(costs, rate)?,
        None => Money::ZERO,
    };
    Ok(Costs {
        base,
        bik,
        costs,
        vat,
        rule,
        exceeds_bik: rule == CostsRule::Agreed && costs > bik,
    })
}

/// The rule of 1 October 2024 on costs for instalment claims (Stb. 2024, 44,
/// amending the BIK). Its exact text is **to confirm** (nl-law.md section 1),
/// so it is data: the cautious combined-letter reading is the default and the
/// EUR 140 cap one secondary source states is an opt-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstalmentCostsRule {
    /// How far back the creditor looks for unpaid instalments (six months).
    pub look_back_months: u8,
    /// The cap for small instalments, when configured.
    pub small_instalment_cap: Option<SmallInstalmentCap>,
}

/// "EUR 140 per six months for instalments below EUR 266.67" (one secondary
/// source; to confirm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmallInstalmentCap {
    pub cap_per_window: Money,
    pub instalment_below: Money,
}

impl SmallInstalmentCap {
    pub const SECONDARY_SOURCE: SmallInstalmentCap = SmallInstalmentCap {
        cap_per_window: Money::from_cents(140_00),
        instalment_below: Money::from_cents(266_67),
    };
}

impl Default for InstalmentCostsRule {
    fn default() -> Self {
        InstalmentCostsRule {
            look_back_months: 6,
            small_instalment_cap: None,
        }
    }
}

/// Stb. 2024, 44 (to confirm), cautious reading: one combined 14-day letter
/// for all unpaid instalments of the look-back window carries only the
/// highest amount that would have been due for a single instalment.
pub fn instalment_costs_combined_letter(instalments: &[Money]) -> Result<Money, LawError> {
    instalments.iter().try_fold(Money::ZERO, |highest, i| {
        Ok(highest.max(costs_on_unpaid_part(*i, Money::ZERO)?))
    })
}

/// Stb. 2024, 44 (to confirm): with a valid 14-day letter per missed
/// instalment, costs per instalment; capped per window when the
/// [`SmallInstalmentCap`] is configured and every instalment is below it.
pub fn instalment_costs_separate_letters(
    instalments: &[Money],
    rule: &InstalmentCostsRule,
) -> Result<Money, LawError> {
    let mut sum = Money::ZERO;
    for i in instalments {
        sum = sum.checked_add(costs_on_unpaid_part(*i, Money::ZERO)?)?;
    }
    match rule.small_instalment_cap {
        Some(cap) if instalments.iter().all(|i| *i < cap.instalment_below) => {
            Ok(sum.min(cap.cap_per_window))
        }
        _ => Ok(sum),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn check(principal: &str, expected: &str) {
        assert_eq!(
            bik_scale(eur(principal)).unwrap(),
            eur(expected),
            "principal {principal}"
        );
    }

    #[test]
    fn public_examples() {
        // Source: nl-law.md section 1, "Public examples".
        check("125", "40.00");
        check("4000", "525.00");
        check("6000", "675.00");
        check("23000", "1005.00");
    }

    #[test]
    fn cumulative_amounts_at_the_brackets() {
        // Source: nl-law.md section 1, "Cumulative amounts at the brackets".
        check("2500", "375.00");
        check("5000", "625.00");
        check("10000", "875.00");
        check("200000", "2775.00");
        check("1000000", "6775.00");
        check("5000000", "6775.00");
        check("999999.99", "6775.00");
        check("266.66", "40.00");
        check("266.67", "40.00");
        check("2700", "395.00");
        check("0.01", "40.00");
        check("1234.57", "185.19"); // 185.1855 rounds half up
    }

    #[test]
    fn vat_raise_applies_to_the_minimum_too() {
        // Source: nl-law.md section 1, VAT (art. 2(3) BIK).
        let vat = RateBps::parse_percent("21").unwrap();
        assert_eq!(vat_raise(eur("40"), vat).unwrap(), eur("8.40"));
        assert_eq!(vat_raise(eur("395"), vat).unwrap(), eur("82.95"));
    }

    #[test]
    fn several_claims_are_costed_on_the_sum() {
        // Source: nl-law.md section 1, art. 6:96(7) BW.
        let mut r = CostsRequest::consumer(eur("2000"));
        r.principals.push(eur("2000"));
        let c = collection_costs(&r).unwrap();
        assert_eq!((c.base, c.costs), (eur("4000"), eur("525")));
        // Separately they would give 2 x 300.
        assert_eq!(bik_scale(eur("2000")).unwrap(), eur("300"));
    }

    #[test]
    fn recalculation_on_the_principal_with_added_interest() {
        // Source: nl-law.md section 1, BIK memorandum point 5.
        let mut r = CostsRequest::consumer(eur("2500"));
        r.added_interest = eur("100");
        let c = collection_costs(&r).unwrap();
        assert_eq!((c.base, c.costs), (eur("2600"), eur("385")));
    }

    #[test]
    fn business_agreements_and_the_fixed_forty() {
        // Source: nl-law.md section 1: businesses BIK unless agreed otherwise;
        // HR 10-07-2015 (ECLI:NL:HR:2015:1868); art. 6:96(4) BW.
        let mut r = CostsRequest::consumer(eur("1000"));
        r.agreement = BusinessCostsAgreement::Percentage(RateBps::parse_percent("20").unwrap());
        // A consumer gets the BIK whatever was agreed (art. 6:96(5)).
        assert_eq!(collection_costs(&r).unwrap().costs, eur("150"));
        r.debtor = DebtorType::Business;
        let c = collection_costs(&r).unwrap();
        assert_eq!(
            (c.costs, c.rule, c.exceeds_bik),
            (eur("200"), CostsRule::Agreed, true)
        );
        r.agreement = BusinessCostsAgreement::FixedAmount(eur("100"));
        let c = collection_costs(&r).unwrap();
        assert_eq!((c.costs, c.exceeds_bik), (eur("100"), false));
        r.agreement = BusinessCostsAgreement::Bik;
        assert_eq!(collection_costs(&r).unwrap().costs, eur("150"));
        assert_eq!(
            commercial_fixed_compensation(DebtorType::Business),
            Some(eur("40"))
        );
        assert_eq!(commercial_fixed_compensation(DebtorType::Consumer), None);
    }

    #[test]
    fn partial_payment_within_the_term() {
        // Source: nl-law.md section 2: costs on the unpaid part.
        assert_eq!(
            costs_on_unpaid_part(eur("4000"), eur("1500")).unwrap(),
            eur("375")
        );
        assert_eq!(
            costs_on_unpaid_part(eur("4000"), eur("4000")).unwrap(),
            Money::ZERO
        );
    }

    #[test]
    fn bik_applies_from_1_july_2012() {
        // Source: nl-law.md section 1, art. 3 BIK.
        let d = |s: &str| kwijting_domain::parse_date(s).unwrap();
        assert!(!bik_applies(d("2012-06-30")));
        assert!(bik_applies(d("2012-07-01")));
    }

    #[test]
    fn instalment_rule_is_configurable() {
        // Source: nl-law.md section 1, Stb. 2024, 44 (to confirm).
        let six = vec![eur("100"); 6];
        assert_eq!(instalment_costs_combined_letter(&six).unwrap(), eur("40"));
        let rule = InstalmentCostsRule::default();
        assert_eq!(
            instalment_costs_separate_letters(&six, &rule).unwrap(),
            eur("240")
        );
        let capped = InstalmentCostsRule {
            small_instalment_cap: Some(SmallInstalmentCap::SECONDARY_SOURCE),
            ..rule
        };
        assert_eq!(
            instalment_costs_separate_letters(&six, &capped).unwrap(),
            eur("140")
        );
        let mixed = [eur("100"), eur("1000")];
        assert_eq!(
            instalment_costs_combined_letter(&mixed).unwrap(),
            eur("150")
        );
        assert_eq!(
            instalment_costs_separate_letters(&mixed, &capped).unwrap(),
            eur("190")
        );
    }

    #[test]
    fn negative_principal_is_refused() {
        assert!(matches!(
            bik_scale(eur("-1")),
            Err(LawError::NegativePrincipal(_))
        ));
    }

    proptest! {
        #[test]
        fn costs_are_monotonic_and_bounded(a in 0i64..200_000_000_00, b in 0i64..200_000_000_00) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let c_lo = bik_scale(Money::from_cents(lo)).unwrap();
            let c_hi = bik_scale(Money::from_cents(hi)).unwrap();
            prop_assert!(c_lo <= c_hi);
            for c in [c_lo, c_hi] {
                prop_assert!(c >= BIK_MINIMUM && c <= BIK_MAXIMUM);
            }
        }
    }
}
