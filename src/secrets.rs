//! Secrets come from the environment only: a variable `NAME`, or a file named by
//! `NAME_FILE` (Docker and systemd credentials). Never from a flag, which process listings
//! and shell histories show.

use std::fmt;

/// A secret (a bot token, an app secret, a webhook secret): printed and logged as `[redacted]`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

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
