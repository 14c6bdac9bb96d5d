//! camt.052 / camt.053 / camt.054 (ISO 20022 bank-to-customer cash
//! management), any version: the version is read from the root namespace
//! `urn:iso:std:iso:20022:tech:xsd:camt.05N.001.NN`, elements are read by
//! local name (the paths a matcher needs barely differ between versions).

use kwijting_domain::{Date, Iban, Money, parse_date};

use crate::amount::parse_amount;
use crate::error::{BankError, StmtCtx, file_err};
use crate::model::{
    AccountId, Balance, BankTxCode, CamtMessage, CreditDebit, Entry, EntryStatus, IsoTxCode,
    RefIssuer, Statement, StatementFormat, StructuredRef, Transaction,
};
use crate::textref::find_structured_ref;
use crate::xml::{Node, Start, XmlReader};

const NAMESPACE_PREFIX: &str = "urn:iso:std:iso:20022:tech:xsd:camt.";
/// Oldest and newest message versions accepted (`.001.01` to `.001.13`).
const VERSIONS: std::ops::RangeInclusive<u8> = 1..=13;
/// Most transactions one entry may carry (a batch); a limit on everything.
pub const TRANSACTIONS_PER_ENTRY_MAX: usize = 100_000;

/// Parses a camt.052, camt.053 or camt.054 file into its statements (one per
/// `Rpt`, `Stmt` or `Ntfctn`). `source` names the file in errors.
///
/// All or nothing: the first problem refuses the whole file, naming the
/// statement, the entry (number and line) and the element.
pub fn parse_camt(xml: &[u8], source: &str) -> Result<Vec<Statement>, BankError> {
    let bytes = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        file_err(
            source,
            format!(
                "not UTF-8 text (camt files are UTF-8): invalid byte at offset {}",
                e.valid_up_to()
            ),
        )
    })?;
    let mut r = XmlReader::new(text);
    let fe = |p: String| file_err(source, p);
    let root = r
        .next_child()
        .map_err(fe)?
        .ok_or_else(|| file_err(source, "no root element"))?;
    if root.node.name != "Document" {
        return Err(file_err(
            source,
            format!(
                "root element is <{}>, not a camt <Document>",
                root.node.name
            ),
        ));
    }
    let ns_attr = if root.node.prefix.is_empty() {
        "xmlns".to_owned()
    } else {
        format!("xmlns:{}", root.node.prefix)
    };
    let namespace = root.node.attr(&ns_attr).unwrap_or("");
    let (message, version) = parse_namespace(namespace).ok_or_else(|| {
        file_err(
            source,
            format!(
                "root namespace '{namespace}' is not a camt.052, camt.053 or camt.054 namespace \
                 ({NAMESPACE_PREFIX}05N.001.NN, versions 01 to 13)"
            ),
        )
    })?;
    let (message_element, statement_element) = match message {
        CamtMessage::Report => ("BkToCstmrAcctRpt", "Rpt"),
        CamtMessage::Statement => ("BkToCstmrStmt", "Stmt"),
        CamtMessage::Notification => ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
    };
    if root.empty {
        return Err(file_err(
            source,
            format!("empty <Document>, no <{message_element}>"),
        ));
    }
    let msg = r
        .next_child()
        .map_err(fe)?
        .ok_or_else(|| file_err(source, format!("no <{message_element}> in <Document>")))?;
    // Version 1 names the message element with a suffix (`BkToCstmrStmtV01`).
    if !msg.node.name.starts_with(message_element) {
        return Err(file_err(
            source,
            format!(
                "<Document> holds <{}>, expected <{message_element}> for namespace {namespace}",
                msg.node.name
            ),
        ));
    }
    let format = StatementFormat::Camt { message, version };
    let mut statements = Vec::new();
    if !msg.empty {
        while let Some(child) = r.next_child().map_err(fe)? {
            if child.node.name == statement_element {
                statements.push(parse_statement(&mut r, child, source, format)?);
            } else {
                r.skip(child).map_err(fe)?;
            }
        }
    }
    if statements.is_empty() {
        return Err(file_err(
            source,
            format!(
                "no <{statement_element}> in <{message_element}>: a camt message needs at least one"
            ),
        ));
    }
    Ok(statements)
}

fn parse_namespace(ns: &str) -> Option<(CamtMessage, u8)> {
    let rest = ns.trim().strip_prefix(NAMESPACE_PREFIX)?;
    let (kind, version) = rest.split_once(".001.")?;
    let message = match kind {
        "052" => CamtMessage::Report,
        "053" => CamtMessage::Statement,
        "054" => CamtMessage::Notification,
        _ => return None,
    };
    if version.len() != 2 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u8 = version.parse().ok()?;
    VERSIONS.contains(&v).then_some((message, v))
}

struct BalanceRead {
    code: String,
    balance: Balance,
}

fn parse_statement(
    r: &mut XmlReader<'_>,
    start: Start,
    source: &str,
    format: StatementFormat,
) -> Result<Statement, BankError> {
    let stmt_line = r.line_of(start.node.pos);
    let mut ctx = StmtCtx {
        file: source,
        statement: format!("without <Id> at line {stmt_line}"),
    };
    let mut id: Option<String> = None;
    let mut sequence = None;
    let mut account: Option<AccountId> = None;
    let mut currency: Option<String> = None;
    let mut balances: Vec<BalanceRead> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    if !start.empty {
        while let Some(child) = r.next_child().map_err(|e| ctx.err("", e))? {
            let name = child.node.name.clone();
            match name.as_ref() {
                "Id" | "ElctrncSeqNb" | "Acct" | "Bal" | "Ntry" => {
                    let node = r.subtree(child).map_err(|e| ctx.err("", e))?;
                    let line = r.line_of(node.pos);
                    match name.as_ref() {
                        "Id" => {
                            let v = node.text.trim().to_owned();
                            ctx.statement = v.clone();
                            id = Some(v);
                        }
                        "ElctrncSeqNb" => sequence = Some(node.text.trim().to_owned()),
                        "Acct" => {
                            let (a, ccy) = parse_account(&node).ok_or_else(|| {
                                ctx.err(
                                    format!("<Acct> at line {line}"),
                                    "no account identification (Id/IBAN, Id/Othr/Id)",
                                )
                            })?;
                            account = Some(a);
                            if currency.is_none() {
                                currency = ccy;
                            }
                        }
                        "Bal" => {
                            if let Some(b) = parse_balance(&node, &ctx, line, &mut currency)? {
                                balances.push(b);
                            }
                        }
                        _ => {
                            if entries.len() >= crate::ENTRIES_PER_STATEMENT_MAX {
                                return Err(ctx.err(
                                    format!("entry {} (line {line})", entries.len() + 1),
                                    format!(
                                        "more than {} entries in one statement",
                                        crate::ENTRIES_PER_STATEMENT_MAX
                                    ),
                                ));
                            }
                            let own = account.as_ref().and_then(AccountId::iban).cloned();
                            let entry = parse_entry(
                                &node,
                                &ctx,
                                entries.len(),
                                line,
                                &mut currency,
                                own.as_ref(),
                            )?;
                            entries.push(entry);
                        }
                    }
                }
                _ => r.skip(child).map_err(|e| ctx.err("", e))?,
            }
        }
    }
    let statement_id = id.ok_or_else(|| ctx.err(format!("line {stmt_line}"), "no <Id>"))?;
    let account = account.ok_or_else(|| ctx.err(format!("line {stmt_line}"), "no <Acct>"))?;
    let pick = |codes: &[&str]| {
        codes.iter().find_map(|c| {
            balances
                .iter()
                .find(|b| b.code == *c)
                .map(|b| b.balance.clone())
        })
    };
    Ok(Statement {
        source: source.to_owned(),
        format,
        account,
        statement_id,
        sequence,
        currency,
        opening_balance: pick(&["OPBD", "PRCD"]),
        closing_balance: pick(&["CLBD"]),
        entries,
    })
}

fn parse_account(node: &Node) -> Option<(AccountId, Option<String>)> {
    let ccy = node.text_at(&["Ccy"]).map(str::to_owned);
    let account = if let Some(iban) = node.text_at(&["Id", "IBAN"]) {
        match Iban::parse(iban) {
            Ok(i) => AccountId::Iban(i),
            Err(_) => AccountId::Other(iban.to_owned()),
        }
    } else {
        let other = node
            .text_at(&["Id", "Othr", "Id"])
            .or_else(|| node.text_at(&["Id", "PrtryAcct", "Id"]))?;
        AccountId::Other(other.to_owned())
    };
    Some((account, ccy))
}

fn parse_date_element(node: &Node) -> Option<Result<Date, String>> {
    let text = node.text_at(&["Dt"]).or_else(|| node.text_at(&["DtTm"]))?;
    // A date-time's date part as written, no time-zone conversion; a date
    // may carry a zone (`2014-12-31+01:00`).
    let day = text.get(..10).unwrap_or(text);
    let tail_ok =
        text.len() == 10 || matches!(text.as_bytes().get(10), Some(b'T' | b'+' | b'-' | b'Z'));
    Some(match parse_date(day) {
        Ok(d) if tail_ok => Ok(d),
        _ => Err(format!("'{text}' is not a date (YYYY-MM-DD) or date-time")),
    })
}

fn parse_money(node: &Node, ctx: &StmtCtx<'_>, location: &str) -> Result<Money, BankError> {
    parse_amount(&node.text, '.').map_err(|e| ctx.err(location, e.describe(node.text.trim())))
}

fn parse_balance(
    node: &Node,
    ctx: &StmtCtx<'_>,
    line: usize,
    currency: &mut Option<String>,
) -> Result<Option<BalanceRead>, BankError> {
    let code = node
        .text_at(&["Tp", "CdOrPrtry", "Cd"])
        .or_else(|| node.text_at(&["Tp", "CdOrPrtry", "Prtry"]))
        .unwrap_or("");
    let amt = node.child("Amt");
    if currency.is_none() {
        *currency = amt.and_then(|a| a.attr("Ccy")).map(str::to_owned);
    }
    if !matches!(code, "OPBD" | "PRCD" | "CLBD") {
        return Ok(None);
    }
    let at = format!("balance {code} (line {line})");
    let amt = amt.ok_or_else(|| ctx.err(&at, "no <Amt>"))?;
    let ccy = currency_of(amt, ctx, &format!("{at}, Amt"))?;
    let amount = parse_money(amt, ctx, &format!("{at}, Amt"))?;
    let amount = match direction(node, ctx, &at)? {
        CreditDebit::Credit => amount,
        CreditDebit::Debit => Money::from_cents(-amount.cents()),
    };
    let date = node
        .child("Dt")
        .and_then(parse_date_element)
        .ok_or_else(|| ctx.err(&at, "no <Dt>"))?
        .map_err(|e| ctx.err(format!("{at}, Dt"), e))?;
    Ok(Some(BalanceRead {
        code: code.to_owned(),
        balance: Balance {
            amount,
            date,
            currency: ccy,
        },
    }))
}

fn direction(node: &Node, ctx: &StmtCtx<'_>, at: &str) -> Result<CreditDebit, BankError> {
    match node.text_at(&["CdtDbtInd"]) {
        Some("CRDT") => Ok(CreditDebit::Credit),
        Some("DBIT") => Ok(CreditDebit::Debit),
        Some(other) => Err(ctx.err(
            format!("{at}, CdtDbtInd"),
            format!("'{other}' is neither CRDT nor DBIT"),
        )),
        None => Err(ctx.err(at, "no <CdtDbtInd>")),
    }
}

fn currency_of(amt: &Node, ctx: &StmtCtx<'_>, at: &str) -> Result<String, BankError> {
    match amt.attr("Ccy") {
        Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => Ok(c.to_owned()),
        Some(c) => Err(ctx.err(at, format!("'{c}' is not a currency code"))),
        None => Err(ctx.err(at, "no Ccy attribute")),
    }
}

fn parse_entry(
    node: &Node,
    ctx: &StmtCtx<'_>,
    index: usize,
    line: usize,
    currency: &mut Option<String>,
    own_iban: Option<&Iban>,
) -> Result<Entry, BankError> {
    let at = format!("entry {} (line {line})", index + 1);
    let amt = node.child("Amt").ok_or_else(|| ctx.err(&at, "no <Amt>"))?;
    if currency.is_none() {
        *currency = amt.attr("Ccy").map(str::to_owned);
    }
    // Parts of a batch are read in the entry's currency.
    let ccy = currency_of(amt, ctx, &format!("{at}, Amt"))?;
    let amount = parse_money(amt, ctx, &format!("{at}, Amt"))?;
    let credit_debit = direction(node, ctx, &at)?;
    let reversal = matches!(node.text_at(&["RvslInd"]), Some("true" | "1"));
    let status = match node
        .text_at(&["Sts"])
        .or_else(|| node.text_at(&["Sts", "Cd"]))
    {
        Some("BOOK") => EntryStatus::Booked,
        Some("PDNG") => EntryStatus::Pending,
        Some("INFO") => EntryStatus::Info,
        Some(other) => EntryStatus::Other(other.to_owned()),
        None => return Err(ctx.err(&at, "no <Sts>")),
    };
    let date_of = |name: &str| -> Result<Option<Date>, BankError> {
        match node.child(name).and_then(parse_date_element) {
            None => Ok(None),
            Some(Ok(d)) => Ok(Some(d)),
            Some(Err(e)) => Err(ctx.err(format!("{at}, {name}"), e)),
        }
    };
    let booking_date = date_of("BookgDt")?;
    let value_date = date_of("ValDt")?;
    let entry_ref = node
        .text_at(&["AcctSvcrRef"])
        .or_else(|| node.text_at(&["NtryRef"]))
        .map(str::to_owned);
    let bank_tx_code = node.child("BkTxCd").and_then(parse_tx_code);
    let additional_info = node.text_at(&["AddtlNtryInf"]).map(str::to_owned);

    let details: Vec<&Node> = node
        .children("NtryDtls")
        .flat_map(|d| d.children("TxDtls"))
        .collect();
    if details.len() > TRANSACTIONS_PER_ENTRY_MAX {
        return Err(ctx.err(
            &at,
            format!(
                "{} transactions in one entry; at most {TRANSACTIONS_PER_ENTRY_MAX}",
                details.len()
            ),
        ));
    }
    let mut transactions = Vec::with_capacity(details.len().max(1));
    if details.is_empty() {
        let mut tx = Transaction::empty(0);
        tx.amount = Some(amount);
        if let Some(info) = &additional_info {
            tx.structured_reference = find_structured_ref(info);
            tx.remittance_unstructured.push(info.clone());
        }
        transactions.push(tx);
    } else {
        let flip = |d: CreditDebit| if reversal { other_side(d) } else { d };
        for (i, d) in details.iter().enumerate() {
            let tx_at = format!("{at}, TxDtls {}", i + 1);
            let dir = match d.text_at(&["CdtDbtInd"]) {
                None => credit_debit,
                Some(_) => direction(d, ctx, &tx_at)?,
            };
            let mut tx = parse_tx(d, i, flip(credit_debit), own_iban);
            tx.amount = if details.len() == 1 {
                // One transaction: the booked entry amount. A detail amount
                // may differ (charges deducted, another currency) and is not
                // what moved on the account.
                Some(amount)
            } else {
                tx_amount(d, &ccy, ctx, &tx_at)?
            };
            if details.len() > 1 && tx.amount.is_some() && dir != credit_debit {
                return Err(ctx.err(
                    format!("{tx_at}, CdtDbtInd"),
                    "a part booked in the other direction than its batch entry; netted batches are not supported",
                ));
            }
            transactions.push(tx);
        }
        if transactions.len() > 1 {
            check_batch(&transactions, amount, ctx, &at, &ccy)?;
        }
    }
    Ok(Entry {
        index,
        line,
        entry_ref,
        owner_ref: None,
        booking_date,
        value_date,
        amount,
        currency: ccy,
        credit_debit,
        reversal,
        status,
        bank_tx_code,
        additional_info,
        transactions,
    })
}

/// The parts of a batch add up to the entry, or the entry is refused. A batch
/// whose parts carry no amount in the account currency at all (details only,
/// as in some camt.054 files) keeps `amount: None` on every part.
pub(crate) fn check_batch(
    transactions: &[Transaction],
    entry_amount: Money,
    ctx: &StmtCtx<'_>,
    at: &str,
    ccy: &str,
) -> Result<(), BankError> {
    let with_amount = transactions.iter().filter(|t| t.amount.is_some()).count();
    if with_amount == 0 {
        return Ok(());
    }
    if let Some(missing) = transactions.iter().find(|t| t.amount.is_none()) {
        return Err(ctx.err(
            at,
            format!(
                "batch of {} transactions: transaction {} has no amount in {ccy} while others do, so the parts cannot be checked against the entry amount",
                transactions.len(),
                missing.index + 1
            ),
        ));
    }
    let sum: i128 = transactions
        .iter()
        .map(|t| i128::from(t.amount.map_or(0, Money::cents)))
        .sum();
    if sum != i128::from(entry_amount.cents()) {
        let total = Money::from_cents(i64::try_from(sum).unwrap_or(i64::MAX));
        return Err(ctx.err(
            at,
            format!(
                "batch of {} transactions adds up to {total}, but the entry amount is {entry_amount}",
                transactions.len()
            ),
        ));
    }
    Ok(())
}

fn other_side(d: CreditDebit) -> CreditDebit {
    match d {
        CreditDebit::Credit => CreditDebit::Debit,
        CreditDebit::Debit => CreditDebit::Credit,
    }
}

/// The part's amount in the account currency: `TxDtls/Amt` (version 4 and
/// later), else `AmtDtls/TxAmt`, `CntrValAmt`, `InstdAmt`, the first in
/// the account currency.
fn tx_amount(d: &Node, ccy: &str, ctx: &StmtCtx<'_>, at: &str) -> Result<Option<Money>, BankError> {
    let candidates = [
        ("Amt", d.child("Amt")),
        ("AmtDtls/TxAmt/Amt", d.path(&["AmtDtls", "TxAmt", "Amt"])),
        (
            "AmtDtls/CntrValAmt/Amt",
            d.path(&["AmtDtls", "CntrValAmt", "Amt"]),
        ),
        (
            "AmtDtls/InstdAmt/Amt",
            d.path(&["AmtDtls", "InstdAmt", "Amt"]),
        ),
    ];
    for (path, node) in candidates {
        if let Some(n) = node
            && n.attr("Ccy") == Some(ccy)
        {
            return parse_money(n, ctx, &format!("{at}, {path}")).map(Some);
        }
    }
    Ok(None)
}

fn parse_tx_code(node: &Node) -> Option<BankTxCode> {
    let iso = node.child("Domn").map(|d| IsoTxCode {
        domain: d.text_at(&["Cd"]).unwrap_or("").to_owned(),
        family: d.text_at(&["Fmly", "Cd"]).unwrap_or("").to_owned(),
        subfamily: d.text_at(&["Fmly", "SubFmlyCd"]).unwrap_or("").to_owned(),
    });
    let proprietary = node.text_at(&["Prtry", "Cd"]).map(str::to_owned);
    let proprietary_issuer = node.text_at(&["Prtry", "Issr"]).map(str::to_owned);
    (iso.is_some() || proprietary.is_some()).then_some(BankTxCode {
        iso,
        proprietary,
        proprietary_issuer,
    })
}

/// One side of a transaction: a party, its account and its bank.
struct Side<'n> {
    party: Option<&'n Node<'n>>,
    account: Option<&'n Node<'n>>,
    agent: Option<&'n Node<'n>>,
}

impl Side<'_> {
    fn name(&self) -> Option<&str> {
        let p = self.party?;
        p.text_at(&["Nm"])
            .or_else(|| p.text_at(&["Pty", "Nm"]))
            .or_else(|| p.text_at(&["Agt", "FinInstnId", "Nm"]))
    }

    fn iban(&self) -> Option<&str> {
        let a = self.account?;
        a.text_at(&["Id", "IBAN"])
            .or_else(|| a.text_at(&["Id", "Othr", "Id"]))
    }

    fn bic(&self) -> Option<&str> {
        let a = self.agent?;
        a.text_at(&["FinInstnId", "BIC"])
            .or_else(|| a.text_at(&["FinInstnId", "BICFI"]))
    }

    fn is_empty(&self) -> bool {
        self.name().is_none() && self.iban().is_none()
    }
}

fn parse_tx(d: &Node, index: usize, original: CreditDebit, own_iban: Option<&Iban>) -> Transaction {
    let mut tx = Transaction::empty(index);
    tx.end_to_end_id = d
        .text_at(&["Refs", "EndToEndId"])
        .filter(|e| !e.eq_ignore_ascii_case("NOTPROVIDED"))
        .map(str::to_owned);
    tx.mandate_id = d.text_at(&["Refs", "MndtId"]).map(str::to_owned);

    let side = |party: &str, account: &str, agent: &str| Side {
        party: d.path(&["RltdPties", party]),
        account: d.path(&["RltdPties", account]),
        agent: d.path(&["RltdAgts", agent]),
    };
    let debtor = side("Dbtr", "DbtrAcct", "DbtrAgt");
    let creditor = side("Cdtr", "CdtrAcct", "CdtrAgt");
    tx.creditor_id = creditor.party.and_then(sepa_creditor_id).map(str::to_owned);
    // The counterparty of a credit is the debtor (the payer), of a debit the
    // creditor; of a reversal the other side of the original. When that side
    // is our own account or empty, the other side is taken (returns report
    // the parties of the original payment).
    let (first, second) = match original {
        CreditDebit::Credit => (debtor, creditor),
        CreditDebit::Debit => (creditor, debtor),
    };
    let is_own = |s: &Side<'_>| {
        own_iban.is_some_and(|own| {
            s.iban()
                .is_some_and(|i| i.eq_ignore_ascii_case(own.as_str()))
        })
    };
    let counterparty =
        if (first.is_empty() || is_own(&first)) && !second.is_empty() && !is_own(&second) {
            second
        } else {
            first
        };
    tx.counterparty_name = counterparty.name().map(str::to_owned);
    tx.counterparty_iban = counterparty
        .iban()
        .map(|s| s.replace(' ', "").to_ascii_uppercase());
    tx.counterparty_bic = counterparty.bic().map(str::to_owned);

    if let Some(rmt) = d.child("RmtInf") {
        for u in rmt.children("Ustrd") {
            let t = u.text.trim();
            if !t.is_empty() {
                tx.remittance_unstructured.push(t.to_owned());
            }
        }
        for s in rmt.children("Strd") {
            if tx.structured_reference.is_none()
                && let Some(reference) = s.text_at(&["CdtrRefInf", "Ref"])
            {
                let issuer = match s.text_at(&["CdtrRefInf", "Tp", "Issr"]) {
                    Some(i) if i.eq_ignore_ascii_case("CUR") => RefIssuer::Cur,
                    Some(i) if i.eq_ignore_ascii_case("ISO") => RefIssuer::Iso,
                    Some(i) => RefIssuer::Other(i.to_owned()),
                    None => RefIssuer::Other(
                        s.text_at(&["CdtrRefInf", "Tp", "CdOrPrtry", "Cd"])
                            .or_else(|| s.text_at(&["CdtrRefInf", "Tp", "CdOrPrtry", "Prtry"]))
                            .unwrap_or("")
                            .to_owned(),
                    ),
                };
                tx.structured_reference = Some(StructuredRef {
                    issuer,
                    reference: reference.to_owned(),
                });
            }
            for a in s.children("AddtlRmtInf") {
                let t = a.text.trim();
                if !t.is_empty() {
                    tx.remittance_unstructured.push(t.to_owned());
                }
            }
        }
    }
    if tx.structured_reference.is_none() {
        tx.structured_reference = tx
            .remittance_unstructured
            .iter()
            .find_map(|t| find_structured_ref(t));
    }
    tx.return_reason = d
        .text_at(&["RtrInf", "Rsn", "Cd"])
        .or_else(|| d.text_at(&["RtrInf", "Rsn", "Prtry"]))
        .map(str::to_owned);
    tx
}

/// The SEPA creditor identifier of a direct debit: the creditor's private
/// id of scheme `SEPA` (how Dutch banks report `CdtrSchmeId`).
fn sepa_creditor_id<'a>(party: &'a Node<'_>) -> Option<&'a str> {
    let party = party.child("Pty").unwrap_or(party);
    party
        .path(&["Id", "PrvtId"])?
        .children("Othr")
        .find(|o| o.text_at(&["SchmeNm", "Prtry"]) == Some("SEPA"))
        .and_then(|o| o.text_at(&["Id"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces() {
        assert_eq!(
            parse_namespace("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"),
            Some((CamtMessage::Statement, 2))
        );
        assert_eq!(
            parse_namespace("urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"),
            Some((CamtMessage::Notification, 8))
        );
        assert_eq!(
            parse_namespace("urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"),
            None
        );
        assert_eq!(
            parse_namespace("urn:iso:std:iso:20022:tech:xsd:camt.053.001.99"),
            None
        );
        assert_eq!(parse_namespace(""), None);
    }
}
