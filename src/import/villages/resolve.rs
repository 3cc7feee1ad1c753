//! Giving each village row its code: the one written, the stored village's of the same
//! name, or the commune's next free number, each checked against the stored units.

use std::collections::{HashMap, HashSet};

use super::super::{ImportedVillage, Problem, RowError};
use super::{first_use, VillageRow};
use crate::domain::text::fold;
use crate::storage::{Unit, UnitLevel};

/// Gives each row its code, checking it against the stored units.
pub(super) struct Resolver<'a> {
    existing: &'a HashMap<String, Unit>,
    /// (commune code, folded name) → code, of the stored villages.
    by_name: HashMap<(String, String), String>,
    /// Codes stored or written in the file: a generated code avoids them all.
    taken: HashSet<String>,
    /// Code → line of the row that got it.
    assigned: HashMap<String, u64>,
    /// Commune code → the number its next generated code starts looking at. Codes are only
    /// ever taken, so the lowest free number never goes down: each row starts where the last
    /// one stopped, and a file of n new villages costs n looks, not n² (issue 21, item 4).
    next_number: HashMap<String, u32>,
    /// Codes looked at while generating, for the test that keeps generating linear.
    probes: usize,
}

impl<'a> Resolver<'a> {
    pub(super) fn new(existing: &'a HashMap<String, Unit>, rows: &[VillageRow]) -> Resolver<'a> {
        let mut stored: Vec<&Unit> = existing
            .values()
            .filter(|unit| unit.level == UnitLevel::Village)
            .collect();
        stored.sort_by(|a, b| a.code.cmp(&b.code));
        let mut by_name = HashMap::new();
        for unit in stored {
            if let Some(parent) = &unit.parent_code {
                let key = (parent.clone(), fold(&unit.name));
                by_name.entry(key).or_insert_with(|| unit.code.clone());
            }
        }
        let written = rows.iter().filter_map(|row| row.code.clone());
        Resolver {
            existing,
            by_name,
            taken: existing.keys().cloned().chain(written).collect(),
            assigned: HashMap::new(),
            next_number: HashMap::new(),
            probes: 0,
        }
    }

    pub(super) fn resolve(
        mut self,
        rows: Vec<VillageRow>,
        errors: &mut Vec<RowError>,
    ) -> Vec<ImportedVillage> {
        let mut villages = Vec::new();
        for row in rows {
            match self.village(row) {
                Ok(village) => villages.push(village),
                Err(error) => errors.push(error),
            }
        }
        villages
    }

    fn village(&mut self, row: VillageRow) -> Result<ImportedVillage, RowError> {
        let failed = |reason| RowError::new(row.line, reason);
        self.check_commune(&row.commune_code).map_err(failed)?;
        let code = match &row.code {
            Some(code) => self.check_written(&row, code).map_err(failed)?,
            None => self.stored_or_new(&row),
        };
        first_use(&mut self.assigned, code.clone(), row.line).map_err(|first| {
            let code = code.clone();
            failed(Problem::CodeGivenTwice { code, first })
        })?;
        Ok(ImportedVillage {
            // A code found by the village's name is not new: only a new one was generated.
            generated_code: row.code.is_none() && !self.existing.contains_key(&code),
            code,
            name: row.name,
            commune_code: row.commune_code,
            head_name: row.head_name,
            head_phone: row.head_phone,
        })
    }

    fn check_commune(&self, code: &str) -> Result<(), Problem> {
        match self.existing.get(code) {
            None => Err(Problem::NoSuchCommune(code.to_owned())),
            Some(unit) if unit.level != UnitLevel::Commune => Err(Problem::NotACommune {
                code: code.to_owned(),
                level: unit.level.as_str(),
                name: unit.name.clone(),
            }),
            Some(Unit {
                ended_on: Some(on),
                merged_into,
                name,
                ..
            }) => Err(Problem::CommuneEnded {
                code: code.to_owned(),
                name: name.clone(),
                on: on.to_string(),
                merged_into: merged_into.clone(),
            }),
            Some(_) => Ok(()),
        }
    }

    /// A code from the file: new, or already this commune's village.
    fn check_written(&self, row: &VillageRow, code: &str) -> Result<String, Problem> {
        if let Some(unit) = self.existing.get(code) {
            let parent = unit.parent_code.as_deref();
            if unit.level != UnitLevel::Village || parent != Some(row.commune_code.as_str()) {
                return Err(Problem::CodeTaken {
                    code: code.to_owned(),
                    level: unit.level.as_str(),
                    name: unit.name.clone(),
                    parent: unit.parent_code.clone(),
                });
            }
        }
        match self
            .by_name
            .get(&(row.commune_code.clone(), row.folded.clone()))
        {
            Some(other) if other != code => Err(Problem::NameHasCode {
                commune: row.commune_code.clone(),
                name: row.name.clone(),
                code: other.clone(),
            }),
            _ => Ok(code.to_owned()),
        }
    }

    /// The stored village of the same name, or the commune's lowest free number.
    fn stored_or_new(&mut self, row: &VillageRow) -> String {
        let key = (row.commune_code.clone(), row.folded.clone());
        if let Some(code) = self.by_name.get(&key) {
            return code.clone();
        }
        let number = self
            .next_number
            .entry(row.commune_code.clone())
            .or_insert(1);
        loop {
            let code = format!("{}-{:02}", row.commune_code, *number);
            *number += 1;
            self.probes += 1;
            if self.taken.insert(code.clone()) {
                return code;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, name: &str) -> VillageRow {
        VillageRow {
            line,
            commune_code: "11083".into(),
            name: name.into(),
            folded: fold(name),
            code: None,
            head_name: None,
            head_phone: None,
            figures: Default::default(),
        }
    }

    #[test]
    fn generating_codes_for_a_long_file_looks_at_each_number_once() {
        let existing = HashMap::new();
        let rows: Vec<VillageRow> = (0..3000)
            .map(|i| row(i + 2, &format!("Thôn {i}")))
            .collect();
        let mut resolver = Resolver::new(&existing, &rows);

        let codes: Vec<String> = rows.iter().map(|r| resolver.stored_or_new(r)).collect();

        assert_eq!(codes[0], "11083-01");
        assert_eq!(codes[2999], "11083-3000");
        assert!(
            resolver.probes <= 3000,
            "{} numbers looked at for 3000 new villages",
            resolver.probes
        );
    }
}
