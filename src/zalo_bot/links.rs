//! Short-lived signed links to the pictures and files the Zalo Bot channel sends: Zalo's
//! `sendPhoto` fetches a picture from a URL, and a report can only be offered as a link. The
//! bytes are kept in `zalo_bot_files` until the link expires; the link is
//! `<ZALO_BOT_PUBLIC_URL>/zalo-bot/file/<id>?exp=<unix seconds>&sig=<hex>`, signed with
//! HMAC-SHA256 under a key derived from the bot's token, so nobody can make or extend one.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::engine::Engine;
use crate::secrets::Secret;
use crate::storage::StorageError;

/// Where the files are served on the public listener.
pub const FILE_PATH: &str = "/zalo-bot/file";

/// How long a picture's link works: Zalo fetches it while sending.
pub const PICTURE_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// How long a report's link works: the person opens it when they read the message.
pub const DOCUMENT_LIFETIME: Duration = Duration::from_secs(24 * 3600);

type HmacSha256 = Hmac<Sha256>;

/// Why a file could not be kept for its link.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("ZALO_BOT_PUBLIC_URL is not set: pictures and files cannot be linked")]
    NoPublicUrl,
    #[error("the file could not be kept for its link")]
    Storage(#[from] StorageError),
    #[error("the file could not be kept for its link")]
    Sql(#[from] sqlx::Error),
}

/// Makes and checks the links.
#[derive(Clone)]
pub struct FileLinks {
    engine: Engine,
    key: Arc<[u8; 32]>,
    public_url: Option<url::Url>,
}

impl FileLinks {
    pub fn new(engine: Engine, token: &Secret, public_url: Option<url::Url>) -> FileLinks {
        // The token itself never signs: a key derived from it, for this use only.
        let mut derive =
            HmacSha256::new_from_slice(token.expose().as_bytes()).expect("HMAC takes any key");
        derive.update(b"cnscd zalo-bot file links");
        let key: [u8; 32] = derive.finalize().into_bytes().into();
        FileLinks {
            engine,
            key: Arc::new(key),
            public_url,
        }
    }

    fn mac(&self, id: &str, expires: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(self.key.as_slice()).expect("any key");
        mac.update(format!("{id}.{expires}").as_bytes());
        mac
    }

    /// Keeps `bytes` for `lifetime` and gives their signed link; expired files are deleted
    /// first.
    pub async fn keep(
        &self,
        file_name: &str,
        bytes: &[u8],
        lifetime: Duration,
    ) -> Result<String, LinkError> {
        let public = self.public_url.as_ref().ok_or(LinkError::NoPublicUrl)?;
        let now = self.engine.now().timestamp();
        let expires = now + i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2);
        let id = format!("{:032x}", rand::random::<u128>());
        self.delete_expired().await?;
        let pool = self.engine.store().pool();
        sqlx::query(
            "INSERT INTO zalo_bot_files (id, file_name, content_type, content, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(file_name)
        .bind(content_type(file_name))
        .bind(base64::engine::general_purpose::STANDARD.encode(bytes))
        .bind(expires)
        .execute(pool)
        .await?;
        let sig = hex::encode(self.mac(&id, expires).finalize().into_bytes());
        let base = public.as_str().trim_end_matches('/');
        Ok(format!("{base}{FILE_PATH}/{id}?exp={expires}&sig={sig}"))
    }

    /// Deletes the files whose links expired: a report names people, and is kept no longer
    /// than its link works.
    pub async fn delete_expired(&self) -> Result<u64, LinkError> {
        let now = self.engine.now().timestamp();
        let deleted = sqlx::query("DELETE FROM zalo_bot_files WHERE expires_at < $1")
            .bind(now)
            .execute(self.engine.store().pool())
            .await?;
        Ok(deleted.rows_affected())
    }

    /// Deletes expired files every `period` until the task is stopped (when no new file
    /// comes to do it).
    pub async fn delete_expired_forever(self, period: Duration) {
        loop {
            tokio::time::sleep(period).await;
            if let Err(error) = self.delete_expired().await {
                tracing::warn!(%error, "expired Zalo Bot files not deleted; tried again later");
            }
        }
    }

    /// The route that serves the links.
    pub fn router(&self) -> Router {
        Router::new()
            .route(&format!("{FILE_PATH}/{{id}}"), get(serve_file))
            .with_state(self.clone())
    }
}

#[derive(serde::Deserialize)]
struct Signed {
    exp: i64,
    sig: String,
}

/// `GET /zalo-bot/file/<id>?exp=…&sig=…`: 403 for a link cnscd did not sign, 410 once it
/// expired, 404 for a file gone; else the bytes.
async fn serve_file(
    State(links): State<FileLinks>,
    Path(id): Path<String>,
    Query(signed): Query<Signed>,
) -> Response {
    let Ok(sig) = hex::decode(&signed.sig) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    // `verify_slice` compares in constant time.
    if links.mac(&id, signed.exp).verify_slice(&sig).is_err() {
        return StatusCode::FORBIDDEN.into_response();
    }
    if signed.exp < links.engine.now().timestamp() {
        return StatusCode::GONE.into_response();
    }
    let row: Result<Option<(String, String, String)>, sqlx::Error> =
        sqlx::query_as("SELECT file_name, content_type, content FROM zalo_bot_files WHERE id = $1")
            .bind(&id)
            .fetch_optional(links.engine.store().pool())
            .await;
    let (file_name, content_type, content) = match row {
        Ok(Some(row)) => row,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::warn!(%error, "a Zalo Bot file could not be read");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(content) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let disposition = format!("inline; filename=\"{}\"", file_name.replace('"', ""));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// The content type of a file cnscd sends, by its extension.
fn content_type(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "csv" => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    }
}
