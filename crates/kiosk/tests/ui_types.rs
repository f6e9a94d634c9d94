//! The UI's types come from the engine's: `ui/src/generated/engine.ts` is generated from the Rust
//! types the commands take and answer (ts-rs) and from [`Command`], and checked in so the UI
//! builds without Rust. This test fails when the file is not what the Rust types give today,
//! so a changed field or a new command cannot reach the UI unnoticed.
//!
//! To write the file after changing a type or a command:
//! `UPDATE_UI_TYPES=1 cargo test -p visit-kiosk --test ui_types` (or `npm --prefix ui run types`).

use kiosk::journey::{Command, UiErrors};
use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use ts_rs::{Config, TS, TypeVisitor};

/// Where the UI keeps the generated file.
fn generated_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/generated/engine.ts")
}

/// Every declared type reachable from the commands, once each, by its TypeScript name.
struct Declarations<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    by_name: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Strings, numbers, lists and the like have no declaration of their own (ts-rs's own
        // export skips them the same way); what they hold is visited through their generics.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let mut decl = T::docs().unwrap_or_default();
        decl.push_str("export ");
        decl.push_str(&T::decl(self.cfg));
        // `Bilingual<String>` and `Bilingual<Vec<String>>` are one generic declaration.
        self.by_name.entry(T::ident(self.cfg)).or_insert(decl);
        T::visit_dependencies(self);
    }
}

/// The whole file, as the Rust types give it.
fn typescript() -> String {
    let cfg = Config::new();
    let mut types = Declarations {
        cfg: &cfg,
        seen: HashSet::new(),
        by_name: BTreeMap::new(),
    };
    Command::visit_types(&mut types);
    // What every command answers on failure.
    types.visit::<UiErrors>();

    let mut out = String::from(
        "// Generated from the kiosk engine's Rust types (crates/kiosk/src/journey.rs and the domain\n\
         // types it uses) by crates/kiosk/tests/ui_types.rs with ts-rs. Do not edit: change the Rust\n\
         // types, then `npm --prefix ui run types`. CI fails when this file is stale.\n",
    );
    for decl in types.by_name.values() {
        out.push('\n');
        out.push_str(decl);
        out.push('\n');
    }
    out.push_str(
        "\n/** Every command of the engine (kiosk::journey::Command): what it takes and what it answers. */\n\
         export type Commands = {\n",
    );
    for command in Command::ALL {
        let (request, answer) = command.typescript(&cfg);
        let _ = writeln!(
            out,
            "  {}: {{ request: {request}; answer: {answer} }};",
            command.name()
        );
    }
    out.push_str("};\n\nexport type Command = keyof Commands;\n");
    out
}

#[test]
fn the_uis_types_are_the_engines() {
    let generated = typescript();
    let path = generated_path();
    if std::env::var_os("UPDATE_UI_TYPES").is_some() {
        std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let current =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    if current != generated {
        let first = current
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(current.lines().count().min(generated.lines().count()));
        panic!(
            "ui/src/generated/engine.ts is not what the Rust types give (first difference at line {}):\n  file:      {:?}\n  generated: {:?}\n\
             Run `UPDATE_UI_TYPES=1 cargo test -p visit-kiosk --test ui_types` and commit the file.",
            first + 1,
            current.lines().nth(first).unwrap_or("<end of file>"),
            generated.lines().nth(first).unwrap_or("<end of file>"),
        );
    }
}

#[test]
fn every_command_and_every_type_it_uses_is_declared() {
    let ts = typescript();
    for command in Command::ALL {
        assert!(
            ts.contains(&format!("  {}: {{ request: ", command.name())),
            "{command:?}"
        );
    }
    // The types the screens use by name, and those they reach through them.
    for name in [
        "KioskInfo",
        "PrisonInfo",
        "Bilingual<T>",
        "PrisonerInput",
        "VisitorInput",
        "ContactChoice",
        "SessionChoice",
        "SessionDay",
        "SessionOption",
        "VisitKind",
        "BookingRequest",
        "BookingConfirmation",
        "Language",
        "UiError",
        "UiErrors",
    ] {
        assert!(
            ts.contains(&format!("export type {name} = ")),
            "{name} is not declared:\n{ts}"
        );
    }
}
