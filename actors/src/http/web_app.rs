//! Serves the built web app (`frontend/dist`) at `/`, with every unknown non-API
//! path answered by `index.html` so the app's own routes work on reload.

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::{web, HttpResponse};
use std::path::{Path, PathBuf};

/// Finds the built web app: the configured directory, else `frontend/dist` next to
/// the binary's repository (`target/*/purplesector`), beside the binary, in the
/// container layout, or under the working directory.
pub fn locate_web_dir(configured: &str) -> Option<PathBuf> {
    let has_index = |dir: &Path| dir.join("index.html").is_file();
    if !configured.is_empty() {
        let dir = PathBuf::from(configured);
        return has_index(&dir).then_some(dir);
    }
    let mut candidates = Vec::new();
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf)) {
        candidates.push(exe_dir.join("../../frontend/dist"));
        candidates.push(exe_dir.join("frontend/dist"));
        candidates.push(exe_dir.join("../share/purplesector/web"));
    }
    candidates.push(PathBuf::from("frontend/dist"));
    candidates.into_iter().find(|dir| has_index(dir)).map(|dir| dir.canonicalize().unwrap_or(dir))
}

const NOT_BUILT: &str = "<!doctype html><title>Purple Sector</title>\
<body style=\"font-family:sans-serif;background:#111;color:#eee;padding:2em\">\
<h1>Purple Sector is running</h1><p>The web app is not built. Run \
<code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code> \
(or <code>scripts/run.sh</code>) and reload. The API is at <code>/api/sessions</code>.</p>";

pub(super) fn configure(config: &mut web::ServiceConfig, web_dir: Option<PathBuf>) {
    match web_dir {
        Some(dir) => {
            let index = dir.join("index.html");
            config.service(Files::new("/", dir).index_file("index.html").default_handler(fn_service(
                move |req: ServiceRequest| {
                    let index = index.clone();
                    async move {
                        let (req, _) = req.into_parts();
                        let file = NamedFile::open_async(&index).await?;
                        let response = file.into_response(&req);
                        Ok(ServiceResponse::new(req, response))
                    }
                },
            )));
        }
        None => {
            config.default_service(web::to(|| async {
                HttpResponse::Ok().content_type("text/html; charset=utf-8").body(NOT_BUILT)
            }));
        }
    }
}
