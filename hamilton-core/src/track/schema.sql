-- The run tracker's database (feature `track`): written by `hamilton_core::track::Tracker`,
-- read by the UI, the report and the command line. One file, SQLite in WAL mode.
-- Times are milliseconds since the Unix epoch (`*_ms`) or microseconds from the run's start
-- (`*_us`). JSON columns hold the shapes documented in `track/mod.rs`.

CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A graph version: made from every node's name, output type, code version and edges, so two
-- builds of the same code share one version and any change of code or wiring makes a new one.
CREATE TABLE IF NOT EXISTS graph_versions (
    version TEXT PRIMARY KEY,            -- 32 hex digits
    first_seen_ms INTEGER NOT NULL,
    node_count INTEGER NOT NULL,
    edge_count INTEGER NOT NULL
);

-- The nodes of a graph version (external inputs included, `is_input` = 1).
CREATE TABLE IF NOT EXISTS graph_nodes (
    version TEXT NOT NULL REFERENCES graph_versions(version),
    name TEXT NOT NULL,
    module TEXT NOT NULL,                -- '' for inputs and nodes built by hand
    output_type TEXT NOT NULL,
    code_version TEXT NOT NULL,          -- '' where the node has none
    doc TEXT NOT NULL,                   -- '' where the node has none
    location TEXT NOT NULL,              -- 'file:line', '' where unknown
    tags TEXT NOT NULL,                  -- JSON object of string to string
    is_input INTEGER NOT NULL,
    PRIMARY KEY (version, name)
);

-- Edges: `target`'s parameter `param` reads `source`.
CREATE TABLE IF NOT EXISTS graph_edges (
    version TEXT NOT NULL REFERENCES graph_versions(version),
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    param TEXT NOT NULL,
    PRIMARY KEY (version, target, param)
);

CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    graph_version TEXT NOT NULL REFERENCES graph_versions(version),
    driver_run_id INTEGER NOT NULL,      -- the driver's own run id
    started_ms INTEGER NOT NULL,
    ended_ms INTEGER,                    -- NULL while running, or if the process died
    status TEXT NOT NULL,                -- 'running' | 'success' | 'failure'
    executor TEXT NOT NULL,              -- 'sequential' | 'parallel' | 'async' | ...
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,                -- with `host`: tells a dead run from a running one
    config TEXT NOT NULL,                -- JSON object: key to its value's text
    outputs TEXT NOT NULL,               -- JSON array of node names, in request order
    inputs TEXT NOT NULL,                -- JSON array of {"name","type","fingerprint"}
    tags TEXT NOT NULL,                  -- JSON object of string to string (the run's tags)
    error TEXT                           -- JSON array of strings: the error chain, outermost first
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs(started_ms);

-- One row per node per run (per item inside a fan-out's block).
CREATE TABLE IF NOT EXISTS node_runs (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    node TEXT NOT NULL,
    item INTEGER,                        -- fan-out item index, NULL outside a block
    position INTEGER NOT NULL,           -- the node's position in the run
    status TEXT NOT NULL,                -- 'success' | 'failure'
    start_us INTEGER NOT NULL,           -- from the run's start
    duration_us INTEGER NOT NULL,
    cache TEXT,                          -- 'hit' | 'miss' | NULL (no cache)
    worker TEXT NOT NULL,                -- where it ran: 'local' or a worker's id
    summary TEXT,                        -- JSON `Summary`, NULL on failure
    error TEXT                           -- JSON array of strings: the error chain
);
CREATE INDEX IF NOT EXISTS node_runs_by_run ON node_runs(run_id, position);
