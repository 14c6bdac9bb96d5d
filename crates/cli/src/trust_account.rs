//! The agency's trust account (derdengeldrekening): one setting for the
//! account payouts and refunds are paid from (pain.001 debtor) and direct
//! debits are collected to (pain.008 creditor). Read once here, at the CLI
//! edge: a flag, else `KWIJTING_TRUST_*`, else the older
//! `KWIJTING_SEPA_CREDITOR_*` names the direct-debit command used.

use anyhow::Result;
use kwijting_bank::{Bic, CreditorId};
use kwijting_domain::Iban;
use kwijting_service::direct_debit::Creditor;
use kwijting_service::remit::TrustAccount;

use crate::refused;

/// The trust account's flags; the `--creditor-*` names are aliases kept
/// for the direct-debit command.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TrustAccountArgs {
    /// The trust account's IBAN (env KWIJTING_TRUST_IBAN)
    #[arg(long, alias = "creditor-iban")]
    pub trust_iban: Option<String>,
    /// The trust account's BIC (env KWIJTING_TRUST_BIC)
    #[arg(long, alias = "creditor-bic")]
    pub trust_bic: Option<String>,
    /// The trust account's holder (env KWIJTING_TRUST_NAME; default: the
    /// controller in the policy)
    #[arg(long, alias = "creditor-name")]
    pub trust_name: Option<String>,
}

/// The trust account as configured; nothing is required until a file is
/// written that needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustAccountSettings {
    pub name: Option<String>,
    pub iban: Option<Iban>,
    pub bic: Option<Bic>,
}

/// The environment names of a setting, the first set one wins.
const IBAN_VARS: [&str; 2] = ["KWIJTING_TRUST_IBAN", "KWIJTING_SEPA_CREDITOR_IBAN"];
const BIC_VARS: [&str; 2] = ["KWIJTING_TRUST_BIC", "KWIJTING_SEPA_CREDITOR_BIC"];
const NAME_VARS: [&str; 2] = ["KWIJTING_TRUST_NAME", "KWIJTING_SEPA_CREDITOR_NAME"];

impl TrustAccountSettings {
    /// From the flags, then the process environment.
    pub fn read(args: &TrustAccountArgs) -> Result<Self> {
        Self::read_with(args, |k| std::env::var(k).ok())
    }

    /// From the flags, then `env` (tests give their own).
    pub fn read_with(
        args: &TrustAccountArgs,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        let pick = |flag: &Option<String>, vars: [&str; 2]| -> Option<(String, String)> {
            flag.clone().map(|v| (v, String::new())).or_else(|| {
                vars.iter().find_map(|k| {
                    env(k)
                        .filter(|v| !v.trim().is_empty())
                        .map(|v| (v, (*k).to_owned()))
                })
            })
        };
        let from = |what: &str, var: &str| {
            if var.is_empty() {
                format!("--{what}")
            } else {
                var.to_owned()
            }
        };
        let iban = pick(&args.trust_iban, IBAN_VARS)
            .map(|(v, var)| {
                Iban::parse(v.trim()).map_err(|e| {
                    refused(anyhow::anyhow!("{} '{v}': {e}", from("trust-iban", &var)))
                })
            })
            .transpose()?;
        let bic = pick(&args.trust_bic, BIC_VARS)
            .map(|(v, var)| {
                Bic::parse(v.trim())
                    .map_err(|e| refused(anyhow::anyhow!("{} '{v}': {e}", from("trust-bic", &var))))
            })
            .transpose()?;
        let name = pick(&args.trust_name, NAME_VARS).map(|(v, _)| v.trim().to_owned());
        Ok(TrustAccountSettings { name, iban, bic })
    }

    /// The account payouts are made from, when its IBAN is set.
    pub fn account(&self, default_name: &str) -> Option<TrustAccount> {
        Some(TrustAccount {
            name: self.name.clone().unwrap_or_else(|| default_name.to_owned()),
            iban: self.iban.clone()?,
            bic: self.bic.clone(),
        })
    }

    /// The direct-debit creditor: the trust account with the agency's
    /// SEPA creditor identifier.
    pub fn creditor(&self, id: Option<CreditorId>, default_name: &str) -> Option<Creditor> {
        let account = self.account(default_name)?;
        Some(Creditor {
            name: account.name,
            iban: account.iban,
            bic: account.bic,
            id: id?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn flag_then_trust_vars_then_the_older_creditor_names() {
        let iban = "NL91ABNA0417164300";
        let old = env(&[
            ("KWIJTING_SEPA_CREDITOR_IBAN", "NL91ABNA0417164300"),
            ("KWIJTING_SEPA_CREDITOR_NAME", "Old name"),
        ]);
        let s = TrustAccountSettings::read_with(&TrustAccountArgs::default(), old).unwrap();
        assert_eq!(
            s.iban.as_ref().map(|i| i.as_str().to_owned()),
            Some(iban.into())
        );
        assert_eq!(s.name.as_deref(), Some("Old name"));

        let both = env(&[
            ("KWIJTING_TRUST_NAME", "Trust name"),
            ("KWIJTING_SEPA_CREDITOR_NAME", "Old name"),
        ]);
        let s = TrustAccountSettings::read_with(&TrustAccountArgs::default(), both).unwrap();
        assert_eq!(s.name.as_deref(), Some("Trust name"));
        assert!(s.account("x").is_none(), "no IBAN, no account");

        let args = TrustAccountArgs {
            trust_name: Some("Flag name".into()),
            ..Default::default()
        };
        let s =
            TrustAccountSettings::read_with(&args, env(&[("KWIJTING_TRUST_NAME", "T")])).unwrap();
        assert_eq!(s.name.as_deref(), Some("Flag name"));
    }

    #[test]
    fn a_bad_iban_names_where_it_came_from() {
        let e = TrustAccountSettings::read_with(
            &TrustAccountArgs::default(),
            env(&[("KWIJTING_SEPA_CREDITOR_IBAN", "NL00XXXX")]),
        )
        .unwrap_err();
        assert!(
            format!("{e:#}").contains("KWIJTING_SEPA_CREDITOR_IBAN"),
            "{e:#}"
        );
    }
}
