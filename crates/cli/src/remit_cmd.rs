//! `kwijting clients agreement` and `kwijting remit`: what each client
//! agreed about collected money, and the payout run that writes client
//! statements and the pain.001 file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use kwijting_domain::{Actor, Date, Iban, Money, parse_date};
use kwijting_service::Kwijting;
use kwijting_service::refunds::RefundRequest;
use kwijting_service::remit::{
    AgreementTerms, OutFile, Pain001Version, PayoutBic, PayoutFrequency, RemitRequest,
    TrustAccount, beneficiary_name, commission_text, parse_beneficiary, parse_commission,
    parse_rounding, rounding_name,
};

use crate::trust_account::{TrustAccountArgs, TrustAccountSettings};
use crate::{input_error, print_json, refused};

#[derive(clap::Args)]
pub struct AgreementArgs {
    /// The client's reference
    client: String,
    /// Commission on collected principal, e.g. 15% or 12.5%. Without any
    /// option: show the agreement
    #[arg(long)]
    commission: Option<String>,
    /// How the commission is rounded to the cent: half_up, down or up
    #[arg(long)]
    rounding: Option<String>,
    /// Who keeps collected collection costs (with their VAT): client or agency
    #[arg(long)]
    costs: Option<String>,
    /// Who keeps collected interest: client or agency
    #[arg(long)]
    interest: Option<String>,
    /// weekly, monthly or on_demand
    #[arg(long)]
    payout: Option<String>,
    /// Nothing is paid out below this amount (euros); it waits
    #[arg(long)]
    min_payout: Option<String>,
    /// The client's payout account
    #[arg(long)]
    iban: Option<String>,
    #[arg(long)]
    bic: Option<String>,
    /// The payout account's name (default: the client's name)
    #[arg(long)]
    name: Option<String>,
    /// The day the version takes effect (default: today)
    #[arg(long)]
    from: Option<String>,
    #[arg(long)]
    json: bool,
}

fn one_of<T>(
    flag: &str,
    v: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &str,
) -> Result<Option<T>> {
    v.map(|s| {
        parse(s).ok_or_else(|| {
            refused(anyhow::anyhow!(
                "--{flag} must be one of {allowed}, not '{s}'"
            ))
        })
    })
    .transpose()
}

/// Sets a new version of the agreement (options not given keep the
/// current version's value), or shows it when no option is given.
pub fn agreement(svc: &Kwijting, actor: &Actor, a: AgreementArgs) -> Result<()> {
    let setting = a.commission.is_some()
        || a.rounding.is_some()
        || a.costs.is_some()
        || a.interest.is_some()
        || a.payout.is_some()
        || a.min_payout.is_some()
        || a.iban.is_some()
        || a.bic.is_some()
        || a.name.is_some()
        || a.from.is_some();
    if setting {
        let client = svc.client(actor, &a.client).map_err(input_error)?;
        let current = svc
            .client_agreements(actor, &a.client)
            .map_err(input_error)?
            .pop()
            .map(|v| v.terms);
        let need =
            |flag: &str| refused(anyhow::anyhow!("--{flag} is needed for a first agreement"));
        let commission_bps = match &a.commission {
            Some(c) => parse_commission(c).map_err(refused)?,
            None => current
                .as_ref()
                .map(|t| t.commission_bps)
                .ok_or_else(|| need("commission"))?,
        };
        let iban = match &a.iban {
            Some(i) => Iban::parse(i).map_err(|e| refused(anyhow::anyhow!("--iban: {e}")))?,
            None => current
                .as_ref()
                .map(|t| t.iban.clone())
                .ok_or_else(|| need("iban"))?,
        };
        let bic = match &a.bic {
            Some(b) => {
                Some(PayoutBic::parse(b).map_err(|e| refused(anyhow::anyhow!("--bic: {e}")))?)
            }
            None if a.iban.is_some() => None,
            None => current.as_ref().and_then(|t| t.bic.clone()),
        };
        let terms = AgreementTerms {
            commission_bps,
            commission_rounding: one_of(
                "rounding",
                a.rounding.as_deref(),
                parse_rounding,
                "half_up, down, up",
            )?
            .or(current.as_ref().map(|t| t.commission_rounding))
            .unwrap_or(kwijting_domain::Rounding::HalfUp),
            costs_to: one_of(
                "costs",
                a.costs.as_deref(),
                parse_beneficiary,
                "client, agency",
            )?
            .or(current.as_ref().map(|t| t.costs_to))
            .ok_or_else(|| need("costs"))?,
            interest_to: one_of(
                "interest",
                a.interest.as_deref(),
                parse_beneficiary,
                "client, agency",
            )?
            .or(current.as_ref().map(|t| t.interest_to))
            .ok_or_else(|| need("interest"))?,
            frequency: one_of(
                "payout",
                a.payout.as_deref(),
                PayoutFrequency::parse,
                "weekly, monthly, on_demand",
            )?
            .or(current.as_ref().map(|t| t.frequency))
            .ok_or_else(|| need("payout"))?,
            min_payout: match &a.min_payout {
                Some(m) => Money::parse_non_negative(m)
                    .map_err(|e| refused(anyhow::anyhow!("--min-payout: {e}")))?,
                None => current.as_ref().map_or(Money::ZERO, |t| t.min_payout),
            },
            iban,
            bic,
            name: a
                .name
                .clone()
                .or(current.as_ref().map(|t| t.name.clone()))
                .unwrap_or(client.name),
            effective_from: match &a.from {
                Some(d) => parse_date(d).context("--from").map_err(refused)?,
                None => svc.clock().today(),
            },
        };
        let saved = svc
            .set_client_agreement(actor, &a.client, &terms)
            .map_err(input_error)?;
        if a.json {
            return print_json(&kwijting_server::remit::agreement(&saved));
        }
    }
    let versions = svc
        .client_agreements(actor, &a.client)
        .map_err(input_error)?;
    let account = svc.client_account(actor, &a.client).map_err(input_error)?;
    if a.json {
        return print_json(&kwijting_server::remit::agreements(
            &a.client, &versions, &account,
        ));
    }
    if versions.is_empty() {
        println!(
            "{}: no agreement; collected money is the client's, no commission",
            a.client
        );
    }
    for v in &versions {
        let t = &v.terms;
        println!(
            "{} from {}: commission {} ({}), costs to {}, interest to {}, paid {} from {} to {} {}{}",
            a.client,
            t.effective_from,
            commission_text(t.commission_bps),
            rounding_name(t.commission_rounding),
            beneficiary_name(t.costs_to),
            beneficiary_name(t.interest_to),
            t.frequency.as_str(),
            t.min_payout,
            t.name,
            t.iban.as_str(),
            t.bic
                .as_ref()
                .map(|b| format!(" ({})", b.as_str()))
                .unwrap_or_default()
        );
    }
    println!(
        "{}: collected {}, paid out {}, payable {}",
        a.client, account.collected, account.paid_out, account.payable
    );
    Ok(())
}

/// The trust account paid from (the pain.001 debtor) and the file version.
#[derive(clap::Args)]
pub struct PaymentFileArgs {
    /// Where the files are written
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// 09 (pain.001.001.09, default) or 03 (pain.001.001.03)
    #[arg(long, default_value = "09")]
    pain001_version: String,
    /// The trust account paid from
    #[command(flatten)]
    trust: TrustAccountArgs,
    /// Compute and show; post and write nothing
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

impl PaymentFileArgs {
    fn version(&self) -> Result<Pain001Version> {
        match self.pain001_version.as_str() {
            "09" | "9" => Ok(Pain001Version::V09),
            "03" | "3" => Ok(Pain001Version::V03),
            v => Err(refused(anyhow::anyhow!(
                "--pain001-version must be 09 or 03, not '{v}'"
            ))),
        }
    }

    fn trust(&self, svc: &Kwijting) -> Result<Option<TrustAccount>> {
        Ok(TrustAccountSettings::read(&self.trust)?.account(&svc.policy().controller().name))
    }

    /// Writes each file whole, then renames it: a reader (or the bank
    /// upload) never sees half a file.
    fn write(&self, files: &[OutFile]) -> Result<()> {
        if self.dry_run {
            return Ok(());
        }
        std::fs::create_dir_all(&self.out)
            .with_context(|| format!("creating {}", self.out.display()))?;
        for f in files {
            let path = self.out.join(&f.name);
            let tmp = self.out.join(format!(".{}.tmp", f.name));
            std::fs::write(&tmp, &f.contents)
                .with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    }

    /// The closing line: how many payments, transfers posted, files.
    fn summary(&self, as_of: Date, what: &str, payments: usize, posted: u64, files: usize) {
        println!(
            "{as_of}: {payments} {what}(s){} paid, {posted} transfer(s) posted{}",
            if self.dry_run { " would be" } else { "" },
            if self.dry_run || files == 0 {
                String::new()
            } else {
                format!(", {files} file(s) in {}", self.out.display())
            }
        );
    }
}

#[derive(clap::Args)]
pub struct RemitArgs {
    /// The payout day
    #[arg(long)]
    as_of: String,
    /// Only these clients (repeatable); clients paid on demand must be named
    #[arg(long = "client")]
    clients: Vec<String>,
    #[command(flatten)]
    file: PaymentFileArgs,
}

pub fn remit(svc: &Kwijting, actor: &Actor, a: RemitArgs) -> Result<()> {
    let as_of = parse_date(&a.as_of).context("--as-of").map_err(refused)?;
    let outcome = svc
        .remit(
            actor,
            &RemitRequest {
                as_of,
                clients: a.clients,
                dry_run: a.file.dry_run,
                pain001: a.file.version()?,
                trust: a.file.trust(svc)?,
            },
        )
        .map_err(input_error)?;
    a.file.write(&outcome.files)?;
    if a.file.json {
        return print_json(&kwijting_server::remit::outcome(&outcome));
    }
    for r in &outcome.remittances {
        println!(
            "{:<16} {:<10} {:>12}  commission {:>10}  agency keeps {:>10}  {} lines  {}{}",
            r.client_ref,
            r.period,
            r.amount.to_string(),
            r.commission.to_string(),
            r.agency_keeps.to_string(),
            r.lines.len(),
            r.end_to_end_id,
            if r.new { "" } else { " (earlier run)" }
        );
    }
    for s in &outcome.skipped {
        println!(
            "{:<16} not paid: {} (payable {})",
            s.client_ref, s.reason, s.payable
        );
    }
    a.file.summary(
        outcome.as_of,
        "remittance",
        outcome.remittances.len(),
        outcome.posted,
        outcome.files.len(),
    );
    Ok(())
}

#[derive(clap::Args)]
pub struct RefundArgs {
    /// The payment day
    #[arg(long)]
    as_of: String,
    #[command(flatten)]
    file: PaymentFileArgs,
}

pub fn refund(svc: &Kwijting, actor: &Actor, a: RefundArgs) -> Result<()> {
    let as_of = parse_date(&a.as_of).context("--as-of").map_err(refused)?;
    let outcome = svc
        .refund_overpayments(
            actor,
            &RefundRequest {
                as_of,
                dry_run: a.file.dry_run,
                pain001: a.file.version()?,
                trust: a.file.trust(svc)?,
            },
        )
        .map_err(input_error)?;
    a.file.write(&outcome.files)?;
    if a.file.json {
        return print_json(&kwijting_server::remit::refunds(&outcome));
    }
    for r in &outcome.refunds {
        println!(
            "{:>12}  {}  {}  {}{}",
            r.amount.to_string(),
            r.payer_iban,
            r.case_number.as_deref().unwrap_or("-"),
            r.end_to_end_id,
            if r.new { "" } else { " (earlier run)" }
        );
    }
    for w in &outcome.waiting {
        println!(
            "{:>12}  waits: {} ({})",
            w.amount.to_string(),
            w.reason,
            w.entry
        );
    }
    a.file.summary(
        outcome.as_of,
        "refund",
        outcome.refunds.len(),
        outcome.posted,
        outcome.files.len(),
    );
    Ok(())
}
