//! A node's panel: its doc, `file:line`, type and code version, then each of its runs' status,
//! time, cache use, summary and error chain.

use std::fmt::Write;

use super::html::{badge, chips, duration_us, escape};
use crate::track::Summary;
use crate::track::read::{GraphNode, NodeRun};
use crate::track::summary::{ColumnSummary, FrameSummary};

/// The panel of one node: `node` as the graph has it (if it does), and its node runs.
pub(crate) fn panel(name: &str, node: Option<&GraphNode>, runs: &[&NodeRun]) -> String {
    let mut out = String::new();
    out.push_str(r#"<dl class="facts">"#);
    let mut fact = |k: &str, v: String| {
        let _ = write!(out, "<dt>{k}</dt><dd>{v}</dd>");
    };
    if let Some(n) = node {
        if !n.doc.is_empty() {
            fact(
                "doc",
                format!(r#"<span class="doc">{}</span>"#, escape(&n.doc)),
            );
        }
        fact("type", format!("<code>{}</code>", escape(&n.output_type)));
        if !n.location.is_empty() {
            fact(
                "defined at",
                format!(r#"<code class="location">{}</code>"#, escape(&n.location)),
            );
        }
        if !n.module.is_empty() {
            fact("module", format!("<code>{}</code>", escape(&n.module)));
        }
        if !n.code_version.is_empty() {
            fact(
                "code version",
                format!("<code>{}</code>", escape(&n.code_version)),
            );
        }
        if n.is_input {
            fact("kind", "external input".into());
        }
        if !n.tags.is_empty() {
            fact("tags", chips(&n.tags));
        }
    } else {
        fact(
            "graph",
            format!(
                "<span class=\"muted\">`{}` is not in this run's graph version</span>",
                escape(name)
            ),
        );
    }
    out.push_str("</dl>");
    if runs.is_empty() {
        out.push_str(r#"<p class="muted">This node did not run in this run (an input, not requested, or the run stopped before it).</p>"#);
    }
    for r in runs {
        out.push_str(r#"<div class="card node-run">"#);
        let _ = write!(
            out,
            "<h3>{}{} {} <span class=\"muted\">{}</span></h3>",
            r.item.map(|i| format!("item {i} · ")).unwrap_or_default(),
            badge(&r.status),
            duration_us(r.duration_us),
            escape(&format!(
                "started at +{} · {}{}",
                duration_us(r.start_us),
                r.worker,
                r.cache
                    .as_deref()
                    .map(|c| format!(" · cache {c}"))
                    .unwrap_or_default()
            )),
        );
        if let Some(s) = &r.summary {
            out.push_str(r#"<div class="summary">"#);
            out.push_str(&summary(s));
            out.push_str("</div>");
        }
        if !r.error.is_empty() {
            out.push_str(&errors(&r.error));
        }
        out.push_str("</div>");
    }
    out
}

/// An error chain, outermost first.
pub(crate) fn errors(chain: &[String]) -> String {
    let mut out = String::from(r#"<ol class="errors">"#);
    for e in chain {
        let _ = write!(out, "<li>{}</li>", escape(e));
    }
    out.push_str("</ol>");
    out
}

/// A value's summary as HTML.
pub(crate) fn summary(s: &Summary) -> String {
    match s {
        Summary::Scalar { r#type, value } => format!(
            r#"<p>Value (<code>{}</code>): <code class="scalar">{}</code></p>"#,
            escape(r#type),
            escape(value)
        ),
        Summary::Frame(f) => frame(f),
        Summary::Column { r#type, column } => format!(
            "<p>Column (<code>{}</code>)</p>{}",
            escape(r#type),
            columns(std::slice::from_ref(column))
        ),
        Summary::Lazy { r#type, schema } => {
            let mut out = format!(
                "<p>Lazy plan (<code>{}</code>), not collected: its schema</p><table><tr><th>column</th><th>type</th></tr>",
                escape(r#type)
            );
            for (name, dtype) in schema {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td><code>{}</code></td></tr>",
                    escape(name),
                    escape(dtype)
                );
            }
            out.push_str("</table>");
            out
        }
        Summary::Other { r#type, bytes } => format!(
            "<p>A <code>{}</code>{}</p>",
            escape(r#type),
            bytes.map(|b| format!(", {b} bytes")).unwrap_or_default()
        ),
    }
}

fn frame(f: &FrameSummary) -> String {
    let mut out = format!(
        r#"<p>Frame (<code>{}</code>): <b class="rows">{}</b> rows, {} columns</p>"#,
        escape(&f.r#type),
        f.rows,
        f.columns.len() as u64 + f.columns_omitted
    );
    out.push_str(&columns(&f.columns));
    if f.columns_omitted > 0 {
        let _ = write!(
            out,
            r#"<p class="muted">{} more columns not summarised.</p>"#,
            f.columns_omitted
        );
    }
    out
}

fn number(x: Option<f64>) -> String {
    match x {
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        Some(v) => format!("{v:.4}"),
        None => "–".into(),
    }
}

fn columns(cols: &[ColumnSummary]) -> String {
    let mut out = String::from(
        r#"<table class="schema"><tr><th>column</th><th>type</th><th class="num">count</th><th class="num">nulls</th><th class="num">min</th><th class="num">mean</th><th class="num">max</th><th class="num">std</th><th>distribution / top values</th></tr>"#,
    );
    for c in cols {
        let (min, mean, max, std, dist) = match (&c.numeric, &c.text) {
            (Some(n), _) => (
                number(n.min),
                number(n.mean),
                number(n.max),
                number(n.std),
                histogram(&n.histogram),
            ),
            (None, Some(t)) => {
                let top: Vec<String> = t
                    .top
                    .iter()
                    .map(|(v, n)| format!("<code>{}</code>×{n}", escape(v)))
                    .collect();
                (
                    number(t.min_len.map(|v| v as f64)),
                    number(t.mean_len),
                    number(t.max_len.map(|v| v as f64)),
                    "–".into(),
                    format!("{} distinct; {}", t.distinct, top.join(", ")),
                )
            }
            (None, None) => (
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                String::new(),
            ),
        };
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td><code>{}</code></td><td class="num">{}</td><td class="num">{}</td><td class="num">{min}</td><td class="num">{mean}</td><td class="num">{max}</td><td class="num">{std}</td><td>{dist}</td></tr>"#,
            escape(&c.name),
            escape(&c.dtype),
            c.count,
            c.nulls
        );
    }
    out.push_str("</table>");
    out
}

/// A tiny bar chart of a histogram's counts.
fn histogram(counts: &[u64]) -> String {
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut out = format!(
        r#"<span class="hist" title="{}">"#,
        escape(&format!("{counts:?}"))
    );
    for &c in counts {
        let _ = write!(
            out,
            r#"<span style="height:{:.0}%"></span>"#,
            (c as f64 / top * 100.0).max(4.0)
        );
    }
    out.push_str("</span>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::summary::{NumericSummary, TextSummary};

    #[test]
    fn a_frame_summary_shows_rows_a_schema_table_and_a_histogram() {
        let s = Summary::Frame(FrameSummary {
            r#type: "DataFrame".into(),
            rows: 7,
            columns: vec![
                ColumnSummary {
                    name: "x".into(),
                    dtype: "f64".into(),
                    count: 7,
                    nulls: 1,
                    numeric: Some(NumericSummary {
                        min: Some(1.0),
                        max: Some(2.5),
                        histogram: vec![1, 4, 2],
                        ..Default::default()
                    }),
                    text: None,
                },
                ColumnSummary {
                    name: "<tag>".into(),
                    dtype: "str".into(),
                    text: Some(TextSummary {
                        top: vec![("a".into(), 3)],
                        distinct: 2,
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            ],
            columns_omitted: 3,
        });
        let html = summary(&s);
        assert!(
            html.contains(r#"<b class="rows">7</b> rows, 5 columns"#),
            "{html}"
        );
        assert!(
            html.contains("<td>x</td>") && html.contains(">2.5000<"),
            "{html}"
        );
        assert_eq!(html.matches(r#"<span style="height:"#).count(), 3);
        assert!(html.contains("&lt;tag&gt;") && html.contains("2 distinct"));
        assert!(html.contains("3 more columns"));
    }

    #[test]
    fn a_scalar_summary_shows_its_escaped_value() {
        let html = summary(&Summary::scalar("String", "<b>"));
        assert!(
            html.contains(r#"<code class="scalar">&lt;b&gt;</code>"#),
            "{html}"
        );
    }

    #[test]
    fn the_panel_shows_doc_location_and_error_chain() {
        let node = GraphNode {
            name: "a".into(),
            module: "m".into(),
            output_type: "i64".into(),
            code_version: "v1".into(),
            doc: "Adds.".into(),
            location: "src/m.rs:3".into(),
            tags: Default::default(),
            is_input: false,
        };
        let run = NodeRun {
            node: "a".into(),
            item: None,
            position: 0,
            status: "failure".into(),
            start_us: 0,
            duration_us: 5,
            cache: None,
            worker: "local".into(),
            summary: None,
            error: vec!["outer".into(), "inner <cause>".into()],
        };
        let html = panel("a", Some(&node), &[&run]);
        assert!(html.contains("Adds.") && html.contains("src/m.rs:3") && html.contains("v1"));
        assert!(html.contains("<li>inner &lt;cause&gt;</li>"), "{html}");
        assert!(panel("zz", None, &[]).contains("did not run"));
    }
}
