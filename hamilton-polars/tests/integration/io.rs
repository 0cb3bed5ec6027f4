//! Loaders and savers as nodes.

use crate::common::entries;

use std::fs;
use std::path::{Path, PathBuf};

use hamilton_core::{
    Driver, Error as CoreError, Inputs,
    node::{Args, Node, NodeError},
};
use hamilton_polars::Error;
use hamilton_polars::io::{
    PathSource, SaveMetadata, csv_loader, csv_saver, ipc_loader, ipc_saver, parquet_loader,
    parquet_saver,
};
use polars::prelude::*;

fn frame() -> DataFrame {
    df!(
        "week" => [1_i64, 2, 3],
        "spend" => [10.5, 20.0, 30.25],
        "region" => ["UK", "US", "UK"],
    )
    .unwrap()
}

fn frame_node() -> Node {
    Node::builder("frame").build(|_: &Args| Ok(frame()))
}

fn run(
    nodes: Vec<Node>,
    outputs: &[&str],
    inputs: Inputs,
) -> Result<hamilton_core::Outputs, CoreError> {
    Driver::builder()
        .with_nodes(nodes)
        .build()
        .unwrap()
        .execute(outputs, inputs)
}

fn node_error(err: &CoreError) -> (&str, &Error) {
    let CoreError::NodeFailed { node, source } = err else {
        panic!("{err:?}")
    };
    (
        node,
        source
            .downcast_ref::<Error>()
            .unwrap_or_else(|| panic!("{source:?}")),
    )
}

fn write_csv(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn csv_round_trip_with_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let out = run(
        vec![frame_node(), csv_saver("saved", "frame", path.clone())],
        &["saved"],
        Inputs::new(),
    )
    .unwrap();
    let meta = out.get::<SaveMetadata>("saved").unwrap();
    assert_eq!(meta.path, path);
    assert_eq!((meta.rows, meta.columns, meta.format), (3, 3, "CSV"));
    assert_eq!(meta.column_names, ["week", "spend", "region"]);
    assert_eq!(
        meta.dtypes,
        [DataType::Int64, DataType::Float64, DataType::String]
    );
    assert_eq!(meta.bytes, fs::metadata(&path).unwrap().len());
    assert_eq!(entries(dir.path()), ["out.csv"]);

    let loaded = run(
        vec![csv_loader("loaded", PathSource::param("source")).build()],
        &["loaded"],
        Inputs::new().set("source", path.display().to_string()),
    )
    .unwrap();
    assert!(loaded.get::<DataFrame>("loaded").unwrap().equals(&frame()));
}

#[test]
fn parquet_round_trip_eager_and_lazy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.parquet");
    let out = run(
        vec![frame_node(), parquet_saver("saved", "frame", path.clone())],
        &["saved"],
        Inputs::new(),
    )
    .unwrap();
    assert_eq!(out.get::<SaveMetadata>("saved").unwrap().format, "Parquet");

    let out = run(
        vec![
            parquet_loader("eager", path.clone()).build(),
            parquet_loader("lazy", path.clone()).lazy().build(),
        ],
        &["eager", "lazy"],
        Inputs::new(),
    )
    .unwrap();
    assert!(out.get::<DataFrame>("eager").unwrap().equals(&frame()));
    let lazy = out
        .get::<LazyFrame>("lazy")
        .unwrap()
        .clone()
        .collect()
        .unwrap();
    assert!(lazy.equals(&frame()));
}

#[test]
fn a_lazy_csv_loader_scans() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "in.csv", "a,b\n1,x\n2,y\n");
    let out = run(
        vec![csv_loader("scan", path).lazy().build()],
        &["scan"],
        Inputs::new(),
    )
    .unwrap();
    let df = out
        .get::<LazyFrame>("scan")
        .unwrap()
        .clone()
        .select([col("a")])
        .collect()
        .unwrap();
    assert_eq!(df.shape(), (2, 1));
}

#[test]
fn a_missing_file_is_an_error_naming_the_node_and_the_path() {
    for lazy in [false, true] {
        let mut loader = csv_loader("marketing", "no/such/file.csv");
        if lazy {
            loader = loader.lazy();
        }
        let err = run(vec![loader.build()], &["marketing"], Inputs::new()).unwrap_err();
        let (node, source) = node_error(&err);
        assert_eq!(node, "marketing");
        assert!(
            matches!(source, Error::FileNotFound { path, .. } if path == Path::new("no/such/file.csv"))
        );
        let text = err.to_string();
        assert!(
            text.starts_with("node `marketing` failed: file `no/such/file.csv` does not exist"),
            "{text}"
        );
    }
}

#[test]
fn an_unreadable_parquet_file_is_a_read_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "bad.parquet", "this is not parquet");
    let err = run(
        vec![parquet_loader("p", path.clone()).build()],
        &["p"],
        Inputs::new(),
    )
    .unwrap_err();
    let (_, source) = node_error(&err);
    assert!(
        matches!(source, Error::Read { format: "Parquet", path: p, .. } if *p == path),
        "{source:?}"
    );
    assert!(
        err.to_string().contains("cannot read Parquet file"),
        "{err}"
    );
}

#[test]
fn a_file_without_the_expected_schema_is_an_error_listing_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "in.csv", "year,spend\n2023,x\n");
    for lazy in [false, true] {
        let mut loader = csv_loader("marketing", path.clone())
            .expect_columns(["week"])
            .expect_schema([("year", DataType::Int64), ("spend", DataType::Float64)]);
        if lazy {
            loader = loader.lazy();
        }
        let err = run(vec![loader.build()], &["marketing"], Inputs::new()).unwrap_err();
        let (_, source) = node_error(&err);
        let Error::Schema {
            problems, found, ..
        } = source
        else {
            panic!("{source:?}")
        };
        assert_eq!(
            problems,
            &[
                "missing column `week`",
                "column `spend` has dtype str, expected f64"
            ]
        );
        assert_eq!(found, &["year: i64", "spend: str"]);
    }
}

#[test]
fn a_missing_directory_fails_the_saver_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("out.csv");
    let err = run(
        vec![frame_node(), csv_saver("saved", "frame", path.clone())],
        &["saved"],
        Inputs::new(),
    )
    .unwrap_err();
    let (node, source) = node_error(&err);
    assert_eq!(node, "saved");
    assert!(
        matches!(source, Error::Write { path: p, .. } if *p == path),
        "{source:?}"
    );
    assert!(err.to_string().contains("missing` does not exist"), "{err}");
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn a_write_failing_midway_keeps_the_old_file_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "out.csv", "old,content\n1,2\n");
    // CSV cannot hold nested data: the writer fails after the temporary file is created.
    let nested = Node::builder("nested").build(|_: &Args| {
        let lists = Series::new("l".into(), &[1_i64, 2])
            .implode()?
            .into_series();
        Ok(DataFrame::new(1, vec![lists.into_column()])?)
    });
    let err = run(
        vec![nested, csv_saver("saved", "nested", path.clone())],
        &["saved"],
        Inputs::new(),
    )
    .unwrap_err();
    assert!(
        matches!(node_error(&err).1, Error::Write { format: "CSV", .. }),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "old,content\n1,2\n");
    assert_eq!(entries(dir.path()), ["out.csv"]);
}

#[test]
fn a_directory_as_destination_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = run(
        vec![frame_node(), parquet_saver("saved", "frame", dir.path())],
        &["saved"],
        Inputs::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("is a directory"), "{err}");
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn a_saver_path_can_come_from_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.parquet");
    let out = run(
        vec![
            frame_node(),
            parquet_saver("saved", "frame", PathSource::param("dest")),
        ],
        &["saved"],
        Inputs::new().set("dest", path.display().to_string()),
    )
    .unwrap();
    assert_eq!(out.get::<SaveMetadata>("saved").unwrap().path, path);
    assert!(path.exists());
}

#[test]
fn a_lazy_csv_parse_error_names_the_file_at_the_consuming_node() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("a,b\n");
    for i in 0..200 {
        text.push_str(&format!("{i},x\n"));
    }
    text.push_str("oops,y\n");
    let path = write_csv(dir.path(), "in.csv", &text);
    let total = Node::builder("total").param::<LazyFrame>("scan").build(
        |args: &Args| -> Result<DataFrame, NodeError> {
            Ok(args
                .get::<LazyFrame>(0)?
                .clone()
                .select([col("a").sum()])
                .collect()?)
        },
    );
    let err = run(
        vec![csv_loader("scan", path.clone()).lazy().build(), total],
        &["total"],
        Inputs::new(),
    )
    .unwrap_err();
    let (node, source) = node_error(&err);
    assert_eq!(node, "total");
    let Error::Scan { files, source } = source else {
        panic!("{source:?}")
    };
    assert_eq!(files, &[("CSV", path.clone())]);
    assert!(
        source.to_string().contains("could not parse `oops`"),
        "{source}"
    );
    let text = err.to_string();
    let expected = format!(
        "node `total` failed: in a plan that scans CSV file `{}`: could not parse `oops`",
        path.display()
    );
    assert!(text.starts_with(&expected), "{text}");
}

/// Runs `loader` eagerly and lazily; both must give the same frame, which is returned.
fn load_both_ways(
    loader: hamilton_polars::io::Loader<impl hamilton_polars::io::FileFormat>,
) -> DataFrame {
    let eager = run(vec![loader.clone().build()], &["data"], Inputs::new()).unwrap();
    let eager = eager.get::<DataFrame>("data").unwrap().clone();
    let lazy = run(vec![loader.lazy().build()], &["data"], Inputs::new()).unwrap();
    let lazy = lazy
        .get::<LazyFrame>("data")
        .unwrap()
        .clone()
        .collect()
        .unwrap();
    assert!(eager.equals_missing(&lazy), "{eager}\n{lazy}");
    eager
}

#[test]
fn csv_read_options_set_separator_nulls_dtypes_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(
        dir.path(),
        "orders.csv",
        "# exported nightly\nzip;day;amount\n01234;2024-01-31;1,5\n00042;2024-02-01;NA\n",
    );
    let frame = load_both_ways(
        csv_loader("data", path)
            .comment_prefix("#")
            .separator(b';')
            .null_values(["NA"])
            .decimal_comma(true)
            .schema_overrides([("zip", DataType::String)])
            .try_parse_dates(true),
    );
    let expected = df!(
        "zip" => ["01234", "00042"],
        "amount" => [Some(1.5), None],
    )
    .unwrap();
    let day = frame.column("day").unwrap();
    assert_eq!(day.dtype(), &DataType::Date);
    // Days since 1970-01-01.
    let days = day.cast(&DataType::Int32).unwrap();
    assert_eq!(days.i32().unwrap().to_vec(), [Some(19_753), Some(19_754)]);
    assert!(
        frame.drop("day").unwrap().equals_missing(&expected),
        "{frame}"
    );
}

#[test]
fn a_csv_without_header_gets_numbered_columns_and_skipped_rows_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "raw.csv", "junk line\n1,x\n2,y\n");
    let frame = load_both_ways(csv_loader("data", path).skip_rows(1).has_header(false));
    assert_eq!(frame.get_column_names(), ["column_1", "column_2"]);
    assert_eq!(frame.height(), 2);
}

#[test]
fn ignore_errors_reads_unparsable_fields_as_null() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "in.csv", "a\n1\n2\noops\n");
    let frame = load_both_ways(
        csv_loader("data", path)
            .infer_schema_length(Some(2))
            .ignore_errors(true),
    );
    let a = frame.column("a").unwrap();
    assert_eq!((a.dtype(), a.null_count()), (&DataType::Int64, 1));
}

#[test]
fn every_format_reads_only_the_columns_and_rows_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let saved = run(
        vec![
            frame_node(),
            csv_saver("to_csv", "frame", dir.path().join("f.csv")),
            parquet_saver("to_parquet", "frame", dir.path().join("f.parquet")),
            ipc_saver("to_ipc", "frame", dir.path().join("f.arrow")),
        ],
        &["to_csv", "to_parquet", "to_ipc"],
        Inputs::new(),
    )
    .unwrap();
    assert_eq!(saved.get::<SaveMetadata>("to_ipc").unwrap().format, "IPC");
    let expected = frame().select(["spend", "week"]).unwrap().head(Some(2));
    let frames = [
        load_both_ways(
            csv_loader("data", dir.path().join("f.csv"))
                .columns(["spend", "week"])
                .n_rows(2),
        ),
        load_both_ways(
            parquet_loader("data", dir.path().join("f.parquet"))
                .columns(["spend", "week"])
                .n_rows(2),
        ),
        load_both_ways(
            ipc_loader("data", dir.path().join("f.arrow"))
                .columns(["spend", "week"])
                .n_rows(2),
        ),
    ];
    for frame in frames {
        assert!(frame.equals(&expected), "{frame}");
    }
    let whole = load_both_ways(ipc_loader("data", dir.path().join("f.arrow")));
    assert!(whole.equals(&frame()));
}

#[test]
fn a_projected_column_the_file_lacks_is_a_schema_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_csv(dir.path(), "in.csv", "week,spend\n1,2.0\n");
    for lazy in [false, true] {
        let mut loader = csv_loader("data", path.clone()).columns(["week", "spned"]);
        if lazy {
            loader = loader.lazy();
        }
        let err = run(vec![loader.build()], &["data"], Inputs::new()).unwrap_err();
        let (_, source) = node_error(&err);
        let Error::Schema {
            path: p,
            problems,
            found,
        } = source
        else {
            panic!("{source:?}")
        };
        assert_eq!(
            (p, problems.as_slice()),
            (&path, ["missing column `spned`".to_string()].as_slice())
        );
        assert_eq!(found, &["week: i64", "spend: f64"]);
    }
}
