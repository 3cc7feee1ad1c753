//! The Zalo Bot in the channel list ([`crate::channels`]): its settings checked before the
//! database opens; at start its token checked with `getMe` (a refused token stops `serve`
//! with a clear error), and the webhook set (`ZALO_BOT_WEBHOOK_URL`) or deleted (long
//! polling, which Zalo refuses while a webhook is set). Served: the webhook's route or the
//! polling loop, the file links' route, its [`ZaloBotChannel`].

use std::sync::Arc;

use axum::Router;
use futures::future::BoxFuture;

use super::api::{ApiError, ZaloBotApi};
use super::channel::ZaloBotChannel;
use super::config::{Receiving, ZaloBotArgs, ZaloBotSettings};
use super::links::FileLinks;
use super::receive::{self, Hook};
use crate::engine::Engine;
use crate::pipeline::Channel;
use crate::serve::{ChannelError, Configured, Starting};
use crate::serve::{ServedChannel, Serving};

/// How often files whose links expired are deleted.
const CLEANING_PERIOD: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Why the bot cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "Zalo Bot refused ZALO_BOT_TOKEN (getMe: error {code}, {description}): copy the token \
         Zalo Bot Creator shows for the bot again"
    )]
    Token { code: i64, description: String },
    #[error("Zalo Bot could not be reached: {0}")]
    Api(#[source] ApiError),
    #[error("the HTTP client could not be built")]
    Client(#[source] reqwest::Error),
}

/// The bot when its token is given; `None` when no Zalo Bot setting is.
pub fn configured(args: &ZaloBotArgs) -> Result<Option<Box<dyn Configured>>, ChannelError> {
    let Some(settings) = args.settings().map_err(ChannelError::settings)? else {
        return Ok(None);
    };
    if settings.public_url.is_none() {
        tracing::warn!(
            "ZALO_BOT_PUBLIC_URL is not set: the Zalo Bot cannot send pictures or files \
             (they are sent as links under it)"
        );
    }
    Ok(Some(Box::new(ZaloBotSetup { settings })))
}

struct ZaloBotSetup {
    settings: ZaloBotSettings,
}

impl Configured for ZaloBotSetup {
    fn start<'a>(
        self: Box<Self>,
        starting: Starting<'a>,
    ) -> BoxFuture<'a, Result<Arc<dyn ServedChannel>, ChannelError>> {
        Box::pin(async move {
            let bot = start(self.settings, starting.engine)
                .await
                .map_err(|e| ChannelError::start("the Zalo Bot", e))?;
            let bot: Arc<dyn ServedChannel> = Arc::new(bot);
            Ok(bot)
        })
    }
}

/// The bot, checked with Zalo and receiving as configured.
pub async fn start(settings: ZaloBotSettings, engine: &Engine) -> Result<ZaloBot, StartError> {
    let api =
        ZaloBotApi::new(&settings.api_url, settings.token.clone()).map_err(StartError::Client)?;
    match api.get_me().await {
        Ok(_) => {}
        Err(ApiError::Refused {
            code, description, ..
        }) => return Err(StartError::Token { code, description }),
        Err(error) => return Err(StartError::Api(error)),
    }
    match &settings.receiving {
        Receiving::Webhook { url, secret } => api.set_webhook(url, secret).await,
        Receiving::Polling => api.delete_webhook().await,
    }
    .map_err(StartError::Api)?;
    let links = FileLinks::new(engine.clone(), &settings.token, settings.public_url.clone());
    Ok(ZaloBot {
        api,
        links,
        settings,
    })
}

/// A started Zalo Bot.
pub struct ZaloBot {
    api: ZaloBotApi,
    links: FileLinks,
    settings: ZaloBotSettings,
}

impl ServedChannel for ZaloBot {
    fn channel(&self, engine: &Engine) -> Arc<dyn Channel> {
        Arc::new(ZaloBotChannel::new(
            self.api.clone(),
            engine.clone(),
            self.links.clone(),
            &self.settings.api_url,
        ))
    }

    fn routes(&self, serving: &Serving) -> Router {
        let files = self.links.router();
        match &self.settings.receiving {
            Receiving::Webhook { url, secret } => {
                let hook = Hook::new(
                    secret.clone(),
                    serving.recorder.clone(),
                    serving.metrics.clone(),
                    serving.limits.body_read,
                );
                files.merge(receive::router(url.path(), Arc::new(hook)))
            }
            Receiving::Polling => files,
        }
    }

    fn background(&self, serving: &Serving) -> Vec<tokio::task::JoinHandle<()>> {
        let cleaning = self.links.clone().delete_expired_forever(CLEANING_PERIOD);
        let mut tasks = vec![tokio::spawn(cleaning)];
        if let Receiving::Polling = self.settings.receiving {
            tasks.push(tokio::spawn(receive::poll_forever(
                self.api.clone(),
                serving.recorder.clone(),
                serving.metrics.clone(),
            )));
        }
        tasks
    }
}
