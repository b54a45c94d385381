//! What the SCIM server says of itself (RFC 7643 §5–7): the features it supports, its
//! resource types and the attributes of each schema — exactly those Trellis keeps.

use super::{ENTERPRISE_SCHEMA, GROUP_SCHEMA, MAX_PAGE, USER_SCHEMA};
use serde_json::{Value, json};

const CONFIG_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": [CONFIG_SCHEMA],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_PAGE},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A provisioning token made under Admin → Provisioning, sent as Authorization: Bearer",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")}
    })
}

pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User", "name": "User", "endpoint": "/Users",
            "description": "A person in the organisation",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")}
        }),
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group", "name": "Group", "endpoint": "/Groups",
            "description": "A group of people: an audience for review cycles and programmes",
            "schema": GROUP_SCHEMA,
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")}
        }),
    ]
}

/// One attribute's description.
fn attr(name: &str, kind: &str, description: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": false, "description": description,
        "required": false, "caseExact": false, "mutability": "readWrite",
        "returned": "default", "uniqueness": "none"
    })
}

fn with(mut a: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().into_iter().flatten() {
        a[k] = v.clone();
    }
    a
}

fn string(name: &str, description: &str) -> Value {
    attr(name, "string", description)
}

pub fn schemas(base: &str) -> Vec<Value> {
    let zones: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    let user = vec![
        with(
            string(
                "userName",
                "The person's login name (Entra ID sends the UPN); unique, case-insensitively",
            ),
            json!({"required": true, "uniqueness": "server"}),
        ),
        with(
            attr("name", "complex", "The parts of the person's name"),
            json!({"subAttributes": [
                string("formatted", "The full name, as Trellis shows it"),
                string("familyName", "Family name"),
                string("givenName", "Given name"),
                string("middleName", "Middle name"),
                string("honorificPrefix", "Honorific prefix"),
                string("honorificSuffix", "Honorific suffix"),
            ]}),
        ),
        string("displayName", "The name to display"),
        string(
            "nickName",
            "The name the person goes by (their preferred name in Trellis)",
        ),
        string("title", "Job title"),
        with(
            attr(
                "emails",
                "complex",
                "E-mail addresses; the primary (or work) one is the person's e-mail in Trellis. Required unless userName is an e-mail address",
            ),
            json!({"multiValued": true, "required": true, "subAttributes": [
                with(string("value", "The address"), json!({"required": true})),
                with(string("type", "work, home or other"), json!({"canonicalValues": ["work", "home", "other"]})),
                attr("primary", "boolean", "The person's main address"),
            ]}),
        ),
        attr(
            "active",
            "boolean",
            "Works here; false marks the person as having left",
        ),
        with(
            string("timezone", "The person's time zone (IANA name)"),
            json!({"canonicalValues": zones}),
        ),
        string("preferredLanguage", "Preferred language, such as en-GB"),
    ];
    let enterprise = vec![
        string("employeeNumber", "Employee number; unique"),
        string("department", "The person's team in Trellis"),
        string("division", "Division"),
        with(
            attr(
                "manager",
                "complex",
                "The person's manager: the reporting line",
            ),
            json!({"subAttributes": [
                string("value", "The id of the manager's User"),
                with(attr("$ref", "reference", "The manager's User"), json!({"referenceTypes": ["User"]})),
            ]}),
        ),
    ];
    let group = vec![
        with(
            string(
                "displayName",
                "The group's name; unique, case-insensitively",
            ),
            json!({"required": true, "uniqueness": "server"}),
        ),
        with(
            attr("members", "complex", "The people in the group"),
            json!({"multiValued": true, "subAttributes": [
                with(string("value", "The id of a member's User"), json!({"mutability": "immutable"})),
                with(attr("$ref", "reference", "The member's User"), json!({"referenceTypes": ["User"], "mutability": "immutable"})),
                with(string("type", "User"), json!({"canonicalValues": ["User"], "mutability": "immutable"})),
            ]}),
        ),
    ];
    let schema = |id: &str, name: &str, description: &str, attributes: Vec<Value>| {
        json!({
            "schemas": [SCHEMA_SCHEMA],
            "id": id, "name": name, "description": description, "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")}
        })
    };
    vec![
        schema(USER_SCHEMA, "User", "A person", user),
        schema(
            ENTERPRISE_SCHEMA,
            "EnterpriseUser",
            "A person's place in the organisation",
            enterprise,
        ),
        schema(GROUP_SCHEMA, "Group", "A group of people", group),
    ]
}
