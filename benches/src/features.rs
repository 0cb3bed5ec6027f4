//! The marketing-spend feature workload (`../shared/bench/README.md`, "Features").
//!
//! A frame of R rows: `year = 2000 + i/52`, `week = 1 + i%52`, `signups` uniform integers in
//! [1, 1000), `spend` uniform floats in [10, 10000) (seeded; SplitMix64, so the values differ
//! from numpy's but not their distribution). The DAG: a loader node returning the frame, its four
//! columns extracted as nodes (`hamilton_polars::extract_columns`), and the eight feature nodes;
//! the 10 Series-valued nodes are requested and assembled into one `DataFrame`.
//!
//! Four variants, all timed from the frame already in memory to the finished `DataFrame`:
//! - `hamilton-eager`: nodes over `Series`, `hamilton_polars::to_dataframe` of the outputs;
//! - `hamilton-lazy`: the loader returns a `LazyFrame`, the columns are `col(..)` expressions and
//!   every node builds an `Expr`; `hamilton_polars::collect_exprs` puts them in one lazy plan
//!   collected once;
//! - `hand-eager`: the same Series operations written out, then `DataFrame::new`;
//! - `hand-lazy`: the same expressions written out in one `select`, collected.

use std::time::Instant;

use hamilton_core::{
    Driver, Inputs,
    node::{Args, Node, NodeError},
};
use polars::prelude::*;
// The eager `Series::rolling_mean` (polars only re-exports it with its `temporal` feature).
use polars_time::prelude::SeriesOpsTime;
use serde_json::{Value, json};

use crate::measure::{median, median_paired};

/// The requested nodes, in the order of the result's columns.
pub const OUTPUT_COLUMNS: [&str; 10] = [
    "year",
    "week",
    "signups",
    "spend",
    "avg_3wk_spend",
    "spend_per_signup",
    "spend_shift_3weeks",
    "spend_shift_3weeks_per_signup",
    "spend_zero_mean",
    "spend_zero_mean_unit_variance",
];

/// The columns the loader's frame has, extracted as nodes.
pub const RAW_COLUMNS: [&str; 4] = ["year", "week", "signups", "spend"];

/// The variants, in the order of the JSON.
pub const VARIANTS: [&str; 4] = ["hamilton-eager", "hamilton-lazy", "hand-eager", "hand-lazy"];

/// The input's name.
pub const INPUT: &str = "raw_marketing_df";

/// SplitMix64: a small, seeded, good-enough generator.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// The input frame of `rows` rows (see the module doc).
pub fn make_frame(rows: usize, seed: u64) -> DataFrame {
    let mut rng = SplitMix64::new(seed);
    let year: Vec<i64> = (0..rows as i64).map(|i| 2000 + i / 52).collect();
    let week: Vec<i64> = (0..rows as i64).map(|i| 1 + i % 52).collect();
    let signups: Vec<i64> = (0..rows)
        .map(|_| 1 + (rng.next_u64() % 999) as i64)
        .collect();
    let spend: Vec<f64> = (0..rows).map(|_| 10.0 + rng.next_f64() * 9990.0).collect();
    DataFrame::new(
        rows,
        vec![
            Column::new("year".into(), year),
            Column::new("week".into(), week),
            Column::new("signups".into(), signups),
            Column::new("spend".into(), spend),
        ],
    )
    .expect("columns of equal length")
}

fn rolling3() -> RollingOptionsFixedWindow {
    RollingOptionsFixedWindow {
        window_size: 3,
        min_periods: 3,
        ..Default::default()
    }
}

fn series<'a>(a: &Args<'a>, i: usize) -> Result<&'a Series, NodeError> {
    Ok(a.get::<Series>(i)?)
}

fn expr(a: &Args<'_>, i: usize) -> Result<Expr, NodeError> {
    Ok(a.get::<Expr>(i)?.clone())
}

/// The eager DAG: loader, extracted columns and feature nodes over `Series` and `f64`.
pub fn eager_nodes() -> Vec<Node> {
    let loader = Node::builder("marketing_data")
        .doc("Loader node: returns the frame passed in.")
        .owned_param::<DataFrame>(INPUT)
        .build(|a: &Args| Ok(a.take::<DataFrame>(0)?));
    let mut nodes =
        hamilton_polars::extract_columns(loader, &RAW_COLUMNS).expect("valid column list");
    nodes.extend([
        Node::builder("avg_3wk_spend")
            .param::<Series>("spend")
            .build(|a: &Args| Ok(series(a, 0)?.rolling_mean(rolling3())?)),
        Node::builder("spend_per_signup")
            .param::<Series>("spend")
            .param::<Series>("signups")
            .build(|a: &Args| Ok((series(a, 0)? / series(a, 1)?)?)),
        Node::builder("spend_shift_3weeks")
            .param::<Series>("spend")
            .build(|a: &Args| Ok(series(a, 0)?.shift(3))),
        Node::builder("spend_shift_3weeks_per_signup")
            .param::<Series>("spend_shift_3weeks")
            .param::<Series>("signups")
            .build(|a: &Args| Ok((series(a, 0)? / series(a, 1)?)?)),
        Node::builder("spend_mean")
            .param::<Series>("spend")
            .build(|a: &Args| Ok(series(a, 0)?.mean().unwrap_or(f64::NAN))),
        Node::builder("spend_zero_mean")
            .param::<Series>("spend")
            .param::<f64>("spend_mean")
            .build(|a: &Args| Ok(series(a, 0)? - *a.get::<f64>(1)?)),
        Node::builder("spend_std_dev")
            .param::<Series>("spend")
            .build(|a: &Args| Ok(series(a, 0)?.std(1).unwrap_or(f64::NAN))),
        Node::builder("spend_zero_mean_unit_variance")
            .param::<Series>("spend_zero_mean")
            .param::<f64>("spend_std_dev")
            .build(|a: &Args| Ok(series(a, 0)? / *a.get::<f64>(1)?)),
    ]);
    nodes
}

/// The expression-mode DAG: the loader returns a `LazyFrame`, every other node an `Expr`.
pub fn lazy_nodes() -> Vec<Node> {
    let loader = Node::builder("marketing_data")
        .doc("Loader node: returns the frame passed in.")
        .owned_param::<LazyFrame>(INPUT)
        .build(|a: &Args| Ok(a.take::<LazyFrame>(0)?));
    let mut nodes =
        hamilton_polars::extract_columns(loader, &RAW_COLUMNS).expect("valid column list");
    nodes.extend([
        Node::builder("avg_3wk_spend")
            .param::<Expr>("spend")
            .build(|a: &Args| Ok(expr(a, 0)?.rolling_mean(rolling3()))),
        Node::builder("spend_per_signup")
            .param::<Expr>("spend")
            .param::<Expr>("signups")
            .build(|a: &Args| Ok(expr(a, 0)? / expr(a, 1)?)),
        Node::builder("spend_shift_3weeks")
            .param::<Expr>("spend")
            .build(|a: &Args| Ok(expr(a, 0)?.shift(lit(3)))),
        Node::builder("spend_shift_3weeks_per_signup")
            .param::<Expr>("spend_shift_3weeks")
            .param::<Expr>("signups")
            .build(|a: &Args| Ok(expr(a, 0)? / expr(a, 1)?)),
        Node::builder("spend_mean")
            .param::<Expr>("spend")
            .build(|a: &Args| Ok(expr(a, 0)?.mean())),
        Node::builder("spend_zero_mean")
            .param::<Expr>("spend")
            .param::<Expr>("spend_mean")
            .build(|a: &Args| Ok(expr(a, 0)? - expr(a, 1)?)),
        Node::builder("spend_std_dev")
            .param::<Expr>("spend")
            .build(|a: &Args| Ok(expr(a, 0)?.std(1))),
        Node::builder("spend_zero_mean_unit_variance")
            .param::<Expr>("spend_zero_mean")
            .param::<Expr>("spend_std_dev")
            .build(|a: &Args| Ok(expr(a, 0)? / expr(a, 1)?)),
    ]);
    nodes
}

/// A driver over `nodes` (sequential, no hooks).
pub fn driver(nodes: Vec<Node>) -> Driver {
    Driver::builder()
        .with_nodes(nodes)
        .build()
        .expect("the features DAG builds")
}

/// `hamilton-eager`: one execute on `raw`, assembled with `to_dataframe`.
pub fn hamilton_eager(dr: &Driver, raw: &DataFrame) -> PolarsResult<DataFrame> {
    let out = dr
        .execute(&OUTPUT_COLUMNS, Inputs::new().set(INPUT, raw.clone()))
        .map_err(|e| polars_err!(ComputeError: "{e}"))?;
    hamilton_polars::to_dataframe(out).map_err(|e| polars_err!(ComputeError: "{e}"))
}

/// `hamilton-lazy`: one execute building the expressions, collected as one plan over `raw`.
pub fn hamilton_lazy(dr: &Driver, raw: &DataFrame) -> PolarsResult<DataFrame> {
    let base = raw.clone().lazy();
    let out = dr
        .execute(&OUTPUT_COLUMNS, Inputs::new().set(INPUT, base.clone()))
        .map_err(|e| polars_err!(ComputeError: "{e}"))?;
    hamilton_polars::collect_exprs(base, out).map_err(|e| polars_err!(ComputeError: "{e}"))
}

/// `hand-eager`: the same Series operations written out.
pub fn hand_eager(raw: &DataFrame) -> PolarsResult<DataFrame> {
    let get = |name: &str| -> PolarsResult<Series> {
        Ok(raw.column(name)?.as_materialized_series().clone())
    };
    let year = get("year")?;
    let week = get("week")?;
    let signups = get("signups")?;
    let spend = get("spend")?;
    let avg_3wk_spend = spend.rolling_mean(rolling3())?;
    let spend_per_signup = (&spend / &signups)?;
    let spend_shift_3weeks = spend.shift(3);
    let spend_shift_3weeks_per_signup = (&spend_shift_3weeks / &signups)?;
    let spend_mean = spend.mean().unwrap_or(f64::NAN);
    let spend_zero_mean = &spend - spend_mean;
    let spend_std_dev = spend.std(1).unwrap_or(f64::NAN);
    let spend_zero_mean_unit_variance = &spend_zero_mean / spend_std_dev;
    let columns = [
        year,
        week,
        signups,
        spend,
        avg_3wk_spend,
        spend_per_signup,
        spend_shift_3weeks,
        spend_shift_3weeks_per_signup,
        spend_zero_mean,
        spend_zero_mean_unit_variance,
    ];
    let height = raw.height();
    DataFrame::new(
        height,
        columns
            .into_iter()
            .zip(OUTPUT_COLUMNS)
            .map(|(s, name)| s.with_name(name.into()).into_column())
            .collect(),
    )
}

/// `hand-lazy`: the same expressions written out in one `select`, collected.
pub fn hand_lazy(raw: &DataFrame) -> PolarsResult<DataFrame> {
    let spend = col("spend");
    let signups = col("signups");
    let shifted = spend.clone().shift(lit(3));
    let zero_mean = spend.clone() - spend.clone().mean();
    raw.clone()
        .lazy()
        .select([
            col("year"),
            col("week"),
            signups.clone(),
            spend.clone(),
            spend
                .clone()
                .rolling_mean(rolling3())
                .alias("avg_3wk_spend"),
            (spend.clone() / signups.clone()).alias("spend_per_signup"),
            shifted.clone().alias("spend_shift_3weeks"),
            (shifted / signups).alias("spend_shift_3weeks_per_signup"),
            zero_mean.clone().alias("spend_zero_mean"),
            (zero_mean / spend.std(1)).alias("spend_zero_mean_unit_variance"),
        ])
        .collect()
}

/// The two drivers, built once.
pub struct Drivers {
    /// Over `Series`.
    pub eager: Driver,
    /// Over `Expr`.
    pub lazy: Driver,
}

impl Drivers {
    /// Builds both.
    pub fn new() -> Self {
        Self {
            eager: driver(eager_nodes()),
            lazy: driver(lazy_nodes()),
        }
    }

    /// Runs `variant` once on `raw`.
    pub fn run(&self, variant: &str, raw: &DataFrame) -> PolarsResult<DataFrame> {
        match variant {
            "hamilton-eager" => hamilton_eager(&self.eager, raw),
            "hamilton-lazy" => hamilton_lazy(&self.lazy, raw),
            "hand-eager" => hand_eager(raw),
            "hand-lazy" => hand_lazy(raw),
            _ => {
                polars_bail!(ComputeError: "unknown variant `{variant}`; expected one of {VARIANTS:?}")
            }
        }
    }
}

impl Default for Drivers {
    fn default() -> Self {
        Self::new()
    }
}

/// The `k`-th permutation (in lexicographic order, modulo their count) of `items`.
pub fn permutation<T: Clone>(items: &[T], k: usize) -> Vec<T> {
    let n = items.len();
    let mut pool: Vec<T> = items.to_vec();
    let mut factorials = vec![1usize; n + 1];
    for i in 1..=n {
        factorials[i] = factorials[i - 1] * i;
    }
    let mut k = k % factorials[n];
    let mut out = Vec::with_capacity(n);
    for i in (0..n).rev() {
        let f = factorials[i];
        out.push(pool.remove(k / f));
        k %= f;
    }
    out
}

/// Problems found by running every variant once and comparing: the two eager results must be
/// equal, the two lazy ones too, and eager and lazy must agree to 1e-9 relative.
pub fn check(drivers: &Drivers, raw: &DataFrame) -> Vec<String> {
    let mut problems = Vec::new();
    let mut results = Vec::new();
    for v in VARIANTS {
        match drivers.run(v, raw) {
            Ok(df) => {
                let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
                if names != OUTPUT_COLUMNS {
                    problems.push(format!("{v}: columns {names:?}"));
                }
                results.push(Some(df));
            }
            Err(e) => {
                problems.push(format!("{v}: {e}"));
                results.push(None);
            }
        }
    }
    let pairs = [(0, 2, true), (1, 3, true), (2, 3, false)];
    for (a, b, exact) in pairs {
        let (Some(x), Some(y)) = (&results[a], &results[b]) else {
            continue;
        };
        let same = if exact {
            x.equals_missing(y)
        } else {
            approx_equal(x, y)
        };
        if !same {
            problems.push(format!("{} != {}", VARIANTS[a], VARIANTS[b]));
        }
    }
    problems
}

fn approx_equal(a: &DataFrame, b: &DataFrame) -> bool {
    if a.shape() != b.shape() {
        return false;
    }
    a.columns().iter().zip(b.columns()).all(|(x, y)| {
        let (Ok(x), Ok(y)) = (x.cast(&DataType::Float64), y.cast(&DataType::Float64)) else {
            return false;
        };
        let (Ok(x), Ok(y)) = (x.f64(), y.f64()) else {
            return false;
        };
        x.iter().zip(y.iter()).all(|(p, q)| match (p, q) {
            (None, None) => true,
            (Some(p), Some(q)) => (p - q).abs() <= 1e-9 * p.abs().max(q.abs()).max(1.0),
            _ => false,
        })
    })
}

/// The timings of one row count: seconds per variant, one entry per rep.
#[derive(Clone, Debug)]
pub struct Timings {
    /// Rows of the frame.
    pub rows: usize,
    /// Timed reps (after one warm-up rep).
    pub reps: usize,
    /// Seconds per variant (index as in [`VARIANTS`]), one per rep.
    pub times: [Vec<f64>; 4],
    /// Problems of the correctness check (empty when all agree).
    pub problems: Vec<String>,
}

impl Timings {
    fn of(&self, variant: &str) -> &[f64] {
        &self.times[VARIANTS
            .iter()
            .position(|v| *v == variant)
            .expect("a variant")]
    }

    /// Median over reps of `a_i / b_i`.
    pub fn paired_ratio(&self, a: &str, b: &str) -> f64 {
        median_paired(self.of(a), self.of(b), |x, y| x / y)
    }

    /// Median seconds of `variant`.
    pub fn median_s(&self, variant: &str) -> f64 {
        median(self.of(variant))
    }

    /// The row as the README documents it.
    pub fn to_json(&self) -> Value {
        let medians: serde_json::Map<String, Value> = VARIANTS
            .iter()
            .map(|v| (v.to_string(), json!(self.median_s(v))))
            .collect();
        json!({
            "rows": self.rows,
            "reps": self.reps,
            "median_s": medians,
            "ratios": {
                "hamilton-eager / hand-eager": self.paired_ratio("hamilton-eager", "hand-eager"),
                "hamilton-lazy / hand-eager": self.paired_ratio("hamilton-lazy", "hand-eager"),
                "hamilton-lazy / hand-lazy": self.paired_ratio("hamilton-lazy", "hand-lazy"),
            },
        })
    }
}

/// Times the four variants on a frame of `rows` rows: a correctness check, one warm-up rep, then
/// `reps` reps, rep `r` running the variants in the `r`-th of their 24 orders (so that no variant
/// always follows the same one: what ran just before decides which allocator caches are warm).
pub fn measure(drivers: &Drivers, rows: usize, reps: usize, seed: u64) -> Timings {
    let raw = make_frame(rows, seed);
    let problems = check(drivers, &raw);
    let order: Vec<usize> = (0..VARIANTS.len()).collect();
    let mut times: [Vec<f64>; 4] = Default::default();
    for rep in 0..=reps {
        for i in permutation(&order, rep) {
            let started = Instant::now();
            let out = std::hint::black_box(drivers.run(VARIANTS[i], &raw));
            let t = started.elapsed().as_secs_f64();
            // Dropped outside the timed region, as in the Python baseline.
            drop(out);
            if rep > 0 {
                times[i].push(t);
            }
        }
    }
    Timings {
        rows,
        reps,
        times,
        problems,
    }
}
