//! Why a strategy file was refused or a decision could not be made. File
//! errors name the file and the line and column (parse) or the key path
//! (`steps[3].when.score_band`).

use std::fmt;

use kwijting_law::LawError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrategyError {
    /// Not TOML, or not the shape of a strategy or assignment file (unknown
    /// key, wrong type).
    #[error("{file}: {}{message}", location(*.line_column))]
    Parse {
        file: String,
        /// One-based line and column, when the parser knows them.
        line_column: Option<(usize, usize)>,
        message: String,
    },
    /// The file parsed but breaks a rule; every problem, one per line.
    #[error("{}", ProblemList(.0))]
    Invalid(Vec<Problem>),
    /// A date the law crate cannot handle (e.g. a 14-day letter sent before
    /// the years whose public holidays it knows).
    #[error(transparent)]
    Law(#[from] LawError),
    /// No day open for contact within a week after the date: the bridge
    /// days passed in close too many days.
    #[error("no day open for contact with the debtor within a week after {from}")]
    NoContactDay { from: kwijting_domain::Date },
}

/// One broken rule of a file: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// The key path, e.g. `steps[3].when.score_band`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

impl StrategyError {
    /// The validation problems, empty for other errors.
    pub fn problems(&self) -> &[Problem] {
        match self {
            StrategyError::Invalid(problems) => problems,
            _ => &[],
        }
    }

    pub(crate) fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> StrategyError {
        StrategyError::Parse {
            file: file.to_owned(),
            line_column: err.span().map(|span| line_column(text, span.start)),
            message: err.message().trim_end().to_owned(),
        }
    }
}

/// Collects the problems of one file.
pub(crate) struct Collector {
    file: String,
    list: Vec<Problem>,
}

impl Collector {
    pub(crate) fn new(file: &str) -> Collector {
        Collector {
            file: file.to_owned(),
            list: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.list.push(Problem {
            file: self.file.clone(),
            path: path.into(),
            message: message.into(),
        });
    }

    pub(crate) fn into_result(self) -> Result<(), StrategyError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(StrategyError::Invalid(self.list))
        }
    }
}

fn location(line_column: Option<(usize, usize)>) -> String {
    match line_column {
        Some((line, column)) => format!("line {line}, column {column}: "),
        None => String::new(),
    }
}

/// One-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}
