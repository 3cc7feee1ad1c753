//! The Zalo Official Account channel, driven through its real webhook, inbox, worker,
//! outbox and a fake Zalo on 127.0.0.1.

mod announce;
mod binary;
pub(crate) mod conversation;
mod decision;
mod delivery;
mod downloads;
mod form;
mod paused;
mod proof;
mod tokens;
mod webhook;
mod window;
