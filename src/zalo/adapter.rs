//! Zalo as a channel served beside the others: its [`ZaloChannel`] in the pipeline, its
//! webhook and the share-info form's default picture on the public listener.

use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use super::api::ZaloApi;
use super::channel::ZaloChannel;
use super::signature::Verifier;
use super::webhook::{self, Hook};
use super::AccessTokens;
use crate::engine::Engine;
use crate::pipeline::Channel;
use crate::serve::{ServedChannel, Serving};
use crate::zalo::config::{ZaloSettings, FORM_IMAGE_PATH};

/// The picture of the form that asks a member to share their name and phone: Zalo refuses
/// the form without one and fetches it from `CNSCD_PUBLIC_URL` + [`FORM_IMAGE_PATH`].
pub const FORM_IMAGE: &[u8] = include_bytes!("../../data/zalo/form-image.png");

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

impl ServedChannel for Zalo {
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
        )))
        .route(FORM_IMAGE_PATH, get(form_image));
        match &self.settings.verification {
            Some(file) => hook.merge(webhook::verification_router(file.clone())),
            None => hook,
        }
    }
}

/// `GET /zalo/form-image.png`.
async fn form_image() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FORM_IMAGE,
    )
}
