//! Why a policy file was refused. Every message names the file and, for a
//! parse error, the line and column; for a validation error, the key path
//! (`purposes.marketing.retention`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text is not TOML, or does not have the shape of a policy (unknown
    /// key, wrong type, unknown enum value).
    #[error("{file}: {}{message}", location(*.line_column))]
    Parse {
        file: String,
        /// One-based line and column, when the parser knows them.
        line_column: Option<(usize, usize)>,
        message: String,
    },
    /// The file parsed but breaks a rule of the policy. All problems found
    /// are reported at once, one per line.
    #[error("{}", Problems(.0))]
    Invalid(Vec<Problem>),
}

/// One broken rule: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// The dotted key path in the file, e.g. `purposes.marketing.retention`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

impl PolicyError {
    /// The validation problems, empty for a parse error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            PolicyError::Parse { .. } => &[],
            PolicyError::Invalid(problems) => problems,
        }
    }

    pub(crate) fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> PolicyError {
        let line_column = err.span().map(|span| line_column(text, span.start));
        PolicyError::Parse {
            file: file.to_owned(),
            line_column,
            message: err.message().trim_end().to_owned(),
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

struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbé = x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // 'x' follows a two-byte character: column counts characters.
        assert_eq!(line_column(text, text.find('x').unwrap_or(0)), (2, 6));
    }
}
