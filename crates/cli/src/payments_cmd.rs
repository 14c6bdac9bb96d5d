//! `kwijting payments assign`: a person's handling of money the matching
//! could not place.

use kwijting_service::payments::{Assignment, DebitAs, DebitAssigned};

use crate::{cli_actor, input_error, open_service, print_json};

/// Assigns an entry of the unmatched queue: a credit to a case (allocated),
/// a debit to the case whose payment it takes back, or a debit as the
/// trust account's bank costs (`bank_costs`, no case).
pub fn assign(
    database_url: &str,
    entry: &str,
    case: Option<&str>,
    bank_costs: bool,
    json: bool,
) -> anyhow::Result<()> {
    let svc = open_service(database_url)?;
    let assignment = match (case, bank_costs) {
        (_, true) => Assignment::Debit(
            svc.assign_debit(&cli_actor(), entry, DebitAs::BankCosts)
                .map_err(input_error)?,
        ),
        (Some(case), false) => svc
            .assign_entry(&cli_actor(), entry, case)
            .map_err(input_error)?,
        // clap requires a case unless --bank-costs is given.
        (None, false) => anyhow::bail!("payments assign: name a case or --bank-costs"),
    };
    match (&assignment, json) {
        (Assignment::Credit(a), true) => print_json(&kwijting_server::views::assigned(a))?,
        (Assignment::Debit(d), true) => print_json(&kwijting_server::views::debit_assigned(d))?,
        (Assignment::Credit(a), false) => println!(
            "{} assigned to {}; {} held for refund",
            a.amount, a.case_number, a.refund
        ),
        (Assignment::Debit(d), false) => println!("{}", debit_text(d)),
    }
    Ok(())
}

fn debit_text(d: &DebitAssigned) -> String {
    match (&d.case_number, &d.original_entry_key) {
        (Some(case), Some(original)) => format!(
            "debit of {} takes back payment {original} of {case}: booked as its return; the case \
             owes it again",
            d.amount
        ),
        _ => format!(
            "debit of {} booked as bank costs of the trust account, paid from the agency's commission",
            d.amount
        ),
    }
}
