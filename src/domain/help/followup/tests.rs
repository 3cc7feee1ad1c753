use chrono::{DateTime, Utc};

use super::*;

/// A moment in Vietnam's time, "2026-12-08 08:00".
fn vn(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_str(&format!("{text} +07:00"), "%Y-%m-%d %H:%M %z")
        .map(|t| t.with_timezone(&Utc))
        .expect("a Vietnam time")
}

fn asked_at(text: &str) -> Facts {
    Facts {
        status: RequestStatus::Open,
        stage: Stage::Team,
        created_at: vn(text),
        waiting_since: None,
        taken_at: None,
        last_followup_at: None,
    }
}

fn due_at(facts: &Facts, text: &str) -> Option<FollowUp> {
    due(facts, &HelpRules::default(), &Schedule::default(), vn(text))
}

/// The facts after `step` was done at `at`, as the follow-up pass writes them.
fn after(facts: &Facts, step: FollowUp, at: &str) -> Facts {
    let mut next = Facts {
        last_followup_at: Some(vn(at)),
        ..*facts
    };
    match step {
        FollowUp::RemindTeam | FollowUp::RemindOwner => {}
        FollowUp::Escalate(stage) => next.stage = stage,
        FollowUp::ReturnToTeam => {
            next.status = RequestStatus::Open;
            next.stage = Stage::Team;
            next.taken_at = None;
            next.waiting_since = Some(vn(at));
        }
    }
    next
}

#[test]
fn an_open_request_reminds_the_team_then_goes_to_the_head_then_to_the_commune_each_on_its_minute() {
    // The defaults: the team reminded after 1 h, the head at 4 h, the commune at 24 h.
    let asked = asked_at("2026-12-08 08:00");
    assert_eq!(due_at(&asked, "2026-12-08 08:59"), None);
    assert_eq!(
        due_at(&asked, "2026-12-08 09:00"),
        Some(FollowUp::RemindTeam)
    );
    let reminded = after(&asked, FollowUp::RemindTeam, "2026-12-08 09:00");
    assert_eq!(due_at(&reminded, "2026-12-08 11:59"), None);
    assert_eq!(
        due_at(&reminded, "2026-12-08 12:00"),
        Some(FollowUp::Escalate(Stage::Head))
    );
    let at_head = after(
        &reminded,
        FollowUp::Escalate(Stage::Head),
        "2026-12-08 12:00",
    );
    assert_eq!(due_at(&at_head, "2026-12-09 07:59"), None);
    assert_eq!(
        due_at(&at_head, "2026-12-09 08:00"),
        Some(FollowUp::Escalate(Stage::Commune))
    );
    let at_commune = after(
        &at_head,
        FollowUp::Escalate(Stage::Commune),
        "2026-12-09 08:00",
    );
    let rules = HelpRules::default();
    assert_eq!(next(&at_commune, &rules, &Schedule::default()), None);
    assert_eq!(due_at(&at_commune, "2027-01-09 08:00"), None);
}

#[test]
fn a_follow_up_done_says_nothing_more_is_due_until_the_next_step() {
    let asked = asked_at("2026-12-08 08:00");
    let reminded = after(&asked, FollowUp::RemindTeam, "2026-12-08 09:00");
    for moment in ["2026-12-08 09:00", "2026-12-08 09:01", "2026-12-08 11:59"] {
        assert_eq!(due_at(&reminded, moment), None, "at {moment}");
    }
    let at_head = after(
        &reminded,
        FollowUp::Escalate(Stage::Head),
        "2026-12-08 12:00",
    );
    for moment in ["2026-12-08 12:00", "2026-12-08 20:59"] {
        assert_eq!(due_at(&at_head, moment), None, "at {moment}");
    }
}

#[test]
fn a_follow_up_due_at_22_00_waits_for_07_00_and_the_next_keeps_its_spacing() {
    // Asked at 21:00 (in the quiet hours themselves): the reminder falls at 22:00.
    let asked = asked_at("2026-12-08 21:00");
    let rules = HelpRules::default();
    let (step, at) = next(&asked, &rules, &Schedule::default()).expect("a step");
    assert_eq!((step, at), (FollowUp::RemindTeam, vn("2026-12-09 07:00")));
    assert_eq!(due_at(&asked, "2026-12-08 22:00"), None);
    assert_eq!(due_at(&asked, "2026-12-09 06:59"), None);
    assert_eq!(
        due_at(&asked, "2026-12-09 07:00"),
        Some(FollowUp::RemindTeam)
    );
    // The head's turn (01:00 on time) comes three hours after the late reminder.
    let reminded = after(&asked, FollowUp::RemindTeam, "2026-12-09 07:00");
    assert_eq!(due_at(&reminded, "2026-12-09 09:59"), None);
    assert_eq!(
        due_at(&reminded, "2026-12-09 10:00"),
        Some(FollowUp::Escalate(Stage::Head))
    );
}

#[test]
fn a_taken_request_reminds_its_owner_then_returns_to_the_team_whose_ladder_starts_again() {
    let taken = Facts {
        status: RequestStatus::Taken,
        taken_at: Some(vn("2026-12-08 10:00")),
        // Reminded to the team before it was taken: not the owner's reminder.
        last_followup_at: Some(vn("2026-12-08 09:00")),
        ..asked_at("2026-12-08 08:00")
    };
    assert_eq!(due_at(&taken, "2026-12-09 09:59"), None);
    assert_eq!(
        due_at(&taken, "2026-12-09 10:00"),
        Some(FollowUp::RemindOwner)
    );
    let reminded = after(&taken, FollowUp::RemindOwner, "2026-12-09 10:00");
    assert_eq!(due_at(&reminded, "2026-12-09 10:00"), None);
    assert_eq!(due_at(&reminded, "2026-12-11 09:59"), None);
    assert_eq!(
        due_at(&reminded, "2026-12-11 10:00"),
        Some(FollowUp::ReturnToTeam)
    );
    let returned = after(&reminded, FollowUp::ReturnToTeam, "2026-12-11 10:00");
    assert_eq!(due_at(&returned, "2026-12-11 10:59"), None);
    assert_eq!(
        due_at(&returned, "2026-12-11 11:00"),
        Some(FollowUp::RemindTeam)
    );
}

#[test]
fn closed_requests_are_never_followed_up() {
    for status in [
        RequestStatus::Solved,
        RequestStatus::Unsolved,
        RequestStatus::Abuse,
    ] {
        let closed = Facts {
            status,
            ..asked_at("2026-12-01 08:00")
        };
        assert_eq!(due_at(&closed, "2026-12-08 08:00"), None, "{status:?}");
    }
}

#[test]
fn after_downtime_the_steps_left_come_one_at_a_time_spaced_as_the_rules_say() {
    let asked = asked_at("2026-12-08 08:00");
    // The scheduler was down for two days: the reminder first, not the commune.
    assert_eq!(
        due_at(&asked, "2026-12-10 08:00"),
        Some(FollowUp::RemindTeam)
    );
    let reminded = after(&asked, FollowUp::RemindTeam, "2026-12-10 08:00");
    assert_eq!(due_at(&reminded, "2026-12-10 10:59"), None);
    assert_eq!(
        due_at(&reminded, "2026-12-10 11:00"),
        Some(FollowUp::Escalate(Stage::Head))
    );
}
