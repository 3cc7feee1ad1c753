//! Scene lines (`! …`): what a transcript sets up or inspects around the conversation.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use cnscd::clock::ManualClock;
use cnscd::domain::{AccountRole, CompositionRules};
use cnscd::storage::campaigns::CampaignCreated;
use cnscd::storage::Store;

use super::render::render;
use super::Scene;
use crate::support::app::invitation;

impl Scene {
    pub(super) async fn scene(&mut self, line: &str, out: &mut String) {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        match verb {
            "invite" => {
                let now = clock_now(&self.app.clock);
                let (role, unit) = match arg.split_once(' ') {
                    Some((role, unit)) => (AccountRole::parse(role).expect("role"), unit),
                    None => (AccountRole::VillageHead, arg),
                };
                self.code = invitation(self.app.engine.store(), role, unit, now).await;
            }
            "chat" => self.chat = arg.to_owned(),
            "bot" => self.app.engine = self.app.engine.clone().with_bot_username(arg),
            "campaign" => {
                let (deadline, scope) = arg.split_once(' ').expect("! campaign DEADLINE SCOPE");
                let deadline = cnscd::domain::decision::parse_date(deadline).expect("deadline");
                let now = clock_now(&self.app.clock);
                let store = self.app.engine.store();
                let name = cnscd::storage::campaigns::DEFAULT_CAMPAIGN_NAME;
                let created = store
                    .create_campaign(name, deadline, scope, "test", now)
                    .await
                    .expect("campaign");
                // A new campaign says nothing; one that met another says what it did.
                match created {
                    CampaignCreated::New(_) => {}
                    CampaignCreated::Updated(id) => {
                        out.push_str(&format!("= campaign {id} of the same area updated\n"))
                    }
                    CampaignCreated::Refused(other) => out.push_str(&format!(
                        "= refused: campaign {} of {} overlaps\n",
                        other.campaign.id, other.scope_name
                    )),
                }
            }
            "alerts" => {
                let schedule = cnscd::domain::schedule::Schedule::default();
                let now = clock_now(&self.app.clock);
                let run = cnscd::alerts::run_due(&self.app.engine, &schedule, now)
                    .await
                    .expect("alerts");
                let due: Vec<String> = run.due.iter().map(|(_, slot)| slot.clone()).collect();
                out.push_str(&format!(
                    "= due: {:?}, queued {}, sent before {}\n",
                    due, run.queued, run.already_sent
                ));
                self.deliver(out).await;
            }
            // The help requests' follow-up pass at the scene's clock, then what it queued.
            "followups" => {
                let now = clock_now(&self.app.clock);
                let run = cnscd::alerts::run_help_followups(&self.app.engine, now)
                    .await
                    .expect("follow-ups");
                out.push_str(&format!(
                    "= follow-ups: {} steps, {} queued\n",
                    run.steps, run.queued
                ));
                self.deliver(out).await;
            }
            "deliver" => self.deliver(out).await,
            "traces" => {
                let mut words = arg.splitn(3, ' ');
                let (Some(phone), Some(chat), Some(name)) =
                    (words.next(), words.next(), words.next())
                else {
                    panic!("! traces PHONE CHAT NAME");
                };
                out.push_str(&traces(self.app.engine.store(), phone, chat, name).await);
            }
            "erase" => {
                let mut said = Vec::new();
                cnscd::cli::privacy::erase(&self.app.engine, arg, &mut said)
                    .await
                    .expect("erased");
                out.push_str(&format!("= {}", String::from_utf8_lossy(&said)));
            }
            "block" => {
                let now = clock_now(&self.app.clock);
                self.app
                    .engine
                    .store()
                    .mark_chat_blocked("console", arg, now)
                    .await
                    .expect("block");
            }
            "outbox" => {
                let pending = self.app.engine.store().pending_outbox("console", 100).await;
                for message in pending.expect("outbox") {
                    let text = cnscd::i18n::to_plain(message.reply.text.as_str());
                    let text = text.replace('\n', " / ");
                    out.push_str(&format!("= to chat {}: {text}\n", message.chat_id));
                    if let Some(document) = &message.reply.document {
                        out.push_str(&format!("=   {}\n", super::render::document_line(document)));
                    }
                }
            }
            "audit" => {
                for entry in self
                    .app
                    .engine
                    .store()
                    .audit_of_unit(arg)
                    .await
                    .expect("audit")
                {
                    // Erasure's pseudonyms are random: only their kind is compared.
                    let actor = if entry.actor.starts_with("erased:") {
                        "erased:(pseudonym)"
                    } else {
                        entry.actor.as_str()
                    };
                    out.push_str(&format!("= {actor} {}\n", entry.action.stored()));
                }
            }
            "now" => self.app.clock.set(at(arg)),
            "restart" => self.app.restart().await,
            "rules" => {
                let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("data/rules")
                    .join(arg);
                self.app.rules = Arc::new(CompositionRules::from_file(&path).expect("rules file"));
                self.app.restart().await;
            }
            "team" => out.push_str(&stored_team(self.app.engine.store(), arg).await),
            "activities" => out.push_str(&stored_activities(self.app.engine.store(), arg).await),
            "requests" => out.push_str(&stored_requests(self.app.engine.store(), arg).await),
            "reorganize" => {
                // `cnscd units reorganize` with the map of Tứ Kỳ (see reorganize.rs), and
                // the village file ARG names in tests/data/, if any; its output, line by line.
                let dir = tempfile::tempdir().expect("temp dir");
                let map = dir.path().join("map.csv");
                std::fs::write(&map, crate::reorganize::tu_ky_map()).expect("map");
                let villages = (!arg.is_empty()).then(|| {
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("tests/data")
                        .join(arg)
                });
                let options = cnscd::import::reorganize::Options {
                    dry_run: false,
                    revoke_officials: false,
                    effective_on: cnscd::import::reorganize::reform_day(),
                };
                let mut said = Vec::new();
                cnscd::cli::units::reorganize(
                    &self.app.engine,
                    &map,
                    villages.as_deref(),
                    &options,
                    &mut said,
                )
                .await
                .expect("reorganized");
                for line in String::from_utf8_lossy(&said).lines() {
                    out.push_str(&format!("= {line}\n"));
                }
            }
            "seed" => seed_activity(self.app.engine.store(), arg, clock_now(&self.app.clock)).await,
            "village" => {
                let (commune, name) = arg.split_once(' ').expect("! village COMMUNE NAME");
                let store = self.app.engine.store();
                let mut tx = store.begin().await.expect("begin");
                let now = clock_now(&self.app.clock);
                let code = cnscd::storage::directory::add_village(&mut tx, commune, name, now)
                    .await
                    .expect("village added");
                tx.commit().await.expect("commit");
                out.push_str(&format!("= {code} {name}\n"));
            }
            "registered" => {
                seed_team(self.app.engine.store(), arg, clock_now(&self.app.clock)).await
            }
            "member-chat" => {
                let (phone, chat) = arg.split_once(' ').expect("! member-chat PHONE CHAT");
                let phone = cnscd::domain::PhoneNumber::parse(phone).expect("phone");
                let store = self.app.engine.store();
                let mut tx = store.begin().await.expect("begin");
                let now = clock_now(&self.app.clock);
                cnscd::storage::erasure::remember_member_chat(
                    &mut tx, &phone, "console", chat, now,
                )
                .await
                .expect("remembered");
                tx.commit().await.expect("commit");
            }
            other => panic!("unknown scene line `! {other}`"),
        }
    }

    /// Prints every message waiting in the outbox, as each chat would receive it, and marks
    /// it sent; its buttons can then be pressed in that chat.
    async fn deliver(&mut self, out: &mut String) {
        let store = self.app.engine.store();
        let now = clock_now(&self.app.clock);
        for message in store.pending_outbox("console", 100).await.expect("outbox") {
            out.push_str(&format!("= to chat {}:\n", message.chat_id));
            render(&message.reply, out);
            store.mark_outbox_sent(message.id, now).await.expect("sent");
            self.replies
                .entry(message.chat_id.clone())
                .or_default()
                .push(message.reply);
        }
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339 time")
        .with_timezone(&Utc)
}

fn clock_now(clock: &ManualClock) -> DateTime<Utc> {
    cnscd::clock::Clock::now(clock)
}

async fn stored_team(store: &Store, unit: &str) -> String {
    let Some(team) = store.team(unit).await.expect("team query") else {
        return format!("= no team stored for {unit}\n");
    };
    let t = &team.team;
    let mut out = format!(
        "= team {unit}: {:?}, leader {} {}, {} members, draft {}\n",
        team.status,
        t.leader_name.as_ref().map_or("-", |n| n.as_str()),
        t.leader_phone.as_ref().map_or("-", |p| p.e164()),
        t.members.len(),
        if team.unfinished.is_some() {
            "kept"
        } else {
            "none"
        },
    );
    for m in &t.members {
        out.push_str(&format!(
            "=   {} | {} | {} | {} | consent {} | {}\n",
            m.name,
            m.role.code(),
            m.role_detail.as_deref().unwrap_or("-"),
            m.phone.e164(),
            m.consent.map_or("none", |c| c.code()),
            m.fields.named("workplace").unwrap_or("-")
        ));
    }
    let d = &t.decision;
    if let (Some(number), Some(date)) = (&d.number, d.date) {
        let file = d.file.as_ref().map_or("no file".to_owned(), |f| {
            format!("{} {}", f.kind.code(), f.file_id)
        });
        out.push_str(&format!(
            "=   decision {} of {date}, {file}\n",
            number.as_str()
        ));
    }
    out
}

/// Counts of what the database holds about the person with `phone` (E.164), `name` and their
/// chat `chat`: rows naming them, sessions and messages mentioning them, audit rows by the chat.
async fn traces(store: &Store, phone: &str, chat: &str, name: &str) -> String {
    let count = |sql: &'static str, value: String| async move {
        let n: i64 = sqlx::query_scalar(sql)
            .bind(value)
            .fetch_one(store.pool())
            .await
            .expect("count");
        n
    };
    let like = format!("%{phone}%");
    let members = count(
        "SELECT COUNT(*) FROM members WHERE phone = $1",
        phone.into(),
    )
    .await;
    let consents = count(
        "SELECT COUNT(*) FROM phone_consents WHERE phone = $1",
        phone.into(),
    )
    .await;
    let sessions = count(
        "SELECT COUNT(*) FROM dialogue_states WHERE session LIKE $1 OR chat_id = $1",
        like.clone(),
    )
    .await
        + count(
            "SELECT COUNT(*) FROM dialogue_states WHERE chat_id = $1",
            chat.into(),
        )
        .await;
    let messages = count("SELECT COUNT(*) FROM outbox WHERE body LIKE $1", like).await
        + count(
            "SELECT COUNT(*) FROM outbox WHERE body LIKE $1",
            format!("%{name}%"),
        )
        .await
        + count(
            "SELECT COUNT(*) FROM outbox WHERE chat_id = $1",
            chat.into(),
        )
        .await;
    let audit = count(
        "SELECT COUNT(*) FROM audit_log WHERE actor = $1",
        format!("console:{chat}"),
    )
    .await;
    format!(
        "= members {members}, consents {consents}, sessions {sessions}, messages {messages}, \
         audit rows by the chat {audit}\n"
    )
}

/// `! seed VILLAGE KIND PEOPLE HOUSEHOLDS DAY` (`-` for no households): an activity as a
/// member would log it, written with plain SQL and stamped as storage stamps it, so a lock
/// compares it with an approval as it would compare a logged entry.
async fn seed_activity(store: &Store, arg: &str, now: DateTime<Utc>) {
    let words: Vec<&str> = arg.split(' ').collect();
    let [village, kind, people, households, day] = words[..] else {
        panic!("! seed VILLAGE KIND PEOPLE HOUSEHOLDS DAY");
    };
    let people: i64 = people.parse().expect("people");
    let households: Option<i64> =
        (households != "-").then(|| households.parse().expect("households"));
    sqlx::query(
        "INSERT INTO activities (unit_code, kind, people, households, done_on, source, recorded_at)
         VALUES ($1, $2, $3, $4, $5, 'console', $6)",
    )
    .bind(village)
    .bind(kind)
    .bind(people)
    .bind(households)
    .bind(day)
    .bind(now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    .execute(store.pool())
    .await
    .expect("seeded activity");
}

/// `! registered VILLAGE LEADER NAME, PHONE; MEMBER NAME, PHONE; …`: a registered team,
/// its first person the leader (each member a Youth Union secretary: the role is not what
/// the scene is about).
async fn seed_team(store: &Store, arg: &str, now: DateTime<Utc>) {
    use cnscd::domain::{ConsentSource, Member, MemberRole, PersonName, PhoneNumber, Team};
    let (village, people) = arg.split_once(' ').expect("! registered VILLAGE PEOPLE");
    let mut people = people.split(';').map(|person| {
        let (name, phone) = person.split_once(',').expect("NAME, PHONE");
        (
            PersonName::parse(name.trim()).expect("name"),
            PhoneNumber::parse(phone.trim()).expect("phone"),
        )
    });
    let (leader_name, leader_phone) = people.next().expect("a leader");
    let roles = [
        MemberRole::YouthUnionSecretary,
        MemberRole::FarmersAssociationHead,
        MemberRole::WomensUnionHead,
    ];
    let members = people
        .zip(roles)
        .map(|((name, phone), role)| Member {
            name,
            role,
            role_detail: None,
            phone,
            fields: cnscd::domain::Fields::default(),
            zalo: None,
            consent: Some(ConsentSource::Member),
        })
        .collect();
    let team = Team {
        leader_name: Some(leader_name),
        leader_phone: Some(leader_phone),
        members,
        ..Team::default()
    };
    let mut tx = store.begin().await.expect("begin");
    cnscd::storage::teams::save_team(&mut tx, village, &team, None, now)
        .await
        .expect("saved");
    tx.commit().await.expect("commit");
}

/// The activity entries of a unit as stored, one line each (the key is left out: it names
/// the chat's update).
async fn stored_requests(store: &Store, unit: &str) -> String {
    let requests = store.help_requests_of_unit(unit).await.expect("requests");
    let mut out = format!("= {} request(s) for help of {unit}\n", requests.len());
    for r in requests {
        out.push_str(&format!(
            "= #{} {} {} by {} phone {} owner {} rating {} reopened {} activity {} (v{})\n",
            r.id,
            r.need,
            r.status.stored(),
            r.resident_key().unwrap_or_else(|| "-".into()),
            r.resident_phone.as_deref().unwrap_or("-"),
            r.owner.as_ref().map_or("-".to_owned(), |o| format!(
                "{} {}:{}",
                o.name, o.channel, o.chat
            )),
            r.rating.map_or("-".to_owned(), |n| n.to_string()),
            r.reopened,
            r.activity_id.map_or("-".to_owned(), |n| n.to_string()),
            r.version,
        ));
    }
    out
}

async fn stored_activities(store: &Store, unit: &str) -> String {
    let mut tx = store.begin().await.expect("begin");
    let entries = cnscd::storage::activities::of_unit(&mut tx, unit)
        .await
        .expect("activities");
    tx.rollback().await.expect("rollback");
    let mut out = format!("= {} activities of {unit}\n", entries.len());
    for stored in entries {
        let e = stored.entry;
        out.push_str(&format!(
            "= {} {} people {} households on {} by {} note {} ({})\n",
            e.kind,
            e.people,
            e.households.map_or("-".to_owned(), |h| h.to_string()),
            e.done_on,
            e.by.as_ref()
                .map_or("-".to_owned(), |(p, n)| format!("{n} {}", p.e164())),
            e.note.as_deref().unwrap_or("-"),
            e.source,
        ));
    }
    out
}
