//! A strategy as data: an id, a version and ordered steps, read from TOML
//! (format in the crate's README) and validated whole.

use std::sync::Arc;

use serde::Deserialize;

use crate::action::{ACTION_NAMES, Action, LegalRoute};
use crate::error::{Collector, StrategyError};
use crate::vars::{Condition, Var};

/// The most steps a strategy may have.
pub const STEPS_MAX: usize = 64;
/// The most conditions one step or assignment rule may have.
pub const CONDITIONS_MAX: usize = 16;
/// The longest waiting period of a step, in days (two years).
pub const WAIT_DAYS_MAX: u16 = 730;
/// The longest id of a strategy, step or rule.
pub const ID_LEN_MAX: usize = 64;

/// What a step does when its conditions are not met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Otherwise {
    /// Pass over it to the next step (the default).
    Skip,
    /// Stay on it and look again the next day.
    Wait,
}

/// One step of a strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    id: Arc<str>,
    wait_days: u16,
    when: Arc<[Condition]>,
    otherwise: Otherwise,
    action: Action,
}

impl Step {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn id_arc(&self) -> &Arc<str> {
        &self.id
    }

    /// Days after the last step carried out (or after the case was
    /// received) before this step is due.
    pub fn wait_days(&self) -> u16 {
        self.wait_days
    }

    /// All must hold for the step to fire.
    pub fn conditions(&self) -> &[Condition] {
        &self.when
    }

    pub(crate) fn conditions_arc(&self) -> &Arc<[Condition]> {
        &self.when
    }

    pub fn otherwise(&self) -> Otherwise {
        self.otherwise
    }

    pub fn action(&self) -> Action {
        self.action
    }
}

/// A validated strategy. Versions are immutable: a change is a new version
/// with the same id, and every decision names the version it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strategy {
    key: StrategyKey,
    title: String,
    description: String,
    steps: Vec<Step>,
}

/// A strategy's id and version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StrategyKey {
    pub id: Arc<str>,
    pub version: u32,
}

impl std::fmt::Display for StrategyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} v{}", self.id, self.version)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrategyFile {
    id: String,
    version: i64,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    steps: Vec<StepFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    id: String,
    #[serde(default)]
    wait_days: i64,
    action: String,
    route: Option<String>,
    #[serde(default)]
    when: toml::Table,
    otherwise: Option<String>,
}

/// Checks an id: 1 to 64 characters of `a-z`, `0-9`, `_` and `-`.
pub(crate) fn check_id(problems: &mut Collector, path: &str, id: &str) {
    if id.is_empty() || id.len() > ID_LEN_MAX {
        problems.add(path, format!("must have 1 to {ID_LEN_MAX} characters"));
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        problems.add(path, format!("'{id}' may only hold a-z, 0-9, '_' and '-'"));
    }
}

/// Compiles a `when` table into conditions, reporting problems under `path`.
pub(crate) fn compile_conditions(
    problems: &mut Collector,
    path: &str,
    when: &toml::Table,
    allowed: impl Fn(Var) -> bool,
) -> Vec<Condition> {
    if when.len() > CONDITIONS_MAX {
        problems.add(path, format!("at most {CONDITIONS_MAX} conditions"));
    }
    let mut out = Vec::with_capacity(when.len());
    for (name, value) in when {
        let here = format!("{path}.{name}");
        match Condition::compile(name, value) {
            Ok(c) if allowed(c.var) => out.push(c),
            Ok(_) => problems.add(here, format!("{name} cannot be used here")),
            Err(message) => problems.add(here, message),
        }
    }
    // The file's order is kept (toml's `preserve_order`), so explanations
    // name the first failing condition as written.
    out
}

impl Strategy {
    /// Parses and validates a strategy file. `source_name` (usually the
    /// path) is only used in messages. The file is refused whole, with
    /// every problem.
    pub fn from_toml_str(text: &str, source_name: &str) -> Result<Strategy, StrategyError> {
        let file: StrategyFile =
            toml::from_str(text).map_err(|e| StrategyError::from_toml(source_name, text, &e))?;
        let mut problems = Collector::new(source_name);
        check_id(&mut problems, "id", &file.id);
        let version = match u32::try_from(file.version) {
            Ok(v) if v >= 1 => v,
            _ => {
                problems.add("version", "must be a whole number from 1");
                0
            }
        };
        if file.title.trim().is_empty() {
            problems.add("title", "must not be empty");
        }
        if file.steps.is_empty() {
            problems.add("steps", "a strategy needs at least one step");
        }
        if file.steps.len() > STEPS_MAX {
            problems.add("steps", format!("at most {STEPS_MAX} steps"));
        }
        let mut steps = Vec::with_capacity(file.steps.len());
        for (i, s) in file.steps.iter().enumerate() {
            let path = format!("steps[{i}]");
            check_id(&mut problems, &format!("{path}.id"), &s.id);
            if file.steps[..i].iter().any(|earlier| earlier.id == s.id) {
                problems.add(format!("{path}.id"), format!("'{}' is used twice", s.id));
            }
            let wait_days = match u16::try_from(s.wait_days) {
                Ok(d) if d <= WAIT_DAYS_MAX => d,
                _ => {
                    problems.add(
                        format!("{path}.wait_days"),
                        format!("must be 0 to {WAIT_DAYS_MAX} days"),
                    );
                    0
                }
            };
            let route = match &s.route {
                None => None,
                Some(r) => {
                    let parsed = LegalRoute::parse(r);
                    if parsed.is_none() {
                        problems.add(
                            format!("{path}.route"),
                            format!("'{r}' is not a route (court, payment_order, bailiff)"),
                        );
                    }
                    parsed
                }
            };
            let action = match Action::parse(&s.action, route) {
                Some(a) => {
                    if s.route.is_some() && !matches!(a, Action::ProposeLegalAction(_)) {
                        problems.add(
                            format!("{path}.route"),
                            "only propose_legal_action takes a route",
                        );
                    }
                    a
                }
                None if s.action == "propose_legal_action" => {
                    if s.route.is_none() {
                        problems.add(
                            format!("{path}.route"),
                            "propose_legal_action needs a route (court, payment_order, bailiff)",
                        );
                    }
                    Action::CloseCase
                }
                None => {
                    problems.add(
                        format!("{path}.action"),
                        format!(
                            "'{}' is not an action (one of {})",
                            s.action,
                            ACTION_NAMES.join(", ")
                        ),
                    );
                    Action::CloseCase
                }
            };
            let otherwise = match s.otherwise.as_deref() {
                None | Some("skip") => Otherwise::Skip,
                Some("wait") => Otherwise::Wait,
                Some(other) => {
                    problems.add(
                        format!("{path}.otherwise"),
                        format!("'{other}' is not skip or wait"),
                    );
                    Otherwise::Skip
                }
            };
            let when =
                compile_conditions(&mut problems, &format!("{path}.when"), &s.when, |_| true);
            steps.push(Step {
                id: Arc::from(s.id.as_str()),
                wait_days,
                when: when.into(),
                otherwise,
                action,
            });
        }
        problems.into_result()?;
        Ok(Strategy {
            key: StrategyKey {
                id: Arc::from(file.id.as_str()),
                version,
            },
            title: file.title,
            description: file.description,
            steps,
        })
    }

    pub fn id(&self) -> &str {
        &self.key.id
    }

    pub fn version(&self) -> u32 {
        self.key.version
    }

    pub fn key(&self) -> &StrategyKey {
        &self.key
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The index of a step by its id, for [`crate::StepDone::index`].
    pub fn index_of(&self, step_id: &str) -> Option<u16> {
        self.steps
            .iter()
            .position(|s| &*s.id == step_id)
            .and_then(|i| u16::try_from(i).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "mini"
version = 3
title = "Minimal"

[[steps]]
id = "letter"
action = "fourteen_day_letter"
when.letter = "not_sent"

[[steps]]
id = "sue"
wait_days = 14
action = "propose_legal_action"
route = "court"
otherwise = "wait"
when.score_band = ["A", "B"]
when.balance_cents = { min = 50000 }
"#;

    #[test]
    fn a_minimal_strategy_parses() {
        let s = Strategy::from_toml_str(MINIMAL, "mini.toml").unwrap();
        assert_eq!(s.key().to_string(), "mini v3");
        assert_eq!(s.steps().len(), 2);
        assert_eq!(s.index_of("sue"), Some(1));
        assert_eq!(s.index_of("nope"), None);
        let sue = &s.steps()[1];
        assert_eq!(sue.action(), Action::ProposeLegalAction(LegalRoute::Court));
        assert_eq!(sue.wait_days(), 14);
        assert_eq!(sue.otherwise(), Otherwise::Wait);
        let conds: Vec<String> = sue.conditions().iter().map(|c| c.to_string()).collect();
        assert_eq!(conds, ["score_band in [A, B]", "balance_cents >= 50000"]);
    }

    #[test]
    fn every_problem_is_named_with_its_path() {
        let bad = r#"
id = "Bad Id"
version = 0
title = ""

[[steps]]
id = "a"
action = "sue"
wait_days = -1

[[steps]]
id = "a"
action = "propose_legal_action"
when.colour = "red"

[[steps]]
id = "c"
action = "reminder"
route = "court"
otherwise = "later"
"#;
        let err = Strategy::from_toml_str(bad, "bad.toml").unwrap_err();
        let got: Vec<String> = err
            .problems()
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect();
        let expect = [
            "id: 'Bad Id' may only hold a-z, 0-9, '_' and '-'",
            "version: must be a whole number from 1",
            "title: must not be empty",
            "steps[0].wait_days: must be 0 to 730 days",
            "steps[0].action: 'sue' is not an action",
            "steps[1].id: 'a' is used twice",
            "steps[1].route: propose_legal_action needs a route",
            "steps[1].when.colour: unknown variable 'colour'",
            "steps[2].route: only propose_legal_action takes a route",
            "steps[2].otherwise: 'later' is not skip or wait",
        ];
        assert_eq!(got.len(), expect.len(), "{got:#?}");
        for (g, e) in got.iter().zip(expect) {
            assert!(g.starts_with(e), "{g} should start with {e}");
        }
        assert!(err.to_string().starts_with("bad.toml: id: "));
    }

    #[test]
    fn parse_errors_name_line_and_column() {
        let err = Strategy::from_toml_str(
            "id = \"x\"\nversion = 1\ntitle = \"t\"\nsteps = 5\n",
            "f.toml",
        )
        .unwrap_err();
        match err {
            StrategyError::Parse {
                file, line_column, ..
            } => {
                assert_eq!(file, "f.toml");
                assert_eq!(line_column.map(|(l, _)| l), Some(4));
            }
            other => panic!("expected a parse error, got {other}"),
        }
        let err = Strategy::from_toml_str(
            "id = \"x\"\nversion = 1\ntitle = \"t\"\ncolour = 1\n",
            "f.toml",
        )
        .unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }
}
