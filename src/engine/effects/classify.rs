//! Which effects count against a chat's limit of changes, and which errors refuse a step
//! rather than fail it.

use crate::conversation::notices::Refusal;
use crate::conversation::Effect;
use crate::domain::AuditAction;
use crate::storage::help_requests::HelpLimit;
use crate::storage::limits::Limit;
use crate::storage::StorageError;

/// The audit actions that account for `effect`: those it may record, and for the first half
/// of a two-step change (a number's proof code shown), the one its second half records.
/// Every arm is spelled out, so a new effect must say what it records.
pub(super) fn records(effect: &Effect) -> &'static [AuditAction] {
    use AuditAction as A;
    match effect {
        Effect::RedeemInvitation { .. } => &[A::InvitationRedeemed],
        Effect::SaveDraft { .. } => &[A::TeamPaused],
        Effect::SaveTeam { .. } => &[A::TeamRegistered],
        Effect::SetPhoneConsent { .. } => &[A::MemberPhoneConsent],
        Effect::PrivacyRequest { .. } => &[A::PrivacyAccess, A::PrivacyCorrectionRequested],
        Effect::ErasePerson { .. } => &[A::PrivacyErased],
        Effect::RequestRemoval { .. } => &[A::MemberRemovalRequested],
        Effect::AddVillage { .. } => &[A::VillageAdded],
        Effect::RenameVillage { .. } => &[A::VillageRenamed],
        Effect::RemoveVillage { .. } => &[A::VillageRemoved],
        Effect::ImportVillages { .. } => &[A::VillagesImported],
        Effect::CreateInvitation { .. } => &[A::InvitationCreated],
        Effect::SetChangeNotices { .. } => &[],
        Effect::SendReport { .. } => &[A::ReportSent],
        Effect::SendDecision { .. } => &[A::DecisionDrafted],
        Effect::SetDeadline { .. } => &[A::CampaignDeadlineChanged],
        Effect::AssignVillage { .. } => &[A::VillageAssigned],
        Effect::RevokeAccess { .. } => &[A::AccountRevoked],
        Effect::InvitationRefused { .. } => &[A::WrongCode],
        Effect::ShowLinkCode => &[],
        Effect::LinkWith { .. } => &[A::ChatsLinkAsked, A::WrongCode],
        Effect::ConfirmLink => &[A::ChatsLinked],
        Effect::ProveNumber { .. } => &[A::NumberProven],
        Effect::ConfirmNumber { .. } => &[A::NumberProven, A::WrongCode],
        Effect::Denied { .. } => &[A::AccessDenied],
        Effect::SubmitPeriodReport { .. } => &[A::PeriodReportSubmitted],
        Effect::DecidePeriodReport { .. } => &[A::PeriodReportApproved, A::PeriodReportReturned],
        Effect::LogActivity { .. } => &[A::ActivityLogged],
        Effect::AcknowledgeAnnouncement { .. } | Effect::ShowAnnouncements => &[],
        Effect::SendAnnouncement { .. } => &[A::AnnouncementSent],
        Effect::RemindAnnouncement { .. } => &[A::AnnouncementReminded],
        // Completes the entry the step before logged (and counted).
        Effect::CompleteActivity { .. } => &[],
        Effect::RememberMemberChat { .. } => &[],
        // Storage writes these to the audit log with the request's step.
        Effect::AskHelp { .. } => &[A::HelpRequested],
        Effect::TakeHelp { .. } => &[A::HelpTaken],
        Effect::CloseHelp { .. } => &[A::HelpClosed],
        Effect::RateHelp { .. } => &[A::HelpRated],
        Effect::ReopenHelp { .. } => &[A::HelpReopened],
    }
}

/// Whether `effect` changes what others see, and so is checked against the chat's limit of
/// changes: exactly when it records an action that limit counts.
pub(super) fn is_write(effect: &Effect) -> bool {
    records(effect).iter().any(|action| action.is_write())
}

/// What to tell a chat whose step was refused by `error`, rolled back whole; `None` for an
/// error that is a failure, not a refusal.
pub(in crate::engine) fn refusal(error: &StorageError) -> Option<Refusal> {
    match error {
        StorageError::Conflict => Some(Refusal::TeamChangedMeanwhile),
        StorageError::InvitationTaken => Some(Refusal::InvitationTaken),
        StorageError::ReportChanged => Some(Refusal::PeriodReportChanged),
        StorageError::RateLimited(Limit::WrongCodes) => Some(Refusal::TooManyWrongCodes),
        StorageError::RateLimited(Limit::Reports) => Some(Refusal::TooManyReports),
        StorageError::RateLimited(Limit::Writes) => Some(Refusal::TooManyChanges),
        StorageError::HelpChanged => Some(Refusal::HelpChanged),
        StorageError::HelpLimited(HelpLimit::Open) => Some(Refusal::HelpTooManyOpen),
        StorageError::HelpLimited(HelpLimit::Day) => Some(Refusal::HelpTooManyToday),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::PrivacyRequestKind;
    use crate::domain::{AccountRole, PhoneNumber, Team};

    /// One effect of every kind.
    fn every_effect() -> Vec<Effect> {
        let phone = PhoneNumber::parse("0912345678").expect("a phone");
        let phone_for_help = phone.clone();
        let text = String::new;
        vec![
            Effect::RedeemInvitation {
                code_sha256: text(),
                role: AccountRole::VillageHead,
                unit_code: text(),
            },
            Effect::SaveDraft {
                unit_code: text(),
                registration: Box::default(),
                paused: true,
            },
            Effect::SaveTeam {
                unit_code: text(),
                team: Team::default(),
                based_on: None,
            },
            Effect::SetPhoneConsent {
                phone: phone.clone(),
                granted: true,
            },
            Effect::PrivacyRequest {
                kind: PrivacyRequestKind::Access,
                phone: phone.clone(),
                listed: vec![],
            },
            Effect::ErasePerson {
                phone: phone.clone(),
                unit_codes: vec![],
            },
            Effect::RequestRemoval {
                phone: phone.clone(),
                unit_code: text(),
                name: text(),
            },
            Effect::AddVillage {
                commune: text(),
                name: text(),
            },
            Effect::RenameVillage {
                code: text(),
                name: text(),
            },
            Effect::RemoveVillage { code: text() },
            Effect::ImportVillages {
                commune: text(),
                csv: vec![],
            },
            Effect::CreateInvitation {
                role: AccountRole::VillageHead,
                unit_code: text(),
                unit_name: text(),
            },
            Effect::SetChangeNotices { on: true },
            Effect::SendReport {
                scope: text(),
                period: None,
            },
            Effect::SendDecision { unit_code: text() },
            Effect::SetDeadline {
                scope: text(),
                deadline: chrono::NaiveDate::MIN,
            },
            Effect::AssignVillage {
                village: text(),
                commune: text(),
            },
            Effect::RevokeAccess {
                unit_code: text(),
                role: AccountRole::VillageHead,
            },
            Effect::InvitationRefused { reason: "unknown" },
            Effect::ShowLinkCode,
            Effect::LinkWith { code: text() },
            Effect::ConfirmLink,
            Effect::ProveNumber { phone },
            Effect::ConfirmNumber { code: text() },
            Effect::Denied {
                action: text(),
                unit_code: text(),
            },
            Effect::SubmitPeriodReport {
                commune: text(),
                period: crate::domain::Period::parse("2026-11").expect("a period"),
                based_on: None,
            },
            Effect::DecidePeriodReport {
                commune: text(),
                period: crate::domain::Period::parse("2026-11").expect("a period"),
                version: 1,
                reason: None,
            },
            Effect::AcknowledgeAnnouncement { id: 1 },
            Effect::SendAnnouncement {
                scope: text(),
                scope_name: text(),
                audience: crate::domain::announcement::Audience::All,
                text: text(),
                key: text(),
            },
            Effect::ShowAnnouncements,
            Effect::RemindAnnouncement {
                scope: text(),
                id: 1,
            },
            Effect::LogActivity {
                unit_code: text(),
                kind: text(),
                people: 1,
                day: chrono::NaiveDate::MIN,
                by: None,
                key: text(),
            },
            Effect::CompleteActivity {
                unit_code: text(),
                key: text(),
                completion: crate::domain::activity::entry::Completion::Households(
                    crate::domain::activity::entry::Households::new(0).expect("0 households"),
                ),
            },
            Effect::RememberMemberChat {
                phone: phone_for_help.clone(),
            },
            Effect::AskHelp {
                unit_code: text(),
                need: text(),
                description: None,
                phone: None,
                key: text(),
            },
            Effect::TakeHelp {
                id: 1,
                version: 1,
                name: text(),
                phone: None,
                phone_shown: false,
            },
            Effect::CloseHelp {
                id: 1,
                version: 2,
                outcome: crate::domain::RequestStatus::Solved,
            },
            Effect::RateHelp { id: 1, stars: 5 },
            Effect::ReopenHelp { id: 1, version: 3 },
        ]
    }

    fn name(effect: &Effect) -> String {
        let debug = format!("{effect:?}");
        debug
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn the_rate_limit_counts_every_write_the_audit_records_as_a_write() {
        // Both lists are written out: changing which effects are checked, or which actions
        // are counted, means changing them here, side by side.
        let checked: Vec<String> = every_effect()
            .iter()
            .filter(|e| is_write(e))
            .map(name)
            .collect();
        assert_eq!(
            checked,
            [
                "SaveTeam",
                "SetPhoneConsent",
                "PrivacyRequest",
                "ErasePerson",
                "RequestRemoval",
                "AddVillage",
                "RenameVillage",
                "RemoveVillage",
                "ImportVillages",
                "CreateInvitation",
                "SetDeadline",
                "AssignVillage",
                "RevokeAccess",
                "LinkWith",
                "ConfirmLink",
                "ProveNumber",
                "ConfirmNumber",
                "SubmitPeriodReport",
                "DecidePeriodReport",
                "SendAnnouncement",
                "RemindAnnouncement",
                "LogActivity",
                "AskHelp",
                "TakeHelp",
                "CloseHelp",
                "RateHelp",
                "ReopenHelp",
            ]
        );
        let counted: Vec<&str> = Limit::Writes.actions().iter().map(|a| a.stored()).collect();
        assert_eq!(
            counted,
            [
                "invitation.created",
                "team.registered",
                "member.phone_consent",
                "member.removal_requested",
                "privacy.access",
                "privacy.correction_requested",
                "privacy.erased",
                "village.added",
                "village.renamed",
                "village.removed",
                "villages.imported",
                "village.assigned",
                "campaign.deadline_changed",
                "account.revoked",
                "chats.link_asked",
                "chats.linked",
                "number.proven",
                "period_report.submitted",
                "period_report.approved",
                "period_report.returned",
                "activity.logged",
                "help.requested",
                "help.taken",
                "help.closed",
                "help.reopened",
                "help.rated",
                "announcement.sent",
                "announcement.reminded",
            ]
        );
        // Every action an effect checked as a write records is counted, but for wrong codes,
        // which have a limit of their own…
        for effect in every_effect().iter().filter(|e| is_write(e)) {
            for action in records(effect) {
                assert!(
                    Limit::Writes.actions().contains(action)
                        || Limit::WrongCodes.actions().contains(action),
                    "{} records {action:?}, which the limit of changes does not count",
                    name(effect)
                );
            }
        }
        // …and every counted action is recorded by an effect checked as a write.
        for action in Limit::Writes.actions() {
            assert!(
                every_effect()
                    .iter()
                    .any(|e| is_write(e) && records(e).contains(&action)),
                "{action:?} is counted, but no effect checked as a write records it"
            );
        }
    }
}
