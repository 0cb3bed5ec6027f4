//! Fingerprints of `LazyFrame` and `Expr` by their serialized plan, and their stored formats
//! (see the [module docs](super)).

use std::fs::File;
use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use hamilton_core::cache::{CacheType, Fingerprinter};
use hamilton_core::node::NodeError;
use memchr::memmem;
use polars::prelude::*;

/// Where a reason to refuse a plan ends: what to do instead.
const LAZY_FIX: &str =
    "collect it in the node (return a `DataFrame` or `Series`) to cache the result";

pub(super) fn lazyframe_type() -> CacheType {
    CacheType::fingerprint_with(fingerprint_lazyframe).with_format(
        "polars-plan",
        encode_lazyframe,
        decode_lazyframe,
    )
}

pub(super) fn expr_type() -> CacheType {
    CacheType::fingerprint_with(fingerprint_expr).with_format(
        "polars-expr",
        |e: &Expr| serialize_plan(&expr_plan(e)),
        decode_expr,
    )
}

/// Writes a `LazyFrame` by its plan: the optimizations it allows, its serialized plan (Polars'
/// versioned DSL encoding, which holds every literal, option and in-memory frame), then the path,
/// length and content of every local file it scans. Marks it [unavailable](Fingerprinter::unavailable)
/// when the plan does not determine its result: see the [module](super) docs.
///
/// ```
/// use hamilton_core::cache::Fingerprinter;
/// use hamilton_polars::cache::fingerprint_lazyframe;
/// use polars::prelude::*;
/// let dv = |lf: &LazyFrame| { let mut f = Fingerprinter::new(); fingerprint_lazyframe(lf, &mut f); f.finish() };
/// let plan = |n: i32| df!("x" => [1, 2, 3]).unwrap().lazy().filter(col("x").gt(lit(n)));
/// assert_eq!(dv(&plan(1)), dv(&plan(1)));
/// assert_ne!(dv(&plan(1)), dv(&plan(2)));
/// // A Rust closure has no serialized form: no fingerprint, and the reason says so.
/// let mapped = plan(1).select([col("x").map(|c| Ok(c), |_, f| Ok(f.clone()))]);
/// assert!(dv(&mapped).unwrap_err().contains("closure"));
/// ```
pub fn fingerprint_lazyframe(lf: &LazyFrame, f: &mut Fingerprinter) {
    let plan = &lf.logical_plan;
    let files = match scanned_files(plan) {
        Ok(files) => files,
        Err(why) => {
            f.unavailable(why);
            return;
        }
    };
    if !files.is_empty() {
        forget_resolved_scans(plan);
    }
    f.write_str("LazyFrame");
    f.write_u64(u64::from(lf.get_current_optimizations().bits()));
    write_plan(plan, f);
    f.write_u64(files.len() as u64);
    for path in &files {
        write_file(path, f);
    }
}

/// Writes an `Expr` by its serialized form (as the one expression a plan selects): every literal
/// value and function option is part of it. A Rust closure in the expression (`map`, `apply`) has
/// no serialized form: the expression is then [unavailable](Fingerprinter::unavailable).
///
/// ```
/// use hamilton_core::cache::Fingerprinter;
/// use hamilton_polars::cache::fingerprint_expr;
/// use polars::prelude::*;
/// let dv = |e: &Expr| { let mut f = Fingerprinter::new(); fingerprint_expr(e, &mut f); f.finish().unwrap() };
/// assert_eq!(dv(&(col("x") + lit(1))), dv(&(col("x") + lit(1))));
/// assert_ne!(dv(&(col("x") + lit(1))), dv(&(col("x") + lit(2))));
/// ```
pub fn fingerprint_expr(expr: &Expr, f: &mut Fingerprinter) {
    f.write_str("Expr");
    write_plan(&expr_plan(expr), f);
}

/// An expression as the plan selecting it from an empty frame: Polars serializes plans, with a
/// version header, and gives them back.
fn expr_plan(expr: &Expr) -> DslPlan {
    DataFrame::empty()
        .lazy()
        .select([expr.clone()])
        .logical_plan
}

/// The local files `plan` reads, in plan order (joins, unions and every other input included),
/// or why the plan does not determine its result. Sub-plans inside expressions (`Expr::SubPlan`)
/// are not searched: only SQL makes them, and it lowers them to joins before a plan can run.
fn scanned_files(plan: &DslPlan) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for node in plan {
        match node {
            DslPlan::Scan {
                sources,
                unified_scan_args: args,
                ..
            } => {
                if args.deletion_files.is_some() {
                    return Err(format!(
                        "the plan scans a table with deletion files, which are not part of the plan; {LAZY_FIX}"
                    ));
                }
                match sources {
                    ScanSources::Paths(paths) => {
                        for path in paths.iter() {
                            files.push(local_file(path, args.glob)?);
                        }
                    }
                    ScanSources::Files(_) => {
                        return Err(format!(
                            "the plan scans an open file handle, whose content is not part of the plan; scan the file by its path, or {LAZY_FIX}"
                        ));
                    }
                    // In-memory bytes: serialized with the plan.
                    ScanSources::Buffers(_) => {}
                }
            }
            // `collect_schema` turns a plan into this node and keeps, in the `LazyFrame`, what
            // Polars read of its files then (schemas, Parquet metadata); a later collect reuses it.
            DslPlan::IR {
                dsl, node: Some(_), ..
            } if dsl.as_ref().into_iter().any(|n| {
                matches!(n, DslPlan::Scan { sources: ScanSources::Paths(p), .. } if !p.is_empty())
            }) =>
            {
                return Err(format!(
                    "the plan's file scans were resolved when its schema was asked for (`collect_schema`), and the `LazyFrame` keeps what Polars read of the files then; ask a clone for the schema (`lf.clone().collect_schema()`), or {LAZY_FIX}"
                ));
            }
            DslPlan::Sink { payload, .. } if !matches!(payload, SinkType::Memory) => {
                return Err(format!(
                    "the plan writes to a sink: collecting it has an effect besides its result, which a cache hit would skip; {LAZY_FIX}"
                ));
            }
            _ => {}
        }
    }
    Ok(files)
}

/// The local file a scan reads, or why its content cannot be fingerprinted.
fn local_file(path: &PlRefPath, glob: bool) -> Result<PathBuf, String> {
    let name = path.as_str();
    if path.has_scheme() {
        return Err(format!(
            "the plan scans `{name}`, which is not a local path: its content is not part of the plan; {LAZY_FIX}"
        ));
    }
    if glob && name.contains(['*', '?', '[']) {
        return Err(format!(
            "the plan scans the glob pattern `{name}`: the files it matches can change while the plan stays the same; scan the files by path, or {LAZY_FIX}"
        ));
    }
    if name.starts_with('~') {
        return Err(format!(
            "the plan scans `{name}`: give the path without `~` so that it names one file; or {LAZY_FIX}"
        ));
    }
    let file = Path::new(name);
    match std::fs::metadata(file) {
        Ok(md) if md.is_file() => Ok(file.to_path_buf()),
        Ok(md) if md.is_dir() => Err(format!(
            "the plan scans the directory `{name}`: the files in it can change while the plan stays the same; scan the files by path, or {LAZY_FIX}"
        )),
        Ok(_) => Err(format!(
            "the plan scans `{name}`, which is not a regular file; {LAZY_FIX}"
        )),
        Err(e) => Err(format!(
            "the plan scans `{name}`, which cannot be read to fingerprint it ({e}); {LAZY_FIX}"
        )),
    }
}

/// Drops what Polars kept of each scan's files when it last resolved the plan, so that the next
/// collect reads them as they are now, as fingerprinted.
fn forget_resolved_scans(plan: &DslPlan) {
    for node in plan {
        if let DslPlan::Scan { cached_ir, .. } = node {
            *cached_ir
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        }
    }
}

/// Writes a scanned file's path, then its length and the digest of its content.
fn write_file(path: &Path, f: &mut Fingerprinter) {
    f.write_str(&path.to_string_lossy());
    let mut content = Fingerprinter::new();
    match File::open(path).and_then(|mut file| io::copy(&mut file, &mut Sink(&mut content))) {
        Ok(len) => {
            f.write_u64(len);
            write_part(content, f);
        }
        Err(e) => f.unavailable(format!(
            "the plan scans `{}`, which could not be read to fingerprint it ({e}); {LAZY_FIX}",
            path.display()
        )),
    }
}

fn write_part(part: Fingerprinter, f: &mut Fingerprinter) {
    match part.finish() {
        Ok(v) => f.write_version(v),
        Err(why) => f.unavailable(why),
    }
}

/// Bytes written to a fingerprint.
struct Sink<'a>(&'a mut Fingerprinter);

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What Polars writes for a function it knows only by a registered name ("named serde"): the
/// plan then holds the name, not the code.
const NAMED_FUNCTION: &[u8] = b"PLNAMEDFN";

/// Streams `plan`'s serialized form into `f`, watching for functions known only by name.
fn write_plan(plan: &DslPlan, f: &mut Fingerprinter) {
    let mut sink = PlanSink {
        sink: Sink(f),
        tail: Vec::new(),
        named: false,
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        plan.serialize_versioned(&mut sink, PlanSerializationContext::default())
    }));
    let named = sink.named;
    match result {
        Ok(Ok(())) if named => f.unavailable(format!(
            "the plan calls a function registered with Polars by name: its code is not part of the plan; {LAZY_FIX}"
        )),
        Ok(Ok(())) => {}
        Ok(Err(e)) => f.unavailable(format!(
            "the plan has no serialized form, so no fingerprint ({}); a Rust closure in it (`map`, `apply`, a UDF, a callback) cannot be serialized; {LAZY_FIX}",
            one_line(&e.to_string())
        )),
        Err(_) => f.unavailable(format!(
            "serializing the plan to fingerprint it panicked; {LAZY_FIX}"
        )),
    }
}

/// A fingerprint sink that also finds [`NAMED_FUNCTION`], even across two writes.
struct PlanSink<'a> {
    sink: Sink<'a>,
    tail: Vec<u8>,
    named: bool,
}

impl Write for PlanSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.named {
            // The end of the earlier writes joined to the start of this one, then this one.
            let keep = NAMED_FUNCTION.len() - 1;
            self.tail.extend_from_slice(&buf[..buf.len().min(keep)]);
            self.named = memmem::find(&self.tail, NAMED_FUNCTION).is_some()
                || memmem::find(buf, NAMED_FUNCTION).is_some();
            if buf.len() >= keep {
                self.tail.clear();
                self.tail.extend_from_slice(&buf[buf.len() - keep..]);
            } else {
                let excess = self.tail.len().saturating_sub(keep);
                self.tail.drain(..excess);
            }
        }
        self.sink.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn serialize_plan(plan: &DslPlan) -> Result<Vec<u8>, NodeError> {
    let mut bytes = Vec::new();
    plan.serialize_versioned(&mut bytes, PlanSerializationContext::default())?;
    Ok(bytes)
}

/// A plan is stored as the optimizations it allows (4 bytes) and its serialized form. Plans
/// that scan files are not stored: see the [module](self) docs.
fn encode_lazyframe(lf: &LazyFrame) -> Result<Vec<u8>, NodeError> {
    if let Some(file) = scanned_files(&lf.logical_plan)?.first() {
        return Err(format!(
            "a plan that scans files is not stored (a hit would pass on what `{}` held when it was stored, without reading it again); the node runs each time, and the nodes reading the plan hit while the files' content is unchanged",
            file.display()
        )
        .into());
    }
    let mut bytes = lf.get_current_optimizations().bits().to_le_bytes().to_vec();
    lf.logical_plan
        .serialize_versioned(&mut bytes, PlanSerializationContext::default())?;
    Ok(bytes)
}

fn decode_lazyframe(bytes: &[u8]) -> Result<LazyFrame, NodeError> {
    let Some((flags, plan)) = bytes.split_first_chunk::<4>() else {
        return Err(format!(
            "a stored plan starts with 4 bytes of optimization flags; this file holds {} bytes",
            bytes.len()
        )
        .into());
    };
    let flags = OptFlags::from_bits_retain(u32::from_le_bytes(*flags));
    Ok(LazyFrame::from(DslPlan::deserialize_versioned(plan)?).with_optimizations(flags))
}

fn decode_expr(bytes: &[u8]) -> Result<Expr, NodeError> {
    if let DslPlan::Select { mut expr, .. } = DslPlan::deserialize_versioned(bytes)?
        && expr.len() == 1
    {
        return Ok(expr.remove(0));
    }
    Err(
        "a stored expression is a plan selecting one expression; this file holds another plan"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hamilton_core::cache::DataVersion;

    fn lazy_dv(lf: &LazyFrame) -> Result<DataVersion, String> {
        let mut f = Fingerprinter::new();
        fingerprint_lazyframe(lf, &mut f);
        f.finish()
    }

    fn expr_dv(e: &Expr) -> Result<DataVersion, String> {
        let mut f = Fingerprinter::new();
        fingerprint_expr(e, &mut f);
        f.finish()
    }

    fn spend(last: f64) -> DataFrame {
        df!(
            "week" => [1_i64, 2, 3, 4],
            "spend" => [10.0, 20.0, 30.0, last],
            "region" => ["UK", "US", "UK", "US"],
        )
        .unwrap()
    }

    fn regions() -> DataFrame {
        df!("region" => ["UK", "US"], "rate" => [1.0, 0.8]).unwrap()
    }

    fn window(size: usize) -> RollingOptionsFixedWindow {
        RollingOptionsFixedWindow {
            window_size: size,
            min_periods: 1,
            ..Default::default()
        }
    }

    /// A plan with a filter, a rolling window, a join and a union, parameterized by what the
    /// tests change.
    fn plan(frame: DataFrame, threshold: i64, size: usize, right: LazyFrame) -> LazyFrame {
        let features = frame
            .lazy()
            .filter(col("week").gt(lit(threshold)))
            .with_column(col("spend").rolling_mean(window(size)).alias("avg"))
            .join(
                right,
                [col("region")],
                [col("region")],
                JoinArgs::new(JoinType::Left),
            );
        concat([features.clone(), features], UnionArgs::default())
            .unwrap()
            .sort(["week"], SortMultipleOptions::default())
    }

    fn standard(frame: DataFrame) -> LazyFrame {
        plan(frame, 1, 2, regions().lazy())
    }

    #[test]
    fn equal_plans_built_twice_fingerprint_equal() {
        let a = lazy_dv(&standard(spend(45.0))).unwrap();
        let b = lazy_dv(&standard(spend(45.0))).unwrap();
        assert_eq!(a, b);
        let e = |n: i32| (col("spend") * lit(n)).rolling_mean(window(3)).alias("x");
        assert_eq!(expr_dv(&e(2)).unwrap(), expr_dv(&e(2)).unwrap());
    }

    #[test]
    fn plans_differing_only_in_a_literal_fingerprint_differently() {
        let base = lazy_dv(&standard(spend(45.0))).unwrap();
        let other = lazy_dv(&plan(spend(45.0), 2, 2, regions().lazy())).unwrap();
        assert_ne!(base, other);
        // The integer 1 and the float 1.0 are different literals too.
        let int = spend(45.0).lazy().select([col("spend") * lit(1)]);
        let float = spend(45.0).lazy().select([col("spend") * lit(1.0)]);
        assert_ne!(lazy_dv(&int).unwrap(), lazy_dv(&float).unwrap());
        assert_ne!(
            expr_dv(&(col("x") + lit(1))).unwrap(),
            expr_dv(&(col("x") + lit(2))).unwrap()
        );
    }

    #[test]
    fn plans_differing_only_in_a_rolling_window_size_fingerprint_differently() {
        let two = lazy_dv(&plan(spend(45.0), 1, 2, regions().lazy())).unwrap();
        let three = lazy_dv(&plan(spend(45.0), 1, 3, regions().lazy())).unwrap();
        assert_ne!(two, three);
        assert_ne!(
            expr_dv(&col("x").rolling_mean(window(2))).unwrap(),
            expr_dv(&col("x").rolling_mean(window(3))).unwrap()
        );
    }

    #[test]
    fn plans_over_frames_with_different_content_fingerprint_differently() {
        let base = lazy_dv(&standard(spend(45.0))).unwrap();
        assert_ne!(base, lazy_dv(&standard(spend(45.5))).unwrap());
        // A frame on the right side of the join counts too.
        let rates = df!("region" => ["UK", "US"], "rate" => [1.0, 0.9]).unwrap();
        assert_ne!(
            base,
            lazy_dv(&plan(spend(45.0), 1, 2, rates.lazy())).unwrap()
        );
        // So does a literal Series.
        let series = |v: i64| lit(Series::new("s".into(), [1_i64, v]));
        assert_ne!(expr_dv(&series(2)).unwrap(), expr_dv(&series(3)).unwrap());
    }

    #[test]
    fn allowed_optimizations_are_part_of_a_plans_fingerprint() {
        let base = lazy_dv(&standard(spend(45.0))).unwrap();
        let coerced = standard(spend(45.0)).with_type_coercion(false);
        assert_ne!(base, lazy_dv(&coerced).unwrap());
    }

    fn write_csv(path: &Path, text: &str) {
        std::fs::write(path, text).unwrap();
    }

    fn scan(path: &Path) -> LazyFrame {
        LazyCsvReader::new(PlRefPath::try_from_path(path).unwrap())
            .finish()
            .unwrap()
    }

    #[test]
    fn changing_a_scanned_csv_file_changes_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rates.csv");
        write_csv(&path, "region,rate\nUK,1.0\nUS,0.8\n");
        let in_join = || plan(spend(45.0), 1, 2, scan(&path));
        let first = lazy_dv(&in_join()).unwrap();
        assert_eq!(first, lazy_dv(&in_join()).unwrap());
        // Written again with the same content: the same fingerprint.
        write_csv(&path, "region,rate\nUK,1.0\nUS,0.8\n");
        assert_eq!(first, lazy_dv(&in_join()).unwrap());
        // The same length, one digit changed, on the right side of a join.
        write_csv(&path, "region,rate\nUK,1.0\nUS,0.9\n");
        assert_ne!(first, lazy_dv(&in_join()).unwrap());
        // A plan fingerprinted before the file changed collects the file as it is now.
        let lf = scan(&path);
        lazy_dv(&lf).unwrap();
        lf.clone().collect().unwrap();
        write_csv(&path, "region,rate,extra\nUK,1.0,1\nUS,0.9,2\n");
        lazy_dv(&lf).unwrap();
        assert_eq!(lf.collect().unwrap().width(), 3);
    }

    /// The reason `lf` has no fingerprint.
    fn refused(lf: &LazyFrame) -> String {
        lazy_dv(lf).unwrap_err()
    }

    #[test]
    fn plans_that_do_not_determine_their_result_have_no_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_csv(&path, "x\n1\n");
        let closure = col("x").map(Ok, |_, f| Ok(f.clone()));
        let why = refused(&scan(&path).select([closure.clone()]));
        assert!(
            why.contains("closure") && why.contains("collect it"),
            "{why}"
        );
        assert!(expr_dv(&closure).unwrap_err().contains("closure"));
        let glob = dir.path().join("*.csv");
        assert!(refused(&scan(&glob)).contains("glob pattern"));
        let directory = LazyCsvReader::new(PlRefPath::try_from_path(dir.path()).unwrap())
            .finish()
            .unwrap();
        assert!(refused(&directory).contains("directory"));
        let url = LazyCsvReader::new(PlRefPath::new("s3://bucket/a.csv"))
            .finish()
            .unwrap();
        assert!(refused(&url).contains("not a local path"));
        assert!(refused(&scan(&dir.path().join("missing.csv"))).contains("cannot be read"));
        let sink = scan(&path)
            .sink_batches(PlanCallback::new(|_: DataFrame| Ok(true)), true, None)
            .unwrap();
        assert!(refused(&sink).contains("sink"));
        // Asking the plan itself for its schema keeps what Polars read of the file in it...
        let mut resolved = scan(&path);
        resolved.collect_schema().unwrap();
        assert!(refused(&resolved).contains("collect_schema"));
        // ... asking a clone does not.
        let lf = scan(&path);
        lf.clone().collect_schema().unwrap();
        assert!(lazy_dv(&lf).is_ok());
    }

    #[test]
    fn functions_known_to_polars_only_by_name_have_no_fingerprint() {
        let named = Expr::AnonymousFunction {
            input: vec![col("x")],
            function: LazySerde::Named {
                name: "double".into(),
                payload: None,
                value: None,
            },
            options: Default::default(),
            fmt_str: Box::new("double".into()),
        };
        let why = expr_dv(&named).unwrap_err();
        assert!(why.contains("by name"), "{why}");
    }

    #[test]
    fn the_named_function_marker_is_found_across_writes() {
        for split in 0..=NAMED_FUNCTION.len() {
            let mut f = Fingerprinter::new();
            let mut sink = PlanSink {
                sink: Sink(&mut f),
                tail: Vec::new(),
                named: false,
            };
            let text = [b"xx".as_slice(), NAMED_FUNCTION, b"yy"].concat();
            let (a, b) = text.split_at(2 + split);
            sink.write_all(a).unwrap();
            assert!(!sink.named || split == NAMED_FUNCTION.len());
            sink.write_all(b).unwrap();
            assert!(sink.named, "split at {split}");
        }
        let mut f = Fingerprinter::new();
        let mut sink = PlanSink {
            sink: Sink(&mut f),
            tail: Vec::new(),
            named: false,
        };
        sink.write_all(&NAMED_FUNCTION[..4]).unwrap();
        sink.write_all(b"-").unwrap();
        sink.write_all(&NAMED_FUNCTION[4..]).unwrap();
        assert!(!sink.named);
    }

    #[test]
    fn plans_and_expressions_come_back_from_the_store_with_equal_fingerprints() {
        let lf = standard(spend(45.0)).with_predicate_pushdown(false);
        let t = lazyframe_type();
        assert_eq!(t.format_name(), Some("polars-plan"));
        let back = decode_lazyframe(&encode_lazyframe(&lf).unwrap()).unwrap();
        assert_eq!(lazy_dv(&back).unwrap(), lazy_dv(&lf).unwrap());
        assert_eq!(
            back.get_current_optimizations().bits(),
            lf.get_current_optimizations().bits()
        );
        assert!(
            back.collect()
                .unwrap()
                .equals(&lf.clone().collect().unwrap())
        );
        let e = (col("spend") * lit(2)).rolling_mean(window(3));
        let back = decode_expr(&serialize_plan(&expr_plan(&e)).unwrap()).unwrap();
        assert_eq!(back, e);
        assert_eq!(expr_dv(&back).unwrap(), expr_dv(&e).unwrap());
        assert!(decode_lazyframe(b"no").is_err());
        assert!(decode_expr(&encode_lazyframe(&lf).unwrap()[4..]).is_err());
    }

    #[test]
    fn plans_that_scan_files_are_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_csv(&path, "x\n1\n");
        let why = encode_lazyframe(&scan(&path)).unwrap_err().to_string();
        assert!(why.contains("not stored") && why.contains("a.csv"), "{why}");
    }
}
