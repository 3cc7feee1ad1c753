//! What cnscd says outside a dialogue's own turn: the results of what a step did (a link
//! code, an import, a refusal), notices queued for other chats, and the apology for a step
//! that failed. The engine gathers the facts and calls these; it writes no text itself.

mod help;
mod help_followup;
mod invitation;

pub use help::{
    help_closed, help_closed_as_abuse, help_nobody_reachable, help_offer, help_taken_by,
    help_who_helps, HelpNotice,
};
pub use help_followup::{help_followup, FollowUpNotice};
mod announcement;

pub use announcement::{
    acknowledged, announcement, announcement_queued, announcement_reminded, announcement_status,
    Acknowledged, AnnouncementNotice, Reminder,
};
pub use invitation::{invitation, InvitationLinks, InvitationNotice};

use super::lookup::PeriodView;
use super::{anytime_button, Action, Reply};
use crate::domain::status::UnitStatus;
use crate::domain::Period;
use crate::i18n::{Html, Lang, Texts, K};
use crate::wording::{period_name, status_label};

/// How many villages without activity a period's summary names.
const QUIET_NAMED: usize = 10;

/// Why a step was refused, rolled back whole: the chat goes back to its menu, told why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Someone saved the team while this chat was editing it.
    TeamChangedMeanwhile,
    /// Another chat redeemed the invitation first.
    InvitationTaken,
    TooManyWrongCodes,
    TooManyReports,
    TooManyChanges,
    /// A period report was submitted again or decided by someone else meanwhile.
    PeriodReportChanged,
    /// A request for help was taken, closed, rated or reopened meanwhile, or its reopen
    /// window passed.
    HelpChanged,
    /// The resident has as many requests open as a resident may.
    HelpTooManyOpen,
    /// The resident asked as many times today as a resident may.
    HelpTooManyToday,
}

impl Refusal {
    /// For the log.
    pub fn code(self) -> &'static str {
        self.key().key()
    }

    fn key(self) -> K {
        match self {
            Refusal::TeamChangedMeanwhile => K::TeamChangedMeanwhile,
            Refusal::InvitationTaken => K::InvitationUsed,
            Refusal::TooManyWrongCodes => K::TooManyWrongCodes,
            Refusal::TooManyReports => K::TooManyReports,
            Refusal::TooManyChanges => K::TooManyChanges,
            Refusal::PeriodReportChanged => K::PeriodReportChanged,
            Refusal::HelpChanged => K::RequestChangedMeanwhile,
            Refusal::HelpTooManyOpen => K::RequestTooManyOpen,
            Refusal::HelpTooManyToday => K::RequestTooManyToday,
        }
    }
}

pub fn refused(texts: &Texts, lang: Lang, why: Refusal) -> Reply {
    Reply::text(texts.get(lang, why.key()))
}

/// A step failed for good (it was parked), or a report could not be made.
pub fn internal_error(texts: &Texts, lang: Lang) -> Reply {
    Reply::text(texts.get(lang, K::InternalError))
}

/// An update could not be recorded; Telegram will deliver it again.
pub fn internal_error_will_retry(texts: &Texts, lang: Lang) -> Reply {
    Reply::text(texts.get(lang, K::InternalErrorWillRetry))
}

/// `/lienket`: the one-time code to type in the other chat.
pub fn link_code(texts: &Texts, lang: Lang, code: &str, minutes: i64) -> Reply {
    let args = [
        ("code", Html::text(code)),
        ("minutes", Html::text(&minutes.to_string())),
    ];
    Reply::text(texts.fill(lang, K::LinkCodeShown, &args))
}

/// `/lienket` where what answers it matters: the chats are now one person's
/// ([`K::LinkDone`]), the code did nothing ([`K::LinkCodeInvalid`]), it waits for the other
/// chat ([`K::LinkWaiting`]), a chat without a role asked for a code ([`K::LinkNeedsRole`]), or
/// nothing waits for confirmation ([`K::LinkNothingToConfirm`]).
pub fn link_result(texts: &Texts, lang: Lang, key: K) -> Reply {
    Reply::text(texts.get(lang, key))
}

/// To the chat holding the role: `chat` typed its code and asks to share its role; the role
/// and unit are named, so the official sees what confirming gives away.
pub fn link_confirm_ask(
    texts: &Texts,
    lang: Lang,
    chat: &str,
    role: crate::domain::AccountRole,
    unit: &str,
) -> Reply {
    let role = texts.get(lang, invitation::invitee_key(role));
    let args = [
        ("chat", Html::text(chat)),
        ("role", role),
        ("unit", Html::text(unit)),
    ];
    Reply::text(texts.fill(lang, K::LinkConfirmAsk, &args))
}

/// A commune's village list sent in chat, imported.
pub fn villages_imported(
    texts: &Texts,
    lang: Lang,
    inserted: usize,
    updated: usize,
    unchanged: usize,
) -> Reply {
    let args = [
        ("inserted", Html::text(&inserted.to_string())),
        ("updated", Html::text(&updated.to_string())),
        ("unchanged", Html::text(&unchanged.to_string())),
    ];
    Reply::text(texts.fill(lang, K::VillagesImported, &args))
}

/// A job (a report, a village list) stopped at its time limit; nothing changed.
pub fn job_too_long(texts: &Texts, lang: Lang, minutes: u64) -> Reply {
    let args = [("minutes", Html::text(&minutes.to_string()))];
    Reply::text(texts.fill(lang, K::JobTooLong, &args))
}

/// A commune's village list sent in chat, refused whole; `errors` already in the chat's
/// language.
pub fn villages_import_failed(texts: &Texts, lang: Lang, errors: Html) -> Reply {
    Reply::text(texts.fill(lang, K::VillagesImportFailed, &[("errors", errors)]))
}

/// To a team's heads: a member asked to leave it.
pub fn member_asked_removal(texts: &Texts, lang: Lang, name: &str, unit: &str) -> Reply {
    let args = [("name", Html::text(name)), ("unit", Html::text(unit))];
    Reply::text(texts.fill(lang, K::MemberAskedRemoval, &args))
}

/// To a team's head: a member asks (with `/dulieu`) for a correction, due by `due`.
pub fn member_asked_correction(
    texts: &Texts,
    lang: Lang,
    name: &str,
    unit: &str,
    due: &str,
) -> Reply {
    let args = [
        ("name", Html::text(name)),
        ("unit", Html::text(unit)),
        ("due", Html::text(due)),
    ];
    Reply::text(texts.fill(lang, K::MemberAskedCorrection, &args))
}

/// To a team's head: a member erased their data from their own chat (not named: the
/// erasure leaves no copy of the name).
pub fn member_erased_themselves(texts: &Texts, lang: Lang, unit: &str) -> Reply {
    let args = [("unit", Html::text(unit))];
    Reply::text(texts.fill(lang, K::MemberErasedThemselves, &args))
}

/// To a commune's officials: a village's team was submitted or changed, with its status and
/// the button that turns these notices off.
/// The founding decision drafted for the commune's officials, the DOCX attached, when a
/// village team is registered without one. The document is in Vietnamese whatever the
/// chat's language: it is the paper the chairman signs.
pub fn decision_draft(
    texts: &Texts,
    lang: Lang,
    village: &str,
    docx: Vec<u8>,
    file_name: String,
) -> Reply {
    let village = [("village", Html::text(village))];
    let mut reply = Reply::text(texts.fill(lang, K::DecisionDraftNotice, &village));
    let caption = texts.fill(lang, K::DecisionDraftCaption, &village);
    reply.document = Some(super::Attachment {
        file_name,
        bytes: docx,
        caption: Some(crate::i18n::to_plain(caption.as_str())),
    });
    reply
}

/// The founding decision an official asked for (`/quyetdinh`), the DOCX attached: which
/// unit, how many teams, and the villages left out for want of a registered team.
pub fn decision_drafted(
    texts: &Texts,
    lang: Lang,
    unit: &str,
    teams: usize,
    left_out: &[String],
    file_name: String,
    docx: Vec<u8>,
) -> Reply {
    let args = [
        ("unit", Html::text(unit)),
        ("teams", Html::text(&teams.to_string())),
    ];
    let mut text = texts.fill(lang, K::DecisionDrafted, &args);
    if !left_out.is_empty() {
        let villages = [("villages", Html::text(&left_out.join(", ")))];
        let left = texts.fill(lang, K::DecisionLeftOut, &villages);
        text = Html::markup(format!("{}\n{}", text.as_str(), left.as_str()));
    }
    let mut reply = Reply::text(text);
    let caption = texts.fill(
        lang,
        K::DecisionDraftCaption,
        &[("village", Html::text(unit))],
    );
    reply.document = Some(super::Attachment {
        file_name,
        bytes: docx,
        caption: Some(crate::i18n::to_plain(caption.as_str())),
    });
    reply
}

/// A decision asked for a unit that has no registered team any more (or is gone).
pub fn decision_not_drafted(texts: &Texts, lang: Lang) -> Reply {
    Reply::text(texts.get(lang, K::DecisionNotDrafted))
}

pub fn team_saved(
    texts: &Texts,
    lang: Lang,
    village: &str,
    members: usize,
    status: &UnitStatus,
) -> Reply {
    let status = status_label(texts, lang, Some(status));
    let args = [
        ("village", Html::text(village)),
        ("members", Html::text(&members.to_string())),
        ("status", Html::text(&status)),
    ];
    let mut reply = Reply::text(texts.fill(lang, K::NoticeTeamSaved, &args));
    let off = crate::i18n::to_plain(texts.template(lang, K::ButtonNoticesOff));
    reply.buttons = vec![vec![anytime_button(off, &Action::NoticesOff)]];
    reply
}

/// A commune's few figures for a period: entries, people and households helped, villages
/// without any entry (the first few named).
pub fn period_summary(
    texts: &Texts,
    lang: Lang,
    commune: &str,
    period: Period,
    view: &PeriodView,
) -> String {
    let number = |n: i64| Html::text(&n.to_string());
    let args = [
        ("period", Html::text(&period_name(texts, lang, period))),
        ("commune", Html::text(commune)),
        ("entries", number(view.entries)),
        ("people", number(view.people)),
        ("households", number(view.households)),
        ("quiet", number(view.quiet.len() as i64)),
        ("villages", number(view.villages)),
    ];
    let mut text = texts.fill(lang, K::PeriodSummary, &args).into_string();
    if !view.quiet.is_empty() {
        let mut names: Vec<&str> = view
            .quiet
            .iter()
            .take(QUIET_NAMED)
            .map(String::as_str)
            .collect();
        if view.quiet.len() > QUIET_NAMED {
            names.push("…");
        }
        let names = Html::text(&names.join(", "));
        text.push('\n');
        text.push_str(
            texts
                .fill(lang, K::PeriodQuietNames, &[("names", names)])
                .as_str(),
        );
    }
    if view.late_entries > 0 {
        let args = [
            ("entries", number(view.late_entries)),
            ("people", number(view.late_people)),
        ];
        text.push('\n');
        text.push_str(texts.fill(lang, K::PeriodLateEntries, &args).as_str());
    }
    text
}

/// What a submitted period report is, as its notice names it.
pub struct SubmittedReport<'a> {
    pub commune_code: &'a str,
    pub commune: &'a str,
    pub period: Period,
    /// The version to decide on, and how many times it was submitted.
    pub version: i64,
    pub submissions: i64,
    pub figures: &'a PeriodView,
}

/// To a province's officials: a commune submitted its report, with its figures and the
/// buttons that approve or return this version of it.
pub fn period_submitted(texts: &Texts, lang: Lang, report: &SubmittedReport<'_>) -> Reply {
    let args = [
        ("commune", Html::text(report.commune)),
        (
            "period",
            Html::text(&period_name(texts, lang, report.period)),
        ),
        ("submissions", Html::text(&report.submissions.to_string())),
    ];
    let heading = texts.fill(lang, K::PeriodNoticeSubmitted, &args);
    let summary = period_summary(texts, lang, report.commune, report.period, report.figures);
    let mut reply = Reply::text(Html::markup(format!("{}\n{summary}", heading.as_str())));
    let label = |key| crate::i18n::to_plain(texts.template(lang, key));
    let (code, period) = (report.commune_code.to_owned(), report.period);
    reply.buttons = vec![vec![
        anytime_button(
            label(K::PeriodButtonApprove),
            &Action::ApprovePeriod(code.clone(), period, report.version),
        ),
        anytime_button(
            label(K::PeriodButtonReturn),
            &Action::ReturnPeriod(code, period, report.version),
        ),
    ]];
    reply
}

/// To a commune's officials: the province returned the report, with its reason, and the
/// button that opens the period again to submit it anew.
pub fn period_returned(
    texts: &Texts,
    lang: Lang,
    commune: &str,
    period: Period,
    reason: &str,
) -> Reply {
    let args = [
        ("commune", Html::text(commune)),
        ("period", Html::text(&period_name(texts, lang, period))),
        ("reason", Html::text(reason)),
    ];
    let mut reply = Reply::text(texts.fill(lang, K::PeriodNoticeReturned, &args));
    let label = crate::i18n::to_plain(texts.template(lang, K::PeriodButtonOpen));
    reply.buttons = vec![vec![anytime_button(label, &Action::ShowPeriod(period))]];
    reply
}

/// To a commune's officials: the province approved the report; the period is locked.
pub fn period_approved(texts: &Texts, lang: Lang, commune: &str, period: Period) -> Reply {
    let args = [
        ("commune", Html::text(commune)),
        ("period", Html::text(&period_name(texts, lang, period))),
    ];
    Reply::text(texts.fill(lang, K::PeriodNoticeApproved, &args))
}
