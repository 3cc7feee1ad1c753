//! A database URL as it may be printed or logged.

/// `url` with its password, if any, replaced by `****`: what may be printed or logged.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.has_host() => {
            if parsed.password().is_none() {
                return url.to_owned();
            }
            match parsed.set_password(Some("****")) {
                Ok(()) => parsed.to_string(),
                Err(()) => "[a URL with a password]".to_owned(),
            }
        }
        // Not a URL with a host: print nothing before a '@' that could end a password.
        _ => match url.rsplit_once('@') {
            Some((_, host)) => format!("[redacted]@{host}"),
            None => url.to_owned(),
        },
    }
}

/// Whether `url` carries a password.
pub fn has_password(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.password().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_redacted_and_the_rest_kept() {
        let url = "postgres://cnscd:hunter2@db.internal:5432/cnscd";
        assert_eq!(
            redact_url(url),
            "postgres://cnscd:****@db.internal:5432/cnscd"
        );
        assert!(has_password(url));
        assert_eq!(redact_url("sqlite://cnscd.db"), "sqlite://cnscd.db");
        assert!(!has_password("postgres://cnscd@db/cnscd"));
        assert!(!redact_url("weird:x:hunter2@host").contains("hunter2"));
    }
}
