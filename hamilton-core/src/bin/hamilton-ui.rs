//! `hamilton-ui --db runs.sqlite [--addr 127.0.0.1:8080]`: the local web UI over a tracker
//! database (see `hamilton_core::ui`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use hamilton_core::Error;
use hamilton_core::track::read::Db;

/// Serves the runs recorded in a tracker database as web pages, on this machine.
#[derive(Parser)]
#[command(name = "hamilton-ui", version)]
struct Args {
    /// The tracker database (written by a driver built with `DriverBuilder::with_tracker`).
    #[arg(long)]
    db: PathBuf,
    /// The address to serve on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Write run ID's self-contained HTML report to standard output, and exit.
    #[arg(long, value_name = "ID")]
    report: Option<i64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.report {
        Some(id) => hamilton_core::ui::report_html(&args.db, id).map(|page| print!("{page}")),
        None => serve(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hamilton-ui: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Checks the database, takes the address, says where it serves, then serves.
fn serve(args: &Args) -> Result<(), Error> {
    Db::open(&args.db)?;
    let listener = std::net::TcpListener::bind(args.addr).map_err(|e| Error::Serve {
        addr: args.addr.to_string(),
        source: Box::new(e),
    })?;
    if let Ok(addr) = listener.local_addr() {
        eprintln!(
            "hamilton-ui: serving {} at http://{addr}/ (Ctrl-C stops)",
            args.db.display()
        );
    }
    hamilton_core::ui::serve_listener(&args.db, listener)
}
