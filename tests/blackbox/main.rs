//! Black-box tests: one binary, driving cnscd the way its users and Telegram do.

mod activities;
mod announcements;
mod crash;
mod decision;
mod engine;
mod erasure;
mod fake_telegram_smoke;
mod help_followups;
mod help_requests;
mod house;
mod outbox_lanes;
mod period_reports;
mod privacy;
mod readme;
mod reorganize;
mod replicas;
mod roles;
mod schema;
mod security;
mod support;
mod telegram;
mod transcripts;
mod typed_codes;
mod village_files;
mod zalo;
mod zalo_bot;
