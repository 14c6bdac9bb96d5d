use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::date;
use kwijting_domain::{DebtorType, KvkNumber, Postcode, parse_date};

use super::*;

fn as_of() -> Date {
    date(2025, 6, 30)
}

fn generate(cases: u64, seed: u64) -> (Vec<u8>, Summary) {
    let mut out = Vec::new();
    match write_portfolio(&mut out, &PortfolioOptions::new(cases, seed, as_of())) {
        Ok(summary) => (out, summary),
        Err(e) => panic!("generation failed: {e}"),
    }
}

/// The file read back with an independent RFC 4180 reader, as maps from
/// column name to value.
fn records(bytes: &[u8]) -> Vec<HashMap<String, String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => panic!("no header: {e}"),
    };
    reader
        .records()
        .map(|r| match r {
            Ok(r) => {
                assert_eq!(r.len(), COLUMNS.len(), "field count");
                headers
                    .iter()
                    .zip(r.iter())
                    .map(|(h, v)| (h.to_owned(), v.to_owned()))
                    .collect()
            }
            Err(e) => panic!("bad CSV: {e}"),
        })
        .collect()
}

fn get<'a>(r: &'a HashMap<String, String>, col: &str) -> &'a str {
    r.get(col).map_or("", String::as_str)
}

#[test]
fn header_and_line_count() {
    let (bytes, summary) = generate(500, 1);
    let text = String::from_utf8(bytes.clone()).unwrap_or_default();
    let header = text.lines().next().unwrap_or_default();
    assert_eq!(header, COLUMNS.join(","));
    assert_eq!(header.split(',').count(), 32);
    let recs = records(&bytes);
    assert_eq!(recs.len() as u64, summary.lines);
    assert_eq!(summary.cases, 500);
    assert_eq!(summary.bytes, bytes.len() as u64);
    let refs: HashSet<&str> = recs.iter().map(|r| get(r, "debtor_ref")).collect();
    assert_eq!(refs.len(), 500, "one debtor_ref per case");
    assert!(text.ends_with('\n'));
}

#[test]
fn the_column_order_is_the_documented_one() {
    // The table in docs/claims-csv.md, read in order.
    let doc = include_str!("../../../docs/claims-csv.md");
    let mut documented = Vec::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let first_cell = line.split('|').nth(1).unwrap_or_default();
        for name in first_cell.split(',') {
            documented.push(name.trim().trim_matches('`').to_owned());
        }
    }
    assert_eq!(documented, COLUMNS);
}

#[test]
fn deterministic_for_a_seed_and_different_across_seeds() {
    let (a, sa) = generate(2_000, 42);
    let (b, sb) = generate(2_000, 42);
    let (c, _) = generate(2_000, 43);
    assert!(a == b, "same seed, same bytes");
    assert_eq!(sa, sb);
    assert!(a != c, "another seed, other bytes");
}

#[test]
fn split_files_equal_one_file() {
    let (whole, _) = generate(300, 9);
    let mut parts = Vec::new();
    for (first_case, cases) in [(0, 120), (120, 180)] {
        let mut out = Vec::new();
        let opts = PortfolioOptions {
            first_case,
            ..PortfolioOptions::new(cases, 9, as_of())
        };
        assert!(write_portfolio(&mut out, &opts).is_ok());
        parts.push(out);
    }
    let header_len = COLUMNS.join(",").len() + 1;
    let mut joined = parts[0].clone();
    joined.extend_from_slice(&parts[1][header_len..]);
    assert!(joined == whole);
}

#[test]
fn every_value_parses_with_the_domain_types() {
    let (bytes, _) = generate(3_000, 7);
    let as_of = as_of();
    for (i, r) in records(&bytes).iter().enumerate() {
        let line = i + 2;
        let debtor_type = DebtorType::parse(get(r, "debtor_type"));
        assert!(debtor_type.is_some(), "line {line}: debtor_type");
        assert!(!get(r, "debtor_name").is_empty());
        assert!(get(r, "debtor_ref").starts_with('D'));
        match debtor_type {
            Some(DebtorType::Business) => {
                assert!(
                    KvkNumber::parse(get(r, "kvk_number")).is_ok(),
                    "line {line}: kvk"
                );
                assert_eq!(
                    get(r, "birth_date"),
                    "",
                    "line {line}: a business has no birth date"
                );
            }
            _ => {
                assert_eq!(get(r, "kvk_number"), "");
                let birth = parse_date(get(r, "birth_date"));
                assert!(birth.is_ok_and(|b| b < as_of), "line {line}: birth_date");
            }
        }
        for prefix in ["", "guarantor_"] {
            let country = get(r, &format!("{prefix}country"));
            let postcode = get(r, &format!("{prefix}postcode"));
            if prefix == "guarantor_" && get(r, "guarantor_name").is_empty() {
                assert_eq!(postcode, "");
                continue;
            }
            assert!(
                !get(r, &format!("{prefix}street")).is_empty(),
                "line {line}: {prefix}street"
            );
            assert!(
                !get(r, &format!("{prefix}city")).is_empty(),
                "line {line}: {prefix}city"
            );
            match country {
                "NL" => assert!(Postcode::parse(postcode).is_ok(), "line {line}: {postcode}"),
                "BE" => {
                    assert!(postcode.len() == 4 && postcode.bytes().all(|b| b.is_ascii_digit()))
                }
                "DE" => {
                    assert!(postcode.len() == 5 && postcode.bytes().all(|b| b.is_ascii_digit()))
                }
                other => panic!("line {line}: country {other}"),
            }
        }
        let iban = get(r, "iban");
        if !iban.is_empty() {
            assert!(Iban::parse(iban).is_ok(), "line {line}: iban {iban}");
        }
        let phone = get(r, "phone");
        assert!(
            phone
                .bytes()
                .all(|b| b.is_ascii_digit() || b" +-".contains(&b)),
            "line {line}: phone"
        );
        let email = get(r, "email");
        assert!(
            email.is_empty() || (email.contains('@') && email.ends_with(".example")),
            "{email}"
        );

        let invoice = parse_date(get(r, "invoice_date"));
        let due = parse_date(get(r, "due_date"));
        let (Ok(invoice), Ok(due)) = (invoice, due) else {
            panic!("line {line}: dates");
        };
        let terms = invoice.until(due).map(|s| s.get_days()).unwrap_or(-1);
        assert!(
            (14..=30).contains(&terms),
            "line {line}: payment term {terms}"
        );
        assert!(due < as_of, "line {line}: due before as_of");
        assert!(
            invoice >= date(2022, 6, 30),
            "line {line}: within three years"
        );
        let principal = Money::parse_positive(get(r, "principal"));
        assert!(
            principal
                .is_ok_and(|m| (PRINCIPAL_CENTS_MIN..=PRINCIPAL_CENTS_MAX).contains(&m.cents())),
            "line {line}: principal"
        );
        assert!(!get(r, "invoice_number").is_empty());

        if !get(r, "co_debtor_name").is_empty() {
            assert!(parse_date(get(r, "co_debtor_birth_date")).is_ok());
            for col in [
                "co_debtor_street",
                "co_debtor_postcode",
                "co_debtor_city",
                "co_debtor_country",
            ] {
                assert_eq!(
                    get(r, col),
                    "",
                    "line {line}: {col} is the debtor's address"
                );
            }
        }
        if !get(r, "guarantor_name").is_empty() {
            assert!(parse_date(get(r, "guarantor_birth_date")).is_ok());
        }
        for col in COLUMNS {
            let max = if col == "description" { 500 } else { 200 };
            assert!(
                get(r, col).chars().count() <= max,
                "line {line}: {col} too long"
            );
        }
    }
}

#[test]
fn invoice_numbers_are_unique_and_lines_of_a_case_agree() {
    let (bytes, _) = generate(3_000, 11);
    let recs = records(&bytes);
    let mut invoices = HashSet::new();
    let mut debtors: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in &recs {
        assert!(
            invoices.insert(get(r, "invoice_number")),
            "duplicate invoice number"
        );
        let debtor_cols: Vec<&str> = COLUMNS[..12]
            .iter()
            .chain(COLUMNS[19..].iter())
            .map(|c| get(r, c))
            .collect();
        let previous = debtors.insert(get(r, "debtor_ref"), debtor_cols.clone());
        if let Some(previous) = previous {
            assert_eq!(
                previous, debtor_cols,
                "the lines of one debtor carry the same parties"
            );
        }
    }
}

#[test]
fn the_mixes_are_roughly_as_intended() {
    let (bytes, s) = generate(10_000, 2025);
    let recs = records(&bytes);
    let pct = |n: u64| n * 100 / s.cases;
    let within = |name: &str, value: u64, lo: u64, hi: u64| {
        assert!(
            (lo..=hi).contains(&value),
            "{name}: {value}% not in {lo}..={hi}"
        );
    };
    within("businesses", pct(s.businesses), 13, 17);
    within("multi-claim cases", pct(s.multi_claim_cases), 17, 23);
    within("co-debtors", pct(s.with_co_debtor), 6, 10);
    within("guarantors", pct(s.with_guarantor), 1, 5);
    within("abroad", pct(s.abroad), 2, 6);
    within("e-mail", pct(s.with_email), 60, 80);
    within("phone", pct(s.with_phone), 65, 85);
    within("iban", pct(s.with_iban), 55, 80);

    // Count again from the file itself.
    let mut by_debtor: BTreeMap<&str, usize> = BTreeMap::new();
    let mut small = 0u64;
    let mut over_10k = 0u64;
    let mut names_with_infix = 0u64;
    let mut quoted_names = 0u64;
    for r in &recs {
        *by_debtor.entry(get(r, "debtor_ref")).or_default() += 1;
        let cents = Money::parse(get(r, "principal")).map_or(0, |m| m.cents());
        if cents <= 50_000 {
            small += 1;
        }
        if cents > 1_000_000 {
            over_10k += 1;
        }
        let name = get(r, "debtor_name");
        if [" van ", " de ", " van der ", " van den "]
            .iter()
            .any(|t| name.contains(t))
        {
            names_with_infix += 1;
        }
        if name.contains(',') || name.contains('"') {
            quoted_names += 1;
        }
    }
    assert_eq!(by_debtor.len() as u64, s.cases);
    assert!(by_debtor.values().all(|&n| (1..=3).contains(&n)));
    let lines = recs.len() as u64;
    within("claims up to EUR 500", small * 100 / lines, 60, 90);
    assert!(over_10k > 0, "a long tail");
    assert!(over_10k * 100 / lines < 5, "a thin tail");
    assert!(names_with_infix * 100 / lines >= 10, "tussenvoegsels");
    assert!(quoted_names > 0, "names that need quoting");
    assert_eq!(
        s.total_principal.cents(),
        recs.iter()
            .map(|r| Money::parse(get(r, "principal")).map_or(0, |m| m.cents()))
            .sum::<i64>()
    );
}

#[test]
fn postcodes_fit_the_city() {
    let (bytes, _) = generate(2_000, 5);
    for r in records(&bytes) {
        if get(&r, "country") != "NL" {
            continue;
        }
        let digits: u16 = get(&r, "postcode")[..4].parse().unwrap_or(0);
        let city = get(&r, "city");
        let fits = CITIES_NL
            .iter()
            .any(|&(c, lo, hi)| c == city && (lo..=hi).contains(&digits));
        assert!(fits, "{digits} {city}");
    }
}

/// The importer recognises a debtor without a debtor_ref by type, name, date
/// of birth (or KvK number) and postcode. In 1,000 synthetic cases no two
/// debtor_refs share that key, so tests that drop the debtor_ref column get
/// exactly one case per debtor. (It is not impossible in principle: names,
/// dates and postcodes are drawn independently. KvK numbers are unique per
/// case by construction.)
#[test]
fn no_two_debtors_share_an_identity_key_by_accident() {
    let (bytes, _) = generate(1_000, 3);
    let mut keys: HashMap<(String, String, String, String), String> = HashMap::new();
    for r in records(&bytes) {
        let key = (
            get(&r, "debtor_type").to_owned(),
            get(&r, "debtor_name").to_owned(),
            format!("{}{}", get(&r, "birth_date"), get(&r, "kvk_number")),
            get(&r, "postcode").to_owned(),
        );
        let debtor = get(&r, "debtor_ref").to_owned();
        if let Some(other) = keys.insert(key.clone(), debtor.clone()) {
            assert_eq!(other, debtor, "{key:?} is shared by two debtors");
        }
    }
}

#[test]
fn refuses_out_of_range_options() {
    let mut sink = Vec::new();
    let too_many = PortfolioOptions::new(CASES_MAX + 1, 1, as_of());
    assert!(matches!(
        write_portfolio(&mut sink, &too_many),
        Err(SynthError::TooManyCases { .. })
    ));
    let past_end = PortfolioOptions {
        first_case: CASE_NUMBER_MAX - 5,
        ..PortfolioOptions::new(10, 1, as_of())
    };
    assert!(matches!(
        write_portfolio(&mut sink, &past_end),
        Err(SynthError::CaseNumbersExhausted { .. })
    ));
    let ancient = PortfolioOptions::new(10, 1, date(1800, 1, 1));
    assert!(matches!(
        write_portfolio(&mut sink, &ancient),
        Err(SynthError::AsOfOutOfRange(_))
    ));
    assert!(sink.is_empty(), "nothing written on a refusal");
    let (bytes, s) = generate(0, 1);
    assert_eq!(s.lines, 0);
    assert_eq!(bytes, format!("{}\n", COLUMNS.join(",")).into_bytes());
}

#[test]
fn ids_are_unique_by_construction() {
    let kvks: HashSet<u64> = (0..200_000).map(|n| kvk_number(1, n)).collect();
    assert_eq!(kvks.len(), 200_000);
    assert!(kvks.iter().all(|k| (10_000_000..=99_999_999).contains(k)));
    let accounts: HashSet<u64> = (0..200_000).map(|n| account_number(1, n)).collect();
    assert_eq!(accounts.len(), 200_000);
}

#[test]
fn quoting_follows_rfc_4180() {
    let check = |input: &str, expected: &str| {
        let mut buf = Vec::new();
        push_field(&mut buf, input);
        assert_eq!(String::from_utf8(buf).unwrap_or_default(), expected);
    };
    check("Jan de Vries", "Jan de Vries");
    check("Vries, Jan de", "\"Vries, Jan de\"");
    check(
        "Johannes \"Hans\" Bakker",
        "\"Johannes \"\"Hans\"\" Bakker\"",
    );
    check("'t Hart", "'t Hart");
}

#[test]
fn every_column_has_a_dutch_header_the_nl_mapping_reads_back() {
    let mapping = include_str!("../../../mappings/nl.toml");
    for col in COLUMNS {
        let (_, dutch) = crate::DUTCH_HEADERS
            .iter()
            .find(|(ours, _)| *ours == col)
            .unwrap_or_else(|| panic!("no Dutch header for {col}"));
        let line = format!("{} = \"{col}\"", dutch.to_lowercase());
        assert!(
            mapping.lines().any(|l| l.trim() == line),
            "nl.toml lacks: {line}"
        );
    }
}
