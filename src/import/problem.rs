//! What is wrong with one row of an import file, as data: the command line prints it in
//! English ([`fmt::Display`]), a chat says it in its own language (the engine's
//! `import_messages`), so no chat ever reads the English (issue 21, item 5).

use std::fmt;

use crate::domain::units::VillageNameError;
use crate::domain::{NameError, PhoneError};

/// One problem of a row. The files only the command line reads (units, reorganisations)
/// say theirs in [`Problem::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The row cannot be read as a line of the file (the CSV layer's reason).
    Unreadable(String),
    /// The file is neither a spreadsheet nor text.
    NotText,
    /// A line of a UTF-8 file with bytes that are not UTF-8.
    NotUtf8,
    UnknownColumn {
        column: String,
        expected: String,
    },
    ColumnTwice(String),
    MissingColumns(String),
    ColumnCount {
        expected: usize,
        found: usize,
    },
    Empty(&'static str),
    NotDigits {
        column: &'static str,
        value: String,
    },
    Name(VillageNameError),
    HeadName(NameError),
    HeadPhone(PhoneError),
    BadCode {
        code: String,
        max: usize,
    },
    CodeOutsideCommune {
        code: String,
        commune: String,
    },
    NameTwice {
        name: String,
        commune: String,
        first: u64,
    },
    CodeTwice {
        code: String,
        first: u64,
    },
    NotYours {
        commune: String,
        yours: String,
    },
    NoSuchCommune(String),
    NotACommune {
        code: String,
        level: &'static str,
        name: String,
    },
    CommuneEnded {
        code: String,
        name: String,
        on: String,
        merged_into: Option<String>,
    },
    CodeTaken {
        code: String,
        level: &'static str,
        name: String,
        parent: Option<String>,
    },
    NameHasCode {
        commune: String,
        name: String,
        code: String,
    },
    CodeGivenTwice {
        code: String,
        first: u64,
    },
    Other(String),
}

impl From<String> for Problem {
    fn from(text: String) -> Problem {
        Problem::Other(text)
    }
}

impl From<&str> for Problem {
    fn from(text: &str) -> Problem {
        Problem::Other(text.to_owned())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unreadable(reason) | Problem::Other(reason) => f.write_str(reason),
            Problem::NotText => f.write_str("not a spreadsheet nor text in a known encoding"),
            Problem::NotUtf8 => f.write_str("not valid UTF-8 text"),
            Problem::UnknownColumn { column, expected } => {
                write!(f, "unknown column {column:?} (expected {expected})")
            }
            Problem::ColumnTwice(column) => write!(f, "column {column} appears twice"),
            Problem::MissingColumns(columns) => write!(f, "missing column(s): {columns}"),
            Problem::ColumnCount { expected, found } => {
                write!(f, "expected {expected} columns, found {found}")
            }
            Problem::Empty(column) => write!(f, "{column} is empty"),
            Problem::NotDigits { column, value } => {
                write!(f, "{column} {value:?} is not made of digits")
            }
            Problem::Name(error) => write!(f, "name: {error}"),
            Problem::HeadName(error) => write!(f, "head_name: {error}"),
            Problem::HeadPhone(error) => write!(f, "head_phone: {error}"),
            Problem::BadCode { code, max } => write!(
                f,
                "code {code:?} is not up to {max} letters, digits, '-', '_' or '.'"
            ),
            Problem::CodeOutsideCommune { code, commune } => write!(
                f,
                "code {code:?} must start with the commune's code: {commune}-"
            ),
            Problem::NameTwice {
                name,
                commune,
                first,
            } => write!(f, "{name:?} of commune {commune} is also on line {first}"),
            Problem::CodeTwice { code, first } => {
                write!(f, "code {code} is also on line {first}")
            }
            Problem::NotYours { commune, yours } => {
                write!(f, "commune {commune} is not yours ({yours})")
            }
            Problem::NoSuchCommune(code) => write!(f, "commune {code} does not exist"),
            Problem::NotACommune { code, level, name } => {
                let unit = super::describe(level, name, None);
                write!(f, "{code} is {unit}, not a commune")
            }
            Problem::CommuneEnded {
                code,
                name,
                on,
                merged_into,
            } => write!(
                f,
                "commune {code} ({name}) ended on {on}{}: its villages belong to the new commune",
                merged_into
                    .as_ref()
                    .map(|c| format!(", merged into {c}"))
                    .unwrap_or_default()
            ),
            Problem::CodeTaken {
                code,
                level,
                name,
                parent,
            } => {
                let unit = super::describe(level, name, parent.as_deref());
                write!(f, "code {code} is already {unit}")
            }
            Problem::NameHasCode {
                commune,
                name,
                code,
            } => write!(f, "commune {commune} already has {name:?} with code {code}"),
            Problem::CodeGivenTwice { code, first } => {
                write!(f, "code {code} is also given to line {first}")
            }
        }
    }
}
