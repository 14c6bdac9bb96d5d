//! Finding a case as a case handler would: by the debtor's name (part of
//! it, any case), IBAN, postcode, invoice number, or the case's own number
//! (a case number or payment reference, decoded to its id by the caller).
//! Also the review queue's true size. Written once for both engines over the
//! shared [`Sql`] adapter of `arrangement.rs`: every value is a typed bind.

use kwijting_domain::{CaseStatus, DebtorType};

use crate::Result;
use crate::arrangement::{ArrangementStore, Sql, Val, int, opt_text, text};
use crate::model::{CaseId, CaseSummary, ClientId, PartyId, PartySummary};

/// The most cases one search returns.
pub const SEARCH_LIMIT_MAX: u32 = 200;

/// What to look for. Each key is optional except the free text, which is
/// always tried as an invoice number and as part of the debtor's name.
#[derive(Debug, Clone, Default)]
pub struct CaseSearch {
    /// The case a case number, betalingskenmerk or RF reference names.
    pub case: Option<CaseId>,
    /// An IBAN in its compact, upper-case form (as parties store it).
    pub iban: Option<String>,
    /// A Dutch postcode as parties store it: `1234 AB`.
    pub postcode: Option<String>,
    /// An invoice number, exactly as the client wrote it.
    pub invoice_number: String,
    /// A part of the debtor's name, in lower case; `None` when the text is
    /// a case's own number or an IBAN, which no name contains (the search
    /// then reads no table through).
    pub name_part: Option<String>,
    /// The clients the actor may see (`None`: all).
    pub within: Option<Vec<ClientId>>,
    pub limit: u32,
}

/// A page of found cases, in case order; `more` when the limit cut it.
#[derive(Debug, Clone)]
pub struct FoundCases {
    pub cases: Vec<CaseSummary>,
    pub more: bool,
}

/// `LIKE` matches `%` and `_` as wildcards; a name typed with them means
/// the characters themselves.
fn like_contains(part: &str) -> String {
    let mut out = String::with_capacity(part.len() + 2);
    out.push('%');
    for ch in part.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

fn corrupt(column: &'static str, value: &str) -> crate::StoreError {
    crate::StoreError::Corrupt {
        table: "cases",
        column,
        value: value.to_owned(),
        reason: "unknown value".into(),
    }
}

fn summary(r: &[Val]) -> Result<CaseSummary> {
    let status = r[4].text("status")?;
    let debtor_type = r[5].text("debtor_type")?;
    Ok(CaseSummary {
        id: CaseId(r[0].int("id")?),
        number: r[1].text("number")?,
        client_id: ClientId(r[2].int("client_id")?),
        client_ref: r[3].text("ref")?,
        status: CaseStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        debtor_type: DebtorType::parse(&debtor_type)
            .ok_or_else(|| corrupt("debtor_type", &debtor_type))?,
        principal_cents: r[6].int("principal_cents")?,
        opened_on: r[7].date("opened_on")?,
        first_due_on: r[8].date("first_due_on")?,
        debtor: PartySummary {
            id: PartyId(r[9].int("party id")?),
            name: r[10].text("name")?,
        },
    })
}

pub trait CaseSearchStore: ArrangementStore {
    /// The cases any key matches, in case order, at most `limit` (capped at
    /// [`SEARCH_LIMIT_MAX`]). Each key has its own branch so that the exact
    /// ones use an index: the case by its id, the debtor by the IBAN index,
    /// the invoice by the (client, invoice number) key per client. The name
    /// and postcode branch reads the parties table through (no index serves
    /// a part of a name).
    fn search_cases(&self, q: &CaseSearch) -> Result<FoundCases> {
        let limit = q.limit.clamp(1, SEARCH_LIMIT_MAX);
        let mut args = vec![
            Val::Int(q.case.map(|c| c.0)),
            opt_text(q.iban.as_deref()),
            text(&q.invoice_number),
            int(i64::from(limit) + 1),
        ];
        // Placeholders are numbered as the values are pushed; every value
        // is a bind, none is written into the text.
        let mark = |args: &mut Vec<Val>, v: Val| {
            args.push(v);
            format!("${}", args.len())
        };
        // Only a name or a postcode reads the parties through.
        let scan = if q.name_part.is_some() || q.postcode.is_some() {
            let postcode = mark(&mut args, opt_text(q.postcode.as_deref()));
            let like = mark(
                &mut args,
                opt_text(q.name_part.as_deref().map(like_contains).as_deref()),
            );
            format!(
                "UNION SELECT k.id FROM parties q JOIN cases k ON k.debtor_party_id = q.id \
                 WHERE q.postcode = {postcode} OR lower(q.name) LIKE {like} ESCAPE '\\' "
            )
        } else {
            String::new()
        };
        let scope = match &q.within {
            None => String::new(),
            Some(ids) if ids.is_empty() => " AND 1 = 0".to_owned(),
            Some(ids) => {
                let marks: Vec<String> = ids.iter().map(|c| mark(&mut args, int(c.0))).collect();
                format!(" AND c.client_id IN ({})", marks.join(", "))
            }
        };
        let sql = format!(
            "SELECT c.id, c.number, c.client_id, cl.ref, c.status, c.debtor_type, c.principal_cents, \
             c.opened_on, c.first_due_on, p.id, p.name \
             FROM cases c JOIN clients cl ON cl.id = c.client_id JOIN parties p ON p.id = c.debtor_party_id \
             WHERE c.id IN ( \
               SELECT id FROM cases WHERE id = $1 \
               UNION SELECT k.id FROM parties q JOIN cases k ON k.debtor_party_id = q.id WHERE q.iban = $2 \
               UNION SELECT m.case_id FROM claims m \
                     WHERE m.client_id IN (SELECT id FROM clients) AND m.invoice_number = $3 \
               {scan}\
             ){scope} ORDER BY c.id LIMIT $4"
        );
        let mut found = Vec::new();
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            found = db
                .rows(&sql, &args)?
                .iter()
                .map(|r| summary(r))
                .collect::<Result<Vec<_>>>()?;
            Ok(())
        })?;
        let more = found.len() > limit as usize;
        found.truncate(limit as usize);
        Ok(FoundCases { cases: found, more })
    }

    /// How many decisions wait for a person (the whole queue, not a page).
    fn review_queue_total(&self) -> Result<u64> {
        let mut n = 0;
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            n = db
                .rows(
                    "SELECT COUNT(*) FROM decisions WHERE review_state = 'pending'",
                    &[],
                )?
                .first()
                .map(|r| r[0].int("count"))
                .transpose()?
                .unwrap_or(0);
            Ok(())
        })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

impl<T: ArrangementStore + ?Sized> CaseSearchStore for T {}

#[cfg(test)]
mod tests {
    use super::like_contains;

    #[test]
    fn wildcards_typed_are_literal() {
        assert_eq!(like_contains("jan"), "%jan%");
        assert_eq!(like_contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
