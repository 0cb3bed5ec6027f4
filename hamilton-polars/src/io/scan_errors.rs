//! Errors in reading a lazy scan's files name the files: a `LazyFrame` scan reads its files
//! only when its plan is collected, so a malformed row fails the node that collects it, far
//! from the loader. A Polars error of a node that read a scanning `LazyFrame` says which files
//! the plan scans ([`Error::Scan`]).

use std::path::PathBuf;

use hamilton_core::node::NodeError;
use polars::lazy::dsl::{DslPlan, FileScanDsl};
use polars::prelude::{LazyFrame, PolarsError};

use crate::error::Error;

/// Wraps a Polars error of a node that read `frame` as [`Error::Scan`], naming the files the
/// frame's plan scans; any other error, or a frame that scans no file, is left as it is.
fn name_the_scanned_files(frame: &LazyFrame, error: NodeError) -> NodeError {
    let files = scanned_files(&frame.logical_plan);
    if files.is_empty() {
        return error;
    }
    match error.downcast::<PolarsError>() {
        Ok(source) => Box::new(Error::Scan {
            files,
            source: *source,
        }),
        Err(error) => error,
    }
}

hamilton_core::register_error_context!(name_the_scanned_files);

/// The files `plan` scans, with their formats, in plan order, each once.
fn scanned_files(plan: &DslPlan) -> Vec<(&'static str, PathBuf)> {
    let mut files: Vec<(&'static str, PathBuf)> = Vec::new();
    for node in plan {
        let DslPlan::Scan {
            sources, scan_type, ..
        } = node
        else {
            continue;
        };
        let format = match **scan_type {
            FileScanDsl::Csv { .. } => "CSV",
            FileScanDsl::Parquet { .. } => "Parquet",
            FileScanDsl::Ipc { .. } => "IPC",
            _ => "data",
        };
        for path in sources.as_paths().unwrap_or_default() {
            let path = PathBuf::from(path.as_str());
            if !files.iter().any(|(_, p)| *p == path) {
                files.push((format, path));
            }
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{
        IntoLazy, LazyCsvReader, LazyFileListReader, PlRefPath, UnionArgs, col, concat, lit,
    };

    fn csv_scan(path: &str) -> LazyFrame {
        LazyCsvReader::new(PlRefPath::new(path)).finish().unwrap()
    }

    #[test]
    fn a_plan_names_each_scanned_file_once_in_plan_order() {
        let a = csv_scan("a.csv");
        let joined = concat([a.clone(), csv_scan("b.csv"), a], UnionArgs::default())
            .unwrap()
            .filter(col("x").gt(lit(1)));
        let files = scanned_files(&joined.logical_plan);
        let mut names: Vec<_> = files
            .iter()
            .map(|(f, p)| (*f, p.display().to_string()))
            .collect();
        names.sort();
        assert_eq!(names, [("CSV", "a.csv".into()), ("CSV", "b.csv".into())]);
    }

    #[test]
    fn errors_other_than_polars_errors_are_left_alone() {
        let error = name_the_scanned_files(&csv_scan("a.csv"), "no".into());
        assert_eq!(error.to_string(), "no");
        assert!(error.downcast_ref::<Error>().is_none());
    }

    #[test]
    fn a_frame_without_scans_leaves_the_error_alone() {
        let frame = polars::prelude::DataFrame::empty().lazy();
        let error = name_the_scanned_files(&frame, Box::new(PolarsError::NoData("x".into())));
        assert!(error.downcast_ref::<PolarsError>().is_some());
    }
}
