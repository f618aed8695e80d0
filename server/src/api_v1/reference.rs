//! The API's description, both ways: `openapi.json` (generated from the
//! handlers' annotations, never written by hand) and `docs`, a plain HTML
//! page made from that same document at start, so the two cannot differ.
//! No script, no asset fetched from anywhere: one page and its own style.

use std::fmt::Write as _;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use strum::IntoEnumIterator;

use super::problem::Kind;

/// Both renderings.
struct Reference {
    json: String,
    html: String,
}

/// Made once per process, from the router's own document.
fn reference() -> &'static Reference {
    static MADE: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
    MADE.get_or_init(|| {
        let json = super::openapi().to_pretty_json().unwrap_or_default();
        let value: Value = serde_json::from_str(&json).unwrap_or_default();
        Reference {
            html: page(&value),
            json,
        }
    })
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/openapi.json", operation_id = "openapi", tag = "reference",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json")))]
pub async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        reference().json.clone(),
    )
        .into_response()
}

/// This reference as a web page.
#[utoipa::path(get, path = "/docs", operation_id = "reference_page", tag = "reference",
    responses((status = 200, description = "HTML", content_type = "text/html")))]
pub async fn docs() -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        reference().html.clone(),
    )
        .into_response();
    if let Ok(csp) = HeaderValue::from_str(&csp()) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// Nothing but this page's own style (by its hash): no script at all.
fn csp() -> String {
    use base64::Engine;
    use sha2::Digest;
    let hash = sha2::Sha256::digest(STYLE.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(hash);
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; frame-ancestors 'none'"
    )
}

const STYLE: &str = "\
:root{color-scheme:light dark;background:Canvas;color:CanvasText;font-family:system-ui,sans-serif;line-height:1.5}\
body{margin:0 auto;max-width:52rem;padding:1rem}\
h1,h2,h3{line-height:1.25}\
code,pre{font-family:ui-monospace,monospace;font-size:.95em}\
pre{overflow-x:auto;padding:.75rem;border:1px solid GrayText;border-radius:.25rem}\
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}\
caption{text-align:left;font-weight:bold}\
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid GrayText;vertical-align:top}\
section{margin-block:2rem}\
a{color:light-dark(#0645ad,#9cc3ff)}\
.method{font-weight:bold;text-transform:uppercase}\
";

/// Text made safe inside HTML elements and double-quoted attributes
/// (maud's escaping, as the alert mails use).
fn esc(text: &str) -> String {
    maud::html! { (text) }.into_string()
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn page(doc: &Value) -> String {
    let mut html = String::new();
    let title = esc(text(&doc["info"], "title"));
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} API reference</title><style>{STYLE}</style></head><body>\
         <header><p><a href=\"/\">Dashboard</a> · <a href=\"/api/v1/openapi.json\">openapi.json</a></p>\
         <h1>{title} API reference</h1></header><main>"
    );
    html.push_str(INTRO);
    html.push_str("<section aria-labelledby=\"ops\"><h2 id=\"ops\">Operations</h2>");
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "delete"] {
                if let Some(op) = item.get(method) {
                    operation(&mut html, method, path, op);
                }
            }
        }
    }
    html.push_str("</section>");
    schemas(&mut html, doc);
    problems(&mut html);
    html.push_str("</main></body></html>");
    html
}

const INTRO: &str = "<section aria-labelledby=\"use\"><h2 id=\"use\">Using it</h2>\
<p>Every call but this page and <code>openapi.json</code> needs a token: \
<code>Authorization: Bearer evse_…</code>. An admin makes one on the API tokens page \
or with <code>evse-dashboard token add NAME --role operator</code>; it is shown once. \
A viewer token reads; an operator token also sets and resets targets. Session cookies \
are not accepted here.</p>\
<p>Bodies are JSON. Currents are whole amperes, durations seconds, times RFC 3339 UTC. \
An unknown reading is <code>null</code>, never 0.</p>\
<p>Every set and reset is audited (actor <code>token:NAME</code>) before CLEMAP is called. \
Send an <code>Idempotency-Key</code> header (a UUID) with each change: the same key from \
the same token within 24 hours gets the first answer again (header \
<code>Idempotent-Replayed: true</code>), with no second call to CLEMAP and no second \
audit event, also after a restart. Each token may make a limited number of changes per \
minute (60 unless the server says otherwise); past it, the answer is 429 with \
<code>Retry-After</code>.</p>\
<p>Errors are <code>application/problem+json</code> (RFC 9457) with <code>type</code>, \
<code>title</code>, <code>status</code> and a <code>detail</code> sentence that says what \
to do; a refused or failed change also carries its <code>audit_id</code>.</p></section>";

fn operation(html: &mut String, method: &str, path: &str, op: &Value) {
    let id = format!("{method}-{}", path.replace(['/', '{', '}'], "-"));
    let summary = text(op, "summary");
    let _ = write!(
        html,
        "<section aria-labelledby=\"{id}\"><h3 id=\"{id}\"><span class=\"method\">{method}</span> \
         <code>/api/v1{}</code></h3><p>{}</p>",
        esc(path),
        esc(summary)
    );
    let description = text(op, "description");
    if !description.is_empty() {
        let _ = write!(html, "<p>{}</p>", esc(description));
    }
    if op.get("security").is_some() {
        html.push_str("<p>Needs a bearer token.</p>");
    }
    if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        html.push_str(
            "<table tabindex=\"0\"><caption>Parameters</caption><thead><tr><th scope=\"col\">Name</th>\
            <th scope=\"col\">In</th><th scope=\"col\">About</th></tr></thead><tbody>",
        );
        for p in params {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(text(p, "name")),
                esc(text(p, "in")),
                esc(text(p, "description"))
            );
        }
        html.push_str("</tbody></table>");
    }
    if let Some(body) = op["requestBody"]["content"]["application/json"]["schema"].get("$ref") {
        let name = body
            .as_str()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let _ = write!(
            html,
            "<p>Body: <a href=\"#schema-{0}\">{0}</a></p>",
            esc(name)
        );
    }
    if let Some(responses) = op["responses"].as_object() {
        html.push_str("<p>Answers: ");
        let list: Vec<String> = responses
            .iter()
            .map(|(status, r)| {
                let schema = r["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .and_then(|c| c["schema"].get("$ref").or(c["schema"]["items"].get("$ref")))
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .map(|name| format!(" <a href=\"#schema-{0}\">{0}</a>", esc(name)))
                    .unwrap_or_default();
                format!("<code>{}</code>{schema}", esc(status))
            })
            .collect();
        html.push_str(&list.join(", "));
        html.push_str("</p>");
    }
    html.push_str("</section>");
}

fn schemas(html: &mut String, doc: &Value) {
    html.push_str("<section aria-labelledby=\"schemas\"><h2 id=\"schemas\">Schemas</h2>");
    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            let _ = write!(
                html,
                "<section aria-labelledby=\"schema-{0}\"><h3 id=\"schema-{0}\">{0}</h3>",
                esc(name)
            );
            let about = text(schema, "description");
            if !about.is_empty() {
                let _ = write!(html, "<p>{}</p>", esc(about));
            }
            if let Some(props) = schema["properties"].as_object() {
                // Focusable: a table wider than a phone scrolls, and a
                // keyboard must be able to scroll it.
                let _ = write!(
                    html,
                    "<table tabindex=\"0\"><caption>Fields of {}</caption><thead><tr>\
                     <th scope=\"col\">Field</th><th scope=\"col\">Type</th>\
                     <th scope=\"col\">About</th></tr></thead><tbody>",
                    esc(name)
                );
                for (field, p) in props {
                    let _ = write!(
                        html,
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        esc(field),
                        esc(&type_of(p)),
                        esc(text(p, "description"))
                    );
                }
                html.push_str("</tbody></table>");
            }
            html.push_str("</section>");
        }
    }
    html.push_str("</section>");
}

/// A schema's type in a few characters: `integer`, `string | null`,
/// `array of Plug`.
fn type_of(p: &Value) -> String {
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or_default().to_owned();
    }
    if let Some(any) = p.get("oneOf").or(p.get("anyOf")).and_then(Value::as_array) {
        return any.iter().map(type_of).collect::<Vec<_>>().join(" | ");
    }
    let base = match &p["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => String::new(),
    };
    match p.get("items") {
        Some(items) => format!("{base} of {}", type_of(items)),
        None => base,
    }
}

fn problems(html: &mut String) {
    html.push_str(
        "<section aria-labelledby=\"problems\"><h2 id=\"problems\">Problem types</h2><dl>",
    );
    for kind in Kind::iter() {
        let (slug, title) = (kind.slug(), kind.title());
        let _ = write!(
            html,
            "<dt id=\"problem-{slug}\"><code>/api/v1/docs#problem-{slug}</code></dt><dd>{}</dd>",
            esc(title)
        );
    }
    html.push_str("</dl></section>");
}
