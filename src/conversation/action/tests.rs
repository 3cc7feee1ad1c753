use super::*;

/// Telegram's limit on callback data, less the revision stamp (`4294967295:`) and the
/// anytime prefix (`*:`).
const MAX_PAYLOAD: usize = 64 - 11 - 2;

/// Every variant, with its widest arguments. The match below has no catch-all: a new
/// variant does not compile until it is added here, and so round-trip-tested.
fn every_action() -> Vec<Action> {
    let code = "11083-01".to_owned();
    let longest = "1234567890123456".to_owned();
    let mut all = vec![
        Action::Back,
        Action::Skip,
        Action::Keep,
        Action::AddMember,
        Action::Done,
        Action::Confirm,
        Action::Edit,
        Action::Remove,
        Action::EditWhich(usize::MAX),
        Action::RemoveWhich(12),
        Action::ConfirmRemoveMember,
        Action::DecisionYes,
        Action::DecisionNo,
        Action::ConsentYes,
        Action::ConsentNo,
        Action::Resume,
        Action::Restart,
        Action::MyTeam,
        Action::EditTeam,
        Action::ChooseLanguage,
        Action::Cancel,
        Action::Help,
        Action::Find,
        Action::Browse(None, 0),
        Action::Browse(Some(longest.clone()), usize::MAX),
        Action::ShowUnit(longest.clone()),
        Action::Page(usize::MAX),
        Action::ImMember,
        Action::ShowMyNumber,
        Action::HideMyNumber,
        Action::LeaveTeam(longest.clone()),
        Action::MyData,
        Action::CorrectMyData,
        Action::EraseMyData,
        Action::ConfirmEraseMyData,
        Action::Units,
        Action::UnitMenu(code.clone()),
        Action::RenameVillage(code.clone()),
        Action::RemoveVillage(code.clone()),
        Action::ConfirmRemoveVillage(longest.clone()),
        Action::AddVillage,
        Action::ImportVillages,
        Action::InviteFor(code.clone()),
        Action::ViewVillages(code.clone()),
        Action::NoticesOff,
        Action::NoticesOn,
        Action::RevokeAccess(code.clone()),
        Action::ConfirmRevokeAccess(longest.clone()),
        Action::ToAssign,
        Action::AssignVillage(code.clone()),
        Action::AssignVillageTo(longest.clone(), longest.clone()),
        Action::DraftDecision(longest.clone()),
        Action::PeriodReport,
        Action::ShowPeriod(Period::parse("2026-11").unwrap()),
        Action::SubmitPeriod(Period::parse("2026-Q4").unwrap(), i64::MAX),
        Action::ApprovePeriod(longest.clone(), Period::parse("2026-11").unwrap(), i64::MAX),
        Action::ReturnPeriod(longest.clone(), Period::parse("2026-Q4").unwrap(), i64::MAX),
        Action::LogActivity,
        Action::LogTeam(longest),
        Action::LogKind(usize::MAX),
        Action::LogPeople(10_000),
        Action::LogRepeat,
        Action::LogHouseholds,
        Action::LogDay,
        Action::LogNote,
        Action::LogDone,
        Action::HelpStart,
        Action::HelpAsk("1234567890123456".to_owned()),
        Action::HelpNeed(usize::MAX),
        Action::HelpSkip,
        Action::HelpByChat,
        Action::HelpByPhone,
        Action::HelpConsentYes,
        Action::HelpConsentNo,
        Action::HelpSend,
        Action::HelpTake(i64::MAX),
        Action::HelpSolved(i64::MAX),
        Action::HelpUnsolved(i64::MAX),
        Action::HelpAbuse(i64::MAX),
        Action::HelpRate(i64::MAX, 5),
        Action::HelpReopen(i64::MAX),
        Action::AckAnnouncement(i64::MAX),
        Action::Announce,
        Action::AnnounceTo(crate::domain::announcement::Audience::Leaders),
        Action::AnnounceSend,
        Action::AnnouncementStatus,
        Action::RemindAnnouncement("1234567890123456".to_owned(), i64::MAX),
    ];
    all.extend(MemberRole::ALL.into_iter().map(Action::Role));
    all.extend(MemberField::all().iter().copied().map(Action::EditField));
    all.extend([Lang::Vi, Lang::En].map(Action::Language));
    for action in &all {
        covered(action);
    }
    all
}

/// How many variants [`covered`] lists: a variant added there but not to
/// [`every_action`] fails [`every_variant_has_a_sample`].
const VARIANTS: usize = 89;

fn covered(action: &Action) {
    match action {
        Action::Back
        | Action::Skip
        | Action::Keep
        | Action::Role(_)
        | Action::AddMember
        | Action::Done
        | Action::Confirm
        | Action::Edit
        | Action::Remove
        | Action::EditWhich(_)
        | Action::RemoveWhich(_)
        | Action::ConfirmRemoveMember
        | Action::EditField(_)
        | Action::DecisionYes
        | Action::DecisionNo
        | Action::ConsentYes
        | Action::ConsentNo
        | Action::Resume
        | Action::Restart
        | Action::MyTeam
        | Action::EditTeam
        | Action::Language(_)
        | Action::ChooseLanguage
        | Action::Cancel
        | Action::Help
        | Action::Find
        | Action::Browse(..)
        | Action::ShowUnit(_)
        | Action::Page(_)
        | Action::ImMember
        | Action::ShowMyNumber
        | Action::HideMyNumber
        | Action::LeaveTeam(_)
        | Action::MyData
        | Action::CorrectMyData
        | Action::EraseMyData
        | Action::ConfirmEraseMyData
        | Action::Units
        | Action::UnitMenu(_)
        | Action::RenameVillage(_)
        | Action::RemoveVillage(_)
        | Action::ConfirmRemoveVillage(_)
        | Action::AddVillage
        | Action::ImportVillages
        | Action::InviteFor(_)
        | Action::ViewVillages(_)
        | Action::NoticesOff
        | Action::NoticesOn
        | Action::RevokeAccess(_)
        | Action::ConfirmRevokeAccess(_)
        | Action::ToAssign
        | Action::AssignVillage(_)
        | Action::AssignVillageTo(..)
        | Action::DraftDecision(_)
        | Action::PeriodReport
        | Action::ShowPeriod(_)
        | Action::SubmitPeriod(..)
        | Action::ApprovePeriod(..)
        | Action::ReturnPeriod(..)
        | Action::LogActivity
        | Action::LogTeam(_)
        | Action::LogKind(_)
        | Action::LogPeople(_)
        | Action::LogRepeat
        | Action::LogHouseholds
        | Action::LogDay
        | Action::LogNote
        | Action::LogDone
        | Action::HelpStart
        | Action::HelpAsk(_)
        | Action::HelpNeed(_)
        | Action::HelpSkip
        | Action::HelpByChat
        | Action::HelpByPhone
        | Action::HelpConsentYes
        | Action::HelpConsentNo
        | Action::HelpSend
        | Action::HelpTake(_)
        | Action::HelpSolved(_)
        | Action::HelpUnsolved(_)
        | Action::HelpAbuse(_)
        | Action::HelpRate(..)
        | Action::HelpReopen(_) => {}
        Action::AckAnnouncement(_)
        | Action::Announce
        | Action::AnnounceTo(_)
        | Action::AnnounceSend
        | Action::AnnouncementStatus
        | Action::RemindAnnouncement(..) => {}
    }
}

#[test]
fn every_action_survives_its_payload_round_trip_within_telegrams_limit() {
    for action in every_action() {
        let payload = action.payload();
        assert_eq!(Action::parse(&payload), Some(action.clone()), "{payload}");
        assert!(payload.len() <= MAX_PAYLOAD, "{payload} is too long");
    }
}

#[test]
fn every_action_survives_a_round_trip_under_either_stamp_within_telegrams_limit() {
    for action in every_action() {
        for stamp in [
            Stamp::Revision(u32::MAX),
            Stamp::Revision(0),
            Stamp::Anytime,
        ] {
            let payload = stamp.write(&action.payload());
            assert_eq!(
                Stamp::read(&payload),
                Some((stamp, action.clone())),
                "{payload}"
            );
            assert!(payload.len() <= 64, "{payload} is too long for Telegram");
        }
    }
}

#[test]
fn stamps_keep_the_shape_buttons_already_sent_carry() {
    assert_eq!(Stamp::Revision(7).write("dec:yes"), "7:dec:yes");
    assert_eq!(Stamp::Anytime.write("units"), "*:units");
}

#[test]
fn a_button_without_a_stamp_or_with_a_forged_one_is_refused() {
    for forged in [
        "units",
        "dec:yes",
        "-1:back",
        "x:back",
        "**:units",
        ":back",
        "7:nothing",
    ] {
        assert_eq!(Stamp::read(forged), None, "{forged}");
    }
}

#[test]
fn every_variant_has_a_sample() {
    let kinds: std::collections::HashSet<_> =
        every_action().iter().map(std::mem::discriminant).collect();
    assert_eq!(kinds.len(), VARIANTS);
}

#[test]
fn no_two_actions_share_a_payload() {
    let all = every_action();
    let payloads: std::collections::HashSet<String> = all.iter().map(Action::payload).collect();
    assert_eq!(payloads.len(), all.len());
}

#[test]
fn forged_payloads_are_refused() {
    for forged in [
        "role:mayor",
        "edit:x",
        "u:../../etc",
        "vx:",
        "br:1:x",
        "me:leave:a b",
        "u:12345678901234567",
        "avt:11086-01",
        "avt:11086-01:<b>",
        "nothing",
    ] {
        assert_eq!(Action::parse(forged), None, "{forged}");
    }
}

#[test]
fn payloads_keep_the_shape_buttons_already_sent_carry() {
    let code = || "11083-01".to_owned();
    for (action, payload) in [
        (Action::Back, "back"),
        (Action::DecisionYes, "dec:yes"),
        (Action::EditWhich(2), "edit:2"),
        (
            Action::EditField(MemberField::Declared(
                crate::domain::FieldKey::parse("workplace").unwrap(),
            )),
            "ef:work",
        ),
        (Action::Browse(None, 0), "br::0"),
        (Action::Browse(Some(code()), 3), "br:11083-01:3"),
        (Action::LeaveTeam(code()), "me:leave:11083-01"),
        (Action::ConfirmRemoveVillage(code()), "vxy:11083-01"),
        (
            Action::AssignVillageTo(code(), "11086".into()),
            "avt:11083-01:11086",
        ),
    ] {
        assert_eq!(action.payload(), payload);
    }
}

#[test]
fn a_payload_with_an_argument_too_many_or_too_few_is_refused() {
    for forged in [
        "me:leave",
        "edit:1:2",
        "rmy:1",
        "back:1",
        "avt:11083-01:11086:1",
    ] {
        assert_eq!(Action::parse(forged), None, "{forged}");
    }
}

#[test]
fn a_period_in_a_payload_is_read_only_as_it_is_written() {
    for forged in [
        "prs:2026-13",
        "prs:11/2026",
        "prs:2026-q4",
        "prsub:2026-11",
        "pra:11083:2026-11:x",
    ] {
        assert_eq!(Action::parse(forged), None, "{forged}");
    }
    assert!(Action::parse("pra:11083:2026-11:3").is_some_and(|a| a.valid_anytime()));
    assert!(!Action::parse("prsub:2026-11:0").is_some_and(|a| a.valid_anytime()));
}
