//! Zalo as a channel served beside the others: its [`ZaloChannel`] in the pipeline, its
//! webhook on the public listener.

use std::sync::Arc;

use axum::Router;

use super::api::ZaloApi;
use super::channel::ZaloChannel;
use super::signature::Verifier;
use super::webhook::{self, Hook};
use super::AccessTokens;
use crate::config::ZaloSettings;
use crate::engine::Engine;
use crate::pipeline::Channel;
use crate::serve::{Serving, WebhookChannel};

/// A configured Official Account.
pub struct Zalo {
    settings: ZaloSettings,
    tokens: Arc<dyn AccessTokens>,
}

impl Zalo {
    pub fn new(settings: ZaloSettings, tokens: Arc<dyn AccessTokens>) -> Zalo {
        Zalo { settings, tokens }
    }

    /// The Official Account's API with this configuration's hosts and tokens.
    pub fn api(&self) -> ZaloApi {
        ZaloApi::new(self.settings.openapi_url.clone(), Arc::clone(&self.tokens))
    }
}

impl WebhookChannel for Zalo {
    fn channel(&self, engine: &Engine) -> Arc<dyn Channel> {
        let image = self
            .settings
            .form_image_url
            .as_ref()
            .map(url::Url::to_string);
        Arc::new(
            ZaloChannel::new(self.api(), engine.clone(), self.settings.window)
                .with_form_image(image),
        )
    }

    fn routes(&self, serving: &Serving) -> Router {
        let verifier = Verifier::new(
            &self.settings.app_id,
            self.settings.secrets.oa_secret_key.clone(),
            self.settings.event_max_age,
        );
        let hook = webhook::router(Arc::new(Hook::new(
            verifier,
            serving.recorder.clone(),
            serving.engine.clone(),
            serving.metrics.clone(),
            serving.limits.body_read,
        )));
        match &self.settings.verification {
            Some(file) => hook.merge(webhook::verification_router(file.clone())),
            None => hook,
        }
    }
}
