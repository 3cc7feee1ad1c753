//! The floor: the smallest teloxide bot (long polling, echo every text), on the same fake
//! server and load as cnscd.

use std::future::Future;

use teloxide::dispatching::{Dispatcher, UpdateFilterExt};
use teloxide::prelude::*;
use teloxide::update_listeners;

pub async fn echo_until(bot: Bot, shutdown: impl Future<Output = ()>) {
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = msg.text().unwrap_or("…").to_owned();
        bot.send_message(msg.chat.id, text).await?;
        Ok::<(), teloxide::RequestError>(())
    });
    let mut dispatcher = Dispatcher::builder(bot.clone(), handler).build();
    let token = dispatcher.shutdown_token();
    let listener = update_listeners::polling_default(bot).await;
    let errors = LoggingErrorHandler::with_custom_text("echo bot polling");
    let dispatching = dispatcher.dispatch_with_listener(listener, errors);
    tokio::pin!(dispatching);
    tokio::select! {
        () = &mut dispatching => {}
        () = shutdown => {
            // Refused only while the dispatcher is still starting: ask until it accepts.
            while token.shutdown().is_err() {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            dispatching.await;
        }
    }
}
