//! Fakes of the outside services cnscd talks to, each an HTTP server on 127.0.0.1 that
//! speaks the service's wire protocol: the Telegram Bot API ([`telegram`]), Zalo's Official
//! Account API ([`zalo`]), Zalo's OAuth token endpoint ([`zalo_oauth`]) and the Zalo Bot
//! Platform ([`zalo_bot`]). The black-box tests and the load benchmark share them; none of
//! them depends on cnscd. Beside them, the people on the other side: [`crowd`] drives many chats through the fake Bot API while the
//! bot process is killed under them (the crash test and `cnscd-bench crash`).

pub mod crowd;
pub mod telegram;
pub mod zalo;
pub mod zalo_bot;
pub mod zalo_oauth;
