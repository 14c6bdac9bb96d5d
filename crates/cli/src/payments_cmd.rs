//! `kwijting payments assign`: a person's handling of money the matching
//! could not place.

use crate::{cli_actor, input_error, open_service, print_json};

/// Assigns an unmatched credit to a case and allocates it.
pub fn assign(database_url: &str, entry: &str, case: &str, json: bool) -> anyhow::Result<()> {
    let svc = open_service(database_url)?;
    let a = svc
        .assign_payment(&cli_actor(), entry, case)
        .map_err(input_error)?;
    if json {
        print_json(&kwijting_server::views::assigned(&a))?;
    } else {
        println!(
            "{} assigned to {}; {} held for refund",
            kwijting_domain::Money::from_cents(a.amount.cents()),
            a.case_number,
            a.refund
        );
    }
    Ok(())
}
