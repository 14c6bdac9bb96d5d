//! Data subjects' rights (GDPR art. 12 to 22, R31 to R39): a request
//! pipeline generic over request types.
//!
//! A request is taken in (staff, API, portal) with its identity
//! verification state and a deadline of one month, extendable once by up
//! to two months with a recorded reason and a notice to the person. It
//! then runs step by step; each step's effects commit in one transaction
//! with the step's row in `rights_request_steps`, so a pipeline stopped
//! half-way resumes where it stopped and never repeats a step (`resume`).
//! Steps wait where a person must act: identity verification, and the
//! staff decision on an objection to collection.
//!
//! Where the subject's client mandate makes the agency a processor (R1),
//! the request is routed to the client as controller: the answer gives the
//! client's contact details and nothing else is done.

use std::collections::BTreeSet;

use kwijting_domain::{Actor, CaseId, ClientRole, Date, PartyId};
use kwijting_store::StoreError;
use kwijting_store::rights::{
    NewNotification, NewRightsRequest, NotificationRow, RECTIFIABLE, RequestUpdate,
    RightsRequestRow, RightsStepRow, RightsTx, StepRun, SubjectFlagRow,
};
use kwijting_strategy::Language;
use serde_json::{Map, Value as Json, json};

use crate::{Access, Kwijting, ServiceError};

/// The request types (art. 15 to 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Access,
    Port,
    Rectify,
    Erase,
    Restrict,
    Object,
}

impl RequestKind {
    pub const ALL: &[RequestKind] = &[
        RequestKind::Access,
        RequestKind::Port,
        RequestKind::Rectify,
        RequestKind::Erase,
        RequestKind::Restrict,
        RequestKind::Object,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Access => "access",
            RequestKind::Port => "port",
            RequestKind::Rectify => "rectify",
            RequestKind::Erase => "erase",
            RequestKind::Restrict => "restrict",
            RequestKind::Object => "object",
        }
    }

    pub fn parse(s: &str) -> Option<RequestKind> {
        RequestKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// What an objection (art. 21) or a withdrawal is against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectionTo {
    /// Marketing on 6(1)(f): stops at once.
    Marketing,
    /// Analytics on 6(1)(f): stops at once.
    Analytics,
    /// Collection: needs a staff decision on compelling grounds (21(1)).
    Collection,
    /// No direct marketing (21(2), R35): at once, no balancing.
    DirectMarketing,
    /// Withdrawal of consent (art. 7(3), R37): at once.
    Consent,
}

impl ObjectionTo {
    pub const ALL: &[ObjectionTo] = &[
        ObjectionTo::Marketing,
        ObjectionTo::Analytics,
        ObjectionTo::Collection,
        ObjectionTo::DirectMarketing,
        ObjectionTo::Consent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionTo::Marketing => "marketing",
            ObjectionTo::Analytics => "analytics",
            ObjectionTo::Collection => "collection",
            ObjectionTo::DirectMarketing => "direct_marketing",
            ObjectionTo::Consent => "consent",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectionTo> {
        ObjectionTo::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// The flag recorded on the subject, which processing paths check.
    fn flag(self) -> &'static str {
        match self {
            ObjectionTo::Marketing => "objection_marketing",
            ObjectionTo::Analytics => "objection_analytics",
            ObjectionTo::Collection => "objection_collection",
            ObjectionTo::DirectMarketing => "no_direct_marketing",
            ObjectionTo::Consent => "consent_withdrawn",
        }
    }
}

/// Flags and the purposes they stop at once.
const STOPS: &[(&str, &[&str])] = &[
    ("objection_marketing", &["marketing"]),
    ("no_direct_marketing", &["marketing"]),
    ("consent_withdrawn", &["marketing"]),
    ("objection_analytics", &["analytics"]),
];

/// The hold that stops collection after an objection was accepted.
pub const OBJECTION_ACCEPTED_HOLD: &str = "objection_accepted";

/// What a request asks beyond its kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RequestParams {
    #[default]
    None,
    /// Party columns and their corrected values (`None` clears).
    Rectify(Vec<(String, Option<String>)>),
    Object(ObjectionTo),
}

#[derive(Debug, Clone)]
pub struct NewRequest {
    pub kind: RequestKind,
    pub subject: PartyId,
    /// `staff`, `api` or `portal`.
    pub channel: String,
    /// How identity was verified at intake, when it was (e.g. a staff
    /// member saw an identity document).
    pub verified_by_method: Option<String>,
    pub params: RequestParams,
}

pub const CHANNELS: &[&str] = &["staff", "api", "portal"];

/// A request with everything logged about it.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub request: RightsRequestRow,
    pub steps: Vec<RightsStepRow>,
    pub notifications: Vec<NotificationRow>,
}

/// Statuses after which nothing runs any more.
const FINAL: &[&str] = &["completed", "routed"];

fn params_json(p: &RequestParams) -> String {
    match p {
        RequestParams::None => json!({}),
        RequestParams::Rectify(fields) => {
            let mut m = Map::new();
            for (k, v) in fields {
                m.insert(k.clone(), v.clone().map_or(Json::Null, Json::String));
            }
            json!({ "fields": m })
        }
        RequestParams::Object(to) => json!({ "against": to.as_str() }),
    }
    .to_string()
}

fn parse_params(kind: RequestKind, s: &str) -> Result<RequestParams, ServiceError> {
    let bad = |m: &str| ServiceError::Invalid(format!("stored request parameters: {m}"));
    // An erasure of the subject blanks the parameters of their requests
    // (free text); a request without parameters reads on.
    let v: Json = if s.trim().is_empty() {
        Json::Null
    } else {
        serde_json::from_str(s).map_err(|e| bad(&e.to_string()))?
    };
    Ok(match kind {
        RequestKind::Rectify => RequestParams::Rectify(
            v["fields"]
                .as_object()
                .ok_or_else(|| bad("no fields"))?
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned)))
                .collect(),
        ),
        RequestKind::Object => RequestParams::Object(
            v["against"]
                .as_str()
                .and_then(ObjectionTo::parse)
                .ok_or_else(|| bad("no objection target"))?,
        ),
        _ => RequestParams::None,
    })
}

/// The pipeline of a request type. `await_*` steps wait for a person.
fn plan(kind: RequestKind, params: &RequestParams) -> Vec<&'static str> {
    let mut steps = vec!["route", "await_verification"];
    steps.extend_from_slice(match (kind, params) {
        (RequestKind::Access, _) => &["extract"][..],
        (RequestKind::Port, _) => &["export"],
        (RequestKind::Rectify, _) => &["rectify", "notify_recipients"],
        (RequestKind::Restrict, _) => &["restrict"],
        (RequestKind::Object, RequestParams::Object(ObjectionTo::Collection)) => {
            &["hold_pending_objection", "await_decision", "apply_decision"]
        }
        (RequestKind::Object, _) => &["record_objection"],
        (RequestKind::Erase, _) => &["erase"],
    });
    steps.push("answer");
    steps
}

/// What one step writes, prepared from reads before its transaction.
#[derive(Default)]
struct Effects {
    update: RequestUpdate,
    holds: Vec<(CaseId, &'static str, String)>,
    lift_holds: Vec<(CaseId, &'static str)>,
    party: Vec<(String, Option<String>)>,
    notifications: Vec<NewNotification>,
    flags: Vec<&'static str>,
    lift_flags: Vec<(String, String)>,
    detail: String,
}

fn outcome_with(current: &str, key: &str, value: Json) -> String {
    let mut o: Map<String, Json> = serde_json::from_str(current).unwrap_or_default();
    o.insert(key.to_owned(), value);
    Json::Object(o).to_string()
}

impl Kwijting {
    fn rights_door(
        &self,
        actor: &Actor,
        party: PartyId,
        access: Access,
    ) -> Result<kwijting_store::ClientRow, ServiceError> {
        let client = self.subject_client_row(party)?;
        self.door().check(
            actor,
            Some(client.id),
            &["case_history"],
            access,
            "rights requests",
        )?;
        Ok(client)
    }

    pub(crate) fn subject_client_row(
        &self,
        party: PartyId,
    ) -> Result<kwijting_store::ClientRow, ServiceError> {
        let client = self.store.party_client(party)?.ok_or_else(|| {
            ServiceError::Invalid(format!("no data subject with party id {party}"))
        })?;
        self.store
            .clients()?
            .into_iter()
            .find(|c| c.id == client)
            .ok_or_else(|| ServiceError::Invalid(format!("party {party} has no client")))
    }

    fn request_row(&self, id: i64) -> Result<RightsRequestRow, ServiceError> {
        self.store
            .rights_request(id)?
            .ok_or_else(|| ServiceError::Invalid(format!("no rights request {id}")))
    }

    /// Takes a request in and runs it as far as it goes without a person.
    pub fn rights_submit(
        &self,
        actor: &Actor,
        req: &NewRequest,
    ) -> Result<RequestView, ServiceError> {
        self.rights_submit_with(actor, req, None)
    }

    /// [`Kwijting::rights_submit`], with a simulated crash before the
    /// commit of the named step (tests of resumption).
    #[doc(hidden)]
    pub fn rights_submit_with(
        &self,
        actor: &Actor,
        req: &NewRequest,
        crash_at: Option<&str>,
    ) -> Result<RequestView, ServiceError> {
        if !CHANNELS.contains(&req.channel.as_str()) {
            return Err(ServiceError::Invalid(format!(
                "channel '{}' is not one of: {}",
                req.channel,
                CHANNELS.join(", ")
            )));
        }
        match (&req.kind, &req.params) {
            (RequestKind::Rectify, RequestParams::Rectify(fields)) => {
                if fields.is_empty() {
                    return Err(ServiceError::Invalid(
                        "a rectification names at least one field".into(),
                    ));
                }
                if let Some((f, _)) = fields
                    .iter()
                    .find(|(f, _)| !RECTIFIABLE.contains(&f.as_str()))
                {
                    return Err(ServiceError::Invalid(format!(
                        "field '{f}' cannot be rectified; one of: {}",
                        RECTIFIABLE.join(", ")
                    )));
                }
                for (f, v) in fields {
                    if f == "birth_date"
                        && let Some(v) = v
                        && kwijting_domain::parse_date(v).is_err()
                    {
                        return Err(ServiceError::Invalid(format!(
                            "field birth_date: '{v}' is not a date (YYYY-MM-DD)"
                        )));
                    }
                    if f == "name" && v.as_deref().is_none_or(|v| v.trim().is_empty()) {
                        return Err(ServiceError::Invalid("field name cannot be empty".into()));
                    }
                }
            }
            (RequestKind::Rectify, _) => {
                return Err(ServiceError::Invalid(
                    "a rectification names the fields to correct".into(),
                ));
            }
            (RequestKind::Object, RequestParams::Object(_)) => {}
            (RequestKind::Object, _) => {
                return Err(ServiceError::Invalid(format!(
                    "an objection names what it is against: one of {}",
                    ObjectionTo::ALL
                        .iter()
                        .map(|o| o.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            (_, RequestParams::None) => {}
            (k, _) => {
                return Err(ServiceError::Invalid(format!(
                    "a request of type {} takes no parameters",
                    k.as_str()
                )));
            }
        }
        self.rights_door(actor, req.subject, Access::Write)?;
        let now = self.clock().now();
        let received = self.clock().today();
        let deadline = received
            .checked_add(jiff::Span::new().months(1))
            .map_err(|e| ServiceError::Invalid(format!("deadline: {e}")))?;
        let id = self.store.insert_rights_request(&NewRightsRequest {
            kind: req.kind.as_str().to_owned(),
            party: req.subject,
            channel: req.channel.clone(),
            received_at: now,
            deadline_on: deadline,
            verified: req
                .verified_by_method
                .as_ref()
                .map(|m| (m.clone(), actor.name())),
            params: params_json(&req.params),
            created_by: actor.name(),
        })?;
        self.rights_advance(actor, id, crash_at)?;
        self.rights_show(actor, id)
    }

    /// A request with its steps and notifications.
    pub fn rights_show(&self, actor: &Actor, id: i64) -> Result<RequestView, ServiceError> {
        let request = self.request_row(id)?;
        self.rights_door(actor, request.party, Access::Read)?;
        Ok(RequestView {
            steps: self.store.rights_steps(id)?,
            notifications: self.store.rights_notifications_for_request(id)?,
            request,
        })
    }

    /// Requests, newest first.
    pub fn rights_list(
        &self,
        actor: &Actor,
        status: Option<&str>,
        limit: u32,
    ) -> Result<Vec<RightsRequestRow>, ServiceError> {
        self.door().check(
            actor,
            None,
            &["case_history"],
            Access::Read,
            "rights requests",
        )?;
        Ok(self.store.rights_requests(status, limit)?)
    }

    /// Records that the person's identity was verified, and how, then runs
    /// the request on.
    pub fn rights_verify(
        &self,
        actor: &Actor,
        id: i64,
        method: &str,
    ) -> Result<RequestView, ServiceError> {
        let req = self.request_row(id)?;
        self.rights_door(actor, req.party, Access::Write)?;
        if method.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "name how identity was verified (e.g. id_document)".into(),
            ));
        }
        let (method, by, at) = (method.trim().to_owned(), actor.name(), self.clock().now());
        let detail = format!("identity verified by {method}");
        self.store
            .rights_step(id, "verify", &by.clone(), at, &mut |tx| {
                tx.update_request(
                    id,
                    &RequestUpdate {
                        verified: Some((method.clone(), by.clone(), at)),
                        ..RequestUpdate::default()
                    },
                )?;
                Ok(detail.clone())
            })?;
        self.rights_advance(actor, id, None)?;
        self.rights_show(actor, id)
    }

    /// Extends the deadline by one or two months (art. 12(3)), once, with
    /// a reason; a notice to the person is queued.
    pub fn rights_extend(
        &self,
        actor: &Actor,
        id: i64,
        months: i64,
        reason: &str,
    ) -> Result<RequestView, ServiceError> {
        let req = self.request_row(id)?;
        self.rights_door(actor, req.party, Access::Write)?;
        if !(1..=2).contains(&months) {
            return Err(ServiceError::Invalid(
                "a deadline is extended by one or two months".into(),
            ));
        }
        if reason.trim().is_empty() {
            return Err(ServiceError::Invalid("an extension needs a reason".into()));
        }
        if req.extension_reason.is_some() {
            return Err(ServiceError::Invalid(format!(
                "request {id} was extended already"
            )));
        }
        if FINAL.contains(&req.status.as_str()) {
            return Err(ServiceError::Invalid(format!(
                "request {id} is {}",
                req.status
            )));
        }
        let today = self.clock().today();
        if today > req.deadline_on {
            return Err(ServiceError::Invalid(format!(
                "the deadline {} has passed; an extension must be told within the first month",
                req.deadline_on
            )));
        }
        let deadline = req
            .deadline_on
            .checked_add(jiff::Span::new().months(months))
            .map_err(|e| ServiceError::Invalid(format!("deadline: {e}")))?;
        let reason = reason.trim().to_owned();
        let at = self.clock().now();
        self.store
            .rights_step(id, "extend", &actor.name(), at, &mut |tx| {
                tx.update_request(
                    id,
                    &RequestUpdate {
                        extension: Some((deadline, reason.clone())),
                        ..RequestUpdate::default()
                    },
                )?;
                tx.add_notification(&NewNotification {
                    request: id,
                    party: req.party,
                    kind: "extension".into(),
                    recipient: "data_subject".into(),
                    categories: String::new(),
                    detail: format!("the answer is due by {deadline}: {reason}"),
                    at,
                })?;
                Ok(format!("deadline moved to {deadline}: {reason}"))
            })?;
        self.rights_show(actor, id)
    }

    /// A staff decision on an objection to collection (art. 21(1)):
    /// `uphold` = compelling legitimate grounds, collection goes on and the
    /// hold is lifted; otherwise the objection is accepted and collection
    /// stops. The reasons are recorded.
    pub fn rights_decide(
        &self,
        actor: &Actor,
        id: i64,
        uphold: bool,
        reason: &str,
    ) -> Result<RequestView, ServiceError> {
        let req = self.request_row(id)?;
        self.rights_door(actor, req.party, Access::Write)?;
        if req.status != "awaiting_decision" {
            return Err(ServiceError::Invalid(format!(
                "request {id} is not waiting for a decision (it is {})",
                req.status
            )));
        }
        if reason.trim().is_empty() {
            return Err(ServiceError::Invalid("a decision needs its reasons".into()));
        }
        let decision = json!({
            "decision": if uphold { "uphold_processing" } else { "objection_accepted" },
            "reason": reason.trim(),
            "by": actor.name(),
            "on": self.clock().today().to_string(),
        });
        let outcome = outcome_with(&req.outcome, "decision", decision);
        self.store
            .rights_step(id, "decide", &actor.name(), self.clock().now(), &mut |tx| {
                tx.update_request(
                    id,
                    &RequestUpdate {
                        outcome: Some(outcome.clone()),
                        status: Some("in_progress".into()),
                        ..RequestUpdate::default()
                    },
                )?;
                Ok(format!(
                    "{}: {}",
                    if uphold {
                        "processing upheld"
                    } else {
                        "objection accepted"
                    },
                    reason.trim()
                ))
            })?;
        self.rights_advance(actor, id, None)?;
        self.rights_show(actor, id)
    }

    /// Lifts a restriction (art. 18(3)): the holds and the flag, with the
    /// reason recorded (the person is told before, by the answer queued).
    pub fn rights_lift_restriction(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> Result<RequestView, ServiceError> {
        let req = self.request_row(id)?;
        self.rights_door(actor, req.party, Access::Write)?;
        if req.kind != "restrict" || req.status != "completed" {
            return Err(ServiceError::Invalid(format!(
                "request {id} is not a completed restriction"
            )));
        }
        if reason.trim().is_empty() {
            return Err(ServiceError::Invalid(
                "lifting a restriction needs a reason".into(),
            ));
        }
        let cases = self.store.subject_cases(req.party)?;
        let (on, at, reason) = (
            self.clock().today(),
            self.clock().now(),
            reason.trim().to_owned(),
        );
        let outcome = outcome_with(
            &req.outcome,
            "restriction_lifted",
            json!({ "on": on.to_string(), "reason": reason, "by": actor.name() }),
        );
        self.store
            .rights_step(id, "lift_restriction", &actor.name(), at, &mut |tx| {
                let mut n = 0;
                for c in &cases {
                    n += tx.lift_holds(c.case, "gdpr_restriction", on)?;
                }
                tx.lift_flag(req.party, "restricted", on, &reason)?;
                tx.add_notification(&NewNotification {
                    request: id,
                    party: req.party,
                    kind: "restriction_lifted".into(),
                    recipient: "data_subject".into(),
                    categories: String::new(),
                    detail: reason.clone(),
                    at,
                })?;
                tx.update_request(
                    id,
                    &RequestUpdate {
                        outcome: Some(outcome.clone()),
                        ..RequestUpdate::default()
                    },
                )?;
                Ok(format!("{n} hold(s) lifted: {reason}"))
            })?;
        self.rights_show(actor, id)
    }

    /// Runs every request that is not final as far as it goes; returns
    /// (id, status or error) per request touched.
    pub fn rights_resume(&self, actor: &Actor) -> Result<Vec<(i64, String)>, ServiceError> {
        self.door().check(
            actor,
            None,
            &["case_history"],
            Access::Write,
            "rights requests",
        )?;
        let mut out = Vec::new();
        let mut open: Vec<RightsRequestRow> = self
            .store
            .rights_requests(None, u32::MAX)?
            .into_iter()
            .filter(|r| !FINAL.contains(&r.status.as_str()))
            .collect();
        open.reverse();
        for r in open {
            let res = self.rights_advance(actor, r.id, None);
            out.push((
                r.id,
                match res {
                    Ok(status) => status,
                    Err(e) => format!("error: {e}"),
                },
            ));
        }
        Ok(out)
    }

    /// Runs the request's next steps until it is final or waits for a
    /// person. `crash_at` makes the named step fail after writing its
    /// effects and before its commit (tests of resumption).
    #[doc(hidden)]
    pub fn rights_advance(
        &self,
        actor: &Actor,
        id: i64,
        crash_at: Option<&str>,
    ) -> Result<String, ServiceError> {
        loop {
            let req = self.request_row(id)?;
            if FINAL.contains(&req.status.as_str()) {
                return Ok(req.status);
            }
            let kind = RequestKind::parse(&req.kind).ok_or_else(|| {
                ServiceError::Invalid(format!("request {id} has unknown type {}", req.kind))
            })?;
            let params = parse_params(kind, &req.params)?;
            let done: BTreeSet<String> = self
                .store
                .rights_steps(id)?
                .into_iter()
                .map(|s| s.step)
                .collect();
            let routed = req.outcome.contains("\"routed_to\"");
            let mut next = None;
            for step in plan(kind, &params) {
                if done.contains(step) {
                    continue;
                }
                if routed && step != "answer" {
                    continue;
                }
                let waiting = match step {
                    "await_verification" => !req.verified,
                    "await_decision" => !done.contains("decide"),
                    _ => {
                        next = Some(step);
                        break;
                    }
                };
                if waiting {
                    // The wait is logged once; the request stays here.
                    let status = if step == "await_verification" {
                        "awaiting_verification"
                    } else {
                        "awaiting_decision"
                    };
                    self.store.rights_step(
                        id,
                        step,
                        &actor.name(),
                        self.clock().now(),
                        &mut |tx| {
                            tx.update_request(
                                id,
                                &RequestUpdate {
                                    status: Some(status.into()),
                                    ..RequestUpdate::default()
                                },
                            )?;
                            Ok(format!("waiting: {status}"))
                        },
                    )?;
                    return Ok(status.to_owned());
                }
                // The person has acted since: the wait is over, record it.
                if !done.contains(step) {
                    self.store.rights_step(
                        id,
                        step,
                        &actor.name(),
                        self.clock().now(),
                        &mut |_| Ok("no wait needed".into()),
                    )?;
                }
            }
            let Some(step) = next else {
                return Ok(req.status);
            };
            let effects = self.prepare_step(actor, &req, kind, &params, step)?;
            let at = self.clock().now();
            let on = self.clock().today();
            let by = actor.name();
            self.store
                .rights_step(id, step, &by, at, &mut |tx: &mut dyn RightsTx| {
                    apply(tx, id, req.party, &effects, on, &by)?;
                    if crash_at == Some(step) {
                        return Err(StoreError::Invariant(format!(
                            "simulated crash in step {step} before commit"
                        )));
                    }
                    Ok(effects.detail.clone())
                })
                .map(|_: StepRun| ())?;
        }
    }

    /// Reads what a step needs and decides what it writes.
    fn prepare_step(
        &self,
        actor: &Actor,
        req: &RightsRequestRow,
        kind: RequestKind,
        params: &RequestParams,
        step: &str,
    ) -> Result<Effects, ServiceError> {
        let mut e = Effects::default();
        let set_outcome = |e: &mut Effects, key: &str, v: Json| {
            let base = e
                .update
                .outcome
                .clone()
                .unwrap_or_else(|| req.outcome.clone());
            e.update.outcome = Some(outcome_with(&base, key, v));
        };
        let open_cases = || -> Result<Vec<CaseId>, ServiceError> {
            Ok(self
                .store
                .subject_cases(req.party)?
                .into_iter()
                .filter(|c| c.open)
                .map(|c| c.case)
                .collect())
        };
        match step {
            "route" => {
                let client = self.subject_client_row(req.party)?;
                if client.role == ClientRole::Processor {
                    let p = self.policy().purpose("receivables_management");
                    set_outcome(
                        &mut e,
                        "routed_to",
                        json!({
                            "client": client.reference,
                            "name": client.name,
                            "privacy_contact": client.privacy_contact,
                            "notice_nl": p.and_then(|p| p.controller_notice_nl.clone()),
                            "notice_en": p.and_then(|p| p.controller_notice_en.clone()),
                        }),
                    );
                    e.update.status = Some("in_progress".into());
                    e.detail = format!(
                        "the agency is processor for client {}: routed to it as controller",
                        client.reference
                    );
                } else {
                    e.update.status = Some("in_progress".into());
                    e.detail = "the agency is controller: answered by the agency".into();
                }
            }
            "extract" => {
                let x = self.access_extract(actor, req.party, Language::En)?;
                let rows: usize = x["data"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .map(|t| t["rows"].as_array().map_or(0, Vec::len))
                            .sum()
                    })
                    .unwrap_or(0);
                e.detail = format!("extract of {rows} rows");
                set_outcome(&mut e, "extract", x);
            }
            "export" => {
                let (x, csv) = self.portability_export(actor, req.party)?;
                e.detail = format!(
                    "export of {} CSV lines",
                    csv.lines().count().saturating_sub(1)
                );
                set_outcome(&mut e, "portability", json!({ "json": x, "csv": csv }));
            }
            "rectify" => {
                let RequestParams::Rectify(fields) = params else {
                    return Err(ServiceError::Invalid(
                        "a rectification without fields".into(),
                    ));
                };
                let client = self.subject_client_row(req.party)?;
                let categories = field_categories(fields);
                self.door().check(
                    actor,
                    Some(client.id),
                    &categories,
                    Access::Write,
                    "a rectification",
                )?;
                e.party = fields.clone();
                let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
                e.detail = format!("corrected: {}", names.join(", "));
                set_outcome(&mut e, "rectified", json!(names));
            }
            "notify_recipients" => {
                let RequestParams::Rectify(fields) = params else {
                    return Err(ServiceError::Invalid(
                        "a rectification without fields".into(),
                    ));
                };
                let categories = field_categories(fields);
                let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
                // Every recipient that received data of a corrected category
                // (art. 19), once each: the actual recipient where the log
                // names one, else its category.
                let mut recipients: BTreeSet<String> = BTreeSet::new();
                for d in self.store.disclosures_for_party(req.party)? {
                    if d.refused.is_none()
                        && d.categories.split(',').any(|c| categories.contains(&c))
                    {
                        recipients.insert(d.recipient_name.unwrap_or(d.recipient));
                    }
                }
                for r in &recipients {
                    e.notifications.push(NewNotification {
                        request: req.id,
                        party: req.party,
                        kind: "rectification".into(),
                        recipient: r.clone(),
                        categories: categories.join(","),
                        detail: format!("corrected fields: {}", names.join(", ")),
                        at: self.clock().now(),
                    });
                }
                e.detail = format!("{} recipient(s) to notify", recipients.len());
                set_outcome(&mut e, "recipients_notified", json!(recipients));
            }
            "restrict" => {
                let cases = open_cases()?;
                for c in &cases {
                    e.holds.push((
                        *c,
                        "gdpr_restriction",
                        format!("restriction requested (rights request {})", req.id),
                    ));
                }
                e.flags.push("restricted");
                e.detail = format!("{} case(s) held", cases.len());
                set_outcome(
                    &mut e,
                    "restricted_cases",
                    json!(cases.iter().map(|c| c.0).collect::<Vec<_>>()),
                );
            }
            "record_objection" => {
                let RequestParams::Object(to) = params else {
                    return Err(ServiceError::Invalid("an objection without target".into()));
                };
                e.flags.push(to.flag());
                e.detail = format!("{} recorded: takes effect at once", to.flag());
                set_outcome(&mut e, "stopped", json!(to.as_str()));
            }
            "hold_pending_objection" => {
                let cases = open_cases()?;
                for c in &cases {
                    e.holds.push((
                        *c,
                        "pending_objection",
                        format!("objection to collection (rights request {})", req.id),
                    ));
                }
                e.flags.push(ObjectionTo::Collection.flag());
                e.detail = format!("{} case(s) held pending a decision", cases.len());
            }
            "apply_decision" => {
                let outcome: Json = serde_json::from_str(&req.outcome).unwrap_or_default();
                let accepted = outcome["decision"]["decision"] == "objection_accepted";
                let reason = outcome["decision"]["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let cases: Vec<CaseId> = self
                    .store
                    .subject_cases(req.party)?
                    .into_iter()
                    .map(|c| c.case)
                    .collect();
                for c in &cases {
                    e.lift_holds.push((*c, "pending_objection"));
                    if accepted {
                        e.holds.push((
                            *c,
                            OBJECTION_ACCEPTED_HOLD,
                            format!("objection accepted (rights request {}): {reason}", req.id),
                        ));
                    }
                }
                if !accepted {
                    e.lift_flags.push((
                        ObjectionTo::Collection.flag().to_owned(),
                        format!("compelling grounds: {reason}"),
                    ));
                }
                e.detail = if accepted {
                    "collection stopped".into()
                } else {
                    format!("hold lifted, collection goes on: {reason}")
                };
            }
            "erase" => {
                let outcome = self.erase_for_request(
                    actor,
                    req.party,
                    &format!("rights request {}", req.id),
                    self.clock().today(),
                )?;
                e.detail = format!(
                    "{} field(s) erased; {} ground(s) to keep data",
                    outcome.erased.len(),
                    outcome.kept.len()
                );
                set_outcome(&mut e, "erasure", crate::erasure::outcome_json(&outcome));
            }
            "answer" => {
                let routed = req.outcome.contains("\"routed_to\"");
                e.notifications.push(NewNotification {
                    request: req.id,
                    party: req.party,
                    kind: "answer".into(),
                    recipient: "data_subject".into(),
                    categories: String::new(),
                    detail: if routed {
                        "routed to the client as controller, with its contact details".into()
                    } else {
                        format!("answer to the {} request", kind.as_str())
                    },
                    at: self.clock().now(),
                });
                e.update.status = Some(if routed { "routed" } else { "completed" }.into());
                e.detail = "answer queued for the person".into();
            }
            other => {
                return Err(ServiceError::Invalid(format!("unknown step {other}")));
            }
        }
        Ok(e)
    }

    /// The flags of a subject (restriction, objections, consent).
    pub fn subject_flags(
        &self,
        actor: &Actor,
        party: PartyId,
    ) -> Result<Vec<SubjectFlagRow>, ServiceError> {
        self.rights_door(actor, party, Access::Read)?;
        Ok(self.store.subject_flags(party)?)
    }

    /// Why processing of this subject for this purpose must not happen
    /// (restriction, objection, no direct marketing, consent withdrawn), or
    /// `None`. Every processing path outside the daily run (which honours
    /// the holds) asks this.
    pub fn processing_stopped(
        &self,
        party: PartyId,
        purpose: &str,
    ) -> Result<Option<String>, ServiceError> {
        let flags = self.store.active_flags(party)?;
        for f in &flags {
            if f == "restricted" {
                return Ok(Some(
                    "the data subject's processing is restricted (GDPR art. 18)".into(),
                ));
            }
            if STOPS
                .iter()
                .any(|(flag, purposes)| flag == f && purposes.contains(&purpose))
            {
                return Ok(Some(format!(
                    "the data subject stopped processing for {purpose} ({f})"
                )));
            }
        }
        Ok(None)
    }

    /// Notifications (art. 19 to recipients, notices to the person).
    pub fn rights_notifications(
        &self,
        actor: &Actor,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<NotificationRow>, ServiceError> {
        self.door().check(
            actor,
            None,
            &["case_history"],
            Access::Read,
            "rights notifications",
        )?;
        Ok(self.store.rights_notifications(state, limit)?)
    }

    /// Tracks a notification: `sent` or `acknowledged`.
    pub fn rights_notification_state(
        &self,
        actor: &Actor,
        id: i64,
        state: &str,
    ) -> Result<(), ServiceError> {
        self.door().check(
            actor,
            None,
            &["case_history"],
            Access::Write,
            "rights notifications",
        )?;
        if !matches!(state, "sent" | "acknowledged") {
            return Err(ServiceError::Invalid(format!(
                "a notification becomes sent or acknowledged, not '{state}'"
            )));
        }
        if !self
            .store
            .set_notification_state(id, state, self.clock().now())?
        {
            return Err(ServiceError::Invalid(format!("no notification {id}")));
        }
        Ok(())
    }
}

fn field_categories(fields: &[(String, Option<String>)]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = fields
        .iter()
        .filter_map(|(f, _)| {
            kwijting_store::catalog::table("parties")?
                .columns
                .iter()
                .find(|c| c.name == f)
                .and_then(|c| match c.class {
                    kwijting_store::catalog::Class::Personal { category, .. } => Some(category),
                    _ => None,
                })
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn apply(
    tx: &mut dyn RightsTx,
    id: i64,
    party: PartyId,
    e: &Effects,
    on: Date,
    by: &str,
) -> Result<(), StoreError> {
    for (col, v) in &e.party {
        tx.update_party(party, col, v.as_deref())?;
    }
    for (case, kind) in &e.lift_holds {
        tx.lift_holds(*case, kind, on)?;
    }
    for (case, kind, reason) in &e.holds {
        tx.place_hold(*case, kind, reason, on, by)?;
    }
    for f in &e.flags {
        tx.set_flag(party, f, on, id)?;
    }
    for (f, reason) in &e.lift_flags {
        tx.lift_flag(party, f, on, reason)?;
    }
    for n in &e.notifications {
        tx.add_notification(n)?;
    }
    tx.update_request(id, &e.update)?;
    Ok(())
}

/// Used by [`Kwijting::rights_submit`] callers that parse text.
pub fn parse_field_assignments(
    args: &[String],
) -> Result<Vec<(String, Option<String>)>, ServiceError> {
    args.iter()
        .map(|a| {
            let (k, v) = a
                .split_once('=')
                .ok_or_else(|| ServiceError::Invalid(format!("'{a}' is not FIELD=VALUE")))?;
            let v = v.trim();
            Ok((k.trim().to_owned(), (!v.is_empty()).then(|| v.to_owned())))
        })
        .collect()
}
