//! The file formats of loaders and savers.

/// A file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    Ipc,
    JsonLines,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Parquet => "Parquet",
            Self::Ipc => "IPC",
            Self::JsonLines => "JSON lines",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Parquet => "parquet",
            Self::Ipc => "ipc",
            Self::JsonLines => "jsonl",
        }
    }
}
