//! The runs list: filters by tag, status and date, and a form to compare two runs.

use std::collections::HashMap;
use std::fmt::Write;

use super::html::{badge, chips, duration_ms, escape, parse_date, short, time_ms};
use crate::track::read::{Run, RunFilter};

const STATUSES: [&str; 4] = ["success", "failure", "running", "interrupted"];

/// The filter the query asks for, or what is wrong with it.
pub(crate) fn filter(q: &HashMap<String, String>) -> Result<RunFilter, String> {
    let mut f = RunFilter::default();
    let given = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    if let Some(tag) = given("tag") {
        let (k, v) = tag.split_once('=').ok_or_else(|| {
            format!("tag `{tag}` is not `key=value`; filter by a tag as e.g. `tag=env=prod`")
        })?;
        f.tag = Some((k.trim().to_string(), v.trim().to_string()));
    }
    if let Some(status) = given("status") {
        if !STATUSES.contains(&status) {
            return Err(format!(
                "status `{status}` is not one of {}; pick one of those or leave it empty",
                STATUSES.join(", ")
            ));
        }
        f.status = Some(status.to_string());
    }
    let date = |k: &str| -> Result<Option<i64>, String> {
        given(k)
            .map(|d| {
                parse_date(d).ok_or_else(|| {
                    format!("`{k}` date `{d}` is not a date as YYYY-MM-DD (e.g. 2024-05-31)")
                })
            })
            .transpose()
    };
    f.from_ms = date("from")?;
    // `to` is inclusive: runs started before the end of that day.
    f.to_ms = date("to")?.map(|ms| ms + 86_400_000);
    if let Some(limit) = given("limit") {
        f.limit = limit
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("limit `{limit}` is not a positive whole number"))?;
    }
    Ok(f)
}

/// The runs page's body.
pub(crate) fn body(runs: &[Run], q: &HashMap<String, String>) -> String {
    let value = |k: &str| escape(q.get(k).map_or("", String::as_str));
    let mut out = String::from("<h1>Runs</h1>");
    let _ = write!(
        out,
        r#"<form class="filters" method="get" action="/"><label>tag<input name="tag" placeholder="key=value" value="{}"></label><label>status<select name="status"><option value="">any</option>"#,
        value("tag")
    );
    for s in STATUSES {
        let selected = if q.get("status").map(String::as_str) == Some(s) {
            " selected"
        } else {
            ""
        };
        let _ = write!(out, r#"<option{selected}>{s}</option>"#);
    }
    let _ = write!(
        out,
        r#"</select></label><label>from<input type="date" name="from" value="{}"></label><label>to<input type="date" name="to" value="{}"></label><button>Filter</button> <a href="/">clear</a></form>"#,
        value("from"),
        value("to")
    );
    if runs.is_empty() {
        out.push_str(r#"<p class="muted" id="no-runs">No run matches. Runs are recorded by a driver built with <code>DriverBuilder::with_tracker</code>.</p>"#);
        return out;
    }
    out.push_str(r#"<form method="get" action="/compare"><table id="runs"><tr><th title="compare: run A">A</th><th title="compare: run B">B</th><th>run</th><th>status</th><th>started</th><th class="num">duration</th><th>graph</th><th>outputs</th><th class="num">nodes</th><th class="num">cache hits</th><th>tags</th></tr>"#);
    for (i, r) in runs.iter().enumerate() {
        let _ = write!(
            out,
            r#"<tr class="run" data-run="{id}"><td><input type="radio" name="a" value="{id}"{a}></td><td><input type="radio" name="b" value="{id}"{b}></td><td><a href="/runs/{id}">run {id}</a></td><td>{}</td><td>{}</td><td class="num">{}</td><td><code>{}</code></td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            badge(r.status.as_str()),
            time_ms(r.started_ms),
            r.duration_ms().map_or("–".into(), duration_ms),
            escape(short(&r.graph_version)),
            escape(&r.outputs.join(", ")),
            r.node_runs,
            r.cache_hits,
            chips(&r.tags),
            id = r.id,
            a = if i == 1 { " checked" } else { "" },
            b = if i == 0 { " checked" } else { "" },
        );
    }
    out.push_str(r#"</table><button>Compare A and B</button></form>"#);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_query_becomes_a_filter() {
        let f = filter(&q(&[
            ("tag", "env=prod"),
            ("status", "failure"),
            ("from", "1970-01-02"),
            ("to", "1970-01-02"),
        ]))
        .unwrap();
        assert_eq!(f.tag, Some(("env".into(), "prod".into())));
        assert_eq!(f.status.as_deref(), Some("failure"));
        assert_eq!(
            (f.from_ms, f.to_ms),
            (Some(86_400_000), Some(2 * 86_400_000))
        );
        assert_eq!(
            filter(&q(&[("tag", ""), ("status", "")])).unwrap(),
            RunFilter::default()
        );
    }

    #[test]
    fn a_bad_filter_says_what_it_expected() {
        assert!(
            filter(&q(&[("tag", "env")]))
                .unwrap_err()
                .contains("key=value")
        );
        assert!(
            filter(&q(&[("status", "ok")]))
                .unwrap_err()
                .contains("success, failure")
        );
        assert!(
            filter(&q(&[("from", "May 1")]))
                .unwrap_err()
                .contains("YYYY-MM-DD")
        );
        assert!(
            filter(&q(&[("limit", "0")]))
                .unwrap_err()
                .contains("positive")
        );
    }
}
