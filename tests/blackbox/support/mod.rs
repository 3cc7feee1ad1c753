pub mod fake_telegram;
pub mod telegram_app;
pub mod webhook;
pub mod fake_zalo;
pub mod zalo_app;
