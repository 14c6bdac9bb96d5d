//! The daily run: every open case taken one step forward on a date, by its
//! strategy, with every decision stored and explained (R9, R39).
//!
//! The run is idempotent per case and date (a decision per case and day at
//! most), works in chunks that each commit with their decisions, resumes
//! after a crash where it stopped, and gives the same decisions for the same
//! date whatever the machine, the number of workers or the order.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use kwijting_domain::{Actor, CaseNumber, CaseStatus, ClosureReason, Date, Money};
use kwijting_store::{CaseProgress, ChunkWork, NewDecision, RunCase, Timestamp};
use kwijting_strategy::{
    Action, AddressStatus, ArrangementState, Assignment, AssignmentInput, CaseFacts,
    ClientSettings, Decision, DisputeState, Hold, HoldSet, Holidays, Outcome, ScoreBand, StepDone,
    Strategy, Variant,
};

use crate::{Access, Kwijting, ServiceError};

/// Open cases per chunk: one transaction, one read of facts, one write.
pub const RUN_CHUNK_CASES: usize = 5_000;
/// Workers at most (PostgreSQL; SQLite runs one).
pub const RUN_WORKERS_MAX: usize = 16;

#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub as_of: Option<Date>,
    /// Open cases looked at on the day (all chunks, also those of an
    /// earlier, interrupted run of the same day).
    pub cases_seen: u64,
    /// Decisions made on the day.
    pub decisions: u64,
    /// Decisions this invocation added (0 when the day was run already).
    pub new_decisions: u64,
    pub by_action: BTreeMap<String, u64>,
    pub holds: u64,
    pub review_queue: u64,
    pub errors: u64,
    /// Why cases could not be decided in this invocation: message, number
    /// of cases, the first case.
    pub error_reasons: Vec<(String, u64, String)>,
    /// The day's monitoring of payment arrangements.
    pub arrangements: crate::arrangements::MonitorSummary,
}

/// Strategies by id and version.
type StrategyVersions = HashMap<(String, u32), Strategy>;

/// What the daily run would decide for a case on a day
/// ([`Kwijting::next_decision`]).
#[derive(Debug, Clone)]
pub struct NextDecision {
    pub as_of: Date,
    /// The balance the strategy decides on: the statement of account.
    pub balance: Money,
    pub principal: Money,
    /// The first claim of the case to run out of time (verjaring).
    pub limitation_last_day: Date,
    pub decision: Decision,
}

/// Everything a day's decisions depend on besides the cases: fixed for the
/// run, so every worker decides alike.
struct RunContext {
    as_of: Date,
    holidays: Holidays,
    /// The law with the rate table in force: the statements of account.
    nl: kwijting_law::nl::Netherlands,
    assignment: Assignment,
    strategies: StrategyVersions,
    /// Each client's reference and what it lets the agency do.
    clients: HashMap<i64, (String, ClientSettings)>,
    /// Each client's costs terms (the statement of account applies them).
    costs: HashMap<kwijting_domain::ClientId, kwijting_law::statement::CostsSettings>,
    tz: jiff::tz::TimeZone,
    /// Why cases could not be decided, with how many and a first case each.
    errors: Mutex<BTreeMap<String, (u64, String)>>,
}

/// The step of `strategy` the case took last, and when.
fn last_step(case: &RunCase, strategy: &Strategy) -> Option<StepDone> {
    match (&case.last_step, case.last_step_on) {
        (Some(id), Some(on)) => strategy.index_of(id).map(|index| StepDone { index, on }),
        _ => None,
    }
}

fn parse_holds(case: &RunCase) -> HoldSet {
    let mut set = HoldSet::default();
    for h in &case.holds {
        if let Some(h) = Hold::parse(h) {
            set = set.with(h);
        }
    }
    if case.review_pending {
        set = set.with(Hold::HumanReviewRequested);
    }
    set
}

impl RunContext {
    /// The newest version of a strategy.
    fn newest(&self, id: &str) -> Option<&Strategy> {
        self.strategies
            .iter()
            .filter(|((sid, _), _)| sid == id)
            .max_by_key(|((_, v), _)| *v)
            .map(|(_, s)| s)
    }

    fn strategy_for(
        &self,
        case: &RunCase,
        number: &CaseNumber,
        facts: &CaseFacts,
    ) -> Option<(&Strategy, &'static str)> {
        let processor = self
            .clients
            .get(&case.client_id.0)
            .is_some_and(|(_, s)| s.processor);
        let on_receivables = case
            .strategy
            .as_ref()
            .is_some_and(|(id, _, _)| id == kwijting_strategy::RECEIVABLES_STRATEGY_ID);
        // The mandate decides the strategy (R1): a processor's cases get
        // receivables management; a case whose client became controller
        // leaves it and is assigned afresh.
        if processor && !on_receivables {
            return self
                .newest(kwijting_strategy::RECEIVABLES_STRATEGY_ID)
                .map(|s| (s, "champion"));
        }
        if let Some((id, version, variant)) = &case.strategy
            && (processor || !on_receivables)
        {
            let v = u32::try_from(*version).ok()?;
            let variant = if variant == "challenger" {
                "challenger"
            } else {
                "champion"
            };
            return self.strategies.get(&(id.clone(), v)).map(|s| (s, variant));
        }
        let (client_ref, _) = self.clients.get(&case.client_id.0)?;
        let assigned = self.assignment.assign(&AssignmentInput {
            client_ref,
            case_number: number,
            debtor_type: facts.debtor_type,
            balance: facts.balance,
            score_band: facts.score_band,
        })?;
        let id: &str = &assigned.strategy.id;
        let strategy = match assigned.strategy.version {
            Some(v) => self.strategies.get(&(id.to_owned(), v))?,
            None => self.newest(id)?,
        };
        let variant = match assigned.variant {
            Variant::Champion => "champion",
            Variant::Challenger => "challenger",
        };
        Some((strategy, variant))
    }

    /// The case's facts on the day: the balance is the case's statement of
    /// account (`settle::statement_of_case`, the one definition every view
    /// reads), from the inputs the chunk read with the case; limitation
    /// with the demands sent so far.
    fn facts(&self, case: &RunCase) -> Result<CaseFacts, String> {
        let law = kwijting_store::CaseLawRow {
            case: case.id,
            client: case.client_id,
            open: case.status.is_open(),
            debtor_type: case.debtor_type,
            claims: case.claims.clone(),
            demand_letter_sent_on: case.demand_letter_sent_on,
            costs_demanded_on: case.costs_demanded_on,
            last_demand_on: case.last_demand_on,
        };
        let paid = case
            .payments
            .iter()
            .map(|(on, cents, designated)| (*on, Money::from_cents(*cents), *designated));
        let costs = self.costs.get(&case.client_id).copied().unwrap_or_default();
        let statement = crate::settle::statement_of_case(&self.nl, &law, costs, paid, self.as_of)
            .map_err(|e| e.to_string())?;
        let principal = statement.outstanding.principal;
        let balance = statement.balance;
        // A demand may not include a time-barred claim: the case's last day
        // is its first claim to run out (a consumer sale's price after 2
        // years, art. 7:28 BW), after which collection stops and says so.
        let limitation_last_day = crate::settle::first_limitation_last_day(&law, self.as_of)
            .map_err(|e| e.to_string())?
            .unwrap_or(self.as_of);
        let holds = parse_holds(case);
        Ok(CaseFacts {
            debtor_type: case.debtor_type,
            principal,
            balance,
            due_on: case.first_due_on,
            received_on: case.opened_on,
            steps_done: u16::try_from(case.steps_taken).unwrap_or(u16::MAX),
            // The position in the strategy is set once the strategy is known.
            last_step: None,
            fourteen_day_letter_sent_on: case.demand_letter_sent_on,
            score_band: case
                .credit_band
                .as_deref()
                .and_then(ScoreBand::parse)
                .unwrap_or(ScoreBand::Unknown),
            address: match case.address_status.as_deref() {
                Some("verified") => AddressStatus::Verified,
                Some("moved") | Some("unknown") => AddressStatus::Unknown,
                Some("abroad") => AddressStatus::Abroad,
                _ => AddressStatus::Unverified,
            },
            phone_known: case.phone_known,
            email_known: case.email_known,
            arrangement: if holds.contains(Hold::ActiveArrangement) {
                ArrangementState::Active
            } else if case.holds.iter().any(|h| h == "arrangement_broken") {
                ArrangementState::Broken
            } else {
                ArrangementState::None
            },
            dispute: if holds.contains(Hold::Dispute) {
                DisputeState::Open
            } else {
                DisputeState::None
            },
            judgment_on: case.judgment_on,
            limitation_last_day,
            holds,
        })
    }

    fn decide_chunk(&self, cases: &[RunCase]) -> ChunkWork {
        let mut work = ChunkWork::default();
        for case in cases {
            match self.decide_case(case, &mut work) {
                Ok(()) => {}
                Err(e) => {
                    // One bad case must not stop the day: it is counted,
                    // kept with why, and tried again when a run for the same
                    // day starts again (or tomorrow).
                    if let Ok(mut errors) = self.errors.lock() {
                        errors
                            .entry(e.clone())
                            .or_insert((0, case.number.clone()))
                            .0 += 1;
                    }
                    work.errors += 1;
                    work.failed.push((case.id, e));
                }
            }
        }
        work
    }

    fn decide_case(&self, case: &RunCase, work: &mut ChunkWork) -> Result<(), String> {
        let number = CaseNumber::parse(&case.number).map_err(|e| e.to_string())?;
        // Facts first without the step position, to pick the strategy;
        // then the position in it (the statement of account is made once).
        let mut facts = self.facts(case)?;
        let Some((strategy, variant)) = self.strategy_for(case, &number, &facts) else {
            return Err("no strategy is assigned to this case and no assignment rule fits".into());
        };
        facts.last_step = last_step(case, strategy);
        let settings = self
            .clients
            .get(&case.client_id.0)
            .map(|(_, s)| *s)
            .unwrap_or_default();
        let decision =
            kwijting_strategy::decide(&facts, strategy, self.as_of, &self.holidays, &settings)
                .map_err(|e| e.to_string())?;
        let key = (
            strategy.id().to_owned(),
            i64::from(strategy.version()),
            variant.to_owned(),
        );
        let assigned_now = case.strategy.as_ref() != Some(&key);
        let mut progress = CaseProgress {
            case: case.id,
            strategy: key,
            steps_taken: case.steps_taken,
            last_step: case.last_step.clone(),
            last_step_on: case.last_step_on,
            demand_letter_sent_on: case.demand_letter_sent_on,
            last_demand_on: case.last_demand_on,
            costs_demanded_on: case.costs_demanded_on,
            status: case.status,
        };
        if matches!(decision.outcome, Outcome::NothingOwed) {
            // Paid off without a booking closing it (paid before the one
            // balance closed cases at booking): closed as paid today.
            progress.status = CaseStatus::Closed(ClosureReason::Paid);
            work.progress.push(progress);
            return Ok(());
        }
        let acted = match decision.outcome {
            Outcome::Held(holds) if holds.contains(Hold::LimitationExpired) => {
                // A time-barred claim is not demanded again: the case goes
                // back to the client, with the limitation it ran out on
                // stored as the reason (the explanation says so).
                work.held += 1;
                work.decisions.push(self.stored(
                    case,
                    &decision,
                    Action::ReturnToClient,
                    Hold::LimitationExpired.as_str().to_owned(),
                )?);
                progress.status = CaseStatus::Closed(ClosureReason::HandedOver);
                work.progress.push(progress);
                return Ok(());
            }
            Outcome::Held(_) => {
                work.held += 1;
                None
            }
            Outcome::Act(action) => Some(action),
            Outcome::Blocked(_) => decision.step.as_ref().map(|s| s.action),
            Outcome::Wait { .. } | Outcome::Finished | Outcome::NothingOwed => None,
        };
        if let (Some(action), Some(step)) = (acted, decision.step.as_ref())
            && decision.needs_review
        {
            // A person decides: the case pauses (a pending review holds it)
            // and moves past the step when the review is done.
            work.decisions
                .push(self.stored(case, &decision, action, step.id.to_string())?);
            if assigned_now || case.status == CaseStatus::Intake {
                progress.status = CaseStatus::Active;
                work.progress.push(progress);
            }
        } else if let (Some(action), Some(step)) = (acted, decision.step.as_ref()) {
            work.decisions
                .push(self.stored(case, &decision, action, step.id.to_string())?);
            progress.steps_taken += 1;
            progress.last_step = Some(step.id.to_string());
            progress.last_step_on = Some(self.as_of);
            if action == Action::FourteenDayLetter {
                progress.demand_letter_sent_on = Some(self.as_of);
            }
            if is_written_demand(action) {
                progress.last_demand_on = Some(self.as_of);
            }
            if kwijting_store::demands_costs(action.as_str()) {
                progress.costs_demanded_on.get_or_insert(self.as_of);
            }
            progress.status = match (case.status, action) {
                (_, Action::CloseCase) => CaseStatus::Closed(ClosureReason::WrittenOff),
                (_, Action::ReturnToClient) => CaseStatus::Closed(ClosureReason::HandedOver),
                (CaseStatus::Intake, _) => CaseStatus::Active,
                (s, _) => s,
            };
            work.progress.push(progress);
        } else if assigned_now || case.status == CaseStatus::Intake {
            if case.status == CaseStatus::Intake && !matches!(decision.outcome, Outcome::Held(_)) {
                progress.status = CaseStatus::Active;
            }
            work.progress.push(progress);
        }
        Ok(())
    }

    fn stored(
        &self,
        case: &RunCase,
        decision: &Decision,
        action: Action,
        rule: String,
    ) -> Result<NewDecision, String> {
        let inputs = decision
            .variables_used()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n");
        let due = match decision.contact_from {
            Some(at) => at
                .to_zoned(self.tz.clone())
                .map_err(|e| e.to_string())?
                .timestamp(),
            None => self
                .as_of
                .to_datetime(jiff::civil::Time::midnight())
                .to_zoned(self.tz.clone())
                .map_err(|e| e.to_string())?
                .timestamp(),
        };
        Ok(NewDecision {
            case: case.id,
            strategy_id: decision.strategy.id.to_string(),
            strategy_version: i64::from(decision.strategy.version),
            rule,
            action: action.as_str().to_owned(),
            inputs,
            needs_review: decision.needs_review,
            work: (!decision.needs_review).then(|| (action.as_str().to_owned(), due)),
        })
    }
}

/// Letters that demand payment in writing: each interrupts limitation.
fn is_written_demand(action: Action) -> bool {
    matches!(
        action,
        Action::Reminder
            | Action::FourteenDayLetter
            | Action::FirstDemand
            | Action::SecondDemand
            | Action::SummonsWarning
    )
}

impl Kwijting {
    /// Stores a new strategy version from its TOML text, after checking it;
    /// every version is kept and cases stay on the version they started.
    pub fn add_strategy(
        &self,
        actor: &Actor,
        text: &str,
        source: &str,
    ) -> Result<(String, u32), ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Write, "strategies")?;
        let s = Strategy::from_toml_str(text, source)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        self.load_strategies()?;
        if !self
            .store
            .add_strategy(s.id(), i64::from(s.version()), text, self.clock().now())?
        {
            return Err(ServiceError::Conflict {
                what: "strategy version",
                key: format!("{} v{}", s.id(), s.version()),
            });
        }
        Ok((s.id().to_owned(), s.version()))
    }

    /// The newest version of each strategy: id, version, title.
    pub fn strategies(&self, actor: &Actor) -> Result<Vec<(String, u32, String)>, ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Read, "strategies")?;
        let (versions, _) = self.load_strategies()?;
        let mut newest: BTreeMap<String, &Strategy> = BTreeMap::new();
        for ((id, _), s) in &versions {
            let e = newest.entry(id.clone()).or_insert(s);
            if s.version() > e.version() {
                *e = s;
            }
        }
        Ok(newest
            .into_iter()
            .map(|(id, s)| (id, s.version(), s.title().to_owned()))
            .collect())
    }

    /// The strategies in force: the newest stored version of each, after
    /// storing the shipped ones the first time.
    fn load_strategies(&self) -> Result<(StrategyVersions, Assignment), ServiceError> {
        let shipped =
            kwijting_strategy::defaults().map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let now = self.clock().now();
        for (s, text) in shipped.strategies.iter().zip([
            kwijting_strategy::CONSUMER_STRATEGY_TOML,
            kwijting_strategy::BUSINESS_STRATEGY_TOML,
            kwijting_strategy::RECEIVABLES_STRATEGY_TOML,
        ]) {
            self.store
                .add_strategy(s.id(), i64::from(s.version()), text, now)?;
        }
        let mut strategies = HashMap::new();
        for (id, version, text) in self.store.strategies()? {
            let s = Strategy::from_toml_str(&text, &format!("stored strategy {id} v{version}"))
                .map_err(|e| ServiceError::Invalid(e.to_string()))?;
            strategies.insert((id, s.version()), s);
        }
        Ok((strategies, shipped.assignment))
    }

    /// Takes every open case forward on `as_of`. With `workers > 1` on
    /// PostgreSQL, workers claim chunks side by side.
    pub fn run_day(
        &self,
        actor: &Actor,
        as_of: Date,
        workers: usize,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<RunSummary, ServiceError> {
        self.door().check(
            actor,
            None,
            &[
                "identity",
                "contact",
                "debt",
                "case_history",
                "financial_situation",
            ],
            Access::Write,
            "the daily run",
        )?;
        // A mandate switched from a day up to today takes effect; the run's
        // own day decides which mandate its cases are processed under.
        {
            use kwijting_store::MandateStore;
            self.store.apply_mandate_changes(self.clock().today())?;
        }
        let ctx = self.run_context(as_of)?;
        let planned = self.store.plan_run(as_of, RUN_CHUNK_CASES)?;
        let before = self.store.run_totals(as_of)?;
        let total_chunks = before.chunks_done + before.chunks_todo;
        let _ = planned;
        let done = Mutex::new(before.chunks_done);
        // What this invocation added, counted from its own chunks: a run of
        // the same day started beside it adds its own.
        let added = Mutex::new(0u64);
        let failure: Mutex<Option<ServiceError>> = Mutex::new(None);
        let workers = match self.engine() {
            kwijting_store::Engine::Sqlite => 1,
            kwijting_store::Engine::Postgres => workers.clamp(1, RUN_WORKERS_MAX),
        };
        let decide = |cases: &[RunCase]| ctx.decide_chunk(cases);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        if failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                            return;
                        }
                        match self.store.run_chunk(as_of, &decide) {
                            Ok(Some(chunk)) => {
                                if let Ok(mut a) = added.lock() {
                                    *a += chunk.decisions;
                                }
                                let n = done.lock().map(|mut d| {
                                    *d += 1;
                                    *d
                                });
                                if let Ok(n) = n {
                                    progress(n, total_chunks);
                                }
                            }
                            Ok(None) => return,
                            Err(e) => {
                                if let Ok(mut f) = failure.lock() {
                                    f.get_or_insert(e.into());
                                }
                                return;
                            }
                        }
                    }
                });
            }
        });
        if let Some(e) = failure.into_inner().ok().flatten() {
            return Err(e);
        }
        // After the chunks: a case whose arrangement breaks today is taken
        // up by its strategy from tomorrow.
        let arrangements = self.monitor_arrangements(as_of)?;
        // Costs due from a day the ledger has already posted past.
        self.restate_after_run(as_of)?;
        let totals = self.store.run_totals(as_of)?;
        Ok(RunSummary {
            as_of: Some(as_of),
            cases_seen: totals.cases_seen,
            decisions: totals.decisions,
            new_decisions: added.into_inner().unwrap_or_default(),
            by_action: totals.by_action.into_iter().collect(),
            holds: totals.held,
            review_queue: totals.review_queue,
            errors: totals.errors,
            error_reasons: ctx
                .errors
                .into_inner()
                .unwrap_or_default()
                .into_iter()
                .map(|(m, (n, first))| (m, n, first))
                .collect(),
            arrangements,
        })
    }

    /// What the daily run would decide for a case on `as_of`, from the same
    /// inputs and code as the run itself, without storing anything: for the
    /// case handler ("what happens next") and for checking that the
    /// balance the run decides on is the one every view shows.
    pub fn next_decision(
        &self,
        actor: &Actor,
        number: &str,
        as_of: Date,
    ) -> Result<NextDecision, ServiceError> {
        let file = self.case_file(actor, number)?;
        self.door().check(
            actor,
            Some(file.summary.client_id),
            &["debt", "case_history", "financial_situation"],
            Access::Read,
            "what the daily run would decide",
        )?;
        let id = file.summary.id;
        let case_number = CaseNumber::parse(number.trim())
            .map_err(|_| ServiceError::UnknownCase(number.to_owned()))?;
        let Some(case) = self.store.run_cases(id, id)?.into_iter().next() else {
            return Err(ServiceError::Refused(format!(
                "case {number} is closed: the daily run does not act on it"
            )));
        };
        let ctx = self.run_context(as_of)?;
        let mut facts = ctx.facts(&case).map_err(ServiceError::Invalid)?;
        let Some((strategy, _)) = ctx.strategy_for(&case, &case_number, &facts) else {
            return Err(ServiceError::Invalid(
                "no strategy is assigned to this case and no assignment rule fits".into(),
            ));
        };
        facts.last_step = last_step(&case, strategy);
        let settings = ctx
            .clients
            .get(&case.client_id.0)
            .map(|(_, s)| *s)
            .unwrap_or_default();
        let decision = kwijting_strategy::decide(&facts, strategy, as_of, &ctx.holidays, &settings)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        Ok(NextDecision {
            as_of,
            balance: facts.balance,
            principal: facts.principal,
            limitation_last_day: facts.limitation_last_day,
            decision,
        })
    }

    /// What a day's decisions depend on besides the cases: the strategies
    /// (every version in use), the law, the clients' settings and costs
    /// terms under the mandates on `as_of`.
    fn run_context(&self, as_of: Date) -> Result<RunContext, ServiceError> {
        let (mut strategies, assignment) = self.load_strategies()?;
        // Cases on an older version keep it: load every version they use.
        for (id, version, _) in self.store.strategies()? {
            for v in 1..version {
                if let Some(text) = self.store.strategy(&id, v)?
                    && let Ok(s) =
                        Strategy::from_toml_str(&text, &format!("stored strategy {id} v{v}"))
                {
                    strategies.insert((id.clone(), s.version()), s);
                }
            }
        }
        let mandates = crate::recipients::mandates_on(
            &kwijting_store::MandateStore::mandate_changes(&*self.store)?,
            as_of,
        );
        Ok(RunContext {
            as_of,
            holidays: Holidays::statutory(),
            nl: self.netherlands()?,
            costs: self.costs_terms()?,
            assignment,
            strategies,
            clients: self
                .store
                .clients()?
                .into_iter()
                .map(|c| {
                    let settings = ClientSettings {
                        review_all_legal_steps: c.settings.review_all_legal_steps,
                        legal_action_allowed: c.settings.legal_action_allowed,
                        legal_action_min_balance: Money::from_cents(
                            c.settings.legal_action_min_cents,
                        ),
                        processor: mandates.get(&c.id).copied().unwrap_or(c.role)
                            == kwijting_domain::ClientRole::Processor,
                    };
                    (c.id.0, (c.reference, settings))
                })
                .collect(),
            tz: jiff::tz::TimeZone::get("Europe/Amsterdam")
                .map_err(|e| ServiceError::Invalid(format!("time zone: {e}")))?,
            errors: Mutex::new(BTreeMap::new()),
        })
    }

    /// A stored decision explained in plain language (GDPR art. 22, R39):
    /// what was decided, on which data, why, and how to ask for a person.
    pub fn explain(
        &self,
        actor: &Actor,
        number: &str,
        lang: kwijting_strategy::Language,
    ) -> Result<Vec<(kwijting_store::DecisionRow, String)>, ServiceError> {
        let (_, rows) = self.decisions(actor, number)?;
        let mut out = Vec::with_capacity(rows.len());
        for d in rows {
            let rule = self.stored_rule(&d)?;
            let text = explain_row(&d, rule.as_ref(), lang);
            out.push((d, text));
        }
        Ok(out)
    }
}

impl Kwijting {
    /// The rule of a decision as it stood in the strategy version that
    /// decided: the step with its index (its wait and its conditions).
    pub(crate) fn stored_rule(
        &self,
        d: &kwijting_store::DecisionRow,
    ) -> Result<StoredRule, ServiceError> {
        Ok(self
            .store
            .strategy(&d.strategy_id, d.strategy_version)?
            .and_then(|text| Strategy::from_toml_str(&text, "stored strategy").ok())
            .and_then(|s| {
                let index = s.index_of(&d.rule)?;
                s.steps()
                    .get(usize::from(index))
                    .map(|st| (index, st.clone()))
            }))
    }
}

/// A decision's step and its index in its strategy version, when the step
/// is known.
pub(crate) type StoredRule = Option<(u16, kwijting_strategy::Step)>;

/// The explanation of a stored decision, from the data it stored, in words
/// addressed to the debtor (`kwijting_strategy::StoredDecision`): no
/// strategy, step or action ids, which stay in the decision's own fields.
pub fn explain_row(
    d: &kwijting_store::DecisionRow,
    rule: Option<&(u16, kwijting_strategy::Step)>,
    lang: kwijting_strategy::Language,
) -> String {
    use kwijting_strategy::Review;
    let review = match (d.needs_review, d.review_state.as_str()) {
        (false, _) => Review::Automatic,
        (true, "pending") => Review::Pending,
        (true, "approved") => Review::Approved,
        (true, _) => Review::Rejected,
    };
    kwijting_strategy::StoredDecision {
        made_on: d.run_date,
        source: &d.strategy_id,
        version: d.strategy_version,
        rule: &d.rule,
        action: &d.action,
        inputs: &d.inputs,
        step: rule.map(|(index, step)| (*index, step)),
        review,
    }
    .explain(lang)
}

/// The time stamps of queued work are instants; this names the type for
/// callers that format them.
pub type WorkDue = Timestamp;
