//! Page loads of the web UI over a 10,000-node run: a tracker database holding one real run of
//! a 10,000-node dataflow (50 modules of 200 nodes, up to 3 edges per node), served by
//! `ui::serve_listener` on 127.0.0.1; each page fetched by a plain HTTP/1.1 GET on a new
//! connection, timed from the request to the last byte. Prints the median, minimum and maximum
//! of `REPS` loads of each page.
//!
//! `cargo bench -p hamilton-benches --bench ui`

#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use hamilton_core::node::{Args, Node};
use hamilton_core::track::Tracker;
use hamilton_core::track::read::{Db, RunFilter};
use hamilton_core::{Driver, Inputs, Module};

const NODES: usize = 10_000;
const MODULES: usize = 50;
const REPS: usize = 10;

/// Node `k`'s dependencies: the node before it, one 7 back and one half-way back (distinct);
/// node 0 reads the input `x`.
fn deps(k: usize) -> Vec<String> {
    if k == 0 {
        return vec!["x".to_string()];
    }
    let mut d = vec![k - 1];
    for j in [k.checked_sub(7), Some(k / 2)].into_iter().flatten() {
        if !d.contains(&j) {
            d.push(j);
        }
    }
    d.into_iter().map(name).collect()
}

fn name(k: usize) -> String {
    format!("n{k:05}")
}

fn modules() -> Vec<Module> {
    let per = NODES / MODULES;
    (0..MODULES)
        .map(|m| {
            let nodes = (m * per..(m + 1) * per).map(|k| {
                let deps = deps(k);
                let arity = deps.len();
                let mut builder = Node::builder(name(k));
                for d in deps {
                    builder = builder.param::<f64>(d);
                }
                builder.build(move |a: &Args| {
                    let mut sum = 1.0;
                    for i in 0..arity {
                        sum += a.get::<f64>(i)? * 0.5;
                    }
                    Ok(sum)
                })
            });
            Module::from_nodes(format!("features_{m:02}"), nodes.collect::<Vec<_>>())
        })
        .collect()
}

/// One GET on a new connection: the time to the last byte, and the page's size.
fn get(addr: SocketAddr, path: &str) -> (Duration, usize) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut page = Vec::new();
    s.read_to_end(&mut page).unwrap();
    let took = started.elapsed();
    assert!(page.starts_with(b"HTTP/1.1 200"), "{path}: not a 200");
    (took, page.len())
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("runs.sqlite");
    let tracker = Tracker::open(&db).unwrap();
    let dr = Driver::builder()
        .with_modules(modules())
        .with_tracker(tracker.clone())
        .build()
        .unwrap();
    let outputs: Vec<String> = (0..NODES).map(name).collect();
    let started = Instant::now();
    dr.execute(&outputs, Inputs::new().set("x", 1.0_f64))
        .unwrap();
    tracker.flush();
    println!(
        "one tracked run of {NODES} nodes, flushed: {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let run = Db::open(&db).unwrap().runs(&RunFilter::default()).unwrap()[0].id;

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let served = db.clone();
    std::thread::spawn(move || hamilton_core::ui::serve_listener(served, listener));

    let pages = [
        ("runs list", "/".to_string()),
        ("run page, by module", format!("/runs/{run}")),
        ("run page, every node", format!("/runs/{run}?view=nodes")),
        (
            "one module's nodes",
            format!("/runs/{run}?module=features_25"),
        ),
        (
            "node page",
            format!("/runs/{run}/nodes/{}", name(NODES / 2)),
        ),
    ];
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>10}",
        "page", "median ms", "min ms", "max ms", "KiB"
    );
    for (label, path) in pages {
        get(addr, &path); // warm-up: the first load of the file
        let mut times: Vec<Duration> = Vec::with_capacity(REPS);
        let mut size = 0;
        for _ in 0..REPS {
            let (t, n) = get(addr, &path);
            times.push(t);
            size = n;
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{label:<22} {:>10.1} {:>10.1} {:>10.1} {:>10}",
            ms((times[REPS / 2 - 1] + times[REPS / 2]) / 2),
            ms(times[0]),
            ms(times[REPS - 1]),
            size / 1024
        );
    }
}
