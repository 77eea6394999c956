//! `GET /api/openapi.json` checked against the routes the server answers, both ways:
//! every route registered under `/api` ([`served_routes`]) is described with its
//! method, and every described path and method is answered by a route (a request with
//! dummy ids does not get the generic "no API route" 404) while the methods not
//! described are not, so the description cannot drift from the routes.

use crate::accounts_support::accounts_mode;
use crate::helpers::{spawn_app, TestApp};
use awc::http::Method;
use serde_json::Value;
use std::collections::BTreeSet;

/// Every route the server registers under `/api`: (method, path as described), read
/// from the code that registers them, so that a route added without a description
/// fails [`the_description_covers_exactly_the_routes_served`]. The `/api` scope in
/// `actors/src/http/mod.rs` takes its routes from `.route(...)` calls of its own and
/// of the modules it `.configure(...)`s; each is `.route("path", web::method()...)`.
/// Anything else that could add a route there (`web::resource`, another scope, a
/// `.service`) fails here, rather than slip past.
fn served_routes() -> BTreeSet<(String, String)> {
    let http = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("actors/src/http");
    let read = |file: &str| {
        std::fs::read_to_string(http.join(file))
            .unwrap_or_else(|error| panic!("reading actors/src/http/{file}: {error}"))
    };
    let module = read("mod.rs");
    let scope = &module[module.find(r#"web::scope("/api")"#).expect("the /api scope in http/mod.rs")..];
    let scope = &scope[..scope.find(".default_service(").expect("the /api scope ends with its default service")];
    let mut sources = vec![("mod.rs".to_string(), scope.to_string())];
    for part in scope.split(".configure(").skip(1) {
        let configured = part.split("::routes").next().unwrap().trim();
        assert!(
            configured.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "the /api scope configures `{configured}`: expected `module::routes`"
        );
        sources.push((format!("{configured}.rs"), read(&format!("{configured}.rs"))));
    }
    let mut routes = BTreeSet::new();
    for (file, text) in &sources {
        for forbidden in ["web::resource(", ".service(", "web::scope("] {
            let count = text.matches(forbidden).count() - usize::from(file == "mod.rs" && forbidden == "web::scope(");
            assert_eq!(count, 0, "{file} registers routes with {forbidden}: teach served_routes() to read it");
        }
        for call in text.split(".route(").skip(1) {
            let path = call.trim_start().strip_prefix('"').and_then(|rest| rest.split('"').next());
            let method = call.split("web::").nth(1).and_then(|rest| rest.split("()").next());
            let (Some(path), Some(method)) = (path, method) else {
                panic!("{file}: a .route( call this test cannot read: {}", &call[..call.len().min(80)]);
            };
            routes.insert((method.to_uppercase(), format!("/api{path}")));
        }
    }
    assert!(routes.len() >= 20, "read only {} routes: {routes:?}", routes.len());
    routes
}

/// The methods an OpenAPI path item may describe.
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Methods probed on every described path.
const PROBED: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

async fn description(app: &TestApp) -> Value {
    // Anonymous, also in accounts mode.
    let mut response = app.client().get(format!("{}/api/openapi.json", app.address)).send().await.expect("GET");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers().get("content-type").and_then(|value| value.to_str().ok()).unwrap_or("");
    assert!(content_type.starts_with("application/json"), "content type {content_type}");
    response.json::<Value>().limit(4 << 20).await.expect("the description is JSON")
}

/// (METHOD, path) of every operation described.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        for method in METHODS {
            if item.get(*method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

/// The path with every `{parameter}` replaced by a dummy id.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("a closed parameter") + start;
        out.push_str(&rest[..start]);
        out.push('1');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether the server has no route for `method path` (its generic 404); the answer's
/// status and body otherwise, for messages.
async fn no_route(app: &TestApp, method: &str, path: &str) -> Result<(), (u16, String)> {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut response =
        app.client().request(method, format!("{}{}", app.address, concrete(path))).send().await.expect("request");
    let status = response.status().as_u16();
    let body = response.body().limit(64 << 20).await.expect("body");
    let message = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| value["error"]["message"].as_str().map(String::from))
        .unwrap_or_default();
    if status == 404 && message.starts_with("no API route") {
        Ok(())
    } else {
        Err((status, message))
    }
}

#[actix_rt::test]
async fn the_description_covers_exactly_the_routes_served() {
    let app = spawn_app(|_| {}).await;
    let doc = description(&app).await;
    let version = doc["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3."), "OpenAPI 3.x, not {version}");

    let described = operations(&doc);
    let routes = served_routes();
    let missing: Vec<_> = routes.difference(&described).collect();
    assert!(missing.is_empty(), "routes missing from the description: {missing:?}");
    let unlisted: Vec<_> = described.difference(&routes).collect();
    assert!(unlisted.is_empty(), "described but not registered under /api (is it a route?): {unlisted:?}");

    // Every described operation is a route the server has ...
    for (method, path) in &described {
        if let Ok(()) = no_route(&app, method, path).await {
            panic!("{method} {path} is described, but the server has no such route");
        }
    }
    // ... and a described path answers no method the description leaves out.
    let paths: BTreeSet<&String> = described.iter().map(|(_, path)| path).collect();
    for path in paths {
        for method in PROBED {
            if described.contains(&(method.to_string(), path.clone())) {
                continue;
            }
            if let Err((status, message)) = no_route(&app, method, path).await {
                panic!("{method} {path} is not described, but the server answers it: {status} {message}");
            }
        }
    }
    // The probe can tell: an unknown route gets the generic 404.
    assert!(no_route(&app, "GET", "/api/no-such-route/{id}").await.is_ok());
}

#[actix_rt::test]
async fn every_operation_is_tagged_secured_and_answers_errors_in_the_shared_shape() {
    let app = spawn_app(|_| {}).await;
    let doc = description(&app).await;
    let tags: BTreeSet<&str> = ["sessions", "laps", "analysis", "coaching", "accounts", "tokens", "meta"].into();
    let declared: BTreeSet<&str> =
        doc["tags"].as_array().expect("tags").iter().filter_map(|tag| tag["name"].as_str()).collect();
    assert_eq!(declared, tags);
    let public = ["/api/openapi.json", "/api/auth/me", "/api/auth/signup", "/api/auth/login"];
    let mut operation_ids = BTreeSet::new();

    for (method, path) in operations(&doc) {
        let operation = &doc["paths"][&path][method.to_lowercase()];
        let what = format!("{method} {path}");
        let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{what}: no operationId"));
        assert!(operation_ids.insert(id.to_string()), "{what}: operationId {id} used twice");
        let tag = operation["tags"][0].as_str().unwrap_or_else(|| panic!("{what}: no tag"));
        assert!(tags.contains(tag), "{what}: unknown tag {tag}");
        assert!(operation["summary"].is_string(), "{what}: no summary");

        // Path parameters are all described.
        let described: BTreeSet<&str> = operation["parameters"]
            .as_array()
            .map(|parameters| {
                parameters.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect()
            })
            .unwrap_or_default();
        let in_path: BTreeSet<&str> = path.split('{').skip(1).filter_map(|part| part.split('}').next()).collect();
        assert_eq!(described, in_path, "{what}: path parameters");

        // Who may call.
        let requirements: Vec<&Value> =
            operation["security"].as_array().map(|s| s.iter().collect()).unwrap_or_default();
        let needs = |scheme: &str| requirements.iter().any(|requirement| requirement.get(scheme).is_some());
        let optional = requirements.iter().any(|requirement| requirement.as_object().is_some_and(|r| r.is_empty()));
        if public.contains(&path.as_str()) {
            assert!(optional, "{what} is open to anyone, its security should say so");
        } else {
            assert!(needs("session_cookie") && !optional, "{what}: needs the session cookie");
            assert_eq!(needs("csrf_header"), method != "GET", "{what}: the CSRF header on state-changing requests");
        }

        // A success and the errors, every error in the shared shape.
        let responses = operation["responses"].as_object().unwrap_or_else(|| panic!("{what}: no responses"));
        assert!(responses.keys().any(|status| status.starts_with('2')), "{what}: no success answer");
        if !public.contains(&path.as_str()) {
            for status in ["401", "429"] {
                assert!(responses.contains_key(status), "{what}: no {status} answer");
            }
        }
        for (status, response) in responses.iter().filter(|(status, _)| !status.starts_with('2')) {
            let schema = &response["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/ApiErrorBody", "{what}: {status} is not an ApiErrorBody");
        }
    }

    // The error body itself, and every schema referenced exists.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["ApiErrorBody"]["properties"]["error"]["$ref"], "#/components/schemas/ApiErrorDetail");
    for field in ["code", "message"] {
        assert_eq!(schemas["ApiErrorDetail"]["properties"][field]["type"], "string");
    }
    let mut references = Vec::new();
    collect_references(&doc, &mut references);
    assert!(!references.is_empty());
    for reference in references {
        let name = reference.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("reference {reference}"));
        assert!(schemas.get(name).is_some(), "{reference} is referenced but not described");
    }
    // The JSON of the protobuf types, as served.
    for field in ["id", "name", "sim", "track", "car", "track_length_m", "lap_count", "best_lap_time_ms", "live"] {
        assert!(schemas["SessionInfo"]["properties"].get(field).is_some(), "SessionInfo.{field}");
    }
    for field in ["id", "session_id", "lap_number", "lap_time_ms", "valid", "first_seq", "completed_at_ms"] {
        assert!(schemas["LapInfo"]["properties"].get(field).is_some(), "LapInfo.{field}");
    }
}

fn collect_references<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(reference)) => out.push(reference),
                    _ => collect_references(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_references(item, out)),
        _ => {}
    }
}

#[actix_rt::test]
async fn the_description_is_public_and_names_the_security_schemes() {
    // Accounts mode, no cookie: the description is still served.
    let app = spawn_app(accounts_mode).await;
    let doc = description(&app).await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session_cookie"]["type"], "apiKey");
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "ps_session");
    assert_eq!(schemes["csrf_header"]["type"], "apiKey");
    assert_eq!(schemes["csrf_header"]["in"], "header");
    assert_eq!(schemes["csrf_header"]["name"], "X-CSRF-Token");
    assert_eq!(schemes["ingest_token"]["type"], "http");
    assert_eq!(schemes["ingest_token"]["scheme"], "bearer");
    // The WebSockets OpenAPI cannot describe are named in the text.
    let text = doc["info"]["description"].as_str().expect("a description");
    for mention in ["/ws", "/ingest", "Bearer psi_", "ps_session", "X-CSRF-Token", "ApiErrorBody"] {
        assert!(text.contains(mention), "the description does not mention {mention}");
    }
    // The other routes still need a session.
    let (status, body) = crate::accounts_support::call(&app.address, None, Method::GET, "/api/sessions", None).await;
    assert_eq!(status, 401, "{body}");
}
