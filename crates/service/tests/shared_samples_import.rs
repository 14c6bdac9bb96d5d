//! Every real camt and MT940 file in the shared reference samples imports
//! through the service (parse, reconcile, match, book) or is refused with a
//! message naming the file; what was booked verifies, and a second import of
//! every file books nothing. Skipped when the shared folder is absent.

use std::path::{Path, PathBuf};

use kwijting_store::testkit::fresh_stores;

mod common;
use common::operator;

fn samples_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/samples");
    dir.is_dir().then_some(dir)
}

fn statement_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if p.is_dir() {
            statement_files(&p, out);
        } else if name.starts_with("MANIFEST") {
            continue;
        } else if ext == "xml" {
            let head = std::fs::read(&p).unwrap_or_default();
            if String::from_utf8_lossy(&head[..head.len().min(600)]).contains("camt.05") {
                out.push(p);
            }
        } else if matches!(ext, "txt" | "swi" | "sta" | "940") {
            out.push(p);
        }
    }
}

#[test]
fn every_shared_statement_imports_or_is_refused_naming_the_file() {
    let Some(dir) = samples_dir() else {
        println!("shared samples folder not found next to the workspace; skipping");
        return;
    };
    let mut paths = Vec::new();
    statement_files(&dir, &mut paths);
    for (engine, store) in fresh_stores("shared_samples_import") {
        // Each sample's account is taken as a trust account of the agency;
        // an account that is not an IBAN cannot be one, and its file is
        // refused naming it.
        let mut accounts = sample_accounts(&paths);
        accounts.push(common::trust_account());
        let svc = common::acme(store, 50, 4).with_trust_accounts(accounts);
        let (mut imported, mut refused, mut failures) = (Vec::new(), 0, Vec::new());
        let mut account_refusals = 0;
        let mut reasons: Vec<String> = Vec::new();
        for p in &paths {
            let rel = p.strip_prefix(&dir).unwrap().display().to_string();
            let bytes = std::fs::read(p).unwrap();
            let mut result = svc.import_statement(&operator(), &rel, &bytes);
            let mut bytes = bytes;
            // Many samples are of made-up accounts that fail mod-97 or are
            // plain account numbers: refused, naming the account; the rest
            // of the file is still booked as if it were the trust account's.
            if let Err(e) = &result
                && e.to_string().contains("not a valid IBAN")
            {
                assert!(e.to_string().contains(&rel), "{engine}: {e}");
                account_refusals += 1;
                bytes = as_trust_account(&bytes, &rel);
                result = svc.import_statement(&operator(), &rel, &bytes);
            }
            match result {
                Ok(r) => imported.push((rel, bytes, r.transactions)),
                Err(e) if e.to_string().contains(&rel) => {
                    refused += 1;
                    reasons.push(e.to_string());
                }
                Err(e) => failures.push(format!("{rel}: refused without naming the file: {e}")),
            }
        }
        assert!(failures.is_empty(), "{engine}: {}", failures.join("\n"));
        println!(
            "{engine}: {} imported, {refused} refused naming the file",
            imported.len()
        );
        // The hand-written test files whose balances do not add up are
        // refused as the issue asks; only the two files broken on purpose
        // fail otherwise.
        let other: Vec<&String> = reasons
            .iter()
            .filter(|r| !r.contains("does not reconcile"))
            .collect();
        assert!(other.len() <= 2, "{engine}: {other:#?}");
        assert!(account_refusals >= 10, "{engine}: {account_refusals}");
        assert!(
            imported.len() >= 40,
            "{engine}: only {} imported: {reasons:#?}",
            imported.len()
        );
        if let Err(p) = svc.verify_ledger(&operator()).unwrap() {
            panic!("{engine}: {p:#?}");
        }
        for (rel, bytes, transactions) in &imported {
            let r = svc.import_statement(&operator(), rel, bytes).unwrap();
            assert_eq!(
                r.known, *transactions,
                "{engine}: {rel} booked again: {r:?}"
            );
        }
    }
}

/// The IBANs the sample statements are of.
fn sample_accounts(paths: &[PathBuf]) -> Vec<kwijting_domain::Iban> {
    let mut out = Vec::new();
    for p in paths {
        let bytes = std::fs::read(p).unwrap_or_default();
        let name = p.display().to_string();
        let xml = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
            || bytes.starts_with(b"\xEF\xBB\xBF");
        let parsed = if xml {
            kwijting_bank::parse_camt(&bytes, &name)
        } else {
            kwijting_bank::parse_mt940(&String::from_utf8_lossy(&bytes), &name)
        };
        for s in parsed.unwrap_or_default() {
            if let Some(i) = s.account.as_iban()
                && !out.contains(&i)
            {
                out.push(i);
            }
        }
    }
    out
}

/// The file with its account (each statement's, as written) replaced by the
/// tests' trust account.
fn as_trust_account(bytes: &[u8], name: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let xml = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<');
    let parsed = if xml {
        kwijting_bank::parse_camt(bytes, name)
    } else {
        kwijting_bank::parse_mt940(&text, name)
    };
    let trust = common::trust_account();
    let mut out = text;
    for s in parsed.unwrap_or_default() {
        let written = s.account.as_str().to_owned();
        if !written.is_empty() {
            out = out.replace(&written, trust.as_str());
        }
    }
    out.into_bytes()
}
