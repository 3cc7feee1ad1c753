//! What operators reach over HTTP, whatever the channels: `/healthz` and `/metrics` on their
//! own address, and the server (with its timeouts and connection cap) that the Telegram
//! webhook and (later) other channels' webhooks run on too.

pub mod admission;
pub mod health;
pub mod http;
pub mod limits;
mod log_limit;
pub mod metrics;
pub mod server;

pub(crate) use log_limit::LogLimit;
