//! The SCIM User (core schema and enterprise extension) and how it maps to a person.
//! Trellis keeps what it has of a person in `people`; what only SCIM has (the parts of the
//! name, the display name, every e-mail, the language, the division) is kept beside it, so a
//! provider reads back what it wrote.

use super::filter::{field, parse_bool};
use super::{ENTERPRISE_SCHEMA, ScimError, ScimResult, USER_SCHEMA, timestamp, version_of};
use crate::ids::PersonId;
use serde_json::{Map, Value, json};

/// A User as a provider sent it (POST, PUT, or a PATCH applied to the stored User).
/// Unknown attributes are ignored (RFC 7644 §3.3); read-only ones too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserInput {
    pub user_name: String,
    pub external_id: Option<String>,
    pub name: Option<Value>,
    pub display_name: Option<String>,
    pub nick_name: Option<String>,
    pub title: Option<String>,
    pub emails: Vec<Value>,
    /// None when not sent: a new person is active, a known one stays as they are.
    pub active: Option<bool>,
    pub timezone: Option<String>,
    pub preferred_language: Option<String>,
    pub employee_number: Option<String>,
    pub department: Option<String>,
    pub division: Option<String>,
    /// The SCIM id of the manager.
    pub manager: Option<String>,
}

fn invalid(detail: String) -> ScimError {
    ScimError::bad_request("invalidValue", detail)
}

/// A string attribute: absent, null and "" are all "not given".
fn text(object: &Value, name: &str) -> ScimResult<Option<String>> {
    match field(object, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(invalid(format!("{name} must be a string, not {other}"))),
    }
}

impl UserInput {
    pub fn read(body: &Value) -> ScimResult<UserInput> {
        if !body.is_object() {
            return Err(ScimError::bad_request(
                "invalidSyntax",
                "a User must be a JSON object",
            ));
        }
        let user_name = text(body, "userName")?
            .ok_or_else(|| invalid("userName is required: give the person's login name".into()))?;
        let name = match field(body, "name") {
            None | Some(Value::Null) => None,
            Some(Value::Object(parts)) => {
                let mut kept = Map::new();
                for (k, v) in parts {
                    match v {
                        Value::String(s) if !s.trim().is_empty() => {
                            kept.insert(k.clone(), Value::String(s.clone()));
                        }
                        Value::String(_) | Value::Null => {}
                        other => {
                            return Err(invalid(format!("name.{k} must be a string, not {other}")));
                        }
                    }
                }
                Some(Value::Object(kept)).filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
            }
            Some(other) => return Err(invalid(format!("name must be an object, not {other}"))),
        };
        let emails = match field(body, "emails") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut emails = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let value = text(item, "value")?;
                    let Some(value) = value else {
                        return Err(invalid(format!("emails[{i}].value is required")));
                    };
                    let mut email = json!({ "value": value });
                    if let Some(t) = text(item, "type")? {
                        email["type"] = json!(t);
                    }
                    if let Some(primary) = boolean(item, "primary")? {
                        email["primary"] = json!(primary);
                    }
                    emails.push(email);
                }
                emails
            }
            Some(other) => return Err(invalid(format!("emails must be a list, not {other}"))),
        };
        let ext = field(body, ENTERPRISE_SCHEMA)
            .cloned()
            .unwrap_or(Value::Null);
        let manager = match field(&ext, "manager") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Some(m @ Value::Object(_)) => text(m, "value")?,
            Some(other) => return Err(invalid(format!("manager must be an object, not {other}"))),
        };
        Ok(UserInput {
            user_name,
            external_id: text(body, "externalId")?,
            name,
            display_name: text(body, "displayName")?,
            nick_name: text(body, "nickName")?,
            title: text(body, "title")?,
            emails,
            active: boolean(body, "active")?,
            timezone: text(body, "timezone")?,
            preferred_language: text(body, "preferredLanguage")?,
            employee_number: text(&ext, "employeeNumber")?,
            department: text(&ext, "department")?,
            division: text(&ext, "division")?,
            manager,
        })
    }

    /// The person's name: the formatted name, else given and family names, else the display
    /// name, else the login name.
    pub fn full_name(&self) -> String {
        self.name
            .as_ref()
            .and_then(name_of)
            .or_else(|| self.display_name.clone())
            .unwrap_or_else(|| self.user_name.clone())
    }

    /// The work e-mail: the primary one, else the one typed "work", else the first, else the
    /// login name when it is an e-mail address (Entra ID sends the UPN as userName).
    pub fn work_email(&self) -> Option<String> {
        let value = |e: &Value| e.get("value").and_then(Value::as_str).map(str::to_string);
        self.emails
            .iter()
            .find(|e| e.get("primary") == Some(&Value::Bool(true)))
            .or_else(|| {
                self.emails
                    .iter()
                    .find(|e| e.get("type").and_then(Value::as_str) == Some("work"))
            })
            .or(self.emails.first())
            .and_then(value)
            .or_else(|| self.user_name.contains('@').then(|| self.user_name.clone()))
    }

    /// What is kept beside the person.
    pub fn kept_attributes(&self) -> Value {
        let mut kept = Map::new();
        if let Some(name) = &self.name {
            kept.insert("name".into(), name.clone());
        }
        if let Some(d) = &self.display_name {
            kept.insert("displayName".into(), json!(d));
        }
        if !self.emails.is_empty() {
            kept.insert("emails".into(), json!(self.emails));
        }
        if self.active.is_some() {
            kept.insert("active".into(), json!(true));
        }
        if let Some(l) = &self.preferred_language {
            kept.insert("preferredLanguage".into(), json!(l));
        }
        if let Some(d) = &self.division {
            kept.insert("division".into(), json!(d));
        }
        Value::Object(kept)
    }
}

/// The name that the parts of a SCIM name give: the formatted name, else given and family
/// names.
fn name_of(parts: &Value) -> Option<String> {
    let part = |k: &str| {
        field(parts, k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    part("formatted").or_else(|| {
        let joined: Vec<String> = [part("givenName"), part("familyName")]
            .into_iter()
            .flatten()
            .collect();
        (!joined.is_empty()).then(|| joined.join(" "))
    })
}

/// A boolean attribute; Entra ID sends "True" and "False" as strings.
fn boolean(object: &Value, name: &str) -> ScimResult<Option<bool>> {
    match field(object, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) => parse_bool(s)
            .map(Some)
            .ok_or_else(|| invalid(format!("{name} must be true or false, not \"{s}\""))),
        Some(other) => Err(invalid(format!(
            "{name} must be true or false, not {other}"
        ))),
    }
}

/// A person as SCIM shows them: their fields in Trellis and what SCIM keeps beside them.
#[derive(Debug, Clone, PartialEq)]
pub struct ScimPerson {
    pub id: PersonId,
    pub user_name: String,
    pub external_id: Option<String>,
    pub attributes: Value,
    pub created_at: i64,
    pub updated_at: i64,
    pub name: String,
    pub preferred_name: Option<String>,
    pub email: String,
    pub title: Option<String>,
    pub employee_id: Option<String>,
    pub team_name: Option<String>,
    pub manager_id: Option<PersonId>,
    pub time_zone: Option<String>,
    pub active: bool,
}

/// Renders a User; `base` is the absolute URL of `/scim/v2`.
pub fn render(p: &ScimPerson, base: &str) -> Value {
    let kept = &p.attributes;
    let mut user = Map::new();
    user.insert("schemas".into(), json!([USER_SCHEMA, ENTERPRISE_SCHEMA]));
    user.insert("id".into(), json!(p.id.0.to_string()));
    if let Some(e) = &p.external_id {
        user.insert("externalId".into(), json!(e));
    }
    user.insert("userName".into(), json!(p.user_name));
    // The name as Trellis has it now wins over the formatted name once sent.
    // The name's parts as sent; the formatted name follows a change made in Trellis.
    if let Some(mut name) = kept.get("name").cloned() {
        if name_of(&name).as_deref() != Some(p.name.as_str()) {
            name["formatted"] = json!(p.name);
        }
        user.insert("name".into(), name);
    }
    if let Some(d) = kept.get("displayName") {
        user.insert("displayName".into(), d.clone());
    }
    if let Some(n) = &p.preferred_name {
        user.insert("nickName".into(), json!(n));
    }
    if let Some(t) = &p.title {
        user.insert("title".into(), json!(t));
    }
    let mut emails: Vec<Value> = kept
        .get("emails")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let chosen = UserInput {
        emails: emails.clone(),
        user_name: p.user_name.clone(),
        ..Default::default()
    }
    .work_email();
    match emails
        .iter_mut()
        .find(|e| e.get("value").and_then(Value::as_str) == chosen.as_deref())
    {
        Some(e) => {
            let differs = e["value"]
                .as_str()
                .is_none_or(|v| !v.eq_ignore_ascii_case(&p.email));
            if differs {
                e["value"] = json!(p.email);
            }
        }
        None => emails.push(json!({"value": p.email, "type": "work", "primary": true})),
    }
    user.insert("emails".into(), json!(emails));
    // Shown when the provider manages it (it sent `active` and has not removed it); a
    // removed `active` leaves the person as they are.
    if kept.get("active").is_some() {
        user.insert("active".into(), json!(p.active));
    }
    if let Some(tz) = &p.time_zone {
        user.insert("timezone".into(), json!(tz));
    }
    if let Some(l) = kept.get("preferredLanguage") {
        user.insert("preferredLanguage".into(), l.clone());
    }
    let mut ext = Map::new();
    if let Some(n) = &p.employee_id {
        ext.insert("employeeNumber".into(), json!(n));
    }
    if let Some(t) = &p.team_name {
        ext.insert("department".into(), json!(t));
    }
    if let Some(d) = kept.get("division") {
        ext.insert("division".into(), d.clone());
    }
    if let Some(m) = p.manager_id {
        let manager = json!({"value": m.0.to_string(), "$ref": format!("{base}/Users/{}", m.0)});
        ext.insert("manager".into(), manager);
    }
    if !ext.is_empty() {
        user.insert(ENTERPRISE_SCHEMA.into(), Value::Object(ext));
    }
    let mut user = Value::Object(user);
    let version = version_of(&user);
    user["meta"] = json!({
        "resourceType": "User",
        "created": timestamp(p.created_at),
        "lastModified": timestamp(p.updated_at),
        "location": format!("{base}/Users/{}", p.id.0),
        "version": version,
    });
    user
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entra_user_reads_with_its_upn_and_string_booleans() {
        let body = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
            "userName": "Ada.Lovelace@contoso.example",
            "active": "False",
            "displayName": "Ada Lovelace",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"primary": "True", "type": "work", "value": "ada@contoso.example"}],
            "unknownAttribute": 3,
            ENTERPRISE_SCHEMA: {"department": "Engineering", "manager": {"value": "7"}}
        });
        let user = UserInput::read(&body).unwrap();
        assert_eq!(user.active, Some(false));
        assert_eq!(user.full_name(), "Ada Lovelace");
        assert_eq!(user.work_email().as_deref(), Some("ada@contoso.example"));
        assert_eq!(user.manager.as_deref(), Some("7"));
        assert_eq!(user.department.as_deref(), Some("Engineering"));
        let no_email = UserInput::read(&json!({"userName": "grace@contoso.example"})).unwrap();
        assert_eq!(
            no_email.work_email().as_deref(),
            Some("grace@contoso.example")
        );
        assert_eq!(no_email.active, None, "not sent");
    }

    #[test]
    fn a_malformed_user_says_which_attribute() {
        let e = UserInput::read(&json!({"userName": "a", "active": "maybe"})).unwrap_err();
        assert_eq!(e.scim_type, Some("invalidValue"));
        assert!(e.detail.contains("active"), "{}", e.detail);
        let e = UserInput::read(&json!({"name": {"givenName": "A"}})).unwrap_err();
        assert!(e.detail.contains("userName is required"));
        let e =
            UserInput::read(&json!({"userName": "a", "emails": [{"type": "work"}]})).unwrap_err();
        assert!(e.detail.contains("emails[0].value"));
    }
}
