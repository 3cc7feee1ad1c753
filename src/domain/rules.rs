//! Team composition rules. They differ between provinces, so they come from a TOML file
//! (`data/rules/tu-ky.toml` by default), never from code.

use std::path::Path;

use serde::Deserialize;

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
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositionRules {
    pub village: LevelRules,
    /// Absent when a deployment does not register commune teams.
    #[serde(default)]
    pub commune: Option<LevelRules>,
}

/// Why a team cannot be confirmed as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleBreach {
    TooFewMembers { min: usize, have: usize },
    TooManyMembers { max: usize, have: usize },
    RoleNotAllowed(MemberRole),
    MissingRole(MemberRole),
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
        Ok(())
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
