//! Configuration: defaults → TOML file → `TRELLIS_*` environment → command-line flags.
//! Loaded once here and passed down; there is no global state.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

/// The settings of a running Trellis.
#[derive(Clone)]
pub struct Config {
    pub database: String,
    pub listen: String,
    pub secure_cookies: bool,
    pub max_connections: u32,
}

impl std::fmt::Debug for Config {
    // The database URL may hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database", &trellis_store::redact_url(&self.database))
            .field("listen", &self.listen)
            .field("secure_cookies", &self.secure_cookies)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: "sqlite://trellis.db".into(),
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            max_connections: default_pool_size(),
        }
    }
}

/// Twice the CPU cores: measured best for the person page and org chart under load on
/// PostgreSQL (more connections only add contention; the server shares the cores).
pub fn default_pool_size() -> u32 {
    std::thread::available_parallelism()
        .map(|n| n.get() as u32 * 2)
        .unwrap_or(4)
        .max(4)
}

/// The TOML file: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<String>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub max_connections: Option<u32>,
}

/// Values given on the command line or in the environment (clap reads both; flags win).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database: Option<String>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub max_connections: Option<u32>,
}

impl Config {
    /// Builds the configuration from its layers.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config> {
        let mut config = Config::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the configuration file {}", path.display())
            })?;
            let parsed: FileConfig = toml::from_str(&text).with_context(|| {
                format!("{} is not a valid Trellis configuration", path.display())
            })?;
            config.apply(
                parsed.database,
                parsed.listen,
                parsed.secure_cookies,
                parsed.max_connections,
            );
        }
        let o = overrides.clone();
        config.apply(o.database, o.listen, o.secure_cookies, o.max_connections);
        Ok(config)
    }

    fn apply(
        &mut self,
        database: Option<String>,
        listen: Option<String>,
        secure: Option<bool>,
        max: Option<u32>,
    ) {
        if let Some(v) = database {
            self.database = v;
        }
        if let Some(v) = listen {
            self.listen = v;
        }
        if let Some(v) = secure {
            self.secure_cookies = v;
        }
        if let Some(v) = max {
            self.max_connections = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trellis.toml");
        std::fs::write(
            &path,
            "database = \"postgres://u:secret@db/t\"\nlisten = \"0.0.0.0:9000\"\n",
        )
        .unwrap();
        let config = Config::load(
            Some(&path),
            &Overrides {
                listen: Some("127.0.0.1:1234".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(config.database, "postgres://u:secret@db/t");
        assert_eq!(config.listen, "127.0.0.1:1234");
        assert!(
            !format!("{config:?}").contains("secret"),
            "the password is masked"
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trellis.toml");
        std::fs::write(&path, "databse = \"x\"\n").unwrap();
        let err = format!(
            "{:#}",
            Config::load(Some(&path), &Overrides::default()).unwrap_err()
        );
        assert!(err.contains("unknown field `databse`"), "{err}");
    }
}
