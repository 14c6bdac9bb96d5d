//! `kwijting import claims` with the files clients send (CSV of any
//! separator and number style, xlsx, a column mapping) and `kwijting
//! clients mapping` (a client's saved mapping).

use std::path::{Path, PathBuf};

use anyhow::Context;
use kwijting_domain::Actor;
use kwijting_service::intake::{ColumnMapping, Detected, FileOptions, Progress, mapping};
use kwijting_service::{ImportReport, Kwijting};
use serde_json::json;

#[derive(clap::Args)]
pub struct ClaimsArgs {
    /// The claim file: CSV text (separator and number style detected) or .xlsx
    file: PathBuf,
    #[arg(long)]
    client: String,
    /// Column mapping: a TOML file (file header -> column), or `nl` for the
    /// built-in Dutch headers; default: the client's saved mapping
    #[arg(long)]
    mapping: Option<String>,
    /// The sheet of an .xlsx workbook (default: the first)
    #[arg(long)]
    sheet: Option<String>,
    /// Refuse the file when one debtor_ref comes with different names
    #[arg(long)]
    strict: bool,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct MappingArgs {
    /// The client's reference
    reference: String,
    /// Save this mapping (a TOML file, or `nl`) for the client's files
    #[arg(long, conflicts_with = "show")]
    file: Option<String>,
    /// Show the client's saved mapping
    #[arg(long)]
    show: bool,
    #[arg(long)]
    json: bool,
}

/// A mapping named on the command line: a built-in name or a TOML file.
pub fn load_mapping(arg: &str) -> anyhow::Result<ColumnMapping> {
    if let Some(m) = ColumnMapping::built_in(arg) {
        return Ok(m);
    }
    let path = Path::new(arg);
    let size = std::fs::metadata(path)
        .with_context(|| {
            format!(
                "opening the mapping {arg} (a TOML file, or one of: {})",
                built_in_names()
            )
        })?
        .len();
    if size > mapping::MAPPING_BYTES_MAX as u64 {
        return Err(crate::refused(anyhow::anyhow!(
            "{arg}: the mapping is longer than {} bytes",
            mapping::MAPPING_BYTES_MAX
        )));
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {arg}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| crate::refused(anyhow::anyhow!("{arg}: the mapping is not UTF-8 text")))?;
    ColumnMapping::parse(arg, &text).map_err(|e| crate::refused(anyhow::anyhow!("{e}")))
}

fn built_in_names() -> String {
    mapping::BUILT_IN
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn claims(svc: &Kwijting, actor: &Actor, args: ClaimsArgs) -> anyhow::Result<()> {
    let options = FileOptions {
        mapping: args.mapping.as_deref().map(load_mapping).transpose()?,
        sheet: args.sheet,
        strict: args.strict,
    };
    let started = std::time::Instant::now();
    let f = std::fs::File::open(&args.file)
        .with_context(|| format!("opening {}", args.file.display()))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let pb = crate::progress_bar(size, "importing");
    let source = args.file.display().to_string();
    let report = svc
        .import_claims_file(
            actor,
            &args.client,
            &source,
            std::io::BufReader::with_capacity(64 * 1024, f),
            &options,
            &mut |p: Progress| pb.set_position(p.bytes),
        )
        .map_err(crate::intake_error);
    pb.finish_and_clear();
    let r = report?;
    if args.json {
        return crate::print_json(&report_json(&r));
    }
    println!(
        "{}: {} lines, {} claims added, {} already known; {} cases opened, {} extended ({:.1?})",
        r.source,
        r.lines,
        r.claims_added,
        r.claims_known,
        r.cases_added,
        r.cases_extended,
        started.elapsed()
    );
    if let Some(d) = &r.detected {
        println!("read as: {d}");
    }
    print_name_conflicts(&r);
    Ok(())
}

/// The lines where one `debtor_ref` has another name than before.
fn print_name_conflicts(r: &ImportReport) {
    if r.name_conflict_count == 0 {
        return;
    }
    println!(
        "{} line(s) name a debtor_ref given earlier with another name (imported as the first; --strict refuses the file):",
        r.name_conflict_count
    );
    for c in &r.name_conflicts {
        println!(
            "  debtor_ref {}: line {} '{}', line {} '{}'",
            c.debtor_ref, c.first_line, c.first_name, c.line, c.name
        );
    }
    let more = r.name_conflict_count - r.name_conflicts.len() as u64;
    if more > 0 {
        println!("  ... and {more} more");
    }
}

pub fn detected_json(d: &Detected) -> serde_json::Value {
    json!({
        "kind": d.kind.map(|k| k.as_str()),
        "separator": d.separator.map(|s| (s as char).to_string()),
        "number_style": d.number_style.as_str(),
        "number_style_from": d.style_basis.as_str(),
        "bom": d.bom,
        "crlf": d.crlf,
        "sheet": d.sheet,
        "mapping": d.mapping,
    })
}

/// The import report as `--json` prints it: the API's report, with what
/// was detected and the name conflicts.
pub fn report_json(r: &ImportReport) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap_or_else(|_| json!({}));
    if let Some(o) = v.as_object_mut() {
        o.insert("source".into(), json!(r.source));
        o.insert(
            "detected".into(),
            r.detected
                .as_ref()
                .map(detected_json)
                .unwrap_or(serde_json::Value::Null),
        );
        o.insert("name_conflict_count".into(), json!(r.name_conflict_count));
        o.insert(
            "name_conflicts".into(),
            r.name_conflicts
                .iter()
                .map(|c| {
                    json!({
                        "debtor_ref": c.debtor_ref,
                        "first_line": c.first_line,
                        "first_name": c.first_name,
                        "line": c.line,
                        "name": c.name,
                    })
                })
                .collect(),
        );
    }
    v
}

pub fn mapping(svc: &Kwijting, actor: &Actor, args: MappingArgs) -> anyhow::Result<()> {
    if let Some(file) = &args.file {
        let m = load_mapping(file)?;
        svc.save_client_mapping(actor, &args.reference, &m)
            .map_err(crate::input_error)?;
        if args.json {
            return crate::print_json(&json!({"client": args.reference, "saved": file}));
        }
        println!(
            "client {}: mapping {file} saved; its claim files are read with it unless --mapping is given",
            args.reference
        );
        return Ok(());
    }
    if !args.show {
        return Err(crate::usage(anyhow::anyhow!(
            "give --file MAP.toml (or --file nl) to save a mapping, or --show"
        )));
    }
    let saved = svc
        .client_mapping(actor, &args.reference)
        .map_err(crate::input_error)?;
    match (saved, args.json) {
        (None, true) => crate::print_json(&json!({"client": args.reference, "mapping": null})),
        (None, false) => {
            println!(
                "client {} has no saved mapping: its files need the claim format's own headers, or --mapping",
                args.reference
            );
            Ok(())
        }
        (Some(m), true) => crate::print_json(&json!({
            "client": args.reference,
            "mapping": m.name(),
            "toml": m.text(),
            "columns": m.entries().iter().map(|(h, c)| json!({"header": h, "column": c})).collect::<Vec<_>>(),
        })),
        (Some(m), false) => {
            println!("# client {}: mapping {}", args.reference, m.name());
            print!("{}", m.text());
            Ok(())
        }
    }
}
