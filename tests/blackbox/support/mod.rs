pub mod fake_telegram;
pub mod telegram_app;
pub mod webhook;
