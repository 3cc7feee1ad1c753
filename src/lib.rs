//! cnscd: a chatbot backend for Vietnam's Community Digital Technology Teams.
//!
//! A guided tour:
//! - [`domain`]: checked values (phone numbers, names, dates) and the composition rules;
//! - [`conversation`]: the pure, channel-agnostic dialogue core;
//! - [`i18n`]: every sentence the bot says, from `dialogues/`;
//! - [`storage`]: the database, all SQL in one place;
//! - [`engine`]: one update in, replies out: loads context, runs the core, stores the result;
//! - [`import`]: reference data (communes, villages) from CSV files;
//! - [`invitation`]: one-time codes that bind a chat to a role and a unit;
//! - [`status`]: where a unit stands with its team, computed from data alone;
//! - [`report`]: reports for officials (chat summary, XLSX, CSV, JSON, PNG chart);
//! - [`bench`]: benchmarks at national scale.

pub mod bench;
pub mod clock;
pub mod conversation;
pub mod domain;
pub mod engine;
pub mod i18n;
pub mod import;
pub mod invitation;
pub mod report;
pub mod status;
pub mod storage;
pub mod telegram;
