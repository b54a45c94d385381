//! PATCH (RFC 7644 §3.5.2) applied to a resource as SCIM renders it. Accepts what providers
//! send besides the RFC: operation names in any case (`"Replace"`), dotted paths inside a
//! value object (`{"name.givenName": …}`), a manager given as a bare id, members removed by
//! a `value` list, and a filtered path with no match creating the element it names.

use super::filter::{self, AttrPath, Filter, Op, field};
use super::{ENTERPRISE_SCHEMA, ScimError, ScimResult};
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Add,
    Replace,
    Remove,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub kind: Kind,
    pub path: Option<String>,
    pub value: Option<Value>,
}

fn invalid_syntax(detail: String) -> ScimError {
    ScimError::bad_request("invalidSyntax", detail)
}

/// The operations of a PatchOp body.
pub fn read(body: &Value) -> ScimResult<Vec<Operation>> {
    let Some(ops) = field(body, "Operations").and_then(Value::as_array) else {
        return Err(invalid_syntax(
            "a PATCH body needs \"Operations\": a list of operations".into(),
        ));
    };
    ops.iter()
        .enumerate()
        .map(|(i, op)| {
            let kind = match field(op, "op")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
            {
                Some(k) if k == "add" => Kind::Add,
                Some(k) if k == "replace" => Kind::Replace,
                Some(k) if k == "remove" => Kind::Remove,
                Some(other) => {
                    return Err(invalid_syntax(format!(
                        "Operations[{i}].op is \"{other}\": use add, replace or remove"
                    )));
                }
                None => return Err(invalid_syntax(format!("Operations[{i}] has no \"op\""))),
            };
            let path = field(op, "path")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string);
            let value = field(op, "value").cloned();
            if kind != Kind::Remove && value.is_none() {
                return Err(invalid_syntax(format!(
                    "Operations[{i}] ({kind:?}) has no value"
                )));
            }
            if kind == Kind::Remove && path.is_none() {
                return Err(ScimError::bad_request(
                    "noTarget",
                    format!("Operations[{i}] removes without a path"),
                ));
            }
            Ok(Operation { kind, path, value })
        })
        .collect()
}

/// A PATCH path: the attribute, an optional filter on its elements, an optional
/// sub-attribute.
struct Target {
    path: AttrPath,
    filter: Option<Filter>,
}

fn target(text: &str) -> ScimResult<Target> {
    let invalid = |d: String| ScimError::bad_request("invalidPath", d);
    if let Some(open) = text.find('[') {
        let close = text
            .rfind(']')
            .filter(|c| *c > open)
            .ok_or_else(|| invalid(format!("the \"[\" in the path \"{text}\" is not closed")))?;
        let mut path = filter::attr_path(&text[..open])
            .map_err(|_| invalid(format!("\"{text}\" is not a path")))?;
        let inner = filter::parse(&text[open + 1..close]).map_err(|e| invalid(e.detail))?;
        let rest = &text[close + 1..];
        if let Some(sub) = rest.strip_prefix('.') {
            path.sub = Some(sub.to_string());
        } else if !rest.is_empty() {
            return Err(invalid(format!("\"{text}\" is not a path")));
        }
        return Ok(Target {
            path,
            filter: Some(inner),
        });
    }
    let path = filter::attr_path(text).map_err(|_| invalid(format!("\"{text}\" is not a path")))?;
    Ok(Target { path, filter: None })
}

/// Applies the operations in order; `multi_valued` names the resource's list attributes.
pub fn apply(resource: &mut Value, ops: &[Operation], multi_valued: &[&str]) -> ScimResult<()> {
    for op in ops {
        match (&op.path, &op.value) {
            (Some(path), value) => at_path(resource, op.kind, path, value.clone(), multi_valued)?,
            (None, Some(Value::Object(values))) => {
                for (key, value) in values {
                    if key.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) && value.is_object() {
                        let ext = object_at(resource, ENTERPRISE_SCHEMA);
                        for (k, v) in value.as_object().into_iter().flatten() {
                            set(ext, op.kind, k, v.clone(), multi_valued);
                        }
                    } else if key.contains('.') || key.contains(':') {
                        at_path(resource, op.kind, key, Some(value.clone()), multi_valued)?;
                    } else {
                        let root = resource.as_object_mut().expect("a resource is an object");
                        set(root, op.kind, key, value.clone(), multi_valued);
                    }
                }
            }
            (None, _) => {
                return Err(invalid_syntax(
                    "an operation without a path needs an object as its value".into(),
                ));
            }
        }
    }
    Ok(())
}

/// The object a path's attribute lives in: the resource, or its extension (made if absent).
fn object_at<'a>(resource: &'a mut Value, urn: &str) -> &'a mut Map<String, Value> {
    let root = resource.as_object_mut().expect("a resource is an object");
    let key = root
        .keys()
        .find(|k| k.eq_ignore_ascii_case(urn))
        .cloned()
        .unwrap_or_else(|| urn.to_string());
    let ext = root.entry(key).or_insert_with(|| json!({}));
    if !ext.is_object() {
        *ext = json!({});
    }
    ext.as_object_mut().expect("made an object")
}

fn key_in(object: &Map<String, Value>, name: &str) -> String {
    object
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string())
}

/// Adds or replaces one attribute of an object.
fn set(
    object: &mut Map<String, Value>,
    kind: Kind,
    name: &str,
    value: Value,
    multi_valued: &[&str],
) {
    let key = key_in(object, name);
    let multi = multi_valued.iter().any(|m| m.eq_ignore_ascii_case(name));
    match (kind, object.get_mut(&key)) {
        (Kind::Add, Some(Value::Array(items))) if multi => {
            let new = match value {
                Value::Array(v) => v,
                single => vec![single],
            };
            for item in new {
                if !items.contains(&item) {
                    items.push(item);
                }
            }
        }
        (_, Some(Value::Object(existing))) if value.is_object() && !multi => {
            for (k, v) in value.as_object().into_iter().flatten() {
                let sub = key_in(existing, k);
                existing.insert(sub, v.clone());
            }
        }
        _ => {
            let value = match value {
                Value::Array(v) => Value::Array(v),
                single if multi => Value::Array(vec![single]),
                single => single,
            };
            object.insert(key, value);
        }
    }
}

fn at_path(
    resource: &mut Value,
    kind: Kind,
    text: &str,
    value: Option<Value>,
    multi_valued: &[&str],
) -> ScimResult<()> {
    // The whole extension as the path: its attributes are set, or it is removed.
    if text.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) {
        match (kind, value) {
            (Kind::Remove, _) => {
                let root = resource.as_object_mut().expect("a resource is an object");
                let key = key_in(root, ENTERPRISE_SCHEMA);
                root.remove(&key);
            }
            (kind, Some(Value::Object(values))) => {
                let ext = object_at(resource, ENTERPRISE_SCHEMA);
                if kind == Kind::Replace {
                    ext.clear();
                }
                for (k, v) in values {
                    set(ext, kind, &k, v, multi_valued);
                }
            }
            _ => {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    "the enterprise extension is set with an object of its attributes",
                ));
            }
        }
        return Ok(());
    }
    let Target { path, filter } = target(text)?;
    let object = match &path.urn {
        Some(urn) if urn.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) => {
            object_at(resource, ENTERPRISE_SCHEMA)
        }
        Some(urn) if urn.to_ascii_lowercase().contains(":core:") => {
            resource.as_object_mut().expect("a resource is an object")
        }
        Some(urn) => {
            return Err(ScimError::bad_request(
                "invalidPath",
                format!("\"{urn}\" is not a schema of this resource"),
            ));
        }
        None => resource.as_object_mut().expect("a resource is an object"),
    };
    let key = key_in(object, &path.attr);
    if let Some(filter) = filter {
        return within(object, &key, kind, &filter, path.sub.as_deref(), value);
    }
    match (kind, path.sub) {
        (Kind::Remove, None) => {
            match (object.get_mut(&key), value) {
                // Members (or e-mails) removed by listing them: `{"value": [{"value": "7"}]}`.
                (Some(Value::Array(items)), Some(gone)) => {
                    let gone: Vec<Value> = match gone {
                        Value::Array(v) => v,
                        single => vec![single],
                    };
                    let ids: Vec<Option<&Value>> = gone.iter().map(|g| field(g, "value")).collect();
                    items.retain(|item| !ids.contains(&field(item, "value")));
                }
                _ => {
                    object.remove(&key);
                }
            }
        }
        (Kind::Remove, Some(sub)) => {
            if let Some(Value::Object(inner)) = object.get_mut(&key) {
                let sub_key = key_in(inner, &sub);
                inner.remove(&sub_key);
            }
        }
        (kind, None) => set(
            object,
            kind,
            &path.attr,
            value.unwrap_or(Value::Null),
            multi_valued,
        ),
        (_, Some(sub)) => {
            let entry = object.entry(key).or_insert_with(|| json!({}));
            if !entry.is_object() {
                *entry = json!({});
            }
            let inner = entry.as_object_mut().expect("made an object");
            let sub_key = key_in(inner, &sub);
            inner.insert(sub_key, value.unwrap_or(Value::Null));
        }
    }
    Ok(())
}

/// An operation on the elements of a list that match a filter.
fn within(
    object: &mut Map<String, Value>,
    key: &str,
    kind: Kind,
    filter: &Filter,
    sub: Option<&str>,
    value: Option<Value>,
) -> ScimResult<()> {
    let entry = object.entry(key.to_string()).or_insert_with(|| json!([]));
    if !entry.is_array() {
        *entry = json!([]);
    }
    let items = entry.as_array_mut().expect("made a list");
    if kind == Kind::Remove {
        match sub {
            None => items.retain(|item| !filter.matches(item)),
            Some(sub) => {
                for item in items.iter_mut().filter(|i| filter.matches(i)) {
                    if let Some(inner) = item.as_object_mut() {
                        let k = key_in(inner, sub);
                        inner.remove(&k);
                    }
                }
            }
        }
        return Ok(());
    }
    let value = value.unwrap_or(Value::Null);
    let mut matched = false;
    for item in items.iter_mut().filter(|i| filter.matches(i)) {
        matched = true;
        write_element(item, sub, value.clone());
    }
    if !matched {
        // `emails[type eq "work"].value` with no work e-mail yet: Entra ID means "add it".
        let Filter::Compare(on, Op::Eq, wanted) = filter else {
            return Err(ScimError::bad_request(
                "noTarget",
                format!("no element of {key} matches the path's filter"),
            ));
        };
        let mut item = json!({ on.attr.clone(): wanted.clone() });
        write_element(&mut item, sub, value);
        items.push(item);
    }
    Ok(())
}

fn write_element(item: &mut Value, sub: Option<&str>, value: Value) {
    let Some(inner) = item.as_object_mut() else {
        return;
    };
    match (sub, value) {
        (Some(sub), value) => {
            let k = key_in(inner, sub);
            inner.insert(k, value);
        }
        (None, Value::Object(fields)) => {
            for (k, v) in fields {
                let k = key_in(inner, &k);
                inner.insert(k, v);
            }
        }
        (None, _) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patched(resource: Value, body: Value) -> Value {
        let mut resource = resource;
        apply(&mut resource, &read(&body).unwrap(), &["emails", "members"]).unwrap();
        resource
    }

    #[test]
    fn entra_id_patches_are_understood() {
        let user = json!({"userName": "a", "active": true, "emails": []});
        let out = patched(
            user,
            json!({"schemas": [super::super::PATCH_SCHEMA], "Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "a@x.example"},
                {"op": "Add", "value": {"name.givenName": "Ada", "title": "Engineer"}},
                {"op": "Add", "path": format!("{ENTERPRISE_SCHEMA}:manager"), "value": "7"},
                {"op": "Replace", "value": {ENTERPRISE_SCHEMA: {"department": "Ops"}}}
            ]}),
        );
        assert_eq!(out["active"], json!("False"));
        assert_eq!(
            out["emails"],
            json!([{"type": "work", "value": "a@x.example"}])
        );
        assert_eq!(out["name"], json!({"givenName": "Ada"}));
        assert_eq!(out["title"], json!("Engineer"));
        assert_eq!(
            out[ENTERPRISE_SCHEMA],
            json!({"manager": "7", "department": "Ops"})
        );
    }

    #[test]
    fn members_are_added_and_removed_as_providers_send_them() {
        let group = json!({"displayName": "g", "members": [{"value": "1"}, {"value": "2"}]});
        let out = patched(
            group,
            json!({"Operations": [
                {"op": "add", "path": "members", "value": [{"value": "3"}, {"value": "1"}]},
                {"op": "remove", "path": "members[value eq \"2\"]"},
                {"op": "Remove", "path": "members", "value": [{"value": "3"}]}
            ]}),
        );
        assert_eq!(out["members"], json!([{"value": "1"}]));
        let out = patched(
            out,
            json!({"Operations": [{"op": "remove", "path": "members"}]}),
        );
        assert!(out.get("members").is_none());
    }

    #[test]
    fn a_bad_operation_is_refused_with_its_place() {
        let e = read(&json!({"Operations": [{"op": "move", "path": "a"}]})).unwrap_err();
        assert!(e.detail.contains("Operations[0].op"), "{}", e.detail);
        let e = read(&json!({"Operations": [{"op": "remove"}]})).unwrap_err();
        assert_eq!(e.scim_type, Some("noTarget"));
        let e = read(&json!({"ops": []})).unwrap_err();
        assert_eq!(e.scim_type, Some("invalidSyntax"));
    }
}
