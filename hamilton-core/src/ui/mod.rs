//! The local web UI over a tracker database (feature `ui`), and the self-contained report of
//! one run.
//!
//! [`serve`] (or the `hamilton-ui --db runs.sqlite` binary) serves these pages; every page is
//! rendered on the server, so they work without JavaScript, and the stylesheet is built in:
//!
//! | page | what it shows |
//! | --- | --- |
//! | `/` | the runs, filtered by `tag=key=value`, `status`, `from` and `to` (`YYYY-MM-DD`) |
//! | `/runs/{id}` | a run: its facts, its DAG coloured by status and shaded by duration, a timeline, its nodes and cache hits; `?view=modules` or `?view=nodes`, `?module=NAME` (graphs of more than 300 nodes start one box per module) |
//! | `/runs/{id}/nodes/{node}` | a node: doc, `file:line`, type, code version, its value's summary, its error chain |
//! | `/runs/{id}/lineage/{node}?hops=N` | the nodes N hops up and down from a node |
//! | `/runs/{id}/report.html` | the run's [`report_html`] |
//! | `/compare?a=ID&b=ID` | two runs: nodes added, removed, whose code changed, and timing changes |
//! | `/versions/compare?a=V&b=V` | two graph versions: nodes and edges added, removed, changed |
//!
//! An unknown run or node answers 404 with a page saying where to look; a malformed query
//! answers 400 saying what was expected.
//!
//! ```no_run
//! // Serves until the process is stopped.
//! hamilton_core::ui::serve("runs.sqlite", "127.0.0.1:8080".parse().unwrap()).unwrap();
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::error::Error;
use crate::track::read::{Db, ReadError, RunFilter};

mod compare;
mod html;
mod lineage;
mod node;
mod run;
mod runs;

use run::{Mode, View};

/// What a page could not show, as an HTTP status and a page saying why.
struct Problem {
    status: StatusCode,
    title: &'static str,
    message: String,
}

impl Problem {
    fn bad_request(message: String) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            title: "Bad request",
            message,
        }
    }
}

impl From<ReadError> for Problem {
    fn from(e: ReadError) -> Self {
        let (status, title) = if e.is_not_found() {
            (StatusCode::NOT_FOUND, "Not found")
        } else {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Cannot read the database",
            )
        };
        Self {
            status,
            title,
            message: e.to_string(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let page = html::page(self.title, &html::problem(self.title, &self.message), true);
        (self.status, Html(page)).into_response()
    }
}

type Db_ = Arc<PathBuf>;
type Q = Query<HashMap<String, String>>;

/// Runs `page` (which reads the database, so blocks) off the async workers.
async fn render(
    db: Db_,
    page: impl FnOnce(&Db) -> Result<(String, String), Problem> + Send + 'static,
) -> Response {
    let done = tokio::task::spawn_blocking(move || {
        let db = Db::open(db.as_path())?;
        page(&db)
    })
    .await;
    match done {
        Ok(Ok((title, body))) => Html(html::page(&title, &body, true)).into_response(),
        Ok(Err(problem)) => problem.into_response(),
        Err(e) => Problem {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Internal error",
            message: format!("the page failed: {e}"),
        }
        .into_response(),
    }
}

fn run_id(text: &str) -> Result<i64, Problem> {
    text.parse().map_err(|_| {
        Problem::bad_request(format!(
            "`{text}` is not a run id; run ids are whole numbers, listed on the runs page"
        ))
    })
}

fn optional_run_id(q: &HashMap<String, String>, key: &str) -> Result<Option<i64>, Problem> {
    match q.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            Problem::bad_request(format!(
                "`{key}={v}` is not a run id; give two run ids as `/compare?a=1&b=2`"
            ))
        }),
    }
}

async fn runs_page(State(db): State<Db_>, Query(q): Q) -> Response {
    render(db, move |db| {
        let filter = runs::filter(&q).map_err(Problem::bad_request)?;
        let runs = db.runs(&filter)?;
        Ok(("Runs".into(), runs::body(&runs, &q)))
    })
    .await
}

async fn run_page(State(db): State<Db_>, UrlPath(id): UrlPath<String>, Query(q): Q) -> Response {
    render(db, move |db| {
        let id = run_id(&id)?;
        let view = match (q.get("view").map(String::as_str), q.get("module")) {
            (_, Some(m)) => View::Module(m.clone()),
            (None | Some("" | "auto"), None) => View::Auto,
            (Some("nodes"), None) => View::Nodes,
            (Some("modules"), None) => View::Modules,
            (Some(other), None) => {
                return Err(Problem::bad_request(format!(
                    "view `{other}` is not `nodes`, `modules` or `auto`"
                )));
            }
        };
        let run = db.run(id)?;
        let graph = db.graph(&run.graph_version)?;
        let node_runs = db.node_runs(id)?;
        Ok((
            format!("Run {id}"),
            run::body(&run, &graph, &node_runs, &view, Mode::Server),
        ))
    })
    .await
}

async fn node_page(
    State(db): State<Db_>,
    UrlPath((id, name)): UrlPath<(String, String)>,
) -> Response {
    render(db, move |db| {
        let id = run_id(&id)?;
        let run = db.run(id)?;
        let graph = db.graph(&run.graph_version)?;
        let node_runs = db.node_runs(id)?;
        let mine: Vec<_> = node_runs.iter().filter(|r| r.node == name).collect();
        let node = graph.node(&name);
        if node.is_none() && mine.is_empty() {
            return Err(ReadError::NoSuchNode {
                file: db.file().to_path_buf(),
                version: run.graph_version.clone(),
                node: name,
            }
            .into());
        }
        let body = format!(
            r#"<h1>Node <code>{}</code> <span class="muted">in run <a href="/runs/{id}">{id}</a></span></h1><p><a href="/runs/{id}/lineage/{}?hops=2">lineage</a></p>{}"#,
            html::escape(&name),
            html::url(&name),
            node::panel(&name, node, &mine)
        );
        Ok((format!("{name} · run {id}"), body))
    })
    .await
}

async fn lineage_page(
    State(db): State<Db_>,
    UrlPath((id, name)): UrlPath<(String, String)>,
    Query(q): Q,
) -> Response {
    render(db, move |db| {
        let id = run_id(&id)?;
        let hops = match q.get("hops").map(|h| h.trim()).filter(|h| !h.is_empty()) {
            None => 2,
            Some(h) => h
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| {
                    Problem::bad_request(format!("hops `{h}` is not a whole number from 1 to 1000"))
                })?,
        };
        let run = db.run(id)?;
        let graph = db.graph(&run.graph_version)?;
        let lineage = db.lineage(&run.graph_version, &name, hops)?;
        let node_runs = db.node_runs(id)?;
        Ok((
            format!("Lineage of {name}"),
            lineage::body(&run, &graph, &node_runs, &lineage, hops),
        ))
    })
    .await
}

async fn compare_page(State(db): State<Db_>, Query(q): Q) -> Response {
    render(db, move |db| {
        let (a, b) = (optional_run_id(&q, "a")?, optional_run_id(&q, "b")?);
        let recent = db.runs(&RunFilter {
            limit: 100,
            ..RunFilter::default()
        })?;
        let picker = compare::run_picker(&recent, a, b);
        match (a, b) {
            (Some(a), Some(b)) => {
                let c = db.compare_runs(a, b)?;
                Ok((
                    format!("Run {a} vs run {b}"),
                    compare::runs_body(&c, &picker),
                ))
            }
            _ => Ok((
                "Compare runs".into(),
                format!("<h1>Compare two runs</h1>{picker}"),
            )),
        }
    })
    .await
}

async fn versions_page(State(db): State<Db_>, Query(q): Q) -> Response {
    render(db, move |db| {
        let versions = db.versions()?;
        let given = |k: &str| {
            q.get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let picker =
            compare::version_picker(&versions, given("a").as_deref(), given("b").as_deref());
        match (given("a"), given("b")) {
            (Some(a), Some(b)) => {
                let c = db.compare_versions(&a, &b)?;
                Ok(("Graph versions".into(), compare::versions_body(&c, &picker)))
            }
            _ => Ok((
                "Compare graph versions".into(),
                format!("<h1>Compare two graph versions</h1>{picker}"),
            )),
        }
    })
    .await
}

async fn report_page(State(db): State<Db_>, UrlPath(id): UrlPath<String>) -> Response {
    let done = tokio::task::spawn_blocking(move || -> Result<String, Problem> {
        let id = run_id(&id)?;
        Ok(report(&Db::open(db.as_path())?, id)?)
    })
    .await;
    match done {
        Ok(Ok(page)) => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
        }
        Ok(Err(problem)) => problem.into_response(),
        Err(e) => Problem {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Internal error",
            message: format!("the report failed: {e}"),
        }
        .into_response(),
    }
}

async fn no_page(uri: Uri) -> Response {
    Problem {
        status: StatusCode::NOT_FOUND,
        title: "Not found",
        message: format!("there is no page at `{uri}`; start from the runs list"),
    }
    .into_response()
}

/// The UI's routes over the tracker database `db`, for serving or embedding. Each request opens
/// the file read-only, so it may be written by running drivers meanwhile.
///
/// ```
/// let app: axum::Router = hamilton_core::ui::router("runs.sqlite");
/// ```
pub fn router(db: impl AsRef<Path>) -> Router {
    let db: Db_ = Arc::new(db.as_ref().to_path_buf());
    Router::new()
        .route("/", get(runs_page))
        .route("/runs/{id}", get(run_page))
        .route("/runs/{id}/report.html", get(report_page))
        .route("/runs/{id}/nodes/{node}", get(node_page))
        .route("/runs/{id}/lineage/{node}", get(lineage_page))
        .route("/compare", get(compare_page))
        .route("/versions/compare", get(versions_page))
        .fallback(no_page)
        .with_state(db)
}

fn serve_error(addr: String, e: std::io::Error) -> Error {
    Error::Serve {
        addr,
        source: Box::new(e),
    }
}

/// Serves the UI over the tracker database `db` at `addr`, until the process stops. Blocks; it
/// starts its own runtime. Fails at once if `db` is not a tracker database or `addr` cannot be
/// bound.
///
/// ```
/// let err = hamilton_core::ui::serve("no/such.sqlite", "127.0.0.1:0".parse().unwrap()).unwrap_err();
/// assert!(err.to_string().contains("no tracker database at `no/such.sqlite`"));
/// ```
pub fn serve(db: impl AsRef<Path>, addr: SocketAddr) -> Result<(), Error> {
    Db::open(db.as_ref())?;
    let listener =
        std::net::TcpListener::bind(addr).map_err(|e| serve_error(addr.to_string(), e))?;
    serve_listener(db, listener)
}

/// Serves the UI on an already bound listener (bind `127.0.0.1:0` for a free port and read it
/// back with `local_addr`), until the process stops. Blocks.
///
/// ```
/// use std::io::{Read, Write};
/// # let dir = tempfile::tempdir().unwrap();
/// # let db = dir.path().join("runs.sqlite");
/// # rusqlite::Connection::open(&db).unwrap().execute_batch(hamilton_core::track::SCHEMA).unwrap();
/// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let addr = listener.local_addr().unwrap();
/// std::thread::spawn(move || hamilton_core::ui::serve_listener(db, listener));
///
/// let mut s = std::net::TcpStream::connect(addr).unwrap();
/// write!(s, "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
/// let mut page = String::new();
/// s.read_to_string(&mut page).unwrap();
/// assert!(page.starts_with("HTTP/1.1 200"));
/// assert!(page.contains("No run matches"));
/// ```
pub fn serve_listener(db: impl AsRef<Path>, listener: std::net::TcpListener) -> Result<(), Error> {
    let addr = listener
        .local_addr()
        .map_or_else(|_| "the listener".to_string(), |a| a.to_string());
    Db::open(db.as_ref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| serve_error(addr.clone(), e))?;
    let app = router(db);
    runtime.block_on(async move {
        listener
            .set_nonblocking(true)
            .map_err(|e| serve_error(addr.clone(), e))?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| serve_error(addr.clone(), e))?;
        axum::serve(listener, app)
            .await
            .map_err(|e| serve_error(addr.clone(), e))
    })
}

fn report(db: &Db, id: i64) -> Result<String, ReadError> {
    let run = db.run(id)?;
    let graph = db.graph(&run.graph_version)?;
    let node_runs = db.node_runs(id)?;
    let body = run::body(&run, &graph, &node_runs, &View::Auto, Mode::Report);
    let footer = format!(
        r#"<p class="muted">Report of run {id} from <code>{}</code>.</p>"#,
        html::escape(&db.file().display().to_string())
    );
    Ok(html::page(&format!("Run {id}"), &(body + &footer), false))
}

/// One run as a self-contained HTML page (styles and the DAG's SVG inline, no script, no
/// request to anywhere), to mail or attach to a CI build: the run page, with every node's panel
/// inlined and the DAG's boxes linking to them.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// # let file = dir.path().join("runs.sqlite");
/// # rusqlite::Connection::open(&file).unwrap().execute_batch(hamilton_core::track::SCHEMA).unwrap();
/// // A database with no run 1:
/// let err = hamilton_core::ui::report_html(&file, 1).unwrap_err();
/// assert!(err.to_string().contains("no run 1"));
/// ```
pub fn report_html(db: impl AsRef<Path>, run_id: i64) -> Result<String, Error> {
    Ok(report(&Db::open(db.as_ref())?, run_id)?)
}

#[cfg(test)]
mod tests;
