//! What operators reach over HTTP, whatever the channels: `/healthz` and `/metrics`, and
//! serving a router until shutdown. Channel-neutral: the Telegram webhook and (later) other
//! channels' webhooks mount their routes beside these.

pub mod health;
pub mod http;
pub mod metrics;
