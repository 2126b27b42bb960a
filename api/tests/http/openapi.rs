//! The OpenAPI document at `/api/openapi.json`: served as built, every
//! route in it and every documented operation served, its security as the
//! server enforces it, and the schema check able to fail. (Every other API
//! test checks its answers against it through the request helpers.)

use std::{collections::BTreeSet, fs, path::Path};

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{browser, call, check_answer, document, header, operations, validate, Server};

#[tokio::test]
async fn the_document_is_served_as_built() {
    let server = Server::start().await;
    let res = server.get("/api/openapi.json").await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("application/json"));
    let served: Value = res.json().await.unwrap();
    assert_eq!(&served, document(), "served = api::openapi()");
    assert_eq!(served["openapi"], "3.1.0");
    assert!(served["info"]["title"]
        .as_str()
        .unwrap()
        .contains("Village"));

    let schemes = &served["components"]["securitySchemes"];
    assert_eq!(
        schemes["member"],
        json!({"type": "apiKey", "in": "cookie", "name": "sf_session",
               "description": schemes["member"]["description"]})
    );
    assert_eq!(schemes["organiser"]["in"], "cookie");
    assert_eq!(schemes["organiser"]["name"], "sf_organiser");
    assert_eq!(schemes["csrf"]["in"], "header");
    assert_eq!(schemes["csrf"]["name"], "x-requested-with");

    // The shapes come from domain, the error shape included.
    let schemas = served["components"]["schemas"].as_object().unwrap();
    for name in [
        "ApiError",
        "FieldError",
        "VillageDetail",
        "ProductDetail",
        "HouseholdDetail",
        "OrderRequest",
        "Order",
        "PickupList",
        "ProblemReport",
        "Booking",
        "OrganiserMe",
    ] {
        assert!(schemas.contains_key(name), "no schema {name}");
    }
    let error = &schemas["ApiError"];
    assert_eq!(error["required"], json!(["error"]));
    for field in ["error", "error_zh", "fields", "short"] {
        assert!(error["properties"].get(field).is_some(), "ApiError.{field}");
    }
}

/// Routes are only registered through utoipa-axum's `routes!`, which takes
/// each handler's path and method from its `#[utoipa::path]`: so the router
/// and the document are one list. This keeps it so: no plain axum route
/// anywhere in the server's code.
#[test]
fn every_route_is_registered_with_its_description() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect_rs(&src, &mut files);
    assert!(files.len() > 30, "{} files", files.len());
    let mut offenders = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let name = file.strip_prefix(&src).unwrap().display().to_string();
        for pattern in [
            ".route(",
            ".route_service(",
            ".nest_service(",
            "routing::",
            "OpenApiRouter::from(",
        ] {
            if text.contains(pattern) {
                offenders.push(format!("{name}: {pattern}"));
            }
        }
        // Only the top level turns the described routers into axum's.
        if name != "lib.rs" && (text.contains("Router::new()") || text.contains("Router::from(")) {
            for line in text.lines() {
                let t = line.trim();
                if (t.contains("Router::new()") && !t.contains("OpenApiRouter::new()"))
                    || t.contains("Router::from(")
                {
                    offenders.push(format!("{name}: {t}"));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "register routes with `.routes(routes!(handler))` and a `#[utoipa::path]` on the \
         handler, so /api/openapi.json lists them:\n{}",
        offenders.join("\n")
    );
}

fn collect_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A value for a path parameter that the route accepts as well-formed.
fn sample(op: &Value, name: &str) -> String {
    let param = op["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name && p["in"] == "path"))
        .unwrap_or_else(|| panic!("path parameter {name} is not declared"));
    match (name, param["schema"]["type"].as_str()) {
        ("slug", _) => "liu".into(),
        ("file", _) => "400.jpg".into(),
        ("code", _) => "ABCDEFGH".into(),
        (_, Some("integer")) => "1".into(),
        (_, Some("string")) => "0b0e7a0e-3c5a-4f55-9a55-64a4e8c0c0de".into(),
        other => panic!("no sample for {other:?}"),
    }
}

const LOGINS: [(&str, &str); 2] = [("post", "/api/session"), ("post", "/api/organise/session")];

/// A small well-formed instance of `schema`: every required field with a
/// value of its type, so a body gets past parsing to the handler's checks.
fn instance(doc: &Value, schema: &Value) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        return instance(doc, doc.pointer(r.trim_start_matches('#')).unwrap());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema[key].as_array() {
            let first = alternatives.iter().find(|a| a["type"] != "null").unwrap();
            return instance(doc, first);
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        return values[0].clone();
    }
    let ty = match &schema["type"] {
        Value::Array(types) => types.iter().find(|t| *t != "null").unwrap().clone(),
        t => t.clone(),
    };
    match (ty.as_str(), schema["format"].as_str()) {
        (Some("object"), _) => {
            let mut out = serde_json::Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                out.insert(name.into(), instance(doc, &schema["properties"][name]));
            }
            Value::Object(out)
        }
        (Some("array"), _) => json!([]),
        (Some("integer"), _) => json!(1),
        (Some("boolean"), _) => json!(false),
        (Some("string"), Some("date")) => json!("2026-01-01"),
        (Some("string"), Some("date-time")) => json!("2026-01-01T00:00:00+08:00"),
        (Some("string"), _) => json!("x"),
        _ => json!(null),
    }
}

/// What the operation's security asks without any credentials: `None`
/// when it may be called without (an empty alternative, or none at all).
fn required_scheme(op: &Value) -> Option<BTreeSet<String>> {
    let alternatives = op["security"].as_array()?;
    if alternatives
        .iter()
        .any(|a| a.as_object().is_some_and(|o| o.is_empty()))
    {
        return None;
    }
    assert_eq!(alternatives.len(), 1, "{op}");
    Some(
        alternatives[0]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect(),
    )
}

/// Every documented operation is served (no JSON 404 of the fallback, no
/// 405), and answers as its security says when called without a session
/// or the CSRF header: 401 where a session is required, 403 where only
/// the CSRF header is, neither where nothing is. Every answer is checked
/// against the document by `call`.
#[tokio::test]
async fn every_documented_operation_is_served_and_guarded_as_documented() {
    let server = Server::start().await;
    let doc = document();
    let ops = operations();
    assert!(ops.len() >= 80, "{} operations", ops.len());
    let client = browser();
    for (method, template) in &ops {
        let op = &doc["paths"][template][method];
        let mut path = template.clone();
        for name in template
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            path = path.replace(&format!("{{{name}}}"), &sample(op, name));
        }
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let body = op["requestBody"]["content"]["application/json"]
            .get("schema")
            .map(|schema| instance(doc, schema));
        let body = body.as_ref();
        let url = server.url(&path);
        let what = format!("{m} {path}");
        if op["responses"]["200"]["content"]
            .get("application/json")
            .is_none()
            && method == "get"
            && required_scheme(op).is_none()
        {
            // Files (photos, QR codes): served, whatever the answer.
            let res = client.get(&url).send().await.unwrap();
            assert_ne!(res.status(), 405, "{what}");
            let text = res.text().await.unwrap();
            assert!(!text.contains("no API endpoint"), "{what}: {text}");
            continue;
        }
        let (status, answer) = call(&client, m, &url, body, false).await;
        assert_ne!(status, 405, "{what}: {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(
            !error.starts_with("no API endpoint"),
            "{what} is documented but not served: {answer}"
        );
        match required_scheme(op) {
            Some(s) if s.contains("organiser") || s.contains("member") => {
                assert_eq!(status, 401, "{what} needs {s:?}: {answer}")
            }
            Some(s) => {
                assert_eq!(s, BTreeSet::from(["csrf".to_string()]), "{what}");
                assert_eq!(status, 403, "{what} needs the CSRF header: {answer}");
            }
            // Logging in with a made-up password is refused with 401.
            None if LOGINS.contains(&(method.as_str(), template.as_str())) => {
                assert!(status == 401 || status == 422, "{what}: {status} {answer}")
            }
            None => assert!(
                status != 401 && status != 403,
                "{what} is documented as open: {status} {answer}"
            ),
        }
    }
}

/// The workspace is documented as the server guards it: every organiser
/// route but logging in, out and joining needs the organiser session, and
/// every write the CSRF header with it.
#[test]
fn organiser_routes_need_the_organiser_session_and_writes_the_csrf_header() {
    let doc = document();
    let open = [
        ("post", "/api/organise/session"),
        ("delete", "/api/organise/session"),
        ("post", "/api/organise/join"),
    ];
    for (method, template) in operations() {
        let op = &doc["paths"][&template][&method];
        let schemes = required_scheme(op);
        if !template.starts_with("/api/organise/") {
            assert!(
                !schemes.is_some_and(|s| s.contains("organiser")),
                "{method} {template}"
            );
            continue;
        }
        let schemes = schemes.unwrap_or_else(|| panic!("{method} {template}: no security"));
        if open.contains(&(method.as_str(), template.as_str())) {
            assert_eq!(schemes, BTreeSet::from(["csrf".to_string()]), "{template}");
            continue;
        }
        let mut expected = BTreeSet::from(["organiser".to_string()]);
        if method != "get" {
            expected.insert("csrf".to_string());
        }
        assert_eq!(schemes, expected, "{method} {template}");
    }
}

/// Every `$ref` resolves, every path parameter is declared, every
/// operation has a unique id and says how errors look.
#[test]
fn the_document_is_complete() {
    let doc = document();
    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    assert!(refs.len() > 100, "{} refs", refs.len());
    for r in &refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "unresolved {r}");
    }
    let mut ids = BTreeSet::new();
    for (method, template) in operations() {
        let op = &doc["paths"][&template][&method];
        assert!(
            ids.insert(op["operationId"].as_str().unwrap().to_string()),
            "duplicate operationId of {method} {template}"
        );
        for name in template
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            let declared = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["name"] == name && p["in"] == "path" && p["required"] == true)
            });
            assert!(declared, "{method} {template}: {{{name}}} not declared");
        }
        assert_eq!(
            op["responses"]["default"]["$ref"], "#/components/responses/Error",
            "{method} {template}"
        );
        let success = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with('2'));
        assert!(success, "{method} {template}: no success answer");
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The check is real: a wrong answer fails it, a right one passes.
#[tokio::test]
async fn the_schema_check_catches_wrong_answers() {
    let server = Server::start().await;
    let client = browser();
    let (status, village) = call(
        &client,
        Method::GET,
        &server.url("/api/villages/liu"),
        None,
        false,
    )
    .await;
    assert_eq!(status, 200);
    let schema = json!({"$ref": "#/components/schemas/VillageDetail"});
    validate(&schema, &village).unwrap();

    let mut missing = village.clone();
    missing.as_object_mut().unwrap().remove("name");
    assert!(validate(&schema, &missing).unwrap_err().contains("name"));

    let mut extra = village.clone();
    extra["phone"] = json!("13800000000");
    assert!(
        validate(&schema, &extra).is_err(),
        "an undocumented field fails"
    );

    let mut wrong = village.clone();
    wrong["products"][0]["price_fen"] = json!("12.50");
    assert!(validate(&schema, &wrong).is_err(), "money is integer fen");

    // An error answer fits the error shape; one without `error` does not.
    let (status, error) = call(
        &client,
        Method::GET,
        &server.url("/api/villages/nowhere"),
        None,
        false,
    )
    .await;
    assert_eq!(status, 404);
    check_answer("GET", "/api/villages/nowhere", 404, &error);
    let result = std::panic::catch_unwind(|| {
        check_answer(
            "GET",
            "/api/villages/nowhere",
            404,
            &json!({"message": "x"}),
        )
    });
    assert!(result.is_err(), "an error without `error` fails the check");
    // A success the operation does not document fails too.
    let result =
        std::panic::catch_unwind(|| check_answer("GET", "/api/villages/liu", 201, &village));
    assert!(result.is_err(), "an undocumented status fails the check");
}
