pub mod app;
pub mod fake_telegram;
pub mod fake_zalo;
pub mod fake_zalo_oauth;
pub mod telegram_app;
pub mod webhook;
pub mod zalo_app;
