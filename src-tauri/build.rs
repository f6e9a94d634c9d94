use std::path::Path;

/// The commands the page may call. Listing them makes Tauri generate one permission per command
/// (`allow-kiosk-info`, ...), and `capabilities/kiosk.json` grants exactly these to the main
/// window: nothing else in Tauri's IPC (window control, file system, shell) is reachable.
const COMMANDS: &[&str] = &[
    "kiosk_info",
    "journey_ended",
    "check_prisoner",
    "check_visitors",
    "available_sessions",
    "book",
    "print_slip",
    "staff_sign_in",
    "staff_sign_out",
    "staff_change_pin",
    "staff_today",
    "staff_mark_arrival",
    "staff_find",
    "staff_booking",
    "staff_reprint",
    "staff_cancel",
    "staff_review_queue",
    "staff_resolve",
    "staff_health",
    "staff_sync_now",
    "staff_test_print",
    "staff_accounts",
    "staff_account_change",
    "staff_sessions",
    "staff_close",
    "staff_set_tables",
    "staff_print_day",
    "staff_move_options",
    "staff_move",
    "visitor_find_booking",
    "visitor_reprint",
    "visitor_cancel_booking",
    "staff_settings",
    "staff_set_printer",
    "staff_enrol",
    "helper_book",
    "helper_bookings",
];

fn main() {
    // The UI is embedded in the binary: say how to make it rather than fail inside Tauri's macro.
    if !Path::new("../ui/dist/index.html").exists() {
        panic!(
            "ui/dist is missing: build the UI first with `npm --prefix ui ci && npm --prefix ui run build`"
        );
    }
    // Codegen in the build script (not `generate_context!`) so a rebuilt ui/dist is picked up:
    // the build script's rerun-if-changed covers the assets, a proc macro's expansion does not.
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS))
        .codegen(tauri_build::CodegenContext::new());
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
