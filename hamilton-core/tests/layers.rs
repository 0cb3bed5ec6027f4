//! hamilton-core's layers import only from the layers below them.
//!
//! The source is laid out in one folder per layer, lowest first: `define` (what a dataflow is
//! made of: nodes, parameters, values, modules, hooks, errors), `build` (the checked graph, with
//! modifiers resolved), `plan` (one request, compiled), `run` (executing a plan), then the
//! driver and what extends it (`driver.rs`, `cache/`, `viz.rs`, `introspect.rs`, `private.rs`).
//! `lib.rs` binds each layer's modules at the crate root, so code names them `crate::node`,
//! `crate::graph`, ...; this test finds each name's layer from the folder its file is in, and
//! fails when a file uses (outside comments) a module of a higher layer.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first; anything else under `src/` is the driver's layer or above.
const LAYERS: [&str; 4] = ["define", "build", "plan", "run"];

/// The layer of the driver and what extends it.
const TOP: usize = LAYERS.len();

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer of a file: the layer folder it is in, or the top.
fn layer_of(file: &Path) -> usize {
    let relative = file.strip_prefix(src()).unwrap();
    let first = relative
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    LAYERS.iter().position(|l| *l == first).unwrap_or(TOP)
}

/// The top-level module names each layer binds: `define/node.rs` and `define/hooks/` give
/// `node` and `hooks` in `define`; a layer folder itself (e.g. `run`) is its own module.
fn module_layers() -> BTreeMap<String, usize> {
    let mut layers = BTreeMap::new();
    for (i, layer) in LAYERS.iter().enumerate() {
        layers.insert(layer.to_string(), i);
        for entry in fs::read_dir(src().join(layer)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if name != "mod" {
                layers.insert(name, i);
            }
        }
    }
    for entry in fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        layers.entry(name).or_insert(TOP);
    }
    layers
}

/// The code of a line: nothing for a comment, the part before a trailing `//` otherwise.
fn code(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed.starts_with("//") {
        return "";
    }
    match line.find("// ") {
        Some(i) if !line[..i].contains('"') => &line[..i],
        _ => line,
    }
}

#[test]
fn no_layer_imports_a_higher_one() {
    let layers = module_layers();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    assert!(files.len() > 20, "found only {files:?}");
    let mut violations = Vec::new();
    for file in &files {
        let own = layer_of(file);
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = code(line);
            for (at, _) in code.match_indices("crate::") {
                let name: String = code[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let Some(&layer) = layers.get(&name) else {
                    continue;
                };
                if layer > own {
                    violations.push(format!(
                        "{}:{}: `crate::{name}` ({}) from the {} layer",
                        file.strip_prefix(src()).unwrap().display(),
                        n + 1,
                        LAYERS.get(layer).unwrap_or(&"driver"),
                        LAYERS.get(own).unwrap_or(&"driver"),
                    ));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "lower layers import higher ones:\n{}",
        violations.join("\n")
    );
}

#[test]
fn every_layer_folder_exists_and_holds_modules() {
    let layers = module_layers();
    for (i, layer) in LAYERS.iter().enumerate() {
        let members = layers.values().filter(|&&l| l == i).count();
        assert!(members >= 2, "layer `{layer}` has {members} module(s)");
    }
}

/// The top-level module a file belongs to: its layer folder, or its own file or folder under
/// `src/`.
fn top_module_of(file: &Path) -> String {
    let relative = file.strip_prefix(src()).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    Path::new(first)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string()
}

#[test]
fn no_import_loop_among_the_top_level_modules() {
    // Which top-level module binds each name used after `crate::`.
    let mut container: BTreeMap<String, String> = BTreeMap::new();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in &files {
        let top = top_module_of(file);
        container.insert(top.clone(), top.clone());
        if LAYERS.contains(&top.as_str()) && file.parent() == Some(&src().join(&top)) {
            let stem = file.file_stem().unwrap().to_string_lossy().to_string();
            container.insert(stem, top.clone());
        }
        if LAYERS.contains(&top.as_str())
            && let Ok(inner) = file.strip_prefix(src().join(&top))
            && inner.components().count() == 2
        {
            let dir = inner
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            container.insert(dir.to_string(), top.clone());
        }
    }
    let mut edges: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = top_module_of(file);
        if from == "lib" {
            continue;
        }
        let text = fs::read_to_string(file).unwrap();
        for line in text.lines() {
            let code = code(line);
            for (at, _) in code.match_indices("crate::") {
                let name: String = code[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if let Some(to) = container.get(&name)
                    && *to != from
                {
                    edges.entry(from.clone()).or_default().insert(to.clone());
                }
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        at: &str,
        edges: &BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == at) {
            let mut cycle = path[i..].to_vec();
            cycle.push(at.to_string());
            return Some(cycle);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_string());
        for next in edges.get(at).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(at.to_string());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    for start in edges.keys() {
        if let Some(cycle) = visit(start, &edges, &mut Vec::new(), &mut done) {
            panic!("an import loop: {}", cycle.join(" -> "));
        }
    }
    assert!(
        edges.contains_key("run") && edges.contains_key("driver"),
        "{edges:?}"
    );
}
