//! `kwijting policy ...`: the register of processing (GDPR art. 30, R40)
//! and the privacy statement (R42), rendered from the policy and the
//! personal-data catalog, so what they say is what the system does.
//!
//! The policy crate knows no database: the catalog reaches it as a
//! `CatalogView` built here from `kwijting_store::catalog::CATALOG`.

use std::io::Write;

use anyhow::{Result, bail};
use clap::{Subcommand, ValueEnum};
use kwijting_policy::Policy;
use kwijting_policy::render::{self, CatalogColumn, CatalogTable, CatalogView, Language};
use kwijting_store::catalog::{CATALOG, Class, Subject};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// The register of processing activities (GDPR art. 30)
    Register {
        /// md (Markdown, English) or json (both languages)
        #[arg(long, value_enum, default_value_t = RegisterFormat::Md)]
        format: RegisterFormat,
    },
    /// The privacy statement for data subjects (Markdown)
    Statement {
        /// nl (Dutch) or en (English)
        #[arg(long, value_enum, default_value_t = StatementLanguage::Nl)]
        lang: StatementLanguage,
    },
    /// Validate the policy against the personal-data catalog; one-line summary
    Check,
    /// Queue a notice of the statement's version for everyone with an
    /// e-mail address on file (R42); once per person and version
    NotifyChange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RegisterFormat {
    Md,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatementLanguage {
    Nl,
    En,
}

impl From<StatementLanguage> for Language {
    fn from(l: StatementLanguage) -> Language {
        match l {
            StatementLanguage::Nl => Language::Nl,
            StatementLanguage::En => Language::En,
        }
    }
}

/// Prints the register, the statement, or the check's summary to stdout.
/// `Check` fails when the catalog names a data category or purpose the
/// policy does not have (an operator's policy that dropped one).
pub fn run(cmd: PolicyCommand, policy: &Policy, catalog: &CatalogView) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        PolicyCommand::Register {
            format: RegisterFormat::Md,
        } => out.write_all(render::register_markdown(policy, catalog).as_bytes())?,
        PolicyCommand::Register {
            format: RegisterFormat::Json,
        } => {
            serde_json::to_writer_pretty(&mut out, &render::register_json(policy, catalog))?;
            writeln!(out)?;
        }
        PolicyCommand::Statement { lang } => {
            out.write_all(render::statement(policy, lang.into()).as_bytes())?
        }
        // Needs the database: main.rs runs it through the service.
        PolicyCommand::NotifyChange => bail!("notify-change runs against the database"),
        PolicyCommand::Check => {
            let unknown = catalog.unknown_to(policy);
            if !unknown.is_empty() {
                bail!(
                    "{}: the personal-data catalog uses ids the policy does not have:\n{}",
                    policy.source_name(),
                    unknown.join("\n")
                );
            }
            writeln!(out, "{}", summary(policy))?;
        }
    }
    out.flush()?;
    Ok(())
}

/// One line: what the policy holds, and that it agrees with the catalog.
pub fn summary(policy: &Policy) -> String {
    let s = policy.statement();
    format!(
        "{}: valid and matches the personal-data catalog; {} purposes, {} data categories, \
         {} subject categories, {} sources, {} retention rules, {} recipients, {} roles, \
         {} rights, {} security measures; statement {} effective {}",
        policy.source_name(),
        policy.purposes().count(),
        policy.data_categories().count(),
        policy.subject_categories().count(),
        policy.sources().count(),
        policy.retention_rules().count(),
        policy.recipients().count(),
        policy.roles().count(),
        policy.rights().count(),
        policy.security_measures().count(),
        s.version,
        s.effective_date
    )
}

/// The store's personal-data catalog as the policy crate's plain view:
/// every table with how its rows lead to their data subject, and its
/// personal columns (non-personal columns are left out).
pub fn catalog_view() -> CatalogView {
    CatalogView {
        tables: CATALOG
            .iter()
            .map(|t| CatalogTable {
                name: t.name.to_owned(),
                subject_link: subject_link(t.subject),
                columns: t
                    .columns
                    .iter()
                    .filter_map(|c| match c.class {
                        Class::NotPersonal => None,
                        Class::Personal { category, purposes } => Some(CatalogColumn {
                            name: c.name.to_owned(),
                            category: Some(category.to_owned()),
                            purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
                        }),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn subject_link(subject: Subject) -> String {
    match subject {
        Subject::None => "no personal data".to_owned(),
        Subject::Party => "the row is the party (person or organisation) itself".to_owned(),
        Subject::PartyColumn(c) => format!("the party whose id is in column `{c}`"),
        Subject::CaseParties(c) => format!(
            "every party of the case in column `{c}`: its debtor and the parties in `case_parties`"
        ),
        Subject::Staff(c) => format!("the staff member or system job named in column `{c}`"),
        Subject::CaseInAccount(c) => format!(
            "every party of the case whose ledger account is named in column `{c}` (e.g. `case_principal:17`)"
        ),
        Subject::CaseTransfer(c) => format!(
            "every party of the case the ledger transfer in column `{c}` posts to, for its postings to the case's accounts"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        match Policy::load_default() {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_view_lists_every_personal_column_and_only_those() {
        let view = catalog_view();
        assert_eq!(view.tables.len(), CATALOG.len());
        for (t, v) in CATALOG.iter().zip(&view.tables) {
            let personal: Vec<&str> = t
                .columns
                .iter()
                .filter(|c| matches!(c.class, Class::Personal { .. }))
                .map(|c| c.name)
                .collect();
            let listed: Vec<&str> = v.columns.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(listed, personal, "table {}", t.name);
        }
        assert!(view.unknown_to(&policy()).is_empty());
    }

    #[test]
    fn the_register_names_the_stored_fields() {
        let md = render::register_markdown(&policy(), &catalog_view());
        assert!(
            md.contains("(`identity`): `parties.debtor_ref`, `parties.name`, `parties.birth_date`")
        );
        assert!(md.contains(
            "### `imports`\n\nWhose data: the staff member or system job named in column `actor`."
        ));
        assert!(md.contains("Tables without personal data: `schema_migrations`, `clients`, "));
        assert!(md.contains("`idempotency_keys`."));
    }

    #[test]
    fn the_summary_is_one_line() {
        let s = summary(&policy());
        assert!(s.starts_with(
            "policy/default.toml: valid and matches the personal-data catalog; 10 purposes,"
        ));
        assert!(s.ends_with("statement 2025.1 effective 2025-01-01"));
        assert_eq!(s.lines().count(), 1);
    }
}
