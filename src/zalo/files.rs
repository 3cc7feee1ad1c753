//! Users' files as both Zalo channels fetch them: only from Zalo's file hosts (or the
//! configured API's own origin), redirects followed only to another of them, hashed as they
//! stream in and cut off past the size allowed.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::pipeline::{FetchError, Fetched};

/// Zalo answers within a few seconds or not at all.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(20);

/// The domains (with their subdomains) Zalo's attachment links point at: its CDNs.
pub const FILE_DOMAINS: [&str; 2] = ["zdn.vn", "zadn.vn"];

/// Redirects a download may follow, each to an allowed host too.
const MAX_REDIRECTS: usize = 3;

/// Where users' files may be downloaded from: Zalo's file domains over `https` on the
/// default port, or the configured API's own origin (`--zalo-openapi-url`: Zalo itself in
/// production, the tests' fake on 127.0.0.1 by explicit configuration only). Anything
/// else, `http` to this machine included, is never fetched.
#[derive(Debug, Clone)]
pub struct FileHosts {
    api: url::Origin,
}

impl FileHosts {
    pub fn new(openapi: &url::Url) -> FileHosts {
        FileHosts {
            api: openapi.origin(),
        }
    }

    pub fn allows(&self, url: &url::Url) -> bool {
        if url.origin() == self.api {
            return true;
        }
        let Some(url::Host::Domain(host)) = url.host() else {
            return false;
        };
        url.scheme() == "https"
            && url.port().is_none()
            && FILE_DOMAINS
                .iter()
                .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
    }
}

/// Downloads from the [`FileHosts`] of one Zalo API.
#[derive(Clone)]
pub struct ZaloFiles {
    client: reqwest::Client,
    hosts: FileHosts,
}

impl ZaloFiles {
    /// Downloads from Zalo's CDNs over https, or from `api`'s own origin (Zalo itself in
    /// production, the tests' fake on 127.0.0.1 by explicit configuration only).
    pub fn new(api: &url::Url) -> ZaloFiles {
        let hosts = FileHosts::new(api);
        let allowed = hosts.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if allowed.allows(attempt.url()) {
                attempt.follow()
            } else {
                attempt.error("a redirect to a host files are not fetched from")
            }
        });
        let client = reqwest::Client::builder()
            .timeout(DOWNLOAD_TIMEOUT)
            .redirect(redirects)
            .build()
            .unwrap_or_default();
        ZaloFiles { client, hosts }
    }

    /// Downloads a file a user sent, hashing it as it comes, keeping its bytes only with
    /// `keep`; refused when it says or turns out to be larger than `max_bytes`. Only a link
    /// to one of the [`FileHosts`] is fetched, and a redirect followed only to another.
    pub async fn download(
        &self,
        url: &str,
        max_bytes: u64,
        keep: bool,
    ) -> Result<Fetched, FetchError> {
        let parsed = url::Url::parse(url).map_err(|_| FetchError::Unavailable)?;
        if !self.hosts.allows(&parsed) {
            // The host only: the link's path and query may identify the file.
            tracing::warn!(
                host = parsed.host_str().unwrap_or_default(),
                "a file link not on Zalo's file hosts (https) was not fetched"
            );
            return Err(FetchError::Unavailable);
        }
        let mut response = self
            .client
            .get(parsed)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|_| FetchError::Unavailable)?;
        if response
            .content_length()
            .is_some_and(|length| length > max_bytes)
        {
            return Err(FetchError::TooLarge);
        }
        let mut hash = Sha256::new();
        let mut kept = Vec::new();
        let mut size: u64 = 0;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|_| FetchError::Unavailable)?
        {
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err(FetchError::TooLarge);
            }
            hash.update(&chunk);
            if keep {
                kept.extend_from_slice(&chunk);
            }
        }
        Ok(Fetched {
            sha256: hex::encode(hash.finalize()),
            bytes: keep.then_some(kept),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> url::Url {
        url::Url::parse(text).expect("url")
    }

    #[test]
    fn files_come_only_from_zalos_file_hosts_over_https_or_the_configured_api() {
        let production = FileHosts::new(&url("https://openapi.zalo.me"));
        for allowed in [
            "https://f21-zpc.zdn.vn/1234/scan.pdf",
            "https://dl.zadn.vn/a/b.jpg",
            "https://zdn.vn/x",
            "https://openapi.zalo.me/files/x",
        ] {
            assert!(production.allows(&url(allowed)), "{allowed}");
        }
        for refused in [
            "http://f21-zpc.zdn.vn/1234/scan.pdf",
            "http://127.0.0.1:8080/files/x",
            "http://localhost/files/x",
            "https://127.0.0.1/files/x",
            "https://evilzdn.vn/x",
            "https://zdn.vn.example.org/x",
            "https://f21-zpc.zdn.vn:8443/x",
            "https://example.org/scan.pdf",
            "file:///etc/passwd",
        ] {
            assert!(!production.allows(&url(refused)), "{refused}");
        }

        let tests = FileHosts::new(&url("http://127.0.0.1:4567/zalo/"));
        assert!(tests.allows(&url("http://127.0.0.1:4567/files/scan.pdf")));
        assert!(!tests.allows(&url("http://127.0.0.1:4568/files/scan.pdf")));
        assert!(!tests.allows(&url("http://localhost:4567/files/scan.pdf")));
    }
}
