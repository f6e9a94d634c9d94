//! The engine's layers (see the crate's doc in `src/lib.rs`): a module may use only modules of a
//! lower layer, never one beside or above it. The compiler allows any direction, so this test
//! reads every source file and fails on an arrow that points the wrong way, and on a new
//! top-level module that has not been given a layer.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer. Leaves (layer 0) may be used by anyone and
/// use nothing of the crate.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("demo", 0),
    ("config", 0),
    ("watchdog", 0),
    ("store", 1),
    ("booking", 2),
    ("slip", 2),
    ("staff", 2),
    ("printing", 3),
    ("sync", 3),
    ("desk", 4),
    ("journey", 5),
];

fn layer_of(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, layer)| *layer)
}

fn source_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            source_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a file belongs to: `store/outbox.rs` and `store.rs` are both `store`.
fn owning_module(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

/// Every top-level module named after `crate::` in the text, including inside
/// `use crate::{a, b::c}` groups. Comments are skipped so a doc line may name any module.
fn crate_references(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inside = group.split('}').next().unwrap_or("");
                for item in inside.split(',') {
                    push_module(item.trim(), &mut found);
                }
            } else {
                push_module(rest, &mut found);
            }
        }
    }
    found
}

fn push_module(path: &str, found: &mut Vec<String>) {
    let name: String = path
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    // `crate::Result` and other re-exports at the root start with a capital: not a module.
    if name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        found.push(name);
    }
}

#[test]
fn no_module_uses_one_beside_or_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    assert!(
        files.len() > 10,
        "found only {} source files under {}",
        files.len(),
        src.display()
    );

    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut checked = 0;
    for file in &files {
        let Some(module) = owning_module(&src, file) else {
            continue;
        };
        let Some(own_layer) = layer_of(&module) else {
            panic!(
                "`{module}` ({}) has no layer: add it to LAYERS and to the crate's doc",
                file.display()
            );
        };
        let text = fs::read_to_string(file).expect("source file");
        for used in crate_references(&text) {
            checked += 1;
            if used == module {
                continue;
            }
            let used_layer = layer_of(&used)
                .unwrap_or_else(|| panic!("{} uses crate::{used}, which has no layer", file.display()));
            let allowed = used_layer == 0 || (own_layer != 0 && used_layer < own_layer);
            if !allowed {
                wrong
                    .entry(file.strip_prefix(&src).unwrap_or(file).display().to_string())
                    .or_default()
                    .push(format!(
                        "{module} (layer {own_layer}) uses {used} (layer {used_layer})"
                    ));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} crate:: references found: is the scan broken?"
    );
    assert!(wrong.is_empty(), "arrows that point up or sideways: {wrong:#?}");
}

#[test]
fn the_scan_sees_grouped_and_nested_uses() {
    let text = "use crate::{booking, store::Store};\nuse crate::sync::run; // crate::journey\nlet x = crate::Result::Ok(());";
    assert_eq!(crate_references(text), vec!["booking", "store", "sync"]);
}
