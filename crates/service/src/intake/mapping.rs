//! Column mappings: a client's header names read as the columns of the claim
//! format (`[columns]`, file header to our column), and a client's words for
//! a column's values (`[values.COLUMN]`). Headers and values are matched
//! without regard to case and the white space around them. Format:
//! docs/claims-csv.md, "Column mappings".

use std::collections::HashMap;

use super::{Col, column_by_name, column_name};

/// The Dutch header mapping shipped with Kwijting (`--mapping nl`).
pub const NL_TOML: &str = include_str!("../../../../mappings/nl.toml");
/// The built-in mappings, by the name they are selected with.
pub const BUILT_IN: &[(&str, &str)] = &[("nl", NL_TOML)];

/// The longest mapping file accepted.
pub const MAPPING_BYTES_MAX: usize = 64 * 1024;
/// Headers one mapping may name at most.
pub const MAPPING_ENTRIES_MAX: usize = 500;

/// A mapping file that cannot be used, naming the file and the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {key}: {message}")]
pub struct MappingError {
    /// The mapping's file or name.
    pub source_name: String,
    pub key: String,
    pub message: String,
}

/// A validated column mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    /// Where it came from: a file, a built-in name, a client's saved one.
    name: String,
    /// The TOML text it was read from (what a client's saved mapping stores).
    text: String,
    columns: HashMap<String, Col>,
    values: HashMap<Col, HashMap<String, String>>,
}

/// How header and value text is matched: trimmed, case-insensitive.
pub(super) fn match_key(s: &str) -> String {
    s.trim().to_lowercase()
}

impl ColumnMapping {
    /// Reads a mapping from TOML text; `name` is what errors call it.
    pub fn parse(name: &str, text: &str) -> Result<ColumnMapping, MappingError> {
        let err = |key: &str, message: String| MappingError {
            source_name: name.to_owned(),
            key: key.to_owned(),
            message,
        };
        if text.len() > MAPPING_BYTES_MAX {
            return Err(err(
                "(file)",
                format!("is longer than {MAPPING_BYTES_MAX} bytes"),
            ));
        }
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            err(
                "(file)",
                format!("is not valid TOML: {}", e.message().trim_end()),
            )
        })?;
        let mut mapping = ColumnMapping {
            name: name.to_owned(),
            text: text.to_owned(),
            columns: HashMap::new(),
            values: HashMap::new(),
        };
        for (section, value) in &table {
            match (section.as_str(), value) {
                ("columns", toml::Value::Table(t)) => {
                    if t.len() > MAPPING_ENTRIES_MAX {
                        return Err(err(
                            "columns",
                            format!("names more than {MAPPING_ENTRIES_MAX} headers"),
                        ));
                    }
                    for (header, target) in t {
                        let key = format!("columns.{header}");
                        let Some(target) = target.as_str() else {
                            return Err(err(&key, "must be a column name in quotes".into()));
                        };
                        let col = column_by_name(target).ok_or_else(|| {
                            err(
                                &key,
                                format!(
                                    "'{target}' is not a column of the claim format (see docs/claims-csv.md)"
                                ),
                            )
                        })?;
                        let header = match_key(header);
                        if header.is_empty() {
                            return Err(err(&key, "names an empty header".into()));
                        }
                        if mapping.columns.insert(header, col).is_some() {
                            return Err(err(
                                &key,
                                "is given twice (headers are matched without regard to case)"
                                    .into(),
                            ));
                        }
                    }
                }
                ("values", toml::Value::Table(t)) => {
                    for (column, words) in t {
                        let key = format!("values.{column}");
                        let col = column_by_name(column).ok_or_else(|| {
                            err(
                                &key,
                                format!("'{column}' is not a column of the claim format"),
                            )
                        })?;
                        let Some(words) = words.as_table() else {
                            return Err(err(&key, "must be a table of value = \"ours\"".into()));
                        };
                        if words.len() > MAPPING_ENTRIES_MAX {
                            return Err(err(
                                &key,
                                format!("names more than {MAPPING_ENTRIES_MAX} values"),
                            ));
                        }
                        let map = mapping.values.entry(col).or_default();
                        for (word, ours) in words {
                            let Some(ours) = ours.as_str() else {
                                return Err(err(
                                    &format!("{key}.{word}"),
                                    "must be a value in quotes".into(),
                                ));
                            };
                            map.insert(match_key(word), ours.to_owned());
                        }
                    }
                }
                ("columns" | "values", _) => {
                    return Err(err(section, "must be a table".into()));
                }
                (other, _) => {
                    return Err(err(
                        other,
                        "is not a section of a column mapping (use [columns] and [values.COLUMN])"
                            .into(),
                    ));
                }
            }
        }
        Ok(mapping)
    }

    /// A built-in mapping by name (`nl`).
    pub fn built_in(name: &str) -> Option<ColumnMapping> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| ColumnMapping::parse(n, text).expect("a built-in mapping is valid"))
    }

    /// The same mapping under another name (a client's saved mapping).
    pub fn named(mut self, name: &str) -> ColumnMapping {
        self.name = name.to_owned();
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Our column for a file header: the mapping's, else the header when it
    /// is one of our own column names (a partial mapping needs only the
    /// headers that differ).
    pub(super) fn column(&self, header: &str) -> Option<Col> {
        let key = match_key(header);
        self.columns
            .get(&key)
            .copied()
            .or_else(|| column_by_name(&key))
    }

    /// Whether the mapping names values for the column.
    pub(super) fn maps_values_of(&self, col: Col) -> bool {
        self.values.get(&col).is_some_and(|w| !w.is_empty())
    }

    /// The value as ours when the mapping names it for the column.
    pub(super) fn value<'v>(&'v self, col: Col, value: &'v str) -> &'v str {
        let Some(words) = self.values.get(&col) else {
            return value;
        };
        let v = value.trim();
        // Few words per column: compared in place, no allocation per line.
        let found = if v.is_ascii() {
            words
                .iter()
                .find(|(w, _)| w.eq_ignore_ascii_case(v))
                .map(|(_, ours)| ours)
        } else {
            words.get(&match_key(v))
        };
        found.map(String::as_str).unwrap_or(value)
    }

    /// The header lines the mapping names for each of our columns, for
    /// `clients mapping REF --show`.
    pub fn entries(&self) -> Vec<(String, &'static str)> {
        let mut out: Vec<(String, &'static str)> = self
            .columns
            .iter()
            .map(|(h, c)| (h.clone(), column_name(*c)))
            .collect();
        out.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dutch_mapping_reads_the_headers_named_in_the_issue() {
        let nl = ColumnMapping::built_in("nl").unwrap();
        for (header, ours) in [
            ("Debiteurnummer", "debtor_ref"),
            ("NAAM", "debtor_name"),
            (" adres ", "street"),
            ("Postcode", "postcode"),
            ("Plaats", "city"),
            ("E-mail", "email"),
            ("Telefoon", "phone"),
            ("Rekeningnummer", "iban"),
            ("IBAN", "iban"),
            ("Factuurnummer", "invoice_number"),
            ("Factuurdatum", "invoice_date"),
            ("Vervaldatum", "due_date"),
            ("Bedrag", "principal"),
            ("Omschrijving", "description"),
            ("Soort", "debtor_type"),
            ("Geboortedatum", "birth_date"),
            ("KvK-nummer", "kvk_number"),
            ("Land", "country"),
            ("debtor_name", "debtor_name"),
        ] {
            assert_eq!(nl.column(header).map(column_name), Some(ours), "{header}");
        }
        assert_eq!(nl.value(Col::DebtorType, "Particulier"), "consumer");
        assert_eq!(nl.value(Col::DebtorType, "business"), "business");
    }

    #[test]
    fn a_bad_mapping_names_the_file_and_key() {
        let e = ColumnMapping::parse("m.toml", "[columns]\nnaam = \"nam\"\n").unwrap_err();
        assert_eq!(e.key, "columns.naam");
        assert!(
            e.to_string().starts_with("m.toml: columns.naam: 'nam'"),
            "{e}"
        );
        let e = ColumnMapping::parse("m.toml", "[kolommen]\n").unwrap_err();
        assert_eq!(e.key, "kolommen");
        let e = ColumnMapping::parse("m.toml", "[columns\n").unwrap_err();
        assert_eq!(e.key, "(file)");
        let e = ColumnMapping::parse(
            "m.toml",
            "[columns]\nNaam = \"debtor_name\"\n\" naam\" = \"city\"\n",
        )
        .unwrap_err();
        assert!(e.message.contains("twice"), "{e}");
    }
}
