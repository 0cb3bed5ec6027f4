//! Two runs compared (graph changes and each node's time), and two graph versions compared.

use std::fmt::Write;

use super::html::{badge, duration_ms, duration_us, escape, short, time_ms, url};
use crate::track::read::{Run, RunComparison, VersionComparison, VersionInfo};

/// The form to pick two runs, from the newest runs.
pub(crate) fn run_picker(runs: &[Run], a: Option<i64>, b: Option<i64>) -> String {
    let options = |chosen: Option<i64>| -> String {
        runs.iter()
            .map(|r| {
                let sel = if Some(r.id) == chosen {
                    " selected"
                } else {
                    ""
                };
                format!(
                    r#"<option value="{0}"{sel}>run {0} · {1} · {2}</option>"#,
                    r.id,
                    r.status.as_str(),
                    time_ms(r.started_ms)
                )
            })
            .collect()
    };
    format!(
        r#"<form class="filters" method="get" action="/compare"><label>run A<select name="a">{}</select></label><label>run B<select name="b">{}</select></label><button>Compare</button></form>"#,
        options(a.or(runs.get(1).map(|r| r.id))),
        options(b.or(runs.first().map(|r| r.id)))
    )
}

/// The form to pick two graph versions, `a` and `b` chosen if given (else the two newest).
pub(crate) fn version_picker(versions: &[VersionInfo], a: Option<&str>, b: Option<&str>) -> String {
    let options = |chosen: Option<&str>, fallback: usize| -> String {
        let pick = chosen
            .and_then(|c| versions.iter().position(|v| v.version == c))
            .unwrap_or(fallback);
        versions
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let sel = if i == pick { " selected" } else { "" };
                format!(
                    r#"<option value="{0}"{sel}>{1} · {2} nodes · {3} runs · {4}</option>"#,
                    escape(&v.version),
                    escape(short(&v.version)),
                    v.node_count,
                    v.runs,
                    time_ms(v.first_seen_ms)
                )
            })
            .collect()
    };
    format!(
        r#"<form class="filters" method="get" action="/versions/compare"><label>version A<select name="a">{}</select></label><label>version B<select name="b">{}</select></label><button>Compare</button></form>"#,
        options(a, 1.min(versions.len().saturating_sub(1))),
        options(b, 0)
    )
}

fn list(title: &str, class: &str, items: &[String]) -> String {
    let mut out = format!(r#"<h3>{title} ({})</h3>"#, items.len());
    if items.is_empty() {
        out.push_str(r#"<p class="muted">none</p>"#);
        return out;
    }
    let _ = write!(out, r#"<ul class="{class}">"#);
    for i in items {
        let _ = write!(out, "<li><code>{}</code></li>", escape(i));
    }
    out.push_str("</ul>");
    out
}

/// A graph comparison's lists.
pub(crate) fn graph_changes(c: &VersionComparison) -> String {
    if c.a == c.b {
        return format!(
            r#"<p id="same-version">Both use graph version <code>{}</code>: no node added, removed or changed.</p>"#,
            escape(&c.a)
        );
    }
    let mut out = format!(
        r#"<p>Graph version <code>{}</code> → <code>{}</code></p><div id="graph-changes">"#,
        escape(short(&c.a)),
        escape(short(&c.b))
    );
    out.push_str(&list("Nodes added", "added", &c.added));
    out.push_str(&list("Nodes removed", "removed", &c.removed));
    let changed: Vec<String> = c
        .changed
        .iter()
        .map(|ch| {
            format!(
                "{} (code {} → {})",
                ch.node,
                if ch.a.is_empty() { "–" } else { &ch.a },
                if ch.b.is_empty() { "–" } else { &ch.b }
            )
        })
        .collect();
    out.push_str(&list("Nodes whose code changed", "changed", &changed));
    let edge =
        |e: &crate::track::read::GraphEdge| format!("{} → {}.{}", e.source, e.target, e.param);
    out.push_str(&list(
        "Edges added",
        "added",
        &c.edges_added.iter().map(edge).collect::<Vec<_>>(),
    ));
    out.push_str(&list(
        "Edges removed",
        "removed",
        &c.edges_removed.iter().map(edge).collect::<Vec<_>>(),
    ));
    out.push_str("</div>");
    out
}

/// Two runs compared.
pub(crate) fn runs_body(c: &RunComparison, picker: &str) -> String {
    let mut out = format!(
        r#"<h1>Run <a href="/runs/{a}">{a}</a> vs run <a href="/runs/{b}">{b}</a></h1>{picker}"#,
        a = c.a.id,
        b = c.b.id
    );
    out.push_str(r#"<table id="compare-runs"><tr><th></th><th>A</th><th>B</th></tr>"#);
    let row =
        |k: &str, a: String, b: String| format!("<tr><th>{k}</th><td>{a}</td><td>{b}</td></tr>");
    out.push_str(&row(
        "run",
        format!("run {}", c.a.id),
        format!("run {}", c.b.id),
    ));
    out.push_str(&row(
        "status",
        badge(c.a.status.as_str()),
        badge(c.b.status.as_str()),
    ));
    out.push_str(&row(
        "started",
        time_ms(c.a.started_ms),
        time_ms(c.b.started_ms),
    ));
    let d = |r: &Run| r.duration_ms().map_or("–".into(), duration_ms);
    out.push_str(&row("duration", d(&c.a), d(&c.b)));
    out.push_str(&row(
        "graph version",
        format!("<code>{}</code>", escape(short(&c.a.graph_version))),
        format!("<code>{}</code>", escape(short(&c.b.graph_version))),
    ));
    out.push_str(&row(
        "cache hits",
        c.a.cache_hits.to_string(),
        c.b.cache_hits.to_string(),
    ));
    out.push_str("</table>");
    out.push_str("<h2>Graph</h2>");
    out.push_str(&graph_changes(&c.graph));
    out.push_str(r#"<h2>Timing</h2><table id="timings"><tr><th>node</th><th class="num">A</th><th class="num">B</th><th class="num">change</th></tr>"#);
    for t in &c.timings {
        let cell = |v: Option<i64>| v.map_or("–".into(), duration_us);
        let delta = match t.delta_us() {
            Some(d) if d > 0 => format!(r#"<span class="delta-up">+{}</span>"#, duration_us(d)),
            Some(d) if d < 0 => format!(r#"<span class="delta-down">−{}</span>"#, duration_us(-d)),
            Some(_) => "0".into(),
            None if t.a_us.is_none() => r#"<span class="added">only in B</span>"#.into(),
            None => r#"<span class="removed">only in A</span>"#.into(),
        };
        let _ = write!(
            out,
            r#"<tr class="timing" data-node="{0}"><td><a href="/runs/{3}/nodes/{4}">{0}</a></td><td class="num">{1}</td><td class="num">{2}</td><td class="num">{delta}</td></tr>"#,
            escape(&t.node),
            cell(t.a_us),
            cell(t.b_us),
            if t.b_us.is_some() { c.b.id } else { c.a.id },
            url(&t.node),
        );
    }
    out.push_str("</table>");
    out
}

/// Two graph versions compared.
pub(crate) fn versions_body(c: &VersionComparison, picker: &str) -> String {
    format!(
        "<h1>Graph version <code>{}</code> vs <code>{}</code></h1>{picker}{}",
        escape(short(&c.a)),
        escape(short(&c.b)),
        graph_changes(c)
    )
}
