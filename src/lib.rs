//! cnscd: a chatbot backend for Vietnam's Community Digital Technology Teams.
//!
//! A guided tour, from the bottom up: each module imports only those before it in this
//! list (a test, `house`, fails on an import that closes a cycle).
//! - [`clock`], [`files`], [`qr`], [`secrets`] (from the environment, never printed),
//!   [`i18n`] (every sentence the bot says, from `dialogues/`): small tools that know
//!   nothing of the rest;
//! - [`chat`]: who the bot talks to: the channels, a chat on one, the window in which a
//!   chat can be written to;
//! - [`domain`]: checked values (phone numbers, names, dates, invitation codes), roles,
//!   access rules, the composition rules, a unit's status and the alert schedule;
//! - [`wording`]: the words for roles and statuses that several features say;
//! - [`conversation`]: the pure, channel-agnostic dialogue core,
//!   `(session, incoming, context) → (session, replies, effects)`;
//! - [`storage`]: the database, all SQL in one place (the conversation's sessions too);
//! - [`search`]: the in-memory index that finds a place by the name a resident types;
//! - [`import`]: reference data (communes, villages) and the 2025 reorganisation;
//! - [`report`]: reports for officials (chat summary, XLSX, DOCX, CSV, JSON, PNG chart);
//! - [`invitation`]: one-time codes that bind a chat to a role and a unit;
//! - [`engine`]: one step: reads what the core asks for, runs it, stores the session and
//!   the effects in one transaction;
//! - [`alerts`]: deadline campaigns, their digests and reminders, one chat per person;
//! - [`ops`]: `/healthz`, `/metrics` and the HTTP server under every listener;
//! - [`pipeline`]: the one durable path of every channel: inbox, worker, outbox, sender;
//! - [`serve`]: every configured channel on one pipeline, and what a channel brings to it;
//! - the channels, each a room of its own: [`telegram`], [`zalo`] (Official Account),
//!   [`zalo_bot`] (Zalo Bot Platform) and [`console`] (the same conversations in a
//!   terminal);
//! - [`channels`]: the channel list, the one place that names every channel `serve` starts;
//! - the binary's parts: [`config`] (the command line), [`telemetry`] and [`cli`] (the
//!   subcommands).
//!
//! The benchmarks (`bench/`, crate `cnscd-bench`) and the fakes of Telegram and Zalo
//! (`fakes/`, crate `cnscd-fakes`) are crates of their own in this workspace: nothing of
//! them ships in the product binary.

pub mod alerts;
mod base64_bytes;
pub mod channels;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod conversation;
pub mod domain;
pub mod engine;
pub mod files;
pub mod i18n;
pub mod import;
pub mod invitation;
pub mod ops;
pub mod pipeline;
pub mod qr;
pub mod report;
pub mod search;
pub mod secrets;
pub mod serve;
pub mod storage;
pub mod telegram;
pub mod telemetry;
pub mod wording;
pub mod zalo;
pub mod zalo_bot;
