//! Single sign-on with OpenID Connect: the authorization code flow with PKCE, a single-use
//! `state` and a `nonce`, over the `openidconnect` crate. This crate speaks the protocol
//! (discovery, the token request, the ID token's signature, issuer, audience, expiry and
//! nonce); who the identity is in Trellis is decided in `trellis_core::auth::sso`.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// The path of the callback under the public URL.
pub const CALLBACK_PATH: &str = "/signin/sso/callback";

/// How long discovered metadata and signing keys are trusted before they are fetched again
/// (keys rotate; a key not yet known is also fetched at once).
const METADATA_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// How long the provider may take to answer.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The provider's settings.
#[derive(Clone)]
pub struct SsoConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// What the button says after "Sign in with".
    pub label: String,
    /// Where people reach Trellis; the redirect URI is this plus [`CALLBACK_PATH`].
    pub public_url: String,
}

impl std::fmt::Debug for SsoConfig {
    // The client secret is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("label", &self.label)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

/// A sign-in under way: what the callback needs, kept by Trellis between the two
/// requests (the `state` is its key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Where to send the browser, and what to keep until it comes back.
#[derive(Debug)]
pub struct Start {
    pub authorize_url: String,
    pub pending: Pending,
}

/// Who the provider says signed in, after every check passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    /// The `email_verified` claim; `None` when the provider sent none.
    pub email_verified: Option<bool>,
    pub name: Option<String>,
}

/// Why single sign-on did not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoError {
    /// The provider could not be reached or did not describe itself properly.
    Unavailable(String),
    /// The provider's answer failed a check (signature, issuer, audience, nonce, expiry)
    /// or it refused the code.
    Rejected(String),
}

impl std::fmt::Display for SsoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SsoError::Unavailable(why) => write!(f, "the sign-in provider is unavailable: {why}"),
            SsoError::Rejected(why) => {
                write!(f, "the sign-in provider's answer was refused: {why}")
            }
        }
    }
}

impl std::error::Error for SsoError {}

/// One configured OpenID provider, with its discovered metadata and keys cached.
pub struct Provider {
    config: SsoConfig,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<(Instant, CoreProviderMetadata)>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// Checks the settings' form (not yet the provider: see [`Provider::discover`]).
    pub fn new(config: SsoConfig) -> Result<Provider, String> {
        let issuer = IssuerUrl::new(config.issuer.trim().to_string())
            .map_err(|e| format!("oidc_issuer {:?} is not a URL: {e}", config.issuer))?;
        if issuer.url().scheme() != "https" && !is_loopback(issuer.url()) {
            return Err(format!(
                "oidc_issuer {:?} must use https (plain http only on this machine)",
                config.issuer
            ));
        }
        if config.client_id.trim().is_empty() {
            return Err("oidc_client_id is missing: the provider gives it when Trellis is registered as an application".into());
        }
        if config.client_secret.is_empty() {
            return Err(
                "oidc_client_secret is missing: the provider gives it with the client id".into(),
            );
        }
        let redirect = RedirectUrl::new(format!(
            "{}{CALLBACK_PATH}",
            config.public_url.trim_end_matches('/')
        ))
        .map_err(|e| format!("public_url does not make a redirect URI: {e}"))?;
        let http = openidconnect::reqwest::ClientBuilder::new()
            // The token request must not follow redirects (SSRF; the spec says so too).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| format!("no HTTP client for single sign-on: {e}"))?;
        Ok(Provider {
            config,
            issuer,
            redirect,
            http,
            metadata: RwLock::new(None),
        })
    }

    /// What the button says: "Sign in with {label}".
    pub fn label(&self) -> &str {
        &self.config.label
    }

    /// The redirect URI to register with the provider.
    pub fn redirect_uri(&self) -> &str {
        self.redirect.as_str()
    }

    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// Fetches the provider's metadata and signing keys (discovery). The provider must
    /// name itself with exactly the configured issuer.
    pub async fn discover(&self) -> Result<(), SsoError> {
        self.metadata_fresh(true).await.map(|_| ())
    }

    async fn metadata_fresh(&self, force: bool) -> Result<CoreProviderMetadata, SsoError> {
        if !force
            && let Some((at, metadata)) = self.metadata.read().await.as_ref()
            && at.elapsed() < METADATA_LIFETIME
        {
            return Ok(metadata.clone());
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| SsoError::Unavailable(describe(&e)))?;
        *self.metadata.write().await = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
    ) -> openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// Starts a sign-in: the provider's URL to send the browser to, with a fresh state,
    /// nonce and PKCE challenge.
    pub async fn start(&self) -> Result<Start, SsoError> {
        let client = self.client(self.metadata_fresh(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Start {
            authorize_url: url.to_string(),
            pending: Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
            },
        })
    }

    /// Finishes a sign-in: exchanges the code (with the PKCE verifier) and checks the ID
    /// token. A signature by a key not yet known fetches the keys once more (rotation).
    pub async fn finish(&self, code: &str, pending: &Pending) -> Result<Identity, SsoError> {
        let client = self.client(self.metadata_fresh(false).await?);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SsoError::Unavailable(describe(&e)))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                SsoError::Rejected(format!("the code was not accepted: {}", describe(&e)))
            })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| SsoError::Rejected("the provider sent no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verify = |client: &CoreClient<_, _, _, _, _, _>| {
            id_token
                .claims(&client.id_token_verifier(), &nonce)
                .map(|claims| identity(claims, self.issuer.as_str()))
                .map_err(|e| e.to_string())
        };
        let mut identity = match verify(&client) {
            Ok(identity) => identity,
            Err(first) if first.contains("signature") || first.contains("key") => {
                let client = self.client(self.metadata_fresh(true).await?);
                verify(&client).map_err(SsoError::Rejected)?
            }
            Err(why) => return Err(SsoError::Rejected(why)),
        };
        if identity.email.is_none() {
            // Some providers put the e-mail only in the user info (OpenID Connect allows
            // it when the code flow is used); its subject must be the ID token's.
            self.add_user_info(&client, tokens.access_token(), &mut identity)
                .await?;
        }
        Ok(identity)
    }

    async fn add_user_info(
        &self,
        client: &CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        access_token: &openidconnect::AccessToken,
        identity: &mut Identity,
    ) -> Result<(), SsoError> {
        let Ok(request) = client.user_info(
            access_token.clone(),
            Some(openidconnect::SubjectIdentifier::new(
                identity.subject.clone(),
            )),
        ) else {
            return Ok(()); // The provider has no user info endpoint.
        };
        let info: openidconnect::core::CoreUserInfoClaims =
            request.request_async(&self.http).await.map_err(|e| {
                SsoError::Rejected(format!("the user info was refused: {}", describe(&e)))
            })?;
        identity.email = info.email().map(|e| e.as_str().trim().to_lowercase());
        identity.email_verified = info.email_verified();
        if identity.name.is_none() {
            identity.name = info
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string());
        }
        Ok(())
    }
}

fn identity(claims: &openidconnect::core::CoreIdTokenClaims, issuer: &str) -> Identity {
    Identity {
        issuer: issuer.to_string(),
        subject: claims.subject().as_str().to_string(),
        email: claims.email().map(|e| e.as_str().trim().to_lowercase()),
        email_verified: claims.email_verified(),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string()),
    }
}

fn is_loopback(url: &openidconnect::url::Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// An error with its causes, in one line.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = cause_of(source);
    }
    text
}

fn cause_of<'a>(
    error: Option<&'a (dyn std::error::Error + 'static)>,
) -> Option<&'a (dyn std::error::Error + 'static)> {
    error.and_then(|e| e.source())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(issuer: &str) -> SsoConfig {
        SsoConfig {
            issuer: issuer.into(),
            client_id: "trellis".into(),
            client_secret: "s3cret".into(),
            label: "Example ID".into(),
            public_url: "https://people.example.org/".into(),
        }
    }

    #[test]
    fn the_redirect_uri_comes_from_the_public_url() {
        let provider = Provider::new(config("https://id.example.org")).unwrap();
        assert_eq!(
            provider.redirect_uri(),
            "https://people.example.org/signin/sso/callback"
        );
    }

    #[test]
    fn bad_settings_are_named() {
        let err = Provider::new(config("id.example.org")).unwrap_err();
        assert!(err.contains("oidc_issuer"), "{err}");
        let err = Provider::new(config("http://id.example.org")).unwrap_err();
        assert!(err.contains("https"), "{err}");
        assert!(Provider::new(config("http://127.0.0.1:9000")).is_ok());
        let mut missing = config("https://id.example.org");
        missing.client_secret.clear();
        let err = Provider::new(missing).unwrap_err();
        assert!(err.contains("oidc_client_secret"), "{err}");
    }

    #[test]
    fn the_secret_is_not_printed() {
        let text = format!("{:?}", config("https://id.example.org"));
        assert!(!text.contains("s3cret"), "{text}");
    }
}
