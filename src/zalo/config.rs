//! How the bot reaches Zalo: the Official Account's app, its keys, and the hosts of Zalo's
//! APIs (tests point them at a fake server). Secrets come from the environment only.

use std::time::Duration;

use clap::{Args, Subcommand};

use crate::secrets::Secret;
use crate::secrets::{env_secret, SecretSourceError};

pub const ZALO_APP_ID_ENV: &str = "ZALO_APP_ID";
pub const ZALO_APP_SECRET_ENV: &str = "ZALO_APP_SECRET";
pub const ZALO_OA_SECRET_KEY_ENV: &str = "ZALO_OA_SECRET_KEY";
pub const ZALO_REFRESH_TOKEN_ENV: &str = "ZALO_REFRESH_TOKEN";
pub const PUBLIC_URL_ENV: &str = "CNSCD_PUBLIC_URL";
pub const ZALO_FORM_IMAGE_URL_ENV: &str = "ZALO_FORM_IMAGE_URL";
/// Where cnscd serves the share-info form's default picture, beside Zalo's webhook.
pub const FORM_IMAGE_PATH: &str = "/zalo/form-image.png";

/// Zalo retries an unanswered event after 30 s, 5, 15, 30 minutes and 1 hour, each time
/// with its first timestamp: the last retry comes about 1 h 51 min late. Three hours take
/// it with room for a slow clock; a replay is applied once anyway (by `msg_id`).
pub const DEFAULT_ZALO_EVENT_MAX_AGE_SECS: u64 = 3 * 3600;

/// Zalo's Official Account settings, as flags and environment variables.
#[derive(Debug, Clone, Args)]
pub struct ZaloArgs {
    /// The id of the Zalo app linked to the Official Account (developers.zalo.me).
    #[arg(
        long = "zalo-app-id",
        env = ZALO_APP_ID_ENV,
        hide_env_values = true,
        value_name = "ID"
    )]
    pub app_id: Option<String>,

    /// Where Zalo's Official Account API is (message/cs, uploads).
    #[arg(
        long = "zalo-openapi-url",
        env = "ZALO_OPENAPI_URL",
        hide_env_values = true,
        value_name = "URL",
        default_value = "https://openapi.zalo.me"
    )]
    pub openapi_url: url::Url,

    /// Where Zalo's OAuth v4 token endpoint is.
    #[arg(
        long = "zalo-oauth-url",
        env = "ZALO_OAUTH_URL",
        hide_env_values = true,
        value_name = "URL",
        default_value = "https://oauth.zaloapp.com"
    )]
    pub oauth_url: url::Url,

    /// The Official Account's public link (https://zalo.me/<OA id>), shown in invitations.
    #[arg(
        long = "zalo-oa-url",
        env = "ZALO_OA_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub oa_url: Option<url::Url>,

    /// A picture (https URL) shown in the form that asks a user to share their name and
    /// phone (members' consent); Zalo refuses the form without one. Default: the picture
    /// cnscd serves itself at CNSCD_PUBLIC_URL/zalo/form-image.png.
    #[arg(
        long = "zalo-form-image-url",
        env = ZALO_FORM_IMAGE_URL_ENV,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub form_image_url: Option<url::Url>,

    /// The public https address at which Zalo reaches `--listen` (the host of its webhook,
    /// e.g. https://cnscd.example.gov.vn): the share-info form's default picture is served
    /// from it.
    #[arg(
        long = "public-url",
        env = PUBLIC_URL_ENV,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub public_url: Option<url::Url>,

    /// Webhook events whose `timestamp` is older than this many seconds are refused (a
    /// replayed request). Zalo retries an event for almost two hours with its first
    /// timestamp: a shorter age loses the late retries.
    #[arg(
        long = "zalo-event-max-age",
        env = "ZALO_EVENT_MAX_AGE_SECS",
        hide_env_values = true,
        value_name = "SECONDS",
        default_value_t = DEFAULT_ZALO_EVENT_MAX_AGE_SECS
    )]
    pub event_max_age_secs: u64,

    /// Zalo lets an OA answer a user freely for this many hours after the user's last
    /// message.
    #[arg(
        long = "zalo-free-window-hours",
        env = "ZALO_FREE_WINDOW_HOURS",
        hide_env_values = true,
        value_name = "HOURS",
        default_value_t = 48
    )]
    pub free_window_hours: u64,

    /// After this many hours without a message from the user, Zalo refuses the OA's
    /// messages: alerts go to another of the person's chats instead.
    #[arg(
        long = "zalo-window-hours",
        env = "ZALO_WINDOW_HOURS",
        hide_env_values = true,
        value_name = "HOURS",
        default_value_t = 168
    )]
    pub window_hours: u64,

    /// The domain-verification file Zalo gives for the webhook's domain (developers.zalo.me →
    /// the app → "Xác thực domain" → HTML file, e.g. `zalo_verifierAB12….html`): `serve`
    /// answers it at `/<its file name>` on the webhook's listener, so Zalo can verify the
    /// domain before it sends events there.
    #[arg(
        long = "zalo-verification-file",
        env = "ZALO_VERIFICATION_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub verification_file: Option<std::path::PathBuf>,

    /// Chats told when something needs a person (a Zalo token refresh failed), as
    /// CHANNEL:ID separated by commas (telegram:123456789,zalo:8011…).
    #[arg(
        long = "admin-chats",
        env = "CNSCD_ADMIN_CHATS",
        hide_env_values = true,
        value_name = "CHAT,…",
        value_delimiter = ','
    )]
    pub admin_chats: Vec<String>,
}

/// The secrets of [`ZaloArgs`], read from the environment (or `NAME_FILE`).
#[derive(Debug, Clone)]
pub struct ZaloSecrets {
    /// The app's secret key: sent to the token endpoint.
    pub app_secret: Secret,
    /// The Official Account's secret key: signs webhook events.
    pub oa_secret_key: Secret,
    /// A first refresh token, used when the database holds none yet.
    pub refresh_token: Option<Secret>,
}

/// Everything the Zalo channel needs, checked.
#[derive(Debug, Clone)]
pub struct ZaloSettings {
    pub app_id: String,
    pub secrets: ZaloSecrets,
    pub openapi_url: url::Url,
    pub oauth_url: url::Url,
    pub oa_url: Option<url::Url>,
    pub form_image_url: Option<url::Url>,
    pub event_max_age: Duration,
    pub free_window: Duration,
    pub window: Duration,
    pub admin_chats: Vec<String>,
    pub verification: Option<SiteVerification>,
}

/// Zalo's domain-verification file, served as it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteVerification {
    /// The file's name: Zalo fetches `https://<domain>/<name>`.
    pub name: String,
    pub content: String,
}

impl SiteVerification {
    /// The file at `path`: its name and text. Zalo's files are a few hundred bytes of HTML.
    pub fn read(path: &std::path::Path) -> Result<SiteVerification, ZaloConfigError> {
        let unreadable = |why: String| ZaloConfigError::Verification {
            path: path.display().to_string(),
            why,
        };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| {
                n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            })
            .ok_or_else(|| unreadable("its name is not a plain file name".into()))?;
        let content = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
        if content.len() > 64 * 1024 {
            return Err(unreadable("it is larger than 64 KB".into()));
        }
        Ok(SiteVerification {
            name: name.to_owned(),
            content,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ZaloConfigError {
    #[error("ZALO_VERIFICATION_FILE {path} cannot be served: {why}")]
    Verification { path: String, why: String },
    #[error(
        "Zalo is half configured: {missing} not set. Set {ZALO_APP_ID_ENV}, \
         {ZALO_APP_SECRET_ENV} and {ZALO_OA_SECRET_KEY_ENV} (from the app and the Official \
         Account at developers.zalo.me), or none of them to run without Zalo"
    )]
    Missing { missing: String },
    #[error(transparent)]
    Secret(#[from] SecretSourceError),
    #[error(
        "Zalo's share-info form needs a picture, which Zalo fetches: set {PUBLIC_URL_ENV} to \
         the public https address of --listen (cnscd serves a default picture at \
         {FORM_IMAGE_PATH} there), or {ZALO_FORM_IMAGE_URL_ENV} to a picture of your own"
    )]
    NoFormImage,
    #[error("{PUBLIC_URL_ENV} {0:?} cannot take the path {FORM_IMAGE_PATH}")]
    PublicUrl(String),
}

impl ZaloArgs {
    /// The settings, when Zalo is configured; `None` when none of its variables is set.
    pub fn settings(&self) -> Result<Option<ZaloSettings>, ZaloConfigError> {
        self.settings_with(env_secret)
    }

    /// [`ZaloArgs::settings`] with the secrets read by `secret` (tests pass a map).
    pub fn settings_with(
        &self,
        secret: impl Fn(&str) -> Result<Option<Secret>, SecretSourceError>,
    ) -> Result<Option<ZaloSettings>, ZaloConfigError> {
        let app_secret = secret(ZALO_APP_SECRET_ENV)?;
        let oa_secret_key = secret(ZALO_OA_SECRET_KEY_ENV)?;
        let refresh_token = secret(ZALO_REFRESH_TOKEN_ENV)?;
        let app_id = self.app_id.clone().filter(|id| !id.trim().is_empty());
        let (app_id, app_secret, oa_secret_key) = match (app_id, app_secret, oa_secret_key) {
            (None, None, None) => return Ok(None),
            (Some(id), Some(secret), Some(key)) => (id, secret, key),
            (id, secret, key) => {
                let missing: Vec<&str> = [
                    (id.is_none(), ZALO_APP_ID_ENV),
                    (secret.is_none(), ZALO_APP_SECRET_ENV),
                    (key.is_none(), ZALO_OA_SECRET_KEY_ENV),
                ]
                .into_iter()
                .filter_map(|(absent, name)| absent.then_some(name))
                .collect();
                return Err(ZaloConfigError::Missing {
                    missing: missing.join(", "),
                });
            }
        };
        let verification = match &self.verification_file {
            Some(path) => Some(SiteVerification::read(path)?),
            None => None,
        };
        let hours = |h: u64| Duration::from_secs(h.saturating_mul(3600));
        let form_image_url = match (&self.form_image_url, &self.public_url) {
            (Some(url), _) => Some(url.clone()),
            (None, Some(public)) => Some(form_image_at(public)?),
            (None, None) => None,
        };
        Ok(Some(ZaloSettings {
            app_id: app_id.trim().to_owned(),
            secrets: ZaloSecrets {
                app_secret,
                oa_secret_key,
                refresh_token,
            },
            openapi_url: self.openapi_url.clone(),
            oauth_url: self.oauth_url.clone(),
            oa_url: self.oa_url.clone(),
            form_image_url,
            event_max_age: Duration::from_secs(self.event_max_age_secs),
            free_window: hours(self.free_window_hours),
            window: hours(self.window_hours),
            admin_chats: self.admin_chats.clone(),
            verification,
        }))
    }
}

impl ZaloSettings {
    /// `serve` refuses to start without a picture for the share-info form: Zalo refuses the
    /// form without one, and members could not share their number.
    pub fn require_form_image(&self) -> Result<(), ZaloConfigError> {
        match self.form_image_url {
            Some(_) => Ok(()),
            None => Err(ZaloConfigError::NoFormImage),
        }
    }
}

/// The default picture's address under the public URL `public`.
pub fn form_image_at(public: &url::Url) -> Result<url::Url, ZaloConfigError> {
    let base = public.as_str().trim_end_matches('/');
    url::Url::parse(&format!("{base}{FORM_IMAGE_PATH}"))
        .map_err(|_| ZaloConfigError::PublicUrl(public.to_string()))
}

/// `cnscd zalo …`: the Official Account's tokens.
#[derive(Debug, Subcommand)]
pub enum ZaloCommand {
    /// The OAuth tokens cnscd keeps in the database.
    #[command(subcommand)]
    Token(ZaloTokenCommand),
    /// Resume sending paused because Zalo refused the Official Account itself (its package,
    /// permissions or status), once that is fixed. Tokens are left as they are.
    Resume,
}

#[derive(Debug, Subcommand)]
pub enum ZaloTokenCommand {
    /// Store a new refresh token (from ZALO_REFRESH_TOKEN or ZALO_REFRESH_TOKEN_FILE, never
    /// a flag) and resume sending if a failed refresh paused it. The access token is
    /// fetched with it at once.
    Set {
        #[command(flatten)]
        zalo: Box<ZaloArgs>,
    },
    /// When the tokens were issued and expire, and whether sending is paused (never the
    /// tokens themselves).
    Info,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        zalo: ZaloArgs,
    }

    fn secrets(
        set: &'static [&'static str],
    ) -> impl Fn(&str) -> Result<Option<Secret>, SecretSourceError> {
        move |var| {
            Ok(set
                .contains(&var)
                .then(|| Secret::from(format!("{var}-value"))))
        }
    }

    #[test]
    fn zalo_is_off_when_none_of_its_settings_is_given() {
        let cli = Cli::parse_from(["cnscd"]);
        assert!(cli
            .zalo
            .settings_with(secrets(&[]))
            .expect("valid")
            .is_none());
    }

    #[test]
    fn a_half_configured_zalo_names_what_is_missing() {
        let cli = Cli::parse_from(["cnscd", "--zalo-app-id", "123"]);
        let error = cli
            .zalo
            .settings_with(secrets(&[ZALO_APP_SECRET_ENV]))
            .expect_err("half configured");
        let message = error.to_string();
        assert!(message.contains(ZALO_OA_SECRET_KEY_ENV), "{message}");
        assert!(!message.contains("ZALO_APP_SECRET,"), "{message}");
    }

    #[test]
    fn the_form_picture_is_the_one_given_else_the_one_served_under_the_public_url() {
        let configured = |args: &[&str]| {
            let cli = Cli::parse_from([&["cnscd", "--zalo-app-id", "123"], args].concat());
            cli.zalo
                .settings_with(secrets(&[ZALO_APP_SECRET_ENV, ZALO_OA_SECRET_KEY_ENV]))
                .expect("valid")
                .expect("configured")
        };
        let served = configured(&["--public-url", "https://cnscd.example.vn/"]);
        let own = configured(&[
            "--public-url",
            "https://cnscd.example.vn",
            "--zalo-form-image-url",
            "https://cdn.example.vn/form.png",
        ]);
        let neither = configured(&[]);
        assert_eq!(
            served.form_image_url.map(String::from).as_deref(),
            Some("https://cnscd.example.vn/zalo/form-image.png")
        );
        assert_eq!(
            own.form_image_url.map(String::from).as_deref(),
            Some("https://cdn.example.vn/form.png")
        );
        let refused = neither.require_form_image().expect_err("no picture");
        assert!(refused.to_string().contains(PUBLIC_URL_ENV), "{refused}");
        assert!(
            refused.to_string().contains(ZALO_FORM_IMAGE_URL_ENV),
            "{refused}"
        );
    }

    #[test]
    fn a_configured_zalo_keeps_its_windows_in_hours() {
        let cli = Cli::parse_from(["cnscd", "--zalo-app-id", "123"]);
        let settings = cli
            .zalo
            .settings_with(secrets(&[ZALO_APP_SECRET_ENV, ZALO_OA_SECRET_KEY_ENV]))
            .expect("valid")
            .expect("configured");
        assert_eq!(settings.app_id, "123");
        assert_eq!(settings.free_window, Duration::from_secs(48 * 3600));
        assert_eq!(settings.window, Duration::from_secs(168 * 3600));
        assert!(settings.secrets.refresh_token.is_none());
        assert_eq!(settings.openapi_url.as_str(), "https://openapi.zalo.me/");
    }

    #[test]
    fn the_domain_verification_file_is_read_by_name_and_a_missing_one_is_named() {
        let dir = tempfile::tempdir().expect("folder");
        let path = dir.path().join("zalo_verifierAB12.html");
        std::fs::write(&path, "<meta content=\"AB12\">").expect("written");
        let file = SiteVerification::read(&path).expect("read");
        assert_eq!(file.name, "zalo_verifierAB12.html");
        assert_eq!(file.content, "<meta content=\"AB12\">");
        let missing = dir.path().join("zalo_verifierXY.html");
        let error = SiteVerification::read(&missing).expect_err("missing");
        assert!(
            error.to_string().contains("zalo_verifierXY.html"),
            "{error}"
        );
    }

    #[test]
    fn by_default_zalos_last_retry_of_an_event_is_still_taken() {
        let cli = Cli::parse_from(["cnscd", "--zalo-app-id", "123"]);
        let settings = cli
            .zalo
            .settings_with(secrets(&[ZALO_APP_SECRET_ENV, ZALO_OA_SECRET_KEY_ENV]))
            .expect("valid")
            .expect("configured");
        // 30 s, then 5, 15, 30 minutes and an hour later, all with the first timestamp.
        let last_retry = Duration::from_secs(30 + (5 + 15 + 30 + 60) * 60);
        assert!(
            settings.event_max_age > last_retry,
            "{:?} refuses Zalo's retry after {last_retry:?}",
            settings.event_max_age
        );
    }
}
