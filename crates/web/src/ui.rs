//! The web UI: the Vue app built into `web/dist` (by `build.rs`) and embedded in the binary. Static files are
//! served as they are; any other path outside the API answers with `index.html`, so the single-page app's
//! history-mode routes (`/cases/…`, `/portal`, …) survive a reload.

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Dist;

/// Paths that belong to the server, never to the app: an unknown one is a plain 404, not the app's page.
const SERVER_PREFIXES: [&str; 7] = [
    "api/", "open311/", "healthz", "readyz", "livez", "metrics", "assets/",
];

pub async fn serve(method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if !path.is_empty()
        && let Some(file) = Dist::get(path)
    {
        return asset(path, file);
    }
    if path == "api" || SERVER_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match Dist::get("index.html") {
        Some(file) => asset("index.html", file),
        // Built without the UI (ONEWINDOW_SKIP_WEB): the plain status page.
        None => crate::handlers::index().await.into_response(),
    }
}

fn asset(path: &str, file: rust_embed::EmbeddedFile) -> Response {
    let mime = file.metadata.mimetype().to_string();
    // Vite puts a content hash in every file name under assets/: those never change. index.html must be
    // revalidated so that a new build is picked up.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut res = Response::new(Body::from(file.data.into_owned()));
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}
