//! Answers to the conversation core's [`Need`]s, read inside the step's transaction.

use crate::conversation::lookup::{
    CampaignView, Lookup, Need, PublicMember, PublicTeam, TeamCard, TeamProgress, UnitEntry,
    UnitTarget, VillageState,
};
use crate::conversation::Membership;
use crate::domain::text::fold;
use crate::domain::{PhoneNumber, UnitLevel};
use crate::search::{SearchHit, SharedIndex};
use crate::storage::teams::{team_for_unit, StoredTeam, TeamStatus};
use crate::storage::units::{unit_in_tx, Unit};
use crate::storage::{directory, StorageError, Tx};

/// How many search results the core may page through.
const SEARCH_LIMIT: usize = 40;
/// Scores from this one up are typo matches (see [`crate::search`]).
const TYPO_SCORE: u32 = 1000;

pub(super) async fn answer(
    tx: &mut Tx<'_>,
    index: &SharedIndex,
    need: &Need,
) -> Result<Lookup, StorageError> {
    Ok(match need {
        Need::Search { query } => Lookup::Units(search(index, query)),
        Need::Children { parent } => Lookup::Units(
            index
                .children(parent.as_deref())
                .into_iter()
                .map(hit_entry)
                .collect(),
        ),
        Need::Card { code } => match card(tx, code).await? {
            Some(card) => Lookup::Card(Box::new(card)),
            None => Lookup::Units(Vec::new()),
        },
        Need::Unit { code } => Lookup::Unit(target(tx, code).await?),
        Need::Villages { commune } => Lookup::Villages(progress(tx, commune).await?),
        Need::Campaigns { scope } => Lookup::Campaigns(campaigns(tx, scope).await?),
        Need::ToAssign { province } => Lookup::ToAssign(
            crate::storage::reorganize::villages_to_assign(tx, province)
                .await?
                .into_iter()
                .map(|(village, old_commune)| {
                    let entry = UnitEntry {
                        code: village.code,
                        name: village.name,
                        level: village.level,
                        parent_name: Some(old_commune.clone()),
                        formerly: None,
                        formerly_in: None,
                    };
                    (entry, old_commune)
                })
                .collect(),
        ),
        Need::RegisteredTeam { code } => Lookup::RegisteredTeam(
            team_for_unit(tx, code)
                .await?
                .filter(|stored| stored.status == TeamStatus::Registered)
                .map(|stored| Box::new(stored.team)),
        ),
        Need::OwnWords { phones } => {
            Lookup::OwnWords(crate::storage::consent::own_words(tx, phones).await?)
        }
        Need::PeriodFigures { commune, period } => {
            Lookup::PeriodFigures(Box::new(period_view(tx, commune, *period).await?))
        }
        Need::AnnouncementReach {
            scope,
            audience,
            quiet_since,
        } => {
            let people =
                crate::storage::announcements::recipients(tx, scope, *audience, *quiet_since)
                    .await?;
            let (reachable, unreachable) = super::announce::reach(&people);
            Lookup::AnnouncementReach(reachable, unreachable)
        }
    })
}

/// A commune's figures for a period and where its report stands.
pub(super) async fn period_view(
    tx: &mut Tx<'_>,
    commune: &str,
    period: crate::domain::Period,
) -> Result<crate::conversation::lookup::PeriodView, StorageError> {
    use crate::storage::period_reports;
    let figures = period_reports::figures(tx, commune, period).await?;
    let report = period_reports::report(tx, commune, period).await?;
    Ok(crate::conversation::lookup::PeriodView {
        entries: figures.entries,
        people: figures.people,
        households: figures.households,
        villages: figures.villages,
        quiet: figures.quiet,
        late_entries: figures.late_entries,
        late_people: figures.late_people,
        report: report.map(|r| crate::conversation::lookup::ReportView {
            status: r.status,
            version: r.version,
            submissions: r.submissions,
            return_reason: r.return_reason,
        }),
    })
}

async fn campaigns(tx: &mut Tx<'_>, scope: &str) -> Result<Vec<CampaignView>, StorageError> {
    let found = crate::storage::campaigns::overlapping_campaigns(tx, scope).await?;
    Ok(found
        .into_iter()
        .map(|c| CampaignView {
            name: c.campaign.name,
            scope_name: c.scope_name,
            deadline: c.campaign.deadline,
            same_area: c.overlap == crate::storage::campaigns::Overlap::Same,
        })
        .collect())
}

/// Hits for a resident's query. Typo matches only when nothing matched as typed: "Tây Sơn"
/// should not also offer "Tái Sơn".
fn search(index: &SharedIndex, query: &str) -> Vec<UnitEntry> {
    let hits = index.search(query, &[], SEARCH_LIMIT);
    let exact = hits.iter().any(|hit| hit.score < TYPO_SCORE);
    hits.into_iter()
        .filter(|hit| !exact || hit.score < TYPO_SCORE)
        .map(hit_entry)
        .collect()
}

fn hit_entry(hit: SearchHit) -> UnitEntry {
    UnitEntry {
        code: hit.code,
        name: hit.name,
        level: hit.level,
        parent_name: hit.parent_name,
        formerly: hit.formerly,
        formerly_in: hit.formerly_in,
    }
}

async fn entry(tx: &mut Tx<'_>, unit: Unit) -> Result<UnitEntry, StorageError> {
    let parent_name = match &unit.parent_code {
        Some(code) => unit_in_tx(tx, code).await?.map(|p| p.name),
        None => None,
    };
    Ok(UnitEntry {
        code: unit.code,
        name: unit.name,
        level: unit.level,
        parent_name,
        formerly: None,
        formerly_in: None,
    })
}

async fn target(tx: &mut Tx<'_>, code: &str) -> Result<Option<UnitTarget>, StorageError> {
    let Some(unit) = unit_in_tx(tx, code).await? else {
        return Ok(None);
    };
    let ancestors = directory::ancestors(tx, &unit).await?;
    let (team, accounts) = directory::unit_team_and_accounts(tx, code).await?;
    Ok(Some(UnitTarget {
        entry: entry(tx, unit).await?,
        ancestors,
        has_team: team || accounts,
        team,
        accounts,
    }))
}

async fn progress(tx: &mut Tx<'_>, parent: &str) -> Result<Vec<VillageState>, StorageError> {
    let mut out = Vec::new();
    let coverage = directory::grandchildren_coverage(tx, parent).await?;
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    // Units kept as history are not offered for new work; villages moved into one commune
    // from several say where they came from when two share a name.
    let children: Vec<_> = directory::children_progress(tx, parent)
        .await?
        .into_iter()
        .filter(|(unit, ..)| unit.is_current())
        .collect();
    let names: Vec<String> = children.iter().map(|(u, ..)| fold(&u.name)).collect();
    for (unit, status, members, decision) in children {
        let clash = names.iter().filter(|n| **n == fold(&unit.name)).count() > 1;
        let formerly_in = match (&unit.moved_from, clash) {
            (Some(from), true) => unit_in_tx(tx, from).await?.map(|u| u.name),
            _ => None,
        };
        let members = usize::try_from(members).unwrap_or(0);
        let team = match (status, decision) {
            (None, _) => TeamProgress::NoTeam,
            (Some(TeamStatus::Registered), true) => TeamProgress::DecisionReceived { members },
            (Some(TeamStatus::Registered), false) => TeamProgress::Registered { members },
            (Some(TeamStatus::Draft), _) => TeamProgress::Draft,
        };
        let covered = match unit.level {
            UnitLevel::Commune => Some(
                coverage
                    .iter()
                    .find(|(code, _, _)| *code == unit.code)
                    .map_or((0, 0), |(_, villages, registered)| {
                        (count(*registered), count(*villages))
                    }),
            ),
            _ => None,
        };
        out.push(VillageState {
            unit: UnitEntry {
                formerly_in,
                ..entry(tx, unit).await?
            },
            team,
            coverage: covered,
        });
    }
    Ok(out)
}

/// A team as residents see it: a number is shown only where its owner agreed, as
/// [`crate::storage::consent`] decided when the team was read.
fn public_team(stored: StoredTeam) -> PublicTeam {
    let team = stored.team;
    let members = team
        .members
        .into_iter()
        .map(|member| PublicMember {
            // The member's word publishes their numbers: the mobile and the Zalo account.
            zalo: member.zalo.filter(|_| member.consent.is_some()),
            phone: member.consent.is_some().then_some(member.phone),
            name: member.name,
            role: member.role,
            role_detail: member.role_detail,
        })
        .collect();
    PublicTeam {
        registered: stored.status == TeamStatus::Registered,
        leader_name: team.leader_name,
        leader_phone: team.leader_phone.filter(|_| team.leader_consent.is_some()),
        members,
        decision: team.decision,
    }
}

async fn team_of(tx: &mut Tx<'_>, code: &str) -> Result<Option<PublicTeam>, StorageError> {
    match team_for_unit(tx, code).await? {
        Some(stored) => Ok(Some(public_team(stored))),
        None => Ok(None),
    }
}

async fn card(tx: &mut Tx<'_>, code: &str) -> Result<Option<TeamCard>, StorageError> {
    let Some(unit) = unit_in_tx(tx, code).await? else {
        return Ok(None);
    };
    let commune = match (&unit.level, &unit.parent_code) {
        (UnitLevel::Village, Some(parent)) => match unit_in_tx(tx, parent).await? {
            Some(commune) => {
                let team = team_of(tx, &commune.code).await?;
                Some((entry(tx, commune).await?, team))
            }
            None => None,
        },
        _ => None,
    };
    let team = team_of(tx, code).await?;
    Ok(Some(TeamCard {
        unit: entry(tx, unit).await?,
        team,
        commune,
    }))
}

/// The teams a member's (or leader's) number belongs to, for their own menu; a member's
/// Zalo number finds them too, and the membership carries the mobile the team lists.
pub(super) async fn memberships(
    tx: &mut Tx<'_>,
    phone: &PhoneNumber,
) -> Result<Vec<Membership>, StorageError> {
    let mut out = Vec::new();
    for (code, name, listed) in directory::memberships(tx, phone).await? {
        let Ok(listed) = PhoneNumber::parse(&listed) else {
            continue;
        };
        let Some(unit) = unit_in_tx(tx, &code).await? else {
            continue;
        };
        let Some(team) = team_for_unit(tx, &code).await?.map(|t| t.team) else {
            continue;
        };
        let leader = team.leader_phone.as_ref() == Some(&listed);
        let consent = match team.members.iter().find(|m| m.phone == listed) {
            Some(member) => member.consent,
            None => team.leader_consent,
        };
        out.push(Membership {
            unit: entry(tx, unit).await?,
            name,
            visible: consent.is_some(),
            leader,
            phone: listed,
        });
    }
    Ok(out)
}
