//! The retention run, legal holds, notices, backup and restore through the
//! real binary, on every engine.

use kwijting_store::{CaseId, case_number};
use serde_json::Value;

mod common;
use common::{databases, kwijting, ok, scratch};

#[test]
fn retention_run_holds_backup_and_restore() {
    let dir = scratch("retention");
    let csv = dir.join("p.csv");
    let csv_s = csv.to_str().unwrap();
    ok(
        "sqlite::memory:",
        &[
            "generate",
            "--cases",
            "50",
            "--seed",
            "5",
            "--as-of",
            "2026-11-01",
            "--out",
            csv_s,
        ],
    );
    for (i, db) in databases("retention", &dir).iter().enumerate() {
        let db = db.as_str();
        ok(
            db,
            &[
                "clients",
                "add",
                "--ref",
                "ACME",
                "--name",
                "Acme B.V.",
                "--role",
                "controller",
            ],
        );
        ok(db, &["import", "claims", "--client", "ACME", csv_s]);
        let store = kwijting_store::open(db).unwrap();
        let on = kwijting_domain::parse_date("2015-06-30").unwrap();
        let mut names = Vec::new();
        for id in 1..=10 {
            assert!(store.close_case(CaseId(id), "closed_paid", on).unwrap());
            let c = store
                .case_by_number(&case_number(CaseId(id)).unwrap())
                .unwrap()
                .unwrap();
            names.push(c.summary.debtor.name);
        }
        drop(store);

        let queued = ok(db, &["policy", "notify-change"]);
        assert!(queued.contains("notice(s) queued"), "{queued}");
        let again = ok(db, &["policy", "notify-change"]);
        assert!(again.contains(": 0 notice(s)"), "{again}");

        let backup = dir.join(format!("before-{i}.backup"));
        ok(db, &["backup", backup.to_str().unwrap()]);
        let held = case_number(CaseId(1)).unwrap();
        let placed = ok(
            db,
            &[
                "retention",
                "hold",
                "add",
                "--case",
                &held,
                "--reason",
                "dispute",
                "--owner",
                "legal team",
            ],
        );
        assert!(placed.contains("legal hold"), "{placed}");

        let dry: Value = serde_json::from_str(&ok(
            db,
            &[
                "retention",
                "run",
                "--as-of",
                "2026-11-21",
                "--dry-run",
                "--json",
            ],
        ))
        .unwrap();
        assert_eq!(dry["cases"], 9, "{db}: ten closed, one held: {dry}");
        let run: Value = serde_json::from_str(&ok(
            db,
            &["retention", "run", "--as-of", "2026-11-21", "--json"],
        ))
        .unwrap();
        assert_eq!(run["cases"], 9, "{db}: {run}");
        assert_eq!(run["per_category"], dry["per_category"], "{db}");
        assert!(
            run["per_purpose"]["collection"].as_u64().unwrap() > 0,
            "{db}: {run}"
        );
        let text = ok(db, &["retention", "run", "--as-of", "2026-11-21"]);
        assert!(
            text.contains("9 case(s)"),
            "{db}: a resumed run reports the whole day: {text}"
        );
        let holds: Value =
            serde_json::from_str(&ok(db, &["retention", "hold", "list", "--json"])).unwrap();
        assert_eq!(holds.as_array().unwrap().len(), 1, "{db}: {holds}");

        let restored = ok(db, &["restore", backup.to_str().unwrap()]);
        assert!(restored.contains("1 erasure(s)"), "{db}: {restored}");
        let store = kwijting_store::open(db).unwrap();
        let hits = store.scan_values(&names[1..]).unwrap();
        assert!(hits.is_empty(), "{db}: the restore brought back {hits:?}");
        assert!(
            !store.scan_values(&names[..1]).unwrap().is_empty(),
            "{db}: the held case's debtor stays"
        );

        // Disaster recovery: the journal exported apart from the backups is
        // re-applied when the backup goes into a new database.
        let journal = dir.join(format!("journal-{i}.json"));
        ok(
            db,
            &["erasure", "journal", "--out", journal.to_str().unwrap()],
        );
        let new_db = if db.starts_with("sqlite") {
            format!("sqlite://{}", dir.join("new.db").display())
        } else {
            kwijting_store::testkit::fresh_pg_url("cli_retention_new").unwrap()
        };
        let restored = ok(
            &new_db,
            &[
                "restore",
                backup.to_str().unwrap(),
                "--journal",
                journal.to_str().unwrap(),
            ],
        );
        assert!(restored.contains("1 erasure(s)"), "{new_db}: {restored}");
        let fresh = kwijting_store::open(&new_db).unwrap();
        assert!(
            fresh.scan_values(&names[1..]).unwrap().is_empty(),
            "{new_db}"
        );
        assert!(
            !fresh.scan_values(&names[..1]).unwrap().is_empty(),
            "{new_db}"
        );
        drop(fresh);
        std::fs::write(&journal, "{}").unwrap();
        let out = kwijting(
            &new_db,
            &[
                "restore",
                backup.to_str().unwrap(),
                "--journal",
                journal.to_str().unwrap(),
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(3),
            "{new_db}: a bad journal is refused"
        );

        // A refused request exits 3.
        let out = kwijting(
            db,
            &[
                "erasure",
                "subject",
                "--party",
                "999999",
                "--reference",
                "R-1",
            ],
        );
        assert_eq!(out.status.code(), Some(3), "{db}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
