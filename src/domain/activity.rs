//! The kinds of work a team logs after its founding, and how a province judges the figures.
//! Both differ between provinces, so both come from the `[activity]` section of the rules
//! file; without one, the defaults below apply: the five basic digital skills of letter
//! 3240/BTTTT-CĐSQG (2024), then what provinces count besides (VNeID activations, online
//! public-service accounts, cashless payment accounts, apps installed) and "other".

use serde::Deserialize;

pub mod entry;

use crate::i18n::Lang;

/// One kind of activity: a stable code (what is stored) and its name in each language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityKind {
    pub code: String,
    pub vi: String,
    pub en: String,
    /// One of the five basic digital skills: reports total these apart.
    #[serde(default)]
    pub basic_skill: bool,
}

impl ActivityKind {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// The `[activity]` section of the rules file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActivityRules {
    /// In the order a member is offered them.
    pub kinds: Vec<ActivityKind>,
    /// Team members per 100 residents under which a unit is flagged ("trên 5%", as
    /// provincial plans write it).
    pub members_per_100_min: f64,
    /// Months without any activity after which a village is named in the digest.
    pub quiet_months: u32,
    /// The day of the month after a period by which a commune submits its report for it;
    /// later, the digest names the commune as late.
    pub report_due_day: u32,
}

impl Default for ActivityRules {
    fn default() -> ActivityRules {
        let kind = |code: &str, vi: &str, en: &str, basic_skill| ActivityKind {
            code: code.to_owned(),
            vi: vi.to_owned(),
            en: en.to_owned(),
            basic_skill,
        };
        ActivityRules {
            kinds: vec![
                kind(
                    "public_services",
                    "Dịch vụ công trực tuyến",
                    "Online public services",
                    true,
                ),
                kind(
                    "online_shopping",
                    "Mua sắm trực tuyến",
                    "Online shopping",
                    true,
                ),
                kind(
                    "online_payment",
                    "Thanh toán trực tuyến",
                    "Online payment",
                    true,
                ),
                kind(
                    "online_safety",
                    "An toàn trên không gian mạng",
                    "Staying safe online",
                    true,
                ),
                kind(
                    "local_platforms",
                    "Nền tảng số của địa phương",
                    "The locality's digital platforms",
                    true,
                ),
                kind("vneid", "Kích hoạt VNeID", "VNeID activation", false),
                kind(
                    "public_service_account",
                    "Tạo tài khoản dịch vụ công",
                    "Online public-service account",
                    false,
                ),
                kind(
                    "cashless_account",
                    "Mở tài khoản thanh toán không dùng tiền mặt",
                    "Cashless payment account",
                    false,
                ),
                kind("app_installed", "Cài đặt ứng dụng", "App installed", false),
                kind("other", "Khác", "Other", false),
            ],
            members_per_100_min: 5.0,
            quiet_months: 2,
            report_due_day: 5,
        }
    }
}

impl ActivityRules {
    /// The kind stored under `code`.
    pub fn kind(&self, code: &str) -> Option<&ActivityKind> {
        self.kinds.iter().find(|k| k.code == code)
    }

    /// Why the section cannot be used, if it cannot.
    pub fn inconsistency(&self) -> Option<String> {
        if self.kinds.is_empty() {
            return Some("[activity] lists no kinds".to_owned());
        }
        for (i, kind) in self.kinds.iter().enumerate() {
            let code_ok = !kind.code.is_empty()
                && kind.code.len() <= 32
                && kind
                    .code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !code_ok {
                return Some(format!(
                    "activity kind code {:?} is not lower-case letters, digits and _ (at most 32)",
                    kind.code
                ));
            }
            if kind.vi.trim().is_empty() || kind.en.trim().is_empty() {
                return Some(format!("activity kind {} has no name", kind.code));
            }
            if self.kinds[..i].iter().any(|k| k.code == kind.code) {
                return Some(format!("activity kind {} is listed twice", kind.code));
            }
        }
        if !(self.members_per_100_min >= 0.0 && self.members_per_100_min <= 100.0) {
            return Some(format!(
                "members_per_100_min {} is not between 0 and 100",
                self.members_per_100_min
            ));
        }
        if self.quiet_months == 0 {
            return Some("quiet_months is 0".to_owned());
        }
        if !(1..=28).contains(&self.report_due_day) {
            return Some(format!(
                "report_due_day {} is not a day between 1 and 28",
                self.report_due_day
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_kinds_start_with_the_five_basic_digital_skills() {
        let rules = ActivityRules::default();
        assert_eq!(rules.inconsistency(), None);
        let skills: Vec<_> = rules.kinds.iter().take_while(|k| k.basic_skill).collect();
        assert_eq!(skills.len(), 5);
        assert_eq!(rules.kinds.iter().filter(|k| k.basic_skill).count(), 5);
        assert_eq!(
            rules.kind("vneid").map(|k| k.name(Lang::Vi)),
            Some("Kích hoạt VNeID")
        );
        assert_eq!(rules.members_per_100_min, 5.0);
    }

    #[test]
    fn a_kind_listed_twice_or_with_a_bad_code_is_refused() {
        let mut rules = ActivityRules::default();
        rules.kinds.push(rules.kinds[0].clone());
        assert!(rules.inconsistency().unwrap().contains("twice"));
        let mut rules = ActivityRules::default();
        rules.kinds[1].code = "Mua sắm".to_owned();
        assert!(rules.inconsistency().unwrap().contains("lower-case"));
        let rules = ActivityRules {
            kinds: Vec::new(),
            ..ActivityRules::default()
        };
        assert!(rules.inconsistency().is_some());
    }
}
