//! What the audit log records, by name. The stored names are the log's: an old row must still
//! read, so a name never changes once written; an action no longer written keeps its variant.
//! Which actions are a chat's changes — and so count against its limit of changes — is said
//! here and nowhere else.

/// One kind of audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A chat proved its role with an invitation code.
    InvitationRedeemed,
    /// A wrong, used or expired code (invitation, link or number proof); never the code.
    WrongCode,
    InvitationCreated,
    /// A head paused a registration; the checkpoints between answers are not logged.
    TeamPaused,
    /// Written before drafts were checkpoints; kept so old rows read.
    TeamDraftSaved,
    TeamRegistered,
    MemberPhoneConsent,
    MemberRemovalRequested,
    PrivacyAccess,
    PrivacyCorrectionRequested,
    /// A person erased their own data in chat (logged under a pseudonym).
    PrivacyErased,
    /// The command line erased a person.
    PersonErased,
    VillageAdded,
    VillageRenamed,
    VillageRemoved,
    VillagesImported,
    VillageAssigned,
    CampaignCreated,
    CampaignDeadlineChanged,
    AccountRevoked,
    ReportSent,
    /// A founding decision drafted and sent to an official.
    DecisionDrafted,
    /// A chat typed another chat's link code; the link waits for that chat's word.
    ChatsLinkAsked,
    ChatsLinked,
    NumberProven,
    /// A step the chat's role or area does not allow.
    AccessDenied,
    /// A commune official submitted the commune's period report (again after a return).
    PeriodReportSubmitted,
    /// A province official approved it: the period is locked for the commune.
    PeriodReportApproved,
    /// A province official returned it with a reason.
    PeriodReportReturned,
    ActivityLogged,
    /// A resident asked a village's team for help.
    HelpRequested,
    /// A member (or head, or commune official) took a request and owns it.
    HelpTaken,
    /// Its owner closed it: solved, not solved or abuse.
    HelpClosed,
    /// Nobody took it in time (or a member passed it up): the head, then the commune, is
    /// asked.
    HelpEscalated,
    /// Taken and not closed in time, it went back to the team.
    HelpReturned,
    /// The resident reopened a closed request.
    HelpReopened,
    /// The resident rated a closed request.
    HelpRated,
    /// An official sent an announcement to the teams of their area.
    AnnouncementSent,
    /// The sender reminded those who had not acknowledged it.
    AnnouncementReminded,
}

impl AuditAction {
    pub const ALL: [AuditAction; 39] = [
        AuditAction::InvitationRedeemed,
        AuditAction::WrongCode,
        AuditAction::InvitationCreated,
        AuditAction::TeamPaused,
        AuditAction::TeamDraftSaved,
        AuditAction::TeamRegistered,
        AuditAction::MemberPhoneConsent,
        AuditAction::MemberRemovalRequested,
        AuditAction::PrivacyAccess,
        AuditAction::PrivacyCorrectionRequested,
        AuditAction::PrivacyErased,
        AuditAction::PersonErased,
        AuditAction::VillageAdded,
        AuditAction::VillageRenamed,
        AuditAction::VillageRemoved,
        AuditAction::VillagesImported,
        AuditAction::VillageAssigned,
        AuditAction::CampaignCreated,
        AuditAction::CampaignDeadlineChanged,
        AuditAction::AccountRevoked,
        AuditAction::ReportSent,
        AuditAction::ChatsLinkAsked,
        AuditAction::ChatsLinked,
        AuditAction::NumberProven,
        AuditAction::AccessDenied,
        AuditAction::DecisionDrafted,
        AuditAction::PeriodReportSubmitted,
        AuditAction::PeriodReportApproved,
        AuditAction::PeriodReportReturned,
        AuditAction::ActivityLogged,
        AuditAction::HelpRequested,
        AuditAction::HelpTaken,
        AuditAction::HelpClosed,
        AuditAction::HelpEscalated,
        AuditAction::HelpReturned,
        AuditAction::HelpReopened,
        AuditAction::HelpRated,
        AuditAction::AnnouncementSent,
        AuditAction::AnnouncementReminded,
    ];

    /// The name in `audit_log.action`.
    pub const fn stored(self) -> &'static str {
        match self {
            AuditAction::InvitationRedeemed => "invitation.redeemed",
            AuditAction::WrongCode => "invitation.failed",
            AuditAction::InvitationCreated => "invitation.created",
            AuditAction::TeamPaused => "team.paused",
            AuditAction::TeamDraftSaved => "team.draft_saved",
            AuditAction::TeamRegistered => "team.registered",
            AuditAction::MemberPhoneConsent => "member.phone_consent",
            AuditAction::MemberRemovalRequested => "member.removal_requested",
            AuditAction::PrivacyAccess => "privacy.access",
            AuditAction::PrivacyCorrectionRequested => "privacy.correction_requested",
            AuditAction::PrivacyErased => "privacy.erased",
            AuditAction::PersonErased => "person.erased",
            AuditAction::VillageAdded => "village.added",
            AuditAction::VillageRenamed => "village.renamed",
            AuditAction::VillageRemoved => "village.removed",
            AuditAction::VillagesImported => "villages.imported",
            AuditAction::VillageAssigned => "village.assigned",
            AuditAction::CampaignCreated => "campaign.created",
            AuditAction::CampaignDeadlineChanged => "campaign.deadline_changed",
            AuditAction::AccountRevoked => "account.revoked",
            AuditAction::ReportSent => "report.sent",
            AuditAction::DecisionDrafted => "decision.drafted",
            AuditAction::ChatsLinkAsked => "chats.link_asked",
            AuditAction::ChatsLinked => "chats.linked",
            AuditAction::NumberProven => "number.proven",
            AuditAction::AccessDenied => "access.denied",
            AuditAction::PeriodReportSubmitted => "period_report.submitted",
            AuditAction::PeriodReportApproved => "period_report.approved",
            AuditAction::PeriodReportReturned => "period_report.returned",
            AuditAction::ActivityLogged => "activity.logged",
            AuditAction::HelpRequested => "help.requested",
            AuditAction::HelpTaken => "help.taken",
            AuditAction::HelpClosed => "help.closed",
            AuditAction::HelpEscalated => "help.escalated",
            AuditAction::HelpReturned => "help.returned",
            AuditAction::HelpReopened => "help.reopened",
            AuditAction::HelpRated => "help.rated",
            AuditAction::AnnouncementSent => "announcement.sent",
            AuditAction::AnnouncementReminded => "announcement.reminded",
        }
    }

    /// The action stored as `name`; `None` for a name this version never wrote.
    pub fn from_stored(name: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.stored() == name)
    }

    /// Whether a chat doing this changed what others see, and so spent one of its changes
    /// for the hour. Wrong codes and reports have limits of their own; a pause, a refusal
    /// and a redeemed invitation change nothing others see; the command line has no limit.
    pub const fn is_write(self) -> bool {
        match self {
            AuditAction::InvitationCreated
            | AuditAction::TeamRegistered
            | AuditAction::MemberPhoneConsent
            | AuditAction::MemberRemovalRequested
            | AuditAction::PrivacyAccess
            | AuditAction::PrivacyCorrectionRequested
            | AuditAction::PrivacyErased
            | AuditAction::VillageAdded
            | AuditAction::VillageRenamed
            | AuditAction::VillageRemoved
            | AuditAction::VillagesImported
            | AuditAction::VillageAssigned
            | AuditAction::CampaignDeadlineChanged
            | AuditAction::AccountRevoked
            | AuditAction::ChatsLinkAsked
            | AuditAction::ChatsLinked
            | AuditAction::NumberProven
            | AuditAction::PeriodReportSubmitted
            | AuditAction::PeriodReportApproved
            | AuditAction::PeriodReportReturned
            | AuditAction::ActivityLogged
            | AuditAction::HelpRequested
            | AuditAction::HelpTaken
            | AuditAction::HelpClosed
            | AuditAction::HelpReopened
            | AuditAction::HelpRated
            | AuditAction::AnnouncementSent
            | AuditAction::AnnouncementReminded => true,
            AuditAction::InvitationRedeemed
            | AuditAction::WrongCode
            | AuditAction::TeamPaused
            | AuditAction::TeamDraftSaved
            | AuditAction::PersonErased
            | AuditAction::CampaignCreated
            | AuditAction::ReportSent
            | AuditAction::DecisionDrafted
            | AuditAction::AccessDenied
            // The scheduler's: no chat spent anything on them.
            | AuditAction::HelpEscalated
            | AuditAction::HelpReturned => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_stored_name() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::from_stored(action.stored()), Some(action));
        }
        assert_eq!(AuditAction::from_stored("team.exploded"), None);
    }

    #[test]
    fn the_stored_names_are_the_ones_old_rows_hold() {
        // Renaming one would leave old rows unread and uncounted: this list only grows.
        let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.stored()).collect();
        assert_eq!(
            names,
            [
                "invitation.redeemed",
                "invitation.failed",
                "invitation.created",
                "team.paused",
                "team.draft_saved",
                "team.registered",
                "member.phone_consent",
                "member.removal_requested",
                "privacy.access",
                "privacy.correction_requested",
                "privacy.erased",
                "person.erased",
                "village.added",
                "village.renamed",
                "village.removed",
                "villages.imported",
                "village.assigned",
                "campaign.created",
                "campaign.deadline_changed",
                "account.revoked",
                "report.sent",
                "chats.link_asked",
                "chats.linked",
                "number.proven",
                "access.denied",
                "decision.drafted",
                "period_report.submitted",
                "period_report.approved",
                "period_report.returned",
                "activity.logged",
                "help.requested",
                "help.taken",
                "help.closed",
                "help.escalated",
                "help.returned",
                "help.reopened",
                "help.rated",
                "announcement.sent",
                "announcement.reminded",
            ]
        );
    }
}
