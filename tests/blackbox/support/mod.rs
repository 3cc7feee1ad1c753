pub mod app;
pub mod release;
pub mod telegram_app;
pub mod typed_codes;
pub mod webhook;
pub mod zalo_app;
pub mod zalo_heads;

// The fakes live in their own crate, shared with the benchmarks.
pub use cnscd_fakes::{
    telegram as fake_telegram, zalo as fake_zalo, zalo_oauth as fake_zalo_oauth,
};
