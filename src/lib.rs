//! cnscd: a chatbot backend for Vietnam's Community Digital Technology Teams.
//!
//! A guided tour:
//! - [`domain`]: checked values (phone numbers, names, dates), roles, access rules, the
//!   composition rules and the alert schedule;
//! - [`conversation`]: the pure, channel-agnostic dialogue core;
//! - [`i18n`]: every sentence the bot says, from `dialogues/`;
//! - [`storage`]: the database, all SQL in one place;
//! - [`engine`]: one update in, replies out: loads context, runs the core, stores the result;
//! - [`search`]: the in-memory index that finds a place by the name a resident types;
//! - [`status`]: where a unit stands with its team, computed from data alone;
//! - [`report`]: reports for officials (chat summary, XLSX, CSV, JSON, PNG chart);
//! - [`import`]: reference data (communes, villages) from CSV files;
//! - [`invitation`]: one-time codes that bind a chat to a role and a unit;
//! - adapters: [`telegram`], and [`console`] (the same conversations in a terminal);
//! - the binary's parts: [`config`] (the command line), [`telemetry`] and [`cli`] (the
//!   subcommands).
//!
//! The benchmarks (`bench/`, crate `cnscd-bench`) and the fakes of Telegram and Zalo
//! (`fakes/`, crate `cnscd-fakes`) are crates of their own in this workspace: nothing of
//! them ships in the product binary.

pub mod alerts;
mod base64_bytes;
pub mod channels;
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
pub mod serve;
pub mod status;
pub mod storage;
pub mod telegram;
pub mod telemetry;
pub mod wording;
pub mod zalo;
pub mod zalo_bot;
