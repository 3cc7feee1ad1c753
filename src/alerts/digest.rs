//! The text of each alert: a district digest, a commune digest, a village head's reminder.

use chrono::{DateTime, Utc};

use super::Area;
use crate::clock::vietnam_date;
use crate::conversation::{anytime_button, Action, Reply};
use crate::domain::schedule::{Schedule, Slot};
use crate::domain::status::UnitStatus;
use crate::domain::{AccountRole, UnitLevel};
use crate::engine::Engine;
use crate::i18n::{Html, Lang, K};
use crate::storage::campaigns::{Campaign, ScopedAccount};
use crate::storage::Unit;
use crate::wording::{breach_text, status_label};

/// How many communes of a district digest get a button.
const BUTTONS: usize = 5;
/// How many late villages a district digest names.
const NAMED: usize = 20;

pub(super) struct Ctx<'a> {
    engine: &'a Engine,
    lang: Lang,
}

impl Ctx<'_> {
    fn fill(&self, key: K, args: &[(&str, Html)]) -> String {
        self.engine.texts().fill(self.lang, key, args).into_string()
    }

    fn label(&self, key: K) -> String {
        crate::i18n::to_plain(self.engine.texts().template(self.lang, key))
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn for_account(
    engine: &Engine,
    schedule: &Schedule,
    campaign: &Campaign,
    slot: Slot,
    area: &Area,
    account: &ScopedAccount,
    lang: Lang,
    now: DateTime<Utc>,
) -> Option<Reply> {
    let ctx = Ctx { engine, lang };
    let heading = heading(&ctx, campaign, slot);
    let mut reply = match account.role {
        // The digest of the level above communes, whichever it is.
        role if role.above_communes() => Some(district(
            &ctx,
            schedule,
            campaign,
            area,
            &account.unit_code,
            heading,
            now,
        )),
        AccountRole::CommuneOfficial => Some(commune(&ctx, area, &account.unit_code, heading)),
        AccountRole::VillageHead => village(&ctx, area, &account.unit_code, heading),
        AccountRole::DistrictOfficial | AccountRole::ProvinceOfficial => None,
    }?;
    // Officials also hear of the teams' work: villages gone quiet, communes late to report.
    if account.role.is_official() {
        let above = account.role.above_communes();
        let texts = engine.texts();
        let lines = area
            .work
            .lines(texts, lang, &area.sweep, &account.unit_code, above);
        if !lines.is_empty() {
            let text = format!("{}\n\n{}", reply.text.as_str(), lines.join("\n"));
            reply.text = Html::markup(text);
        }
    }
    Some(reply)
}

fn heading(ctx: &Ctx<'_>, campaign: &Campaign, slot: Slot) -> String {
    let when = match slot.0 {
        0 => ctx.fill(K::DigestDueToday, &[]),
        n if n < 0 => ctx.fill(
            K::DigestDaysLeft,
            &[("days", Html::text(&(-n).to_string()))],
        ),
        n => ctx.fill(K::DigestOverdue, &[("days", Html::text(&n.to_string()))]),
    };
    let deadline = Html::text(&campaign.deadline.format("%d/%m/%Y").to_string());
    let args = [
        ("campaign", Html::text(&campaign.name)),
        ("deadline", deadline),
        ("when", Html::markup(when)),
    ];
    ctx.fill(K::DigestHeading, &args)
}

fn children<'a>(area: &'a Area, parent: &str, level: UnitLevel) -> Vec<&'a Unit> {
    area.sweep
        .units
        .iter()
        .filter(|u| u.level == level && u.parent_code.as_deref() == Some(parent))
        .collect()
}

fn missing(status: Option<&UnitStatus>) -> bool {
    matches!(
        status,
        None | Some(UnitStatus::NoTeam | UnitStatus::Draft | UnitStatus::Incomplete(_))
    )
}

fn district(
    ctx: &Ctx<'_>,
    schedule: &Schedule,
    campaign: &Campaign,
    area: &Area,
    district: &str,
    heading: String,
    now: DateTime<Utc>,
) -> Reply {
    let communes = children(area, district, UnitLevel::Commune);
    let without_list = communes
        .iter()
        .filter(|c| children(area, &c.code, UnitLevel::Village).is_empty())
        .count();
    let mut rows: Vec<(usize, &Unit, String)> = communes
        .into_iter()
        .filter(|c| !children(area, &c.code, UnitLevel::Village).is_empty())
        .map(|commune| {
            let villages = children(area, &commune.code, UnitLevel::Village);
            let count = |f: &dyn Fn(Option<&UnitStatus>) -> bool| {
                villages
                    .iter()
                    .filter(|v| f(area.status.get(&v.code)))
                    .count()
            };
            let lacking = count(&missing);
            let complete = count(&|s| matches!(s, Some(UnitStatus::Complete)));
            let args = [
                ("commune", Html::text(&commune.name)),
                (
                    "registered",
                    Html::text(&(villages.len() - lacking).to_string()),
                ),
                ("villages", Html::text(&villages.len().to_string())),
                ("complete", Html::text(&complete.to_string())),
                ("missing", Html::text(&lacking.to_string())),
            ];
            (lacking, commune, ctx.fill(K::DigestCommuneLine, &args))
        })
        .collect();
    // The communes with missing or incomplete teams first, the most behind at the top.
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
    let mut lines = vec![heading, ctx.fill(K::DigestDistrictIntro, &[])];
    lines.extend(rows.iter().map(|(_, _, line)| line.clone()));
    if without_list > 0 {
        lines.push(ctx.fill(
            K::DigestNoVillageList,
            &[("count", Html::text(&without_list.to_string()))],
        ));
    }
    // After a reorganisation: villages of divided communes that no new commune has yet.
    if !area.sweep.to_assign.is_empty() {
        let count: i64 = area.sweep.to_assign.iter().map(|(_, n)| n).sum();
        let communes: Vec<String> = area
            .sweep
            .to_assign
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect();
        let args = [
            ("count", Html::text(&count.to_string())),
            ("communes", Html::text(&communes.join(", "))),
        ];
        lines.push(ctx.fill(K::ReportToAssign, &args));
    }
    let late_days = (vietnam_date(now) - campaign.deadline).num_days();
    if late_days >= i64::from(schedule.escalate_after_days) {
        let mut late_units: Vec<&Unit> = area
            .sweep
            .units
            .iter()
            .filter(|u| u.level == UnitLevel::Village && missing(area.status.get(&u.code)))
            .collect();
        late_units.sort_by(|a, b| a.code.cmp(&b.code));
        let late: Vec<String> = late_units
            .into_iter()
            .take(NAMED)
            .map(|u| {
                let commune = area
                    .sweep
                    .units
                    .iter()
                    .find(|c| Some(&c.code) == u.parent_code.as_ref());
                format!("{} ({})", u.name, commune.map_or("", |c| c.name.as_str()))
            })
            .collect();
        if !late.is_empty() {
            let args = [
                ("days", Html::text(&late_days.to_string())),
                ("villages", Html::text(&late.join(", "))),
            ];
            lines.push(ctx.fill(K::DigestEscalation, &args));
        }
    }
    let buttons = rows
        .iter()
        .filter(|(lacking, _, _)| *lacking > 0)
        .take(BUTTONS)
        .map(|(_, commune, _)| {
            let label = ctx.fill(
                K::ButtonSeeCommune,
                &[("commune", Html::text(&commune.name))],
            );
            vec![anytime_button(
                crate::i18n::to_plain(&label),
                &Action::ViewVillages(commune.code.clone()),
            )]
        })
        .collect();
    Reply {
        buttons,
        ..Reply::text(Html::markup(lines.join("\n")))
    }
}

fn commune(ctx: &Ctx<'_>, area: &Area, commune: &str, heading: String) -> Reply {
    let mut lines = vec![heading, ctx.fill(K::DigestCommuneIntro, &[])];
    for (i, village) in children(area, commune, UnitLevel::Village)
        .iter()
        .enumerate()
    {
        let status = status_label(ctx.engine.texts(), ctx.lang, area.status.get(&village.code));
        lines.push(format!(
            "{}. {} — {}",
            i + 1,
            Html::text(&village.name),
            Html::text(&status)
        ));
    }
    let button = anytime_button(ctx.label(K::ButtonVillages), &Action::Units);
    Reply {
        buttons: vec![vec![button]],
        ..Reply::text(Html::markup(lines.join("\n")))
    }
}

fn village(ctx: &Ctx<'_>, area: &Area, village: &str, heading: String) -> Option<Reply> {
    let status = area.status.get(village);
    if matches!(status, Some(UnitStatus::Complete)) {
        return None;
    }
    let name = area
        .sweep
        .units
        .iter()
        .find(|u| u.code == village)
        .map_or("", |u| u.name.as_str());
    let label = status_label(ctx.engine.texts(), ctx.lang, status);
    let args = [
        ("village", Html::text(name)),
        ("status", Html::text(&label)),
    ];
    let mut lines = vec![heading, ctx.fill(K::ReminderVillage, &args)];
    if let Some(status) = status {
        for breach in status.breaches() {
            lines.push(breach_text(ctx.engine.texts(), ctx.lang, breach).into_string());
        }
    }
    let button = anytime_button(ctx.label(K::ButtonContinueTeam), &Action::MyTeam);
    Some(Reply {
        buttons: vec![vec![button]],
        ..Reply::text(Html::markup(lines.join("\n")))
    })
}
