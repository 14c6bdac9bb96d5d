//! The `kwijting law` contract, through the real binary.

use std::process::{Command, Output};

use serde_json::Value;

fn kwijting(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kwijting"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json(args: &[&str]) -> Value {
    let out = kwijting(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn refused(args: &[&str], message: &str) {
    let out = kwijting(args);
    assert!(!out.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(message), "{args:?}: {stderr}");
}

#[test]
fn costs() {
    // BIK art. 2: 15% of 2,500 + 10% of 200 = 395.00; VAT 21% = 82.95.
    let v = json(&[
        "law",
        "costs",
        "--principal",
        "2700.00",
        "--vat-rate",
        "21",
        "--json",
    ]);
    assert_eq!(v["costs_cents"], 39500);
    assert_eq!(v["vat_cents"], 8295);
    assert_eq!(v["total_cents"], 47795);
    let v = json(&["law", "costs", "--principal", "125", "--json"]);
    assert_eq!(
        (v["costs_cents"].as_i64(), v["vat_cents"].as_i64()),
        (Some(4000), Some(0))
    );
}

#[test]
fn interest_worked_example() {
    // Source: nl-law.md section 3, worked example.
    let v = json(&[
        "law",
        "interest",
        "--principal",
        "1000.00",
        "--from",
        "2023-07-01",
        "--to",
        "2025-06-30",
        "--kind",
        "consumer",
        "--json",
    ]);
    assert_eq!(v["interest_cents"], 13443);
    let periods = v["periods"].as_array().unwrap();
    let first = &periods[0];
    assert_eq!(first["from"], "2023-07-01");
    assert_eq!(first["to"], "2023-12-31");
    assert_eq!(first["days"], 184);
    assert_eq!(first["rate"], "6.00");
    assert_eq!(first["base_cents"], 100000);
    assert_eq!(first["interest"], "30.2466");
    assert_eq!(periods[2]["base_cents"], 106515);
    assert_eq!(periods[3]["interest"], "31.6919");
}

#[test]
fn deadline_worked_example() {
    // Source: nl-law.md section 2, sent Friday 2025-12-19.
    let v = json(&["law", "deadline", "--sent", "2025-12-19", "--json"]);
    assert_eq!(v["delivered_on"], "2025-12-23");
    assert_eq!(v["last_day_to_pay"], "2026-01-06");
    assert_eq!(v["costs_from"], "2026-01-07");
    assert_eq!(
        v["wording_en"],
        "within 14 days after the day you received this letter"
    );
}

#[test]
fn statement() {
    let v = json(&[
        "law",
        "statement",
        "--principal",
        "1000.00",
        "--due",
        "2023-06-30",
        "--as-of",
        "2025-06-30",
        "--json",
    ]);
    assert_eq!(v["balance_cents"], 113443);
    let out = kwijting(&[
        "law",
        "statement",
        "--principal",
        "1000.00",
        "--due",
        "2023-06-30",
        "--as-of",
        "2025-06-30",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Balance due on 2025-06-30: 1134.43"));
}

#[test]
fn bad_input_exits_non_zero_with_a_message() {
    refused(
        &["law", "costs", "--principal", "-5", "--json"],
        "must not be negative",
    );
    refused(
        &["law", "costs", "--principal", "abc", "--json"],
        "not an amount",
    );
    refused(
        &[
            "law",
            "interest",
            "--principal",
            "1000",
            "--from",
            "2025-07-01",
            "--to",
            "2025-06-30",
            "--kind",
            "consumer",
            "--json",
        ],
        "lies before the first",
    );
    refused(
        &[
            "law",
            "interest",
            "--principal",
            "1000",
            "--from",
            "2023-07-01",
            "--to",
            "2025-06-30",
            "--kind",
            "simple",
            "--json",
        ],
        "unknown interest kind",
    );
    refused(
        &[
            "law",
            "interest",
            "--principal",
            "1000",
            "--from",
            "2009-07-01",
            "--to",
            "2025-06-30",
            "--kind",
            "consumer",
            "--json",
        ],
        "no interest rate is known for 2009-07-01",
    );
    refused(
        &[
            "law",
            "interest",
            "--principal",
            "-1",
            "--from",
            "2023-07-01",
            "--to",
            "2025-06-30",
            "--kind",
            "consumer",
            "--json",
        ],
        "must not be negative",
    );
    refused(
        &[
            "law",
            "interest",
            "--principal",
            "1000",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--kind",
            "commercial",
        ],
        "half-year starting 2026-07-01",
    );
    refused(
        &["law", "deadline", "--sent", "2025-02-30", "--json"],
        "not a day of the calendar",
    );
}

#[test]
fn an_assumed_commercial_rate_is_marked() {
    let v = json(&[
        "law",
        "interest",
        "--principal",
        "1000",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--kind",
        "commercial",
        "--assume-commercial-rate-continues",
        "ECB unchanged",
        "--json",
    ]);
    assert_eq!(v["uses_assumed_rate"], true);
    assert_eq!(v["periods"][1]["rate_mark"], "assumed");
}
