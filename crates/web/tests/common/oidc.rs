//! A real OpenID provider for the tests: `oidc-provider` from npm, started by Node from
//! `tests/oidc/provider.mjs` (scripts/test runs `npm ci` there). It signs in whoever a test
//! names and can forge the ID tokens it issues.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct OidcProvider {
    child: Child,
    pub issuer: String,
    http: reqwest::Client,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The client Trellis is registered as.
pub const CLIENT_ID: &str = "trellis";
pub const CLIENT_SECRET: &str = "trellis-test-secret";

impl OidcProvider {
    /// Starts a provider that sends browsers back to `redirect_uri`, with the e-mail in
    /// the user info only.
    pub fn start(redirect_uri: &str) -> OidcProvider {
        OidcProvider::spawn(redirect_uri, false)
    }

    /// … with the e-mail and name in the ID token itself.
    pub fn start_with_claims_in_id_token(redirect_uri: &str) -> OidcProvider {
        OidcProvider::spawn(redirect_uri, true)
    }

    fn spawn(redirect_uri: &str, claims_in_id_token: bool) -> OidcProvider {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc");
        assert!(
            std::path::Path::new(dir)
                .join("node_modules/oidc-provider")
                .exists(),
            "the test OpenID provider is not installed: run `npm ci --prefix crates/web/tests/oidc` (scripts/test does)"
        );
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(dir)
            .env("REDIRECT_URI", redirect_uri)
            .env(
                "CLAIMS_IN_ID_TOKEN",
                if claims_in_id_token { "1" } else { "0" },
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the test OpenID provider");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // Whatever Node prints later is read and dropped: a closed pipe would stop it.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let port = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("the provider did not start: {line:?}"));
        OidcProvider {
            child,
            issuer: format!("http://localhost:{port}"),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// The provider signs in this account next. `email_verified: None` sends no such claim.
    pub async fn sign_in_as(
        &self,
        subject: &str,
        email: &str,
        email_verified: Option<bool>,
        name: &str,
    ) {
        let mut url = format!(
            "{}/test/login?sub={subject}&email={}&name={}",
            self.issuer,
            super::urlencode(email),
            super::urlencode(name)
        );
        if let Some(v) = email_verified {
            url.push_str(&format!("&email_verified={v}"));
        }
        let r = self.http.post(url).send().await.unwrap();
        assert!(r.status().is_success());
    }

    /// Forges the next ID tokens: `signature`, `nonce`, `issuer`, `audience` or `none`.
    pub async fn tamper(&self, mode: &str) {
        let url = format!("{}/test/tamper?mode={mode}", self.issuer);
        let r = self.http.post(url).send().await.unwrap();
        assert!(r.status().is_success());
    }

    /// Plays the browser at the provider: follows its redirects from the authorize URL,
    /// keeping its cookies, until it sends the browser to `back_to`; that URL.
    pub async fn authorize(&self, authorize_url: &str, back_to: &str) -> String {
        let mut cookies: Vec<(String, String)> = Vec::new();
        let mut url = authorize_url.to_string();
        for _ in 0..10 {
            if url.starts_with(back_to) {
                return url;
            }
            let header = cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let response = self
                .http
                .get(&url)
                .header("cookie", header)
                .send()
                .await
                .unwrap();
            for set in response.headers().get_all("set-cookie") {
                let pair = set.to_str().unwrap().split(';').next().unwrap();
                let (name, value) = pair.split_once('=').unwrap();
                cookies.retain(|(k, _)| k != name);
                if !value.is_empty() {
                    cookies.push((name.to_string(), value.to_string()));
                }
            }
            let status = response.status();
            let Some(location) = response.headers().get("location") else {
                panic!(
                    "the provider stopped at {url}: {status} {}",
                    response.text().await.unwrap()
                );
            };
            let location = location.to_str().unwrap();
            url = if location.starts_with('/') {
                format!("{}{location}", self.issuer)
            } else {
                location.to_string()
            };
        }
        panic!("the provider never sent the browser back to {back_to}");
    }
}
