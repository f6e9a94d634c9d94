//! One list of commands, checked everywhere it is written. The engine names its commands once
//! (`kiosk::journey::Command`); the Tauri shell names them again in its handler, its build script
//! (which makes a permission per command) and its capability file (which grants them), kiosk-web
//! routes them, and the UI calls them through its generated types. A command added in one place
//! and forgotten in another fails here, with the place and the command named.

mod common;

use common::{json, request, start};
use kiosk::journey::Command;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(relative: &str) -> String {
    let path = repo().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The text between `open` (after `start`) and the first `close` after it.
fn between<'a>(text: &'a str, start: &str, open: &str, close: &str, what: &str) -> &'a str {
    let at = text.find(start).unwrap_or_else(|| panic!("{what}: no `{start}`"));
    let from = at
        + text[at..]
            .find(open)
            .unwrap_or_else(|| panic!("{what}: no `{open}`"))
        + open.len();
    let to = from
        + text[from..]
            .find(close)
            .unwrap_or_else(|| panic!("{what}: no `{close}`"));
    &text[from..to]
}

/// The names of the functions marked `#[tauri::command]`.
fn tauri_command_functions(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, _) in source.match_indices("#[tauri::command]") {
        let rest = &source[i..];
        let after_fn = &rest[rest.find("fn ").expect("a function after #[tauri::command]") + 3..];
        let name: String = after_fn
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        names.insert(name);
    }
    names
}

/// The names in `tauri::generate_handler![...]`, without a module path.
fn invoke_handler(source: &str) -> BTreeSet<String> {
    between(source, "generate_handler!", "[", "]", "src-tauri/src/commands.rs")
        .split(',')
        .map(|s| s.trim().rsplit("::").next().unwrap_or_default().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The strings of the build script's `COMMANDS` (Tauri makes one permission per command).
fn build_script_commands(source: &str) -> BTreeSet<String> {
    quoted(between(
        source,
        "const COMMANDS",
        "= &[",
        "]",
        "src-tauri/build.rs",
    ))
}

fn quoted(text: &str) -> BTreeSet<String> {
    text.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

/// The commands the capability grants (`allow-check-prisoner` grants `check_prisoner`), and
/// anything else it grants, which it must not.
fn capability(source: &str) -> (BTreeSet<String>, Vec<String>) {
    let value: serde_json::Value = serde_json::from_str(source).expect("the capability file is JSON");
    let mut commands = BTreeSet::new();
    let mut other = Vec::new();
    for p in value["permissions"].as_array().expect("a permissions list") {
        match p.as_str().and_then(|s| s.strip_prefix("allow-")) {
            Some(command) => {
                commands.insert(command.replace('-', "_"));
            }
            None => other.push(p.to_string()),
        }
    }
    (commands, other)
}

/// The keys of the UI's generated `Commands` type.
fn ui_commands(source: &str) -> BTreeSet<String> {
    between(
        source,
        "export type Commands = {",
        "\n",
        "\n};",
        "ui/src/generated/engine.ts",
    )
    .lines()
    .filter_map(|line| {
        line.trim()
            .split_once(':')
            .map(|(name, _)| name.trim().to_string())
    })
    .filter(|name| !name.is_empty())
    .collect()
}

/// What each place lacks of the engine's commands, and what it has that the engine has not.
fn differences(engine: &BTreeSet<String>, places: &[(&str, BTreeSet<String>)]) -> Vec<String> {
    let mut found = Vec::new();
    for (place, names) in places {
        for missing in engine.difference(names) {
            found.push(format!("{place} lacks `{missing}`"));
        }
        for extra in names.difference(engine) {
            found.push(format!(
                "{place} has `{extra}`, which is not a command of kiosk::journey"
            ));
        }
    }
    found
}

#[test]
fn every_list_of_commands_is_the_engines() {
    let engine: BTreeSet<String> = Command::ALL.iter().map(|c| c.name().to_string()).collect();
    assert!(!engine.is_empty());

    let tauri = read("src-tauri/src/commands.rs");
    let (granted, other_permissions) = capability(&read("src-tauri/capabilities/kiosk.json"));
    let places = [
        (
            "src-tauri/src/commands.rs (#[tauri::command] functions)",
            tauri_command_functions(&tauri),
        ),
        (
            "src-tauri/src/commands.rs (generate_handler!)",
            invoke_handler(&tauri),
        ),
        (
            "src-tauri/build.rs (COMMANDS)",
            build_script_commands(&read("src-tauri/build.rs")),
        ),
        ("src-tauri/capabilities/kiosk.json", granted),
        (
            "ui/src/generated/engine.ts (Commands)",
            ui_commands(&read("ui/src/generated/engine.ts")),
        ),
    ];
    let mut problems = differences(&engine, &places);
    // The window may call the commands and nothing else of Tauri's IPC.
    for p in other_permissions {
        problems.push(format!(
            "src-tauri/capabilities/kiosk.json grants {p}, which is not a command"
        ));
    }

    // kiosk-web, as the browser reaches it: every command has a route, and nothing else does.
    let server = start(&[]);
    let mut routed = BTreeSet::new();
    let probe = places
        .iter()
        .flat_map(|(_, names)| names.iter())
        .chain(&engine)
        .collect::<BTreeSet<_>>();
    for name in probe {
        let (status, body) = request(&server, "POST", &format!("/api/{name}"), "");
        let unknown = status == 404 && json(&body)["errors"][0]["code"] == "unknown_command";
        if !unknown {
            routed.insert(name.clone());
        }
    }
    problems.extend(differences(
        &engine,
        &[("kiosk-web (POST /api/<command>)", routed)],
    ));

    assert!(
        problems.is_empty(),
        "the lists of commands disagree:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_readers_find_what_they_look_for() {
    // The readers above on text made to trip them: a second attribute, a module path, spaces.
    let tauri = "#[tauri::command]\npub async fn a_b(x: u8) {}\n#[tauri::command]\nfn c() {}\n\
                 pub fn handler() { tauri::generate_handler![\n  a_b,\n  commands::c\n] }";
    assert_eq!(
        tauri_command_functions(tauri),
        ["a_b", "c"].map(String::from).into()
    );
    assert_eq!(invoke_handler(tauri), ["a_b", "c"].map(String::from).into());
    let build = "const COMMANDS: &[&str] = &[\n    \"a_b\",\n    \"c\",\n];";
    assert_eq!(
        build_script_commands(build),
        ["a_b", "c"].map(String::from).into()
    );
    let (granted, other) = capability(r#"{"permissions": ["allow-a-b", "core:default"]}"#);
    assert_eq!(granted, ["a_b"].map(String::from).into());
    assert_eq!(other, [r#""core:default""#]);
    let ui = "export type Commands = {\n  a_b: { request: null; answer: X };\n  c: { request: Y; answer: Z };\n};\n";
    assert_eq!(ui_commands(ui), ["a_b", "c"].map(String::from).into());
    let engine = ["a_b", "c"].map(String::from).into();
    assert_eq!(
        differences(&engine, &[("here", ["a_b", "d"].map(String::from).into())]),
        [
            "here lacks `c`",
            "here has `d`, which is not a command of kiosk::journey"
        ]
    );
}

/// The real window's content security policy: only the app's own files and its IPC, no plugins,
/// no base-URL or form-target tricks, no framing, and no inline script or style.
#[test]
fn the_windows_content_policy_allows_only_the_app() {
    let conf: serde_json::Value = serde_json::from_str(&read("src-tauri/tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    let directives: BTreeSet<&str> = csp.split(';').map(str::trim).collect();
    for needed in [
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "style-src 'self'",
    ] {
        assert!(directives.contains(needed), "{needed} missing from {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(conf["app"]["security"]["freezePrototype"], true);
}
