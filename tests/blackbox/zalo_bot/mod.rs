//! The Zalo Bot channel, driven through its real start, long polling or webhook, inbox,
//! worker, outbox and channel, against a fake Zalo Bot Platform on 127.0.0.1.

mod app;
mod conversation;
mod help;
mod links;
mod readme;
mod receiving;
mod sending;
