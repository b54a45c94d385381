//! Provisioning from an identity provider over SCIM 2.0 (RFC 7643, RFC 7644): Okta, Entra ID
//! and others create, change and deactivate people and groups. A SCIM token is a service
//! actor, not a person: it reaches `/scim/v2` and nothing else. Every write goes through
//! the org services' validation, history and audit, in one transaction per request.
//!
//! Resources are handled as SCIM renders them (JSON): a PATCH is applied to the rendered
//! resource and the result is read back as a replacement, so PUT and PATCH share one path
//! and filters see exactly what a provider reads.

pub mod discovery;
pub mod filter;
pub mod groups;
pub mod patch;
pub mod store;
pub mod tokens;
pub mod user;
pub mod users;

use crate::error::CoreError;
use serde_json::{Value, json};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The most resources one page of a list holds.
pub const MAX_PAGE: usize = 1000;

/// A SCIM error (RFC 7644 §3.12): its status, its `scimType` and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn bad_request(scim_type: &'static str, detail: impl Into<String>) -> ScimError {
        ScimError {
            status: 400,
            scim_type: Some(scim_type),
            detail: detail.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> ScimError {
        ScimError {
            status: 404,
            scim_type: None,
            detail: format!("{} not found", what.into()),
        }
    }

    pub fn uniqueness(detail: impl Into<String>) -> ScimError {
        ScimError {
            status: 409,
            scim_type: Some("uniqueness"),
            detail: detail.into(),
        }
    }

    /// The error body SCIM clients read.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        body
    }
}

impl From<CoreError> for ScimError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::NotFound(what) => ScimError::not_found(what),
            CoreError::Invalid(_) => ScimError::bad_request("invalidValue", e.to_string()),
            CoreError::Conflict(detail) => ScimError::uniqueness(detail),
            CoreError::Forbidden(_) => ScimError {
                status: 403,
                scim_type: None,
                detail: e.to_string(),
            },
            CoreError::Unauthenticated => ScimError {
                status: 401,
                scim_type: None,
                detail: e.to_string(),
            },
            CoreError::TooManyAttempts(detail) => ScimError {
                status: 429,
                scim_type: None,
                detail,
            },
            CoreError::Unavailable(_) | CoreError::Internal(_) => ScimError {
                status: 500,
                scim_type: None,
                detail: e.to_string(),
            },
        }
    }
}

pub type ScimResult<T> = Result<T, ScimError>;

/// Which attributes a response carries (`attributes`, `excludedAttributes`).
#[derive(Debug, Clone, Default)]
pub struct Projection {
    pub attributes: Vec<String>,
    pub excluded: Vec<String>,
}

impl Projection {
    pub fn parse(attributes: Option<&str>, excluded: Option<&str>) -> Projection {
        let list = |s: Option<&str>| -> Vec<String> {
            s.unwrap_or_default()
                .split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect()
        };
        Projection {
            attributes: list(attributes),
            excluded: list(excluded),
        }
    }

    /// Whether members must be read at all (a group's members are its heaviest part).
    pub fn wants(&self, attr: &str) -> bool {
        let named = |list: &[String]| {
            list.iter().any(|a| {
                let a = a.rsplit(':').next().unwrap_or(a);
                a.split('.').next().unwrap_or(a).eq_ignore_ascii_case(attr)
            })
        };
        if !self.attributes.is_empty() {
            return named(&self.attributes);
        }
        !named(&self.excluded)
    }

    /// Keeps the attributes asked for; `id`, `schemas` and `meta` are always returned.
    pub fn apply(&self, resource: &mut Value) {
        let Some(object) = resource.as_object_mut() else {
            return;
        };
        let always = ["id", "schemas", "meta"];
        if !self.attributes.is_empty() {
            let keep: Vec<(Option<String>, String, Option<String>)> = self
                .attributes
                .iter()
                .filter_map(|a| filter::attr_path(a).ok())
                .map(|p| (p.urn, p.attr, p.sub))
                .collect();
            let keys: Vec<String> = object.keys().cloned().collect();
            for key in keys {
                if always.iter().any(|a| a.eq_ignore_ascii_case(&key)) {
                    continue;
                }
                if key.starts_with("urn:") {
                    let inner: Vec<&(Option<String>, String, Option<String>)> = keep
                        .iter()
                        .filter(|(urn, _, _)| {
                            urn.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(&key))
                        })
                        .collect();
                    let whole = keep
                        .iter()
                        .any(|(urn, attr, _)| urn.is_none() && attr.eq_ignore_ascii_case(&key));
                    if whole {
                        continue;
                    }
                    if inner.is_empty() {
                        object.remove(&key);
                    } else if let Some(ext) = object.get_mut(&key).and_then(Value::as_object_mut) {
                        ext.retain(|k, _| {
                            inner
                                .iter()
                                .any(|(_, attr, _)| attr.eq_ignore_ascii_case(k))
                        });
                    }
                    continue;
                }
                let wanted: Vec<&Option<String>> = keep
                    .iter()
                    .filter(|(urn, attr, _)| {
                        (urn.is_none() || urn.as_deref().is_some_and(|u| !u.contains("extension")))
                            && attr.eq_ignore_ascii_case(&key)
                    })
                    .map(|(_, _, sub)| sub)
                    .collect();
                if wanted.is_empty() {
                    object.remove(&key);
                } else if wanted.iter().all(|s| s.is_some())
                    && let Some(Value::Object(inner)) = object.get_mut(&key)
                {
                    inner.retain(|k, _| {
                        wanted
                            .iter()
                            .any(|s| s.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(k)))
                    });
                }
            }
        }
        for excluded in &self.excluded {
            let Ok(path) = filter::attr_path(excluded) else {
                continue;
            };
            if always.iter().any(|a| a.eq_ignore_ascii_case(&path.attr)) && path.urn.is_none() {
                continue;
            }
            let target = match &path.urn {
                Some(urn) if urn.contains("extension") => object
                    .iter_mut()
                    .find(|(k, _)| k.eq_ignore_ascii_case(urn))
                    .and_then(|(_, v)| v.as_object_mut()),
                _ => Some(&mut *object),
            };
            let Some(target) = target else { continue };
            let key = target
                .keys()
                .find(|k| k.eq_ignore_ascii_case(&path.attr))
                .cloned();
            if let Some(key) = key {
                match &path.sub {
                    None => {
                        target.remove(&key);
                    }
                    Some(sub) => {
                        if let Some(Value::Object(inner)) = target.get_mut(&key) {
                            inner.retain(|k, _| !k.eq_ignore_ascii_case(sub));
                        }
                    }
                }
            }
        }
    }
}

/// One page of a list: `startIndex` is 1-based; counts are whole numbers (RFC 7644 §3.4.2.4).
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub start_index: usize,
    pub count: usize,
}

impl Paging {
    pub fn new(start_index: Option<i64>, count: Option<i64>) -> Paging {
        Paging {
            start_index: start_index.unwrap_or(1).max(1) as usize,
            count: count.unwrap_or(100).clamp(0, MAX_PAGE as i64) as usize,
        }
    }

    pub fn offset(&self) -> usize {
        self.start_index - 1
    }
}

/// A list response.
pub fn list_body(resources: Vec<Value>, total: usize, paging: Paging) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": paging.start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// The weak ETag of a resource as rendered (without its `meta`): any change to what a
/// provider reads, made over SCIM or in Trellis, changes it.
pub fn version_of(resource: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut bare = resource.clone();
    if let Some(o) = bare.as_object_mut() {
        o.remove("meta");
    }
    let digest = Sha256::digest(bare.to_string().as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// An RFC 3339 timestamp of Unix seconds.
pub fn timestamp(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_keeps_what_was_asked_and_always_the_id() {
        let resource = json!({
            "id": "1", "schemas": [USER_SCHEMA], "userName": "a", "title": "t",
            "name": {"givenName": "A", "familyName": "B"},
            ENTERPRISE_SCHEMA: {"department": "D", "division": "X"},
            "meta": {"resourceType": "User"}
        });
        let mut r = resource.clone();
        Projection::parse(Some("userName,name.givenName"), None).apply(&mut r);
        assert_eq!(
            r,
            json!({"id": "1", "schemas": [USER_SCHEMA], "userName": "a",
                   "name": {"givenName": "A"}, "meta": {"resourceType": "User"}})
        );
        let mut r = resource.clone();
        Projection::parse(None, Some(&format!("title,{ENTERPRISE_SCHEMA}:division"))).apply(&mut r);
        assert!(r.get("title").is_none());
        assert_eq!(r[ENTERPRISE_SCHEMA], json!({"department": "D"}));
        assert!(!Projection::parse(None, Some("members")).wants("members"));
        assert!(Projection::parse(None, None).wants("members"));
    }
}
