//! The page shell and the small formatting helpers every page uses.

use std::fmt::Write;

pub(crate) use crate::diagram::escape;

/// The stylesheet, inlined in every page (and in the report).
pub(crate) const STYLE: &str = include_str!("style.css");

/// A whole page: the shell, the navigation (left out of the self-contained report) and `body`.
pub(crate) fn page(title: &str, body: &str, nav: bool) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 600);
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>{} · hamilton</title><style>{STYLE}</style></head><body>"#,
        escape(title)
    );
    if nav {
        out.push_str(
            r#"<nav><a class="brand" href="/">hamilton</a><a href="/">Runs</a><a href="/compare">Compare runs</a><a href="/versions/compare">Compare graph versions</a></nav>"#,
        );
    }
    let _ = write!(out, "<main>{body}</main></body></html>");
    out
}

/// An error page's body: what went wrong and what to do.
pub(crate) fn problem(title: &str, message: &str) -> String {
    format!(
        r#"<h1>{}</h1><p class="problem" id="problem">{}</p><p><a href="/">Back to the runs</a></p>"#,
        escape(title),
        escape(message)
    )
}

/// `text` percent-encoded for a URL path segment or query value.
pub(crate) fn url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A duration in µs, in the unit that reads best.
pub(crate) fn duration_us(us: i64) -> String {
    let f = us as f64;
    if us.abs() < 1_000 {
        format!("{us} µs")
    } else if us.abs() < 1_000_000 {
        format!("{:.1} ms", f / 1e3)
    } else if us.abs() < 60_000_000 {
        format!("{:.2} s", f / 1e6)
    } else {
        format!("{:.1} min", f / 6e7)
    }
}

/// A run's duration, recorded in whole milliseconds: under one reads `< 1 ms`, not `0 µs`.
pub(crate) fn duration_ms(ms: i64) -> String {
    if ms < 1 {
        "< 1 ms".to_string()
    } else {
        duration_us(ms * 1000)
    }
}

/// A time in ms since the Unix epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub(crate) fn time_ms(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `YYYY-MM-DD` as ms since the Unix epoch at midnight UTC; `None` if it is not such a date.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days * 86_400_000)
}

// Howard Hinnant's civil-date algorithms (public domain).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A status badge.
pub(crate) fn badge(status: &str) -> String {
    format!(r#"<span class="badge {0}">{0}</span>"#, escape(status))
}

/// A short form of a graph version.
pub(crate) fn short(version: &str) -> &str {
    version.get(..8).unwrap_or(version)
}

/// A map as `k=v` chips.
pub(crate) fn chips<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!(r#"<span class="chip">{}={}</span>"#, escape(k), escape(v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_utc_dates() {
        assert_eq!(time_ms(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(time_ms(1_700_000_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(time_ms(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn dates_parse_to_midnight_and_nonsense_does_not() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2023-11-14"), Some(1_699_920_000_000));
        assert_eq!(parse_date("2000-02-29"), Some(951_782_400_000));
        assert_eq!(parse_date("2001-02-29"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2023-13-01"), None);
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(duration_us(12), "12 µs");
        assert_eq!(duration_us(12_300), "12.3 ms");
        assert_eq!(duration_us(2_500_000), "2.50 s");
        assert_eq!(duration_us(90_000_000), "1.5 min");
    }

    #[test]
    fn a_run_shorter_than_its_millisecond_resolution_reads_under_one_ms() {
        assert_eq!(duration_ms(0), "< 1 ms");
        assert_eq!(duration_ms(14), "14.0 ms");
    }

    #[test]
    fn url_encodes_everything_but_unreserved_characters() {
        assert_eq!(url("a_b-c.d"), "a_b-c.d");
        assert_eq!(url("a b/c?&é"), "a%20b%2Fc%3F%26%C3%A9");
    }

    #[test]
    fn pages_escape_their_title() {
        let p = page("<x>", "body", true);
        assert!(p.contains("<title>&lt;x&gt; · hamilton</title>"));
        assert!(p.contains("<nav>"));
        assert!(!page("t", "b", false).contains("<nav>"));
    }
}
