//! Zalo in the channel list ([`crate::channels`]): its settings checked before anything
//! opens, its window and typed codes made known to the engine, its tokens set up at start.

use std::sync::Arc;

use futures::future::BoxFuture;

use super::adapter::Zalo;
use super::config::{ZaloArgs, ZaloSettings};
use super::tokens::Tokens;
use super::CHANNEL;
use crate::chat::Window;
use crate::engine::Engine;
use crate::serve::ServedChannel;
use crate::serve::{ChannelError, Configured, Starting};

/// The Official Account when its settings are given; `None` when none of them is.
pub fn configured(args: &ZaloArgs) -> Result<Option<Box<dyn Configured>>, ChannelError> {
    let Some(settings) = args.settings().map_err(ChannelError::settings)? else {
        return Ok(None);
    };
    settings
        .require_form_image()
        .map_err(ChannelError::settings)?;
    Ok(Some(Box::new(ZaloSetup { settings })))
}

struct ZaloSetup {
    settings: ZaloSettings,
}

impl Configured for ZaloSetup {
    fn prepare(&self, engine: Engine) -> Engine {
        let window = Window {
            free: self.settings.free_window,
            limit: self.settings.window,
        };
        let engine = engine.with_channel_window(CHANNEL, window);
        match &self.settings.oa_url {
            Some(oa) => engine.with_typed_codes(CHANNEL, oa.to_string()),
            None => engine,
        }
    }

    fn start<'a>(
        self: Box<Self>,
        starting: Starting<'a>,
    ) -> BoxFuture<'a, Result<Arc<dyn ServedChannel>, ChannelError>> {
        Box::pin(async move {
            let tokens = Tokens::new(
                starting.engine.clone(),
                &self.settings,
                starting.owner,
                starting.metrics.clone(),
            )
            .map_err(|e| ChannelError::start("Zalo's tokens", e))?;
            let zalo: Arc<dyn ServedChannel> = Arc::new(Zalo::new(self.settings, Arc::new(tokens)));
            Ok(zalo)
        })
    }
}
