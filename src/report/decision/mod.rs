//! The founding decision drafted for a commune's chairman to sign (Quyết định thành lập Tổ
//! Công nghệ số cộng đồng): for one village's registered team, or one decision for every
//! registered team of a commune with an annex listing each village's members. Read from
//! storage here ([`draft_of`]), laid out as a Vietnamese administrative paper in
//! [`document`]. Only the numbers a team card publishes appear in it: a number its person
//! hid, or never agreed to show, is left blank.

mod document;
#[cfg(test)]
mod tests;

pub use document::decision_docx;

use crate::domain::{MemberRole, UnitLevel};
use crate::i18n::{to_plain, Lang, Texts};
use crate::storage::{teams, units, StorageError, Store, TeamStatus, Tx, Unit};

/// Why no decision can be drafted for a unit.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error("There is no unit with code {0:?} (see: cnscd units list)")]
    UnknownUnit(String),
    #[error("{name} ({code}) ended on {ended_on}: a decision is drafted for current units only")]
    Ended {
        code: String,
        name: String,
        ended_on: String,
    },
    #[error("{name} ({code}) is not a village nor a commune: a founding decision is a commune's, for its villages")]
    NotVillageOrCommune { code: String, name: String },
    #[error("{name} ({code}) has no registered team: the decision lists a registered team's members (its head registers it first)")]
    NoRegisteredTeam { code: String, name: String },
    #[error("None of the villages of {name} ({code}) has a registered team yet")]
    NoVillageTeams { code: String, name: String },
    #[error("Failed to read the teams")]
    Storage(#[from] StorageError),
    #[error("Failed to write the Word document: {0}")]
    Docx(String),
}

/// The commune that issues the decision, and the names it is written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// "Xã Đại Sơn", as stored.
    pub name: String,
    /// "xã", "phường", "thị trấn", "đặc khu".
    pub kind: String,
}

impl Issuer {
    /// "XÃ ĐẠI SƠN": the heading's and the chairman's line.
    pub fn upper(&self) -> String {
        with_kind(&self.name, &self.kind).to_uppercase()
    }

    /// "xã Đại Sơn": as a sentence names it (the template's `{commune}`).
    pub fn in_sentence(&self) -> String {
        in_sentence(&self.name, &self.kind)
    }

    /// "Đại Sơn": the place before the date.
    pub fn place(&self) -> String {
        without_kind(&self.name, &self.kind).to_owned()
    }
}

/// One person of a team as the decision lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    /// Their position ("Trưởng thôn", "Bí thư Chi đoàn").
    pub position: String,
    /// Their task in the team: leader or member.
    pub leader: bool,
    /// The number as the team card publishes it ("0912 345 678"), or none.
    pub phone: Option<String>,
}

/// One village's registered team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageTeam {
    pub code: String,
    /// "Thôn Đông Sơn", as stored.
    pub name: String,
    pub kind: String,
    pub people: Vec<Listed>,
}

impl VillageTeam {
    /// "thôn Đông Sơn".
    pub fn in_sentence(&self) -> String {
        in_sentence(&self.name, &self.kind)
    }
}

/// What one decision covers: one village's team, or (with more than one, or asked for the
/// commune) every registered team of the commune, in an annex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionDraft {
    pub issuer: Issuer,
    pub teams: Vec<VillageTeam>,
    /// One decision for the commune's villages: Article 1 names the teams, the annex lists
    /// their members.
    pub commune_wide: bool,
}

/// A drafted decision and the villages it leaves out (no registered team).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drafted {
    pub draft: DecisionDraft,
    pub without_team: Vec<String>,
}

impl Store {
    /// The decision of the unit `code`: a village's, or a commune's for all its villages.
    pub async fn decision_draft(
        &self,
        texts: &Texts,
        code: &str,
    ) -> Result<Drafted, DecisionError> {
        let mut tx = self.pool().begin().await.map_err(StorageError::from)?;
        let drafted = draft_of(&mut tx, texts, code).await;
        tx.commit().await.map_err(StorageError::from)?;
        drafted
    }
}

/// The decision of the unit `code`, read inside `tx`: a village's, or a commune's for all
/// its current villages with a registered team.
pub async fn draft_of(
    tx: &mut Tx<'_>,
    texts: &Texts,
    code: &str,
) -> Result<Drafted, DecisionError> {
    let unit = units::unit_in_tx(tx, code)
        .await?
        .ok_or_else(|| DecisionError::UnknownUnit(code.to_owned()))?;
    current(&unit)?;
    match unit.level {
        UnitLevel::Village => {
            let commune = match &unit.parent_code {
                Some(parent) => units::unit_in_tx(tx, parent).await?,
                None => None,
            };
            let commune = commune.ok_or_else(|| DecisionError::UnknownUnit(code.to_owned()))?;
            let team = village_team(tx, texts, &unit).await?.ok_or_else(|| {
                DecisionError::NoRegisteredTeam {
                    code: unit.code.clone(),
                    name: unit.name.clone(),
                }
            })?;
            Ok(Drafted {
                draft: DecisionDraft {
                    issuer: issuer(&commune),
                    teams: vec![team],
                    commune_wide: false,
                },
                without_team: Vec::new(),
            })
        }
        UnitLevel::Commune => {
            let mut teams = Vec::new();
            let mut without_team = Vec::new();
            let villages = units::children_in_tx(tx, &unit.code).await?;
            for village in villages
                .iter()
                .filter(|v| v.level == UnitLevel::Village && v.is_current())
            {
                match village_team(tx, texts, village).await? {
                    Some(team) => teams.push(team),
                    None => without_team.push(village.name.clone()),
                }
            }
            if teams.is_empty() {
                return Err(DecisionError::NoVillageTeams {
                    code: unit.code,
                    name: unit.name,
                });
            }
            Ok(Drafted {
                draft: DecisionDraft {
                    issuer: issuer(&unit),
                    teams,
                    commune_wide: true,
                },
                without_team,
            })
        }
        UnitLevel::District | UnitLevel::Province => Err(DecisionError::NotVillageOrCommune {
            code: unit.code,
            name: unit.name,
        }),
    }
}

fn current(unit: &Unit) -> Result<(), DecisionError> {
    match &unit.ended_on {
        None => Ok(()),
        Some(ended_on) => Err(DecisionError::Ended {
            code: unit.code.clone(),
            name: unit.name.clone(),
            ended_on: ended_on.clone(),
        }),
    }
}

fn issuer(commune: &Unit) -> Issuer {
    Issuer {
        name: commune.name.clone(),
        kind: commune.kind.clone(),
    }
}

/// The village's team as the decision lists it, if registered (a draft is not founded).
async fn village_team(
    tx: &mut Tx<'_>,
    texts: &Texts,
    village: &Unit,
) -> Result<Option<VillageTeam>, DecisionError> {
    let Some(stored) = teams::team_for_unit(tx, &village.code).await? else {
        return Ok(None);
    };
    if stored.status != TeamStatus::Registered {
        return Ok(None);
    }
    let team = stored.team;
    let mut people = Vec::new();
    if let Some(name) = &team.leader_name {
        people.push(Listed {
            name: name.as_str().to_owned(),
            position: format!("Trưởng {}", village.kind.to_lowercase()),
            leader: true,
            // As the card: shown only with the person's consent (storage::consent decided).
            phone: team
                .leader_phone
                .as_ref()
                .filter(|_| team.leader_consent.is_some())
                .map(|p| p.national()),
        });
    }
    for member in &team.members {
        people.push(Listed {
            name: member.name.as_str().to_owned(),
            position: position(texts, member.role, member.role_detail.as_deref()),
            leader: false,
            phone: member.consent.is_some().then(|| member.phone.national()),
        });
    }
    Ok(Some(VillageTeam {
        code: village.code.clone(),
        name: village.name.clone(),
        kind: village.kind.clone(),
        people,
    }))
}

/// A member's position in Vietnamese: the role's name, or what the head wrote for "other".
fn position(texts: &Texts, role: MemberRole, detail: Option<&str>) -> String {
    match (role, detail.map(str::trim).filter(|d| !d.is_empty())) {
        (MemberRole::Other, Some(detail)) => detail.to_owned(),
        _ => to_plain(texts.template(Lang::Vi, crate::wording::role_key(role))),
    }
}

/// How many words of `name` spell its kind ("Xã Đại Sơn" of kind "xã": 1), or 0 when the
/// name does not start with it.
fn kind_words(name: &str, kind: &str) -> usize {
    let kind: Vec<String> = kind.split_whitespace().map(str::to_lowercase).collect();
    let words: Vec<String> = name
        .split_whitespace()
        .take(kind.len())
        .map(str::to_lowercase)
        .collect();
    match !kind.is_empty() && words == kind {
        true => kind.len(),
        false => 0,
    }
}

fn without_kind<'a>(name: &'a str, kind: &str) -> &'a str {
    let mut rest = name.trim();
    for _ in 0..kind_words(name, kind) {
        rest = rest
            .split_once(char::is_whitespace)
            .map_or("", |(_, rest)| rest.trim_start());
    }
    rest
}

fn with_kind(name: &str, kind: &str) -> String {
    format!("{} {}", kind.trim(), without_kind(name, kind))
        .trim()
        .to_owned()
}

fn in_sentence(name: &str, kind: &str) -> String {
    with_kind(name, &kind.to_lowercase())
}
