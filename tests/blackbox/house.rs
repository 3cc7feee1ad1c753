//! The house as its next maintainer meets it: the top-level modules of `src/` stand in
//! layers, none reaching back up to one that reaches it (a cycle makes every change a walk
//! through all of them), and the README's layout and `lib.rs`'s tour name the tree as it is.
//!
//! An edge A → B is a file of module A naming `crate::B` outside comments and tests (the
//! same reading as `shared/tools/module_cycles.py`): `tests.rs` files, `tests/` folders and
//! everything from a `#[cfg(test)] mod … {` on are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules of `src/`, `main` and `lib` left out.
fn top_level_modules() -> BTreeSet<String> {
    std::fs::read_dir(src())
        .expect("src/")
        .map(|entry| entry.expect("an entry of src/").path())
        .filter(|path| path.is_dir() || path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .filter(|name| name != "main" && name != "lib")
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a folder of src/") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "tests") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// The text of a file that the product is built from: before its test module, without
/// comment lines.
fn product_text(text: &str) -> String {
    let mut kept = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            let rest = trimmed.trim_start_matches("#[cfg(test)]").trim();
            let next = match rest.is_empty() {
                true => lines.peek().map(|l| l.trim()).unwrap_or_default(),
                false => rest,
            };
            if next.starts_with("mod ") && next.ends_with('{') {
                break;
            }
        }
        if !trimmed.starts_with("//") {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// The modules a text names as `crate::NAME`, or inside `crate::{…}`.
fn named_modules(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for word in group.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')) {
                let first = word.split("::").next().unwrap_or_default();
                if modules.contains(first) {
                    named.insert(first.to_owned());
                }
            }
        } else {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&word) {
                named.insert(word);
            }
        }
    }
    named
}

/// Module → the modules it imports, each with the files that do.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn import_graph() -> Graph {
    let modules = top_level_modules();
    let mut graph = Graph::new();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in files {
        let relative = file.strip_prefix(src()).expect("under src/");
        let top = relative.components().next().expect("a first component");
        let top = Path::new(top.as_os_str()).file_stem().expect("a name");
        let top = top.to_str().expect("UTF-8").to_owned();
        if !modules.contains(&top) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a source file");
        for named in named_modules(&product_text(&text), &modules) {
            if named != top {
                graph
                    .entry(top.clone())
                    .or_default()
                    .entry(named)
                    .or_default()
                    .insert(relative.display().to_string());
            }
        }
    }
    graph
}

/// A cycle of `graph` as the modules along it, first repeated at the end, if it has one.
fn a_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        at: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|m| m == at) {
            let mut cycle = path[start..].to_vec();
            cycle.push(at.to_owned());
            return Some(cycle);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_owned());
        for next in graph.get(at).into_iter().flat_map(|edges| edges.keys()) {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(at.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|module| visit(module, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_top_level_modules_import_each_other_without_a_cycle() {
    let graph = import_graph();
    if let Some(cycle) = a_cycle(&graph) {
        let arrows: Vec<String> = cycle
            .windows(2)
            .map(|pair| {
                let files = &graph[&pair[0]][&pair[1]];
                let files: Vec<&str> = files.iter().map(String::as_str).collect();
                format!("  {} -> {}: {}", pair[0], pair[1], files.join(", "))
            })
            .collect();
        panic!(
            "the top-level modules import each other in a cycle; cut one of these arrows \
             (move the shared type down to the level all its users stand on):\n{}",
            arrows.join("\n")
        );
    }
}

#[test]
fn the_cycle_check_finds_a_cycle_where_there_is_one() {
    let mut graph = import_graph();
    assert!(graph.contains_key("storage"), "storage imports modules");
    graph
        .entry("domain".into())
        .or_default()
        .entry("storage".into())
        .or_default()
        .insert("domain/forged.rs".into());
    let cycle = a_cycle(&graph).expect("domain -> storage closes a cycle");
    assert_eq!(cycle.first(), cycle.last());
    assert!(cycle.contains(&"domain".to_owned()) && cycle.contains(&"storage".to_owned()));
}

#[test]
fn imports_are_read_from_paths_and_groups_but_not_comments_or_tests() {
    let modules: BTreeSet<String> = ["chat", "engine", "storage", "report"]
        .map(str::to_owned)
        .into();
    let text = "use crate::chat::ChatKey;\n\
                use crate::{engine::Engine, storage};\n\
                // crate::report in a comment\n\
                #[cfg(test)]\n\
                mod tests {\n    use crate::report::Report;\n}\n";
    assert_eq!(
        named_modules(&product_text(text), &modules),
        ["chat", "engine", "storage"].map(str::to_owned).into()
    );
}

/// The names the README's layout gives at the top of `src/` (`main.rs`, `chat.rs`,
/// `config/`…), stems only.
fn readme_layout() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let built = readme
        .split("## How it is built")
        .nth(1)
        .expect("the README's \"How it is built\"");
    let block = built.split("```").nth(1).expect("its layout block");
    let mut in_src = false;
    let mut names = BTreeSet::new();
    for line in block.lines() {
        if line.starts_with("src/") {
            in_src = true;
            continue;
        }
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_src = false;
        }
        let Some(entry) = line.strip_prefix("  ") else {
            continue;
        };
        if !in_src || entry.starts_with(' ') {
            continue;
        }
        // `config.rs, cli/   what they are`: the names before the description.
        for word in entry.split_whitespace() {
            let name = word.trim_end_matches(',');
            names.insert(
                name.trim_end_matches('/')
                    .trim_end_matches(".rs")
                    .to_owned(),
            );
            if !word.ends_with(',') {
                break;
            }
        }
    }
    names
}

#[test]
fn the_readmes_layout_is_the_tree_of_src() {
    let mut tree = top_level_modules();
    tree.insert("main".into());
    tree.insert("lib".into());
    assert_eq!(readme_layout(), tree);
}

#[test]
fn the_library_tour_names_every_public_module() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    let tour: String = lib
        .lines()
        .filter(|l| l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let missing: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';'))
        .filter(|m| !tour.contains(&format!("[`{m}`]")))
        .collect();
    assert!(
        missing.is_empty(),
        "lib.rs's tour does not name {missing:?}"
    );
}
