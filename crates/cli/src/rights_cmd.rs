//! `kwijting rights ...`: data subjects' requests (GDPR art. 15 to 21) from
//! the command line, as a staff channel.

use std::path::PathBuf;

use kwijting_domain::{Actor, PartyId};
use kwijting_server::rights as views;
use kwijting_service::rights::{
    NewRequest, ObjectionTo, RequestKind, RequestParams, RequestView, parse_field_assignments,
};
use kwijting_service::{Kwijting, ServiceError};

#[derive(clap::Args)]
pub struct Intake {
    /// The data subject's party id
    #[arg(long)]
    subject: i64,
    /// How identity was verified (e.g. id_document); without it the
    /// request waits for `rights verify`
    #[arg(long)]
    verified_by: Option<String>,
    /// staff (default), api or portal
    #[arg(long, default_value = "staff")]
    channel: String,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand)]
pub enum RightsCommand {
    /// Access (art. 15): the complete extract of the subject's data
    Access {
        #[command(flatten)]
        intake: Intake,
        /// Also write the readable HTML document here
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// Portability (art. 20): provided data as JSON and CSV
    Port {
        #[command(flatten)]
        intake: Intake,
        /// Also write the CSV (long format: table,row,column,value) here
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Rectification (art. 16): correct party fields; every recipient of
    /// the old data gets a notification (art. 19)
    Rectify {
        #[command(flatten)]
        intake: Intake,
        /// FIELD=VALUE (an empty value clears); repeat for several fields
        #[arg(long = "set", required = true)]
        set: Vec<String>,
    },
    /// Restriction (art. 18): holds the subject's cases, refuses disclosures
    Restrict {
        #[command(flatten)]
        intake: Intake,
    },
    /// Erasure (art. 17): erases what no exception keeps; says what was
    /// erased and what is kept, why and until when
    Erase {
        #[command(flatten)]
        intake: Intake,
    },
    /// Objection (art. 21), no direct marketing, or consent withdrawal
    Object {
        #[command(flatten)]
        intake: Intake,
        /// marketing, analytics, collection, direct_marketing or consent
        #[arg(long)]
        to: String,
    },
    /// Requests, newest first
    List {
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// One request with its steps and notifications
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
        /// Write the extract of an access request as HTML here
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// Record that the person's identity was verified; runs the request on
    Verify {
        id: i64,
        #[arg(long)]
        method: String,
        #[arg(long)]
        json: bool,
    },
    /// Extend the deadline once by one or two months, with a reason (a
    /// notice to the person is queued)
    Extend {
        id: i64,
        #[arg(long, default_value_t = 2)]
        months: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Decide an objection to collection: --uphold (compelling grounds,
    /// collection goes on) or --accept (collection stops)
    Decide {
        id: i64,
        #[arg(long, conflicts_with = "accept", required_unless_present = "accept")]
        uphold: bool,
        #[arg(long)]
        accept: bool,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Lift a restriction, with the reason
    Lift {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Run the pending steps of every open request (after a crash)
    Resume,
    /// Notifications: art. 19 to recipients, notices to the person
    Notifications {
        /// queued, sent or acknowledged
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Track a notification: sent or acknowledged
    Notification {
        id: i64,
        #[arg(long)]
        state: String,
    },
}

fn input(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(_) | ServiceError::Refused(_) => crate::refused(e),
        e => e.into(),
    }
}

fn print_view(v: &RequestView, json: bool) -> anyhow::Result<()> {
    if json {
        return crate::print_json(&views::request_view(v));
    }
    let r = &v.request;
    println!(
        "request {} ({}) for subject {}: {} · received {} · deadline {}{}",
        r.id,
        r.kind,
        r.party,
        r.status,
        r.received_at,
        r.deadline_on,
        r.extension_reason
            .as_ref()
            .map(|x| format!(" (extended: {x})"))
            .unwrap_or_default()
    );
    println!(
        "identity: {}",
        if r.verified {
            format!(
                "verified by {} ({})",
                r.verification_method.as_deref().unwrap_or("?"),
                r.verified_by.as_deref().unwrap_or("?")
            )
        } else {
            format!(
                "unverified: run `kwijting rights verify {} --method METHOD`",
                r.id
            )
        }
    );
    for s in &v.steps {
        println!("  {} {:<24} {} — {}", s.at, s.step, s.actor, s.detail);
    }
    for n in &v.notifications {
        println!(
            "  notification {} [{}] {} to {}: {}",
            n.id, n.state, n.kind, n.recipient, n.detail
        );
    }
    let outcome: serde_json::Value = serde_json::from_str(&r.outcome).unwrap_or_default();
    if let Some(to) = outcome.get("routed_to") {
        println!(
            "the agency is processor here: the person is referred to {} ({})",
            to["name"].as_str().unwrap_or_default(),
            to["privacy_contact"]
                .as_str()
                .unwrap_or("contact details on the invoice")
        );
    }
    if let Some(x) = outcome.get("erasure") {
        for f in x["erased"].as_array().into_iter().flatten() {
            println!(
                "  erased {}.{} ({}): {} row(s)",
                f["table"].as_str().unwrap_or_default(),
                f["column"].as_str().unwrap_or_default(),
                f["category"].as_str().unwrap_or_default(),
                f["rows"]
            );
        }
        for k in x["kept"].as_array().into_iter().flatten() {
            println!(
                "  kept {}: {} [{}]",
                k["until"]
                    .as_str()
                    .map_or("with no fixed end".to_owned(), |d| format!("until {d}")),
                k["reason"].as_str().unwrap_or_default(),
                k["article"].as_str().unwrap_or_default()
            );
        }
    }
    if let Some(x) = outcome.get("extract") {
        for t in x["data"].as_array().into_iter().flatten() {
            println!(
                "  {}: {} row(s)",
                t["table"].as_str().unwrap_or_default(),
                t["rows"].as_array().map_or(0, Vec::len)
            );
        }
        println!(
            "  recipients: {}; decisions explained: {}",
            x["recipients"].as_array().map_or(0, Vec::len),
            x["automated_decisions"]["decisions"]
                .as_array()
                .map_or(0, Vec::len)
        );
    }
    Ok(())
}

fn submit(
    svc: &Kwijting,
    actor: &Actor,
    kind: RequestKind,
    intake: &Intake,
    params: RequestParams,
) -> anyhow::Result<RequestView> {
    svc.rights_submit(
        actor,
        &NewRequest {
            kind,
            subject: PartyId(intake.subject),
            channel: intake.channel.clone(),
            verified_by_method: intake.verified_by.clone(),
            params,
        },
    )
    .map_err(input)
}

fn write_html(v: &RequestView, path: &std::path::Path) -> anyhow::Result<()> {
    let outcome: serde_json::Value = serde_json::from_str(&v.request.outcome).unwrap_or_default();
    let x = outcome.get("extract").ok_or_else(|| {
        crate::refused(anyhow::anyhow!(
            "request {} has no extract yet (status {})",
            v.request.id,
            v.request.status
        ))
    })?;
    std::fs::write(path, kwijting_service::rights_extract::extract_html(x))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

pub fn run(svc: &Kwijting, actor: &Actor, cmd: RightsCommand) -> anyhow::Result<()> {
    match cmd {
        RightsCommand::Access { intake, html } => {
            let v = submit(
                svc,
                actor,
                RequestKind::Access,
                &intake,
                RequestParams::None,
            )?;
            if let Some(p) = html
                && v.request.status == "completed"
            {
                write_html(&v, &p)?;
            }
            print_view(&v, intake.json)
        }
        RightsCommand::Port { intake, csv } => {
            let v = submit(svc, actor, RequestKind::Port, &intake, RequestParams::None)?;
            if let Some(p) = csv {
                let outcome: serde_json::Value =
                    serde_json::from_str(&v.request.outcome).unwrap_or_default();
                if let Some(text) = outcome["portability"]["csv"].as_str() {
                    std::fs::write(&p, text)?;
                    eprintln!("wrote {}", p.display());
                }
            }
            print_view(&v, intake.json)
        }
        RightsCommand::Rectify { intake, set } => {
            let fields = parse_field_assignments(&set).map_err(input)?;
            let v = submit(
                svc,
                actor,
                RequestKind::Rectify,
                &intake,
                RequestParams::Rectify(fields),
            )?;
            print_view(&v, intake.json)
        }
        RightsCommand::Restrict { intake } => {
            let v = submit(
                svc,
                actor,
                RequestKind::Restrict,
                &intake,
                RequestParams::None,
            )?;
            print_view(&v, intake.json)
        }
        RightsCommand::Erase { intake } => {
            let v = submit(svc, actor, RequestKind::Erase, &intake, RequestParams::None)?;
            print_view(&v, intake.json)
        }
        RightsCommand::Object { intake, to } => {
            let to = ObjectionTo::parse(&to).ok_or_else(|| {
                crate::refused(anyhow::anyhow!(
                    "--to must be marketing, analytics, collection, direct_marketing or consent, not '{to}'"
                ))
            })?;
            let v = submit(
                svc,
                actor,
                RequestKind::Object,
                &intake,
                RequestParams::Object(to),
            )?;
            print_view(&v, intake.json)
        }
        RightsCommand::List {
            status,
            limit,
            json,
        } => {
            let rows = svc
                .rights_list(actor, status.as_deref(), limit)
                .map_err(input)?;
            if json {
                return crate::print_json(&serde_json::json!({
                    "requests": rows.iter().map(views::request).collect::<Vec<_>>()
                }));
            }
            for r in rows {
                println!(
                    "{:>6}  {:<9} subject {:<8} {:<22} deadline {}",
                    r.id, r.kind, r.party.0, r.status, r.deadline_on
                );
            }
            Ok(())
        }
        RightsCommand::Show { id, json, html } => {
            let v = svc.rights_show(actor, id).map_err(input)?;
            if let Some(p) = html {
                write_html(&v, &p)?;
            }
            print_view(&v, json)
        }
        RightsCommand::Verify { id, method, json } => {
            print_view(&svc.rights_verify(actor, id, &method).map_err(input)?, json)
        }
        RightsCommand::Extend {
            id,
            months,
            reason,
            json,
        } => print_view(
            &svc.rights_extend(actor, id, months, &reason)
                .map_err(input)?,
            json,
        ),
        RightsCommand::Decide {
            id,
            uphold,
            accept: _,
            reason,
            json,
        } => print_view(
            &svc.rights_decide(actor, id, uphold, &reason)
                .map_err(input)?,
            json,
        ),
        RightsCommand::Lift { id, reason, json } => print_view(
            &svc.rights_lift_restriction(actor, id, &reason)
                .map_err(input)?,
            json,
        ),
        RightsCommand::Resume => {
            let done = svc.rights_resume(actor).map_err(input)?;
            for (id, status) in &done {
                println!("request {id}: {status}");
            }
            eprintln!("{} open request(s) looked at", done.len());
            Ok(())
        }
        RightsCommand::Notifications { state, limit, json } => {
            let rows = svc
                .rights_notifications(actor, state.as_deref(), limit)
                .map_err(input)?;
            if json {
                return crate::print_json(&serde_json::json!({
                    "notifications": rows.iter().map(views::notification).collect::<Vec<_>>()
                }));
            }
            for n in rows {
                println!(
                    "{:>6}  request {:<6} subject {:<8} {:<18} {:<24} [{}] {}",
                    n.id, n.request, n.party.0, n.kind, n.recipient, n.state, n.detail
                );
            }
            Ok(())
        }
        RightsCommand::Notification { id, state } => {
            svc.rights_notification_state(actor, id, &state)
                .map_err(input)?;
            println!("notification {id}: {state}");
            Ok(())
        }
    }
}
