//! Golden transcripts: each file in `tests/transcripts/` is a conversation. Lines starting
//! with `>` are what the user does and `!` lines set the scene; everything else is what the
//! bot answered, regenerated on every run and compared. `UPDATE_GOLDEN=1` rewrites the files.
//!
//! User lines: `> text`, `> [Label]` presses a button of the latest message that has one,
//! `> [old:Label]` presses it on an earlier message, `> (sticker)`, `> (voice)`,
//! `> (location)`, `> (photo ID)`, `> (pdf ID)`, `> (document ID)`, `> (contact PHONE)`,
//! `> (empty)`, `> (long N)` (N letters), `> (payload RAW)` (a forged button).
//! Scene lines: `! invite VILLAGE` (the code is then `$CODE`), `! now RFC3339`,
//! `! restart` (a new engine on the same database), `! bot NAME` (the bot's username is
//! known from now on), `! lang en`, `! team VILLAGE` (prints the team as stored), `! rules
//! FILE` (composition rules from `data/rules/`), `! traces PHONE CHAT NAME` (what the database
//! still holds about a person and their chat), `! erase PHONE` (`cnscd erase --phone`),
//! `! reorganize [VILLAGES]` (`cnscd units reorganize` with Tứ Kỳ's map, and a village file
//! of `tests/data/`; `! restart` afterwards to search the new structure).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use cnscd::clock::ManualClock;
use cnscd::conversation::{FileKind, FileUpload, Incoming, Reply, UnsupportedKind};
use cnscd::domain::{AccountRole, CompositionRules};
use cnscd::engine::{ChannelName, ChatKey};
use cnscd::storage::campaigns::CampaignCreated;
use cnscd::storage::scratch::ScratchDb;
use cnscd::storage::{Backend, Store};

use crate::support::app::{invitation, scratch, TestApp};

/// Two villages in Xã Đại Sơn, and a "Thôn Đông" in nine other communes (namesakes that
/// only their commune tells apart).
const VILLAGES: &str = "commune_code,name,code\n11083,Thôn Đông Sơn,11083-01\n11083,Thôn Tây Sơn,11083-02\n11074,Thôn Đông,11074-01\n11086,Thôn Đông,11086-01\n11089,Thôn Đông,11089-01\n11092,Thôn Đông,11092-01\n11095,Thôn Đông,11095-01\n11098,Thôn Đông,11098-01\n11101,Thôn Đông,11101-01\n11110,Thôn Đông,11110-01\n11113,Thôn Đông,11113-01\n";

struct Scene {
    /// `! restart` and `! rules` give it a new engine; no invitation until `! invite`.
    app: TestApp,
    code: String,
    chat: String,
    replies: std::collections::HashMap<String, Vec<Reply>>,
    update: u64,
}

impl Scene {
    async fn new(db: ScratchDb) -> Scene {
        let app = TestApp::builder()
            .on(db)
            .villages(VILLAGES)
            .no_invitation()
            .build()
            .await;
        Scene {
            app,
            code: String::new(),
            chat: "1".into(),
            replies: Default::default(),
            update: 0,
        }
    }

    async fn scene(&mut self, line: &str, out: &mut String) {
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
                    out.push_str(&format!("= {actor} {}\n", entry.action));
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
            "reorganize" => {
                // `cnscd units reorganize` with the map of Tứ Kỳ (see reorganize.rs), and
                // the village file ARG names in tests/data/, if any; its output, line by line.
                let dir = tempfile::tempdir().expect("temp dir");
                let map = dir.path().join("map.csv");
                std::fs::write(&map, super::reorganize::tu_ky_map()).expect("map");
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

    fn incoming(&self, said: &str) -> Option<Incoming> {
        let said = said.replace("$CODE", &self.code);
        if let Some(label) = said.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            return self.button(label).map(Incoming::Button);
        }
        let Some(special) = said.strip_prefix('(').and_then(|s| s.strip_suffix(')')) else {
            return Some(Incoming::Text(said));
        };
        let (kind, arg) = special.split_once(' ').unwrap_or((special, ""));
        let file = |kind| {
            Incoming::File(FileUpload {
                file_id: arg.to_owned(),
                kind,
                sha256: Some(format!("sha-of-{arg}")),
                content: None,
            })
        };
        Some(match kind {
            "sticker" => Incoming::Unsupported(UnsupportedKind::Sticker),
            "voice" => Incoming::Unsupported(UnsupportedKind::Voice),
            "location" => Incoming::Unsupported(UnsupportedKind::Location),
            "photo" => file(FileKind::Photo),
            "pdf" => file(FileKind::Pdf),
            "document" => file(FileKind::Other),
            "contact" => Incoming::Contact {
                phone: arg.to_owned(),
                own: true,
            },
            "contact-of" => Incoming::Contact {
                phone: arg.to_owned(),
                own: false,
            },
            "csv" => Incoming::File(FileUpload {
                file_id: "villages.csv".into(),
                kind: FileKind::Other,
                sha256: None,
                content: Some(arg.replace('|', "\n").into_bytes()),
            }),
            "empty" => Incoming::Text(String::new()),
            "long" => Incoming::Text("a".repeat(arg.parse().expect("length"))),
            "payload" => Incoming::Button(arg.to_owned()),
            other => panic!("unknown input `({other})`"),
        })
    }

    /// The payload of the button labelled `label` on the latest message that has buttons
    /// (or, for `old:label`, on any message before that one).
    fn button(&self, label: &str) -> Option<String> {
        let with_buttons = |r: &&Reply| !r.buttons.is_empty();
        let replies = self.replies.get(&self.chat)?;
        let latest = replies.iter().rposition(|r| with_buttons(&r));
        let (label, candidates) = match (label.strip_prefix("old:"), latest) {
            (Some(label), Some(latest)) => (label, &replies[..latest]),
            (None, Some(latest)) => (label, &replies[latest..=latest]),
            (_, None) => return None,
        };
        candidates
            .iter()
            .rev()
            .find_map(|r| r.buttons.iter().flatten().find(|b| b.label == label))
            .map(|b| b.payload.clone())
    }

    async fn say(&mut self, said: &str, out: &mut String) {
        let chat = ChatKey::new(ChannelName::Console, self.chat.clone());
        // A forged button: a payload no message offered, stamped with the current revision so
        // only the access checks can stop it.
        let forged = match said
            .strip_prefix("(forged ")
            .and_then(|s| s.strip_suffix(')'))
        {
            Some(action) => {
                let rev = self.app.engine.session(&chat).await.expect("session").rev;
                Some(Incoming::Button(format!("{rev}:{action}")))
            }
            None => None,
        };
        let Some(incoming) = forged.or_else(|| self.incoming(said)) else {
            panic!("{out}\n^^^ the transcript so far; no button {said} to press");
        };
        self.update += 1;
        let replies = self
            .app
            .engine
            .handle(&chat, Some(&self.update.to_string()), incoming)
            .await
            .expect("engine");
        for reply in &replies {
            // An invitation made in chat: its random code becomes `$CODE` for what follows.
            if let Some(code) = invitation_code(reply.text.as_str()) {
                self.code = code.to_owned();
            }
            let mut shown = String::new();
            render(reply, &mut shown);
            if self.code.is_empty() {
                out.push_str(&shown);
            } else {
                out.push_str(&shown.replace(&self.code, "$CODE"));
            }
        }
        for reply in &replies {
            let mut shown = String::new();
            render_extras(reply, &mut shown);
            match self.code.is_empty() {
                true => out.push_str(&shown),
                false => out.push_str(&shown.replace(&self.code, "$CODE")),
            }
        }
        self.replies
            .entry(self.chat.clone())
            .or_default()
            .extend(replies);
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

/// The code of an invitation reply: the text between `<code>` and `</code>`.
fn invitation_code(text: &str) -> Option<&str> {
    let start = text.find("<code>")? + "<code>".len();
    let end = text[start..].find("</code>")? + start;
    Some(&text[start..end])
}

/// A picture and a contact request, which a text rendering would not show.
fn render_extras(reply: &Reply, out: &mut String) {
    if let Some(image) = &reply.image {
        let valid = image.bytes.starts_with(b"\x89PNG");
        // An invitation's QR code must hold its link: the picture is drawn again from it.
        let link = reply
            .text
            .as_str()
            .split_whitespace()
            .find(|w| w.starts_with("https://"));
        let holds = link.filter(|link| cnscd::qr::qr_png(link).ok().as_ref() == Some(&image.bytes));
        match holds {
            Some(link) => out.push_str(&format!("  (a picture: QR code of {link})\n")),
            None => out.push_str(&format!("  (a picture: valid PNG: {valid})\n")),
        }
        if let Some(caption) = &image.caption {
            out.push_str(&format!("  (its caption: {caption})\n"));
        }
    }
    if let Some(label) = &reply.ask_contact {
        out.push_str(&format!("  (a share-my-contact button: {label})\n"));
    }
}

fn render(reply: &Reply, out: &mut String) {
    for (i, line) in reply.text.as_str().lines().enumerate() {
        let mark = if i == 0 { "<" } else { "|" };
        out.push_str(mark);
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
    for row in &reply.buttons {
        let labels: Vec<String> = row.iter().map(|b| format!("[{}]", b.label)).collect();
        out.push_str(&format!("  {}\n", labels.join(" ")));
    }
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
            m.workplace.as_deref().unwrap_or("-")
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

async fn replay(path: &Path, db: ScratchDb) -> String {
    let script =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut scene = Scene::new(db).await;
    let mut out = String::new();
    for line in script.lines() {
        if line.starts_with('>')
            || line.starts_with('!')
            || line.starts_with('#')
            || line.is_empty()
        {
            out.push_str(line);
            out.push('\n');
        }
        if let Some(said) = line.strip_prefix('>') {
            scene
                .say(said.strip_prefix(' ').unwrap_or(said), &mut out)
                .await;
        } else if let Some(set) = line.strip_prefix("! ") {
            scene.scene(set, &mut out).await;
        }
    }
    scene.app.destroy().await;
    out
}

fn unfilled_placeholder(text: &str) -> Option<&str> {
    let start = text.find('{')?;
    let end = text[start..].find('}')? + start;
    let name = &text[start + 1..end];
    name.chars()
        .all(|c| c.is_ascii_lowercase() || c == '_')
        .then_some(name)
}

/// Replays a transcript on SQLite, or on PostgreSQL when [`POSTGRES_URL_VAR`] names a
/// server (skipped otherwise): both engines must hold the same conversation.
async fn check(name: &str, backend: Backend) {
    let Some(db) = scratch(backend, name).await else {
        return;
    };
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "transcripts",
        &format!("{name}.txt"),
    ]
    .iter()
    .collect();
    let actual = replay(&path, db).await;
    if let Some(placeholder) = unfilled_placeholder(&actual) {
        panic!("{name}: the bot sent an unfilled placeholder {{{placeholder}}}");
    }
    if backend == Backend::Sqlite && std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("golden");
    pretty_assertions::assert_eq!(
        expected,
        actual,
        "{name}: the conversation changed (UPDATE_GOLDEN=1 to accept)"
    );
}

macro_rules! golden {
    ($($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                check(stringify!($name), Backend::Sqlite).await;
            }
        )*
        /// The same conversations with PostgreSQL underneath.
        mod on_postgresql {
            use cnscd::storage::Backend;
            $(
                #[tokio::test]
                async fn $name() {
                    super::check(stringify!($name), Backend::Postgres).await;
                }
            )*
        }
    };
}

golden!(
    a_village_head_registers_a_full_team,
    every_wrong_answer_is_refused_with_a_reason,
    back_keep_and_skip_move_between_questions,
    the_two_to_five_rule_comes_from_the_rules_file,
    cancel_keeps_a_draft_that_can_be_resumed,
    stray_input_changes_nothing,
    edit_and_remove_members_after_registration,
    invitations_are_single_use_and_expire,
    residents_find_their_team_whatever_the_spelling,
    a_member_shows_or_hides_their_own_number,
    a_commune_official_keeps_the_village_list_and_invites_heads,
    a_commune_official_registers_the_commune_team,
    a_district_official_invites_commune_officials,
    other_provinces_rules_apply_from_the_rules_file,
    two_heads_editing_one_team_cannot_overwrite_each_other,
    a_whole_campaign_of_deadline_alerts,
    whose_word_publishes_a_number_the_leader_included,
    names_are_tidied_and_free_text_needs_letters,
    a_commune_team_follows_the_commune_rules,
    the_founding_decision_is_checked_and_kept_when_saving_again,
    residents_type_a_place_without_a_command,
    a_district_official_sets_one_deadline_for_the_district,
    a_deadline_over_another_campaigns_area_is_refused,
    officials_help_lists_what_their_role_may_do,
    a_commune_official_is_told_the_status_reports_give,
    invitations_made_in_chat_carry_their_link_and_a_captioned_qr_code,
    officials_see_the_teams_of_their_villages,
    erasure_leaves_nothing_that_names_the_person,
    the_official_above_revokes_an_account,
    a_province_official_follows_the_communes_after_the_reform,
);

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
