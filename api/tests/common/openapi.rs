//! Real answers checked against the OpenAPI document: [`check_answer`]
//! finds the operation of a request and the response of its status, and
//! validates the JSON body against that response's schema (OpenAPI 3.1
//! schemas are JSON Schema 2020-12; `#/components/schemas/...` resolve in
//! the document). The request helpers ([`super::call`], [`super::Http`])
//! check every answer they see, so every API test checks the document.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// The document as `GET /api/openapi.json` serves it.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(api::openapi()).expect("document to JSON"))
}

/// The documented operations: (method in lower case, path template).
pub fn operations() -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in document()["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                ops.push((method.to_string(), path.clone()));
            }
        }
    }
    ops
}

/// The path template a concrete path (no query) is served by: the
/// template whose segments match, literal segments preferred to `{params}`.
pub fn template_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    document()["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .filter_map(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            if ts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (t, s) in ts.iter().zip(&segments) {
                if t.starts_with('{') && t.ends_with('}') {
                    if s.is_empty() {
                        return None;
                    }
                } else if t == s {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, t.as_str()))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, t)| t)
}

/// The path (without query) of a full URL or of a path.
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = match after_scheme.find('/') {
        Some(i) if url.contains("://") => &after_scheme[i..],
        _ => after_scheme,
    };
    path.split(['?', '#']).next().unwrap_or(path)
}

/// The response object of `status` (exact, then `4XX`, then `default`
/// for an error status: a success must be documented as such), with a
/// `$ref` to `#/components/responses/...` followed.
fn response_of(op: &Value, status: u16) -> Option<&Value> {
    let responses = op["responses"].as_object()?;
    let r = responses
        .get(&status.to_string())
        .or_else(|| responses.get(&format!("{}XX", status / 100)))
        .or_else(|| (status >= 400).then(|| responses.get("default")).flatten())?;
    match r.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.strip_prefix("#/components/responses/")?;
            document()["components"]["responses"].get(name)
        }
        None => Some(r),
    }
}

/// Every object schema that lists its properties gets
/// `additionalProperties: false`: an answer with a field the document
/// does not name fails, so the document cannot fall behind the code.
fn strict(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for v in map.values_mut() {
                strict(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}

/// The components' schemas, made [`strict`], once.
fn strict_components() -> &'static Value {
    static STRICT: OnceLock<Value> = OnceLock::new();
    STRICT.get_or_init(|| {
        let mut schemas = document()["components"]["schemas"].clone();
        strict(&mut schemas);
        json!({ "schemas": schemas })
    })
}

/// Validates `body` against `schema` (a schema of the document).
pub fn validate(schema: &Value, body: &Value) -> Result<(), String> {
    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert("components".into(), strict_components().clone());
    let mut own = schema.clone();
    strict(&mut own);
    root.insert("allOf".into(), json!([own]));
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&Value::Object(root))
        .map_err(|e| format!("the document's schema does not compile: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// Checks an answer of `method url` against the document: its status is
/// documented for the operation, and its JSON body (`Value::Null` for none)
/// fits the response's schema. Paths outside `/api`, and `/api` paths no
/// operation serves (the JSON 404/405 fallbacks), are not checked here.
pub fn check_answer(method: &str, url: &str, status: u16, body: &Value) {
    let path = path_of(url);
    if !path.starts_with("/api/") {
        return;
    }
    let Some(template) = template_of(path) else {
        return;
    };
    let method = method.to_ascii_lowercase();
    let Some(op) = document()["paths"][template].get(&method) else {
        return;
    };
    let what = format!(
        "{} {path} ({template}) answered {status}",
        method.to_uppercase()
    );
    let response =
        response_of(op, status).unwrap_or_else(|| panic!("{what}: status not in the document"));
    // JSON without a schema (the document itself) is any JSON.
    let any = json!({});
    let schema = response["content"]
        .get("application/json")
        .map(|c| c.get("schema").unwrap_or(&any));
    let mut shown = body.to_string();
    if shown.len() > 2000 {
        let end = (0..=2000)
            .rev()
            .find(|i| shown.is_char_boundary(*i))
            .unwrap_or(0);
        shown.truncate(end);
        shown.push('…');
    }
    match (schema, body) {
        (None, Value::Null) => {}
        (None, _) => panic!("{what}: the document says no JSON body, got {shown}"),
        (Some(_), Value::Null) => panic!("{what}: the document says a JSON body, got none"),
        (Some(schema), _) => {
            if let Err(e) = validate(schema, body) {
                panic!("{what}: the answer does not fit the document:\n{e}\n{shown}")
            }
        }
    }
}
