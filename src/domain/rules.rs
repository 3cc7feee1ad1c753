//! Team composition rules. They differ between provinces, so they come from a TOML file
//! (`data/rules/tu-ky.toml` by default), never from code.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

use super::activity::ActivityRules;
use super::help::HelpRules;
use super::roles::MemberRole;
use super::units::UnitLevel;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRules {
    pub leader_role: String,
    pub min_members: usize,
    pub max_members: usize,
    pub allowed_roles: Vec<MemberRole>,
    #[serde(default)]
    pub required_roles: Vec<MemberRole>,
    /// Roles one person at most may hold in a team (there is one Youth Union secretary per
    /// village).
    #[serde(default)]
    pub unique_roles: Vec<MemberRole>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositionRules {
    pub village: LevelRules,
    /// Absent when a deployment does not register commune teams.
    #[serde(default)]
    pub commune: Option<LevelRules>,
    /// No founding decision is dated before this day (`dd/mm/yyyy` in the file): the
    /// programme began in 2021, so an earlier date is a typing mistake.
    #[serde(
        default = "default_earliest_decision",
        deserialize_with = "day_month_year"
    )]
    pub earliest_decision: NaiveDate,
    /// The kinds of activity teams log and how their figures are judged (`[activity]`).
    #[serde(default)]
    pub activity: ActivityRules,
    /// How residents' requests for help are followed up and limited (`[help]`).
    #[serde(default)]
    pub help: HelpRules,
}

fn default_earliest_decision() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or_default()
}

fn day_month_year<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(deserializer)?;
    super::decision::parse_date(&text).map_err(serde::de::Error::custom)
}

/// Why a team cannot be confirmed as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleBreach {
    /// The team has no leader: every team has one (the village head), so one without is
    /// incomplete whatever its members.
    NoLeader,
    TooFewMembers {
        min: usize,
        have: usize,
    },
    TooManyMembers {
        max: usize,
        have: usize,
    },
    RoleNotAllowed(MemberRole),
    MissingRole(MemberRole),
    /// More than one member holds a role the rules allow once.
    DuplicateRole(MemberRole),
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read the composition rules file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the composition rules file {path} is not valid")]
    Syntax {
        path: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("the composition rules are inconsistent: {0}")]
    Inconsistent(String),
}

const DEFAULT_RULES: &str = include_str!("../../data/rules/tu-ky.toml");

impl CompositionRules {
    /// The Tứ Kỳ rules from the seed letter: leader plus 2 to 5 members.
    pub fn default_rules() -> Result<CompositionRules, RulesError> {
        CompositionRules::parse(DEFAULT_RULES, "built-in tu-ky.toml")
    }

    pub fn from_file(path: &Path) -> Result<CompositionRules, RulesError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
            path: shown.clone(),
            source,
        })?;
        CompositionRules::parse(&text, &shown)
    }

    pub fn parse(text: &str, origin: &str) -> Result<CompositionRules, RulesError> {
        let rules: CompositionRules =
            toml::from_str(text).map_err(|source| RulesError::Syntax {
                path: origin.to_owned(),
                source,
            })?;
        rules.village.check()?;
        if let Some(commune) = &rules.commune {
            commune.check()?;
        }
        if let Some(why) = rules.activity.inconsistency() {
            return Err(RulesError::Inconsistent(why));
        }
        if let Some(why) = rules.help.inconsistency() {
            return Err(RulesError::Inconsistent(why));
        }
        Ok(rules)
    }

    /// The rules for teams of units at `level`, if that level has teams.
    pub fn for_level(&self, level: UnitLevel) -> Option<&LevelRules> {
        match level {
            UnitLevel::Village => Some(&self.village),
            UnitLevel::Commune => self.commune.as_ref(),
            UnitLevel::Province | UnitLevel::District => None,
        }
    }
}

impl LevelRules {
    fn check(&self) -> Result<(), RulesError> {
        if self.max_members == 0 || self.min_members > self.max_members {
            return Err(RulesError::Inconsistent(format!(
                "min_members {} and max_members {}",
                self.min_members, self.max_members
            )));
        }
        if let Some(role) = self
            .required_roles
            .iter()
            .find(|r| !self.allowed_roles.contains(r))
        {
            return Err(RulesError::Inconsistent(format!(
                "required role {} is not allowed",
                role.code()
            )));
        }
        if let Some(role) = self
            .unique_roles
            .iter()
            .find(|r| !self.allowed_roles.contains(r))
        {
            return Err(RulesError::Inconsistent(format!(
                "unique role {} is not allowed",
                role.code()
            )));
        }
        Ok(())
    }

    /// Whether a team may give `role` to one more person, besides those holding `others`.
    pub fn role_available(&self, role: MemberRole, others: &[MemberRole]) -> bool {
        !self.unique_roles.contains(&role) || !others.contains(&role)
    }

    pub fn can_add_member(&self, have: usize) -> bool {
        have < self.max_members
    }

    /// Every breach of these rules by a team whose members hold `roles`.
    pub fn breaches(&self, roles: &[MemberRole]) -> Vec<RuleBreach> {
        let have = roles.len();
        let mut breaches = Vec::new();
        if have < self.min_members {
            breaches.push(RuleBreach::TooFewMembers {
                min: self.min_members,
                have,
            });
        }
        if have > self.max_members {
            breaches.push(RuleBreach::TooManyMembers {
                max: self.max_members,
                have,
            });
        }
        for role in roles.iter().filter(|r| !self.allowed_roles.contains(r)) {
            breaches.push(RuleBreach::RoleNotAllowed(*role));
        }
        for role in self.required_roles.iter().filter(|r| !roles.contains(r)) {
            breaches.push(RuleBreach::MissingRole(*role));
        }
        for role in &self.unique_roles {
            if roles.iter().filter(|r| *r == role).count() > 1 {
                breaches.push(RuleBreach::DuplicateRole(*role));
            }
        }
        breaches
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemberRole::*;

    #[test]
    fn the_default_rules_want_two_to_five_members() {
        let rules = CompositionRules::default_rules().unwrap().village;
        assert_eq!((rules.min_members, rules.max_members), (2, 5));
        assert!(rules.can_add_member(4));
        assert!(!rules.can_add_member(5));
    }

    #[test]
    fn a_team_breaks_the_rules_with_too_few_or_too_many_members() {
        let rules = CompositionRules::default_rules().unwrap().village;
        assert_eq!(
            rules.breaches(&[PrimaryTeacher]),
            vec![RuleBreach::TooFewMembers { min: 2, have: 1 }]
        );
        assert!(rules.breaches(&[PrimaryTeacher, Other]).is_empty());
        assert_eq!(
            rules.breaches(&[Other; 6]),
            vec![RuleBreach::TooManyMembers { max: 5, have: 6 }]
        );
    }

    #[test]
    fn rules_from_another_province_can_require_roles() {
        let text = r#"
            [village]
            leader_role = "village_head"
            min_members = 4
            max_members = 10
            allowed_roles = ["youth_union_secretary", "primary_teacher", "other"]
            required_roles = ["youth_union_secretary"]
        "#;
        let rules = CompositionRules::parse(text, "test").unwrap().village;
        let breaches = rules.breaches(&[PrimaryTeacher, Other, Other, WomensUnionHead]);
        assert_eq!(
            breaches,
            vec![
                RuleBreach::RoleNotAllowed(WomensUnionHead),
                RuleBreach::MissingRole(YouthUnionSecretary)
            ]
        );
    }

    #[test]
    fn a_unique_role_may_be_held_once() {
        let rules = CompositionRules::default_rules().unwrap().village;
        assert!(rules.role_available(YouthUnionSecretary, &[PrimaryTeacher]));
        assert!(!rules.role_available(YouthUnionSecretary, &[YouthUnionSecretary]));
        assert!(rules.role_available(PrimaryTeacher, &[PrimaryTeacher]));
        assert_eq!(
            rules.breaches(&[YouthUnionSecretary, YouthUnionSecretary]),
            vec![RuleBreach::DuplicateRole(YouthUnionSecretary)]
        );
    }

    #[test]
    fn the_earliest_decision_date_comes_from_the_rules_file() {
        let rules = CompositionRules::default_rules().unwrap();
        assert_eq!(
            rules.earliest_decision,
            NaiveDate::from_ymd_opt(2021, 1, 1).unwrap()
        );
        let text = r#"
            earliest_decision = "01/06/2022"
            [village]
            leader_role = "village_head"
            min_members = 1
            max_members = 5
            allowed_roles = ["other"]
        "#;
        let rules = CompositionRules::parse(text, "test").unwrap();
        assert_eq!(
            rules.earliest_decision,
            NaiveDate::from_ymd_opt(2022, 6, 1).unwrap()
        );
    }

    #[test]
    fn inconsistent_rules_are_refused_at_load() {
        let text = r#"
            [village]
            leader_role = "village_head"
            min_members = 6
            max_members = 5
            allowed_roles = ["other"]
        "#;
        assert!(matches!(
            CompositionRules::parse(text, "test"),
            Err(RulesError::Inconsistent(_))
        ));
    }
}
