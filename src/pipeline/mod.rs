//! The one durable path every channel goes through: inbox → engine → outbox.
//!
//! - A channel adapter only parses what arrives, **records** it ([`Recorder`]) and then tells
//!   its channel it was received (the offset of the next `getUpdates`, a webhook's 200). A
//!   crash before the record commits loses nothing: the channel delivers it again.
//! - The [`worker`] takes recorded events per chat, in order, and applies several chats'
//!   events in one transaction (one fsync for many steps). A step's replies are written in
//!   that transaction as outbox rows; an event that keeps failing is parked with its error
//!   and the chat is told.
//! - The [`sender`] delivers outbox rows per chat, in order, through the chat's [`Channel`],
//!   and marks each sent. Unsent rows survive a crash and go out after it.
//!
//! What can still repeat after a crash: a message the channel accepted in the few
//! milliseconds before it was marked sent (see the README, "Nothing lost").

mod channel;
mod outgoing;
pub mod plain_text;
mod recorder;
mod running;
pub mod sender;
pub mod worker;

pub use channel::{Channel, FetchError, Fetched, SendError};
pub use outgoing::{delivery_parts, Outgoing};
pub use recorder::{NotRecorded, Recorded, Recorder};
pub use running::{Pipeline, PipelineOptions};
pub use sender::{BulkRateError, BulkRates, Sender};
pub use worker::{DownloadLimits, Worker};
