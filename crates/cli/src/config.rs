//! Configuration: defaults → TOML file → `TRELLIS_*` environment → command-line flags.
//! Loaded once here and passed down; there is no global state.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;
use trellis_core::auth::sso::TrustedDomains;

/// The configuration file read when none is named.
pub const DEFAULT_FILE: &str = "trellis.toml";

/// The settings of a running Trellis.
#[derive(Clone)]
pub struct Config {
    pub database: String,
    pub listen: String,
    pub secure_cookies: bool,
    pub max_connections: u32,
    /// Proxies whose `X-Forwarded-For` names the client (sign-in throttling by address).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Largest CSV upload through the web, in MB (the command line takes any size).
    pub max_upload_mb: u32,
    /// `smtp://…` or `smtps://…`, with credentials: configuration only, never stored.
    pub smtp_url: Option<String>,
    /// The sender of Trellis's mail, such as `Trellis <people@example.org>`.
    pub mail_from: Option<String>,
    /// Where people reach Trellis (`https://people.example.org`): links in mails start
    /// here. Defaults to `http://` and the listen address.
    pub public_url: Option<String>,
    /// Single sign-on: the OpenID provider's issuer URL (turns it on).
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    /// Configuration only, never stored or printed.
    pub oidc_client_secret: Option<String>,
    /// What the button says after "Sign in with" (default: the issuer's host).
    pub oidc_name: Option<String>,
    /// E-mail domains whose addresses the provider is trusted to have verified, as given
    /// (checked with the rest of single sign-on, at start-up).
    pub oidc_trusted_domains: Vec<String>,
    /// Whether people may sign in with a Trellis password.
    pub local_passwords: bool,
    /// Seals private 1:1 notes (64 hex digits): configuration only, never stored in the
    /// database or printed. Losing it makes the private notes unreadable.
    pub secret_key: Option<String>,
    /// Scheduled backups: the folder (off when unset), how often and how many to keep.
    pub backup_dir: Option<std::path::PathBuf>,
    pub backup_every: Option<String>,
    pub backup_keep: Option<usize>,
}

impl std::fmt::Debug for Config {
    // The database URL may hold a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database", &trellis_store::redact_url(&self.database))
            .field("listen", &self.listen)
            .field("secure_cookies", &self.secure_cookies)
            .field("max_connections", &self.max_connections)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("max_upload_mb", &self.max_upload_mb)
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(trellis_mail::redact),
            )
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("oidc_issuer", &self.oidc_issuer)
            .field("oidc_client_id", &self.oidc_client_id)
            .field("oidc_name", &self.oidc_name)
            .field("oidc_trusted_domains", &self.oidc_trusted_domains)
            .field("local_passwords", &self.local_passwords)
            .field("backup_dir", &self.backup_dir)
            .field("backup_every", &self.backup_every)
            .field("backup_keep", &self.backup_keep)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database: "sqlite://trellis.db".into(),
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            max_connections: default_pool_size(),
            trusted_proxies: Vec::new(),
            max_upload_mb: 64,
            smtp_url: None,
            mail_from: None,
            public_url: None,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            secret_key: None,
            backup_dir: None,
            backup_every: None,
            backup_keep: None,
            oidc_name: None,
            oidc_trusted_domains: Vec::new(),
            local_passwords: true,
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
    pub trusted_proxies: Option<Vec<String>>,
    pub max_upload_mb: Option<u32>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub public_url: Option<String>,
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
    pub oidc_name: Option<String>,
    pub oidc_trusted_domains: Option<Vec<String>>,
    pub local_passwords: Option<bool>,
    pub secret_key: Option<String>,
    pub backup_dir: Option<std::path::PathBuf>,
    pub backup_every: Option<String>,
    pub backup_keep: Option<usize>,
}

/// Values given on the command line or in the environment (clap reads both; flags win).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database: Option<String>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub max_connections: Option<u32>,
    /// Addresses, comma-separated on the command line and in the environment.
    pub trusted_proxies: Option<Vec<String>>,
    pub max_upload_mb: Option<u32>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub public_url: Option<String>,
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
    pub oidc_name: Option<String>,
    /// Domains, comma-separated on the command line and in the environment.
    pub oidc_trusted_domains: Option<Vec<String>>,
    pub local_passwords: Option<bool>,
    pub secret_key: Option<String>,
    pub backup_dir: Option<std::path::PathBuf>,
    pub backup_every: Option<String>,
    pub backup_keep: Option<usize>,
}

impl From<FileConfig> for Overrides {
    fn from(f: FileConfig) -> Self {
        Overrides {
            database: f.database,
            listen: f.listen,
            secure_cookies: f.secure_cookies,
            max_connections: f.max_connections,
            trusted_proxies: f.trusted_proxies,
            max_upload_mb: f.max_upload_mb,
            smtp_url: f.smtp_url,
            mail_from: f.mail_from,
            public_url: f.public_url,
            oidc_issuer: f.oidc_issuer,
            oidc_client_id: f.oidc_client_id,
            oidc_client_secret: f.oidc_client_secret,
            oidc_name: f.oidc_name,
            oidc_trusted_domains: f.oidc_trusted_domains,
            local_passwords: f.local_passwords,
            secret_key: f.secret_key,
            backup_dir: f.backup_dir,
            backup_every: f.backup_every,
            backup_keep: f.backup_keep,
        }
    }
}

impl Config {
    /// Builds the configuration from its layers.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config> {
        let mut config = Config::default();
        // Without --config, a trellis.toml in the working folder is read when there is one
        // (`trellis serve` writes its generated secret_key there).
        let default = Path::new(DEFAULT_FILE);
        let file = file.or_else(|| default.exists().then_some(default));
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the configuration file {}", path.display())
            })?;
            let parsed: FileConfig = toml::from_str(&text).with_context(|| {
                format!("{} is not a valid Trellis configuration", path.display())
            })?;
            config
                .apply(parsed.into())
                .with_context(|| format!("in {}", path.display()))?;
        }
        config.apply(overrides.clone())?;
        Ok(config)
    }

    fn apply(&mut self, o: Overrides) -> Result<()> {
        if let Some(v) = o.database {
            self.database = v;
        }
        if let Some(v) = o.listen {
            self.listen = v;
        }
        if let Some(v) = o.secure_cookies {
            self.secure_cookies = v;
        }
        if let Some(v) = o.max_connections {
            self.max_connections = v;
        }
        if let Some(list) = o.trusted_proxies {
            self.trusted_proxies = list
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    v.parse().with_context(|| {
                        format!("trusted_proxies: {v:?} is not an IP address such as 10.0.0.5")
                    })
                })
                .collect::<Result<_>>()?;
        }
        if let Some(v) = o.max_upload_mb {
            anyhow::ensure!(
                (1..=4096).contains(&v),
                "max_upload_mb: give 1 to 4096 (MB), not {v}"
            );
            self.max_upload_mb = v;
        }
        if let Some(v) = o.smtp_url.filter(|v| !v.trim().is_empty()) {
            self.smtp_url = Some(v.trim().to_string());
        }
        if let Some(v) = o.mail_from.filter(|v| !v.trim().is_empty()) {
            self.mail_from = Some(v.trim().to_string());
        }
        if let Some(v) = o.public_url.filter(|v| !v.trim().is_empty()) {
            let v = v.trim().trim_end_matches('/').to_string();
            anyhow::ensure!(
                v.starts_with("http://") || v.starts_with("https://"),
                "public_url: give the address people open, such as https://people.example.org, not {v:?}"
            );
            self.public_url = Some(v);
        }
        let text = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        if let Some(v) = text(o.oidc_issuer) {
            self.oidc_issuer = Some(v);
        }
        if let Some(v) = text(o.oidc_client_id) {
            self.oidc_client_id = Some(v);
        }
        if let Some(v) = o.oidc_client_secret.filter(|v| !v.is_empty()) {
            self.oidc_client_secret = Some(v);
        }
        if let Some(v) = text(o.oidc_name) {
            self.oidc_name = Some(v);
        }
        if let Some(list) = o.oidc_trusted_domains {
            self.oidc_trusted_domains = list;
        }
        if let Some(v) = o.local_passwords {
            self.local_passwords = v;
        }
        if let Some(v) = text(o.secret_key) {
            trellis_core::conversations::sealed::NoteKey::from_hex(&v)
                .map_err(anyhow::Error::msg)?;
            self.secret_key = Some(v);
        }
        if let Some(v) = o.backup_dir {
            self.backup_dir = Some(v);
        }
        if let Some(v) = text(o.backup_every) {
            self.backup_every = Some(v);
        }
        if let Some(v) = o.backup_keep {
            self.backup_keep = Some(v);
        }
        Ok(())
    }

    /// The OpenID provider and its trusted domains when single sign-on is set up; why it
    /// cannot work, in one sentence, when its settings are wrong.
    pub fn sso_provider(&self) -> Result<Option<(trellis_sso::Provider, TrustedDomains)>, String> {
        let Some(issuer) = self.oidc_issuer.clone() else {
            if self.oidc_client_id.is_some() || self.oidc_client_secret.is_some() {
                return Err("oidc_client_id and oidc_client_secret are set but oidc_issuer is not: give the provider's issuer URL".into());
            }
            if !self.local_passwords {
                return Err("local_passwords = false needs single sign-on: set oidc_issuer too, or nobody could sign in".into());
            }
            return Ok(None);
        };
        let trusted = TrustedDomains::parse(self.oidc_trusted_domains.iter().map(String::as_str))?;
        let label = self.oidc_name.clone().unwrap_or_else(|| {
            issuer
                .split("://")
                .nth(1)
                .and_then(|rest| rest.split(['/', ':']).next())
                .unwrap_or("single sign-on")
                .to_string()
        });
        trellis_sso::Provider::new(trellis_sso::SsoConfig {
            issuer,
            client_id: self.oidc_client_id.clone().unwrap_or_default(),
            client_secret: self.oidc_client_secret.clone().unwrap_or_default(),
            label,
            public_url: self.site().public_url,
        })
        .map(|provider| Some((provider, trusted)))
    }

    /// Where people reach Trellis: the public URL, or the listen address.
    pub fn site(&self) -> trellis_core::mail::Site {
        match &self.public_url {
            Some(url) => trellis_core::mail::Site::new(url),
            None => trellis_core::mail::Site::new(&format!("http://{}", self.listen)),
        }
    }

    /// The SMTP mailer, or why there is none (a warning at start-up, not a failure: mail
    /// queues until it is set up).
    pub fn mailer(&self) -> Result<trellis_mail::SmtpMailer, String> {
        let url = self
            .smtp_url
            .as_deref()
            .ok_or("no SMTP server is configured (smtp_url)")?;
        let from = self
            .mail_from
            .as_deref()
            .ok_or("no sender is configured (mail_from)")?;
        trellis_mail::SmtpMailer::new(url, from)
    }
}

/// The key that seals private notes: the configured one, or a new one written into the
/// configuration file (`file`, or `trellis.toml` here) so the next start uses it too.
pub fn ensure_secret_key(config: &mut Config, file: Option<&Path>) -> Result<()> {
    if config.secret_key.is_some() {
        return Ok(());
    }
    let key = trellis_core::conversations::sealed::NoteKey::generate_hex();
    let path = file.unwrap_or(Path::new(DEFAULT_FILE));
    let mut text = std::fs::read_to_string(path).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "# Seals private 1:1 notes. Keep it with your backups, apart from the database: \
         without it the private notes cannot be read.\nsecret_key = \"{key}\"\n"
    ));
    std::fs::write(path, text).with_context(|| {
        format!(
            "secret_key is not set and cannot be written to {}; set TRELLIS_SECRET_KEY \
             to 64 hexadecimal digits",
            path.display()
        )
    })?;
    eprintln!(
        "Generated a secret_key for private notes into {}: keep that file (or the key) safe.",
        path.display()
    );
    config.secret_key = Some(key);
    Ok(())
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
    fn single_sign_on_comes_from_the_file_and_the_secret_is_never_printed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trellis.toml");
        std::fs::write(
            &path,
            "public_url = \"https://people.x.org\"\noidc_issuer = \"https://id.x.org\"\n\
             oidc_client_id = \"trellis\"\noidc_client_secret = \"s3cret\"\n\
             oidc_trusted_domains = [\"x.org\", \"@y.org\"]\nlocal_passwords = false\n",
        )
        .unwrap();
        let config = Config::load(Some(&path), &Overrides::default()).unwrap();
        assert!(!config.local_passwords);
        let (provider, trusted) = config.sso_provider().unwrap().unwrap();
        assert_eq!(trusted.list(), ["x.org", "y.org"]);
        assert_eq!(provider.label(), "id.x.org", "the issuer's host by default");
        assert_eq!(
            provider.redirect_uri(),
            "https://people.x.org/signin/sso/callback"
        );
        assert!(!format!("{config:?}").contains("s3cret"));
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
