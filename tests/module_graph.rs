//! No cycles between the top-level modules of any crate (#39): if
//! `control` uses `schedule`, `schedule` must not use `control`, at any
//! depth. Dependencies then point one way inside a crate as they do
//! between crates (server → app → root), and a module can be read, tested
//! and changed from the bottom up.
//!
//! The graph comes from the sources: every `crate::name` path (in `use`
//! lines, groups like `crate::{a, b::c}`, and paths in code) and every
//! `super::` chain that climbs to the crate root. A new cycle fails here
//! with the files that make each of its edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// module → module it uses → the files that use it.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

#[test]
fn no_crate_has_a_cycle_between_its_modules() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for root in ["src", "app/src", "server/src"] {
        let graph = graph_of(&workspace.join(root));
        assert!(graph.len() > 5, "{root}: too few modules read");
        for cycle in cycles(&graph) {
            found.push(describe(root, &graph, &cycle));
        }
    }
    assert!(
        found.is_empty(),
        "cycles between modules:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_cycle_is_found_through_groups_paths_and_super() {
    let files = [
        ("a/mod.rs", "use crate::{b::Thing, c};"),
        ("b.rs", "fn f() { super::c::g(); }"),
        ("c.rs", "// crate::a in a comment is no use\nfn g() {}"),
        ("d.rs", "fn h() -> crate::a::T { todo!() }"),
    ];
    let mut graph = Graph::new();
    let modules: BTreeSet<String> = ["a", "b", "c", "d", "e"].map(String::from).into();
    let aliases = aliases(
        &[
            ("lib.rs".into(), "pub use e::{Error, Other};".into()),
            (
                "d.rs".into(),
                "#[macro_export]\nmacro_rules! on_d { () => {} }".into(),
            ),
        ],
        &modules,
    );
    for (path, text) in files {
        add_file(&mut graph, &modules, &aliases, Path::new(path), text);
    }
    assert!(cycles(&graph).is_empty(), "{graph:?}");
    add_file(
        &mut graph,
        &modules,
        &aliases,
        Path::new("c.rs"),
        "use crate::d;",
    );
    assert_eq!(cycles(&graph), vec![vec!["a", "b", "c", "d"]]);
    // Through a re-export at the root, and through an exported macro.
    add_file(
        &mut graph,
        &modules,
        &aliases,
        Path::new("e.rs"),
        "use crate::b::X;",
    );
    add_file(
        &mut graph,
        &modules,
        &aliases,
        Path::new("b.rs"),
        "fn f() -> crate::Error {}",
    );
    assert_eq!(cycles(&graph), vec![vec!["a", "b", "c", "d", "e"]]);
    let mut macro_graph = Graph::new();
    add_file(
        &mut macro_graph,
        &modules,
        &aliases,
        Path::new("d.rs"),
        "use crate::e;",
    );
    add_file(
        &mut macro_graph,
        &modules,
        &aliases,
        Path::new("e.rs"),
        "crate::on_d!();",
    );
    assert_eq!(cycles(&macro_graph), vec![vec!["d", "e"]]);
}

fn graph_of(root: &Path) -> Graph {
    let modules: BTreeSet<String> = std::fs::read_dir(root)
        .expect("the crate's sources")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let name = name.strip_suffix(".rs").unwrap_or(&name).to_owned();
            (!matches!(name.as_str(), "lib" | "main")).then_some(name)
        })
        .collect();
    let files: Vec<(PathBuf, String)> = rust_files(root)
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("readable source");
            (
                file.strip_prefix(root).expect("under the root").to_owned(),
                text,
            )
        })
        .collect();
    let aliases = aliases(&files, &modules);
    let mut graph = Graph::new();
    for (relative, text) in &files {
        add_file(&mut graph, &modules, &aliases, relative, text);
    }
    graph
}

/// Names that stand for a module at the crate root without being one: what
/// the root re-exports (`pub use application::StartError` → `application`)
/// and `#[macro_export]` macros (`crate::on_db!` → `db`, where it is
/// defined).
fn aliases(files: &[(PathBuf, String)], modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let mut aliases = BTreeMap::new();
    for (relative, text) in files {
        let code = without_comments(text);
        let top = relative
            .iter()
            .next()
            .map(|p| p.to_string_lossy().into_owned());
        let Some(top) = top.map(|t| t.strip_suffix(".rs").unwrap_or(&t).to_owned()) else {
            continue;
        };
        if matches!(top.as_str(), "lib" | "main") {
            for (at, _) in code.match_indices("pub use ") {
                let rest = &code[at + "pub use ".len()..];
                let module = identifier(rest);
                if !modules.contains(&module) {
                    continue;
                }
                let path = &rest[..rest.find(';').unwrap_or(rest.len())];
                let names = match path.find('{') {
                    Some(open) => group_heads(&path[open + 1..]),
                    None => vec![identifier(path.rsplit("::").next().unwrap_or_default())],
                };
                for name in names {
                    aliases.insert(name, module.clone());
                }
            }
        } else {
            for (at, _) in code.match_indices("#[macro_export]") {
                if let Some(open) = code[at..].find("macro_rules!") {
                    let name = identifier(code[at + open + "macro_rules!".len()..].trim_start());
                    aliases.insert(name, top.clone());
                }
            }
        }
    }
    aliases
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("a readable directory")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// Adds the edges of one file, `relative` to its crate's root.
fn add_file(
    graph: &mut Graph,
    modules: &BTreeSet<String>,
    aliases: &BTreeMap<String, String>,
    relative: &Path,
    text: &str,
) {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    let Some(from) = parts.first().cloned() else {
        return;
    };
    if matches!(from.as_str(), "lib" | "main") {
        return;
    }
    let code = without_comments(text);
    let mut used = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            used.extend(group_heads(group));
        } else {
            used.insert(identifier(rest));
        }
    }
    for (at, _) in code.match_indices("super::") {
        // Count the whole chain once, from its first `super::`.
        if code[..at].ends_with("super::") {
            continue;
        }
        let chain = &code[at..];
        let climbs = chain
            .as_bytes()
            .chunks(7)
            .take_while(|c| *c == b"super::")
            .count();
        if climbs == parts.len() {
            used.insert(identifier(&chain[climbs * 7..]));
        }
    }
    let file = relative.to_string_lossy().into_owned();
    let edges = graph.entry(from.clone()).or_default();
    for used in used {
        let to = aliases.get(&used).cloned().unwrap_or(used);
        if to != from && modules.contains(&to) {
            edges.entry(to).or_default().insert(file.clone());
        }
    }
}

/// The first name of each item of a `{a, b::c, d::{e, f}}` group.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let (mut depth, mut start) = (0usize, true);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            c if start && depth == 0 && !c.is_whitespace() => {
                heads.push(identifier(&group[i..]));
                start = false;
            }
            _ => {}
        }
    }
    heads
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The code without `//` and `/* */` comments (doc comments name modules
/// without using them).
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |end| &after[end..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |end| &after[end + 2..]);
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Every group of modules that reach each other (Tarjan's strongly
/// connected components of more than one module), each sorted.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Search<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Search<'g> {
        fn visit(&mut self, v: &'g str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flat_map(|e| e.keys()) {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.stack.contains(&w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let at = self
                    .stack
                    .iter()
                    .rposition(|m| *m == v)
                    .expect("on the stack");
                let mut group: Vec<String> = self.stack.drain(at..).map(str::to_owned).collect();
                if group.len() > 1 {
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut search = Search {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !search.index.contains_key(v.as_str()) {
            search.visit(v);
        }
    }
    search.found.sort();
    search.found
}

fn describe(root: &str, graph: &Graph, cycle: &[String]) -> String {
    let mut lines = vec![format!("  {root}: {}", cycle.join(" ↔ "))];
    for from in cycle {
        for (to, files) in &graph[from] {
            if cycle.contains(to) {
                let files: Vec<&str> = files.iter().map(String::as_str).collect();
                lines.push(format!("    {from} → {to} ({})", files.join(", ")));
            }
        }
    }
    lines.join("\n")
}
