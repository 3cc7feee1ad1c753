//! Secrets come from the environment only: a variable `NAME`, or a file named by
//! `NAME_FILE` (Docker and systemd credentials). Never from a flag, which process listings
//! and shell histories show. URLs that may carry a password are printed redacted.

use super::Secret;

/// Why a secret could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SecretSourceError {
    #[error("Failed to read {var}'s file {path}")]
    File {
        var: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} and {0}_FILE are both set; set only one")]
    Both(String),
}

/// The variable holding the bot token (`TELOXIDE_TOKEN_FILE` names a file holding it).
pub const TELEGRAM_TOKEN_ENV: &str = "TELOXIDE_TOKEN";

/// The bot token from the environment, read when the command line is parsed. A token file
/// that cannot be read is reported on stderr and counts as no token (the command that needs
/// one then says how to set it).
pub fn telegram_token() -> Option<Secret> {
    env_secret(TELEGRAM_TOKEN_ENV).unwrap_or_else(|error| {
        eprintln!("Error: {error}");
        None
    })
}

/// The secret from the variable `var`, or from the file `var`_FILE names; `None` when
/// neither is set.
pub fn env_secret(var: &str) -> Result<Option<Secret>, SecretSourceError> {
    read_secret(var, |name| std::env::var(name).ok())
}

/// [`env_secret`] with the environment given as `lookup` (tests pass a map).
pub fn read_secret(
    var: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<Secret>, SecretSourceError> {
    let file_var = format!("{var}_FILE");
    let direct = lookup(var).filter(|v| !v.is_empty());
    let file = lookup(&file_var).filter(|v| !v.is_empty());
    match (direct, file) {
        (Some(_), Some(_)) => Err(SecretSourceError::Both(var.to_owned())),
        (Some(value), None) => Ok(Some(Secret::from(value))),
        (None, Some(path)) => {
            let text =
                std::fs::read_to_string(&path).map_err(|source| SecretSourceError::File {
                    var: file_var,
                    path,
                    source,
                })?;
            // Files written by editors and `echo` end with a newline that is not the secret.
            Ok(Some(Secret::from(
                text.trim_end_matches(['\n', '\r']).to_owned(),
            )))
        }
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        move |name| map.get(name).map(|v| v.to_string())
    }

    #[test]
    fn a_secret_comes_from_its_variable_or_from_the_file_its_file_variable_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "123456:from-file\n").unwrap();
        let path = path.display().to_string();

        let direct = read_secret("TOKEN", env(&[("TOKEN", "123456:direct")])).unwrap();
        let filed = read_secret("TOKEN", env(&[("TOKEN_FILE", &path)])).unwrap();
        let none = read_secret("TOKEN", env(&[])).unwrap();
        let both = read_secret("TOKEN", env(&[("TOKEN", "a"), ("TOKEN_FILE", &path)]));

        assert_eq!(direct.unwrap().expose(), "123456:direct");
        assert_eq!(filed.unwrap().expose(), "123456:from-file");
        assert!(none.is_none());
        assert!(matches!(both, Err(SecretSourceError::Both(_))));
    }
}
