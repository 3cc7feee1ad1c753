//! Looking units up in a sweep: a unit's commune, district and province, whatever the depth.

use std::collections::HashMap;

use crate::storage::{Sweep, Unit, UnitLevel};

/// Deeper than any real tree; stops a walk up a corrupt (cyclic) tree.
const MAX_DEPTH: usize = 16;

pub(crate) struct Places<'a> {
    units: HashMap<&'a str, &'a Unit>,
}

impl<'a> Places<'a> {
    pub fn new(sweep: &'a Sweep) -> Places<'a> {
        let units = sweep
            .units
            .iter()
            .chain(&sweep.ancestors)
            .map(|unit| (unit.code.as_str(), unit))
            .collect();
        Places { units }
    }

    pub fn get(&self, code: &str) -> Option<&'a Unit> {
        self.units.get(code).copied()
    }

    /// `code`'s unit and its ancestors, nearest first.
    pub fn chain(&self, code: &str) -> impl Iterator<Item = &'a Unit> + '_ {
        let mut next = self.get(code);
        std::iter::from_fn(move || {
            let unit = next?;
            next = unit.parent_code.as_deref().and_then(|code| self.get(code));
            Some(unit)
        })
        .take(MAX_DEPTH)
    }

    /// The nearest unit at `level`, `code`'s own unit included.
    pub fn nearest(&self, code: &str, level: UnitLevel) -> Option<&'a Unit> {
        self.chain(code).find(|unit| unit.level == level)
    }

    /// The name of the unit `code`'s unit belongs to.
    pub fn parent_name(&self, code: &str) -> Option<String> {
        self.chain(code).nth(1).map(|unit| unit.name.clone())
    }

    /// The ancestor of `code`'s unit (or itself) just under `scope` (`None`: the top level).
    pub fn just_under(&self, code: &str, scope: Option<&str>) -> Option<&'a Unit> {
        self.chain(code)
            .find(|unit| unit.parent_code.as_deref() == scope)
    }
}
