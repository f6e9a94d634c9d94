//! The workspace's binaries, for tests in a package other than the binary's own (where cargo
//! gives no `CARGO_BIN_EXE_...`): found next to the running test, in the same target directory
//! and profile, or where an environment variable says.

use std::path::{Path, PathBuf};

/// `name` as built by `cargo build -p <package>`: `$env_var` if set, else in the profile
/// directory of the running test (`target/debug` when the test is `target/debug/deps/...`).
/// Panics with the command that builds it when it is not there.
pub fn workspace_binary(env_var: &str, name: &str, package: &str) -> PathBuf {
    let path = match std::env::var_os(env_var) {
        Some(path) => PathBuf::from(path),
        None => {
            let exe = std::env::current_exe().expect("the running test's path");
            let profile = exe
                .parent()
                .and_then(Path::parent)
                .expect("the test runs from inside a cargo target directory");
            profile.join(name)
        }
    };
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p {package}` first (or set {env_var} to the binary)",
        path.display()
    );
    path
}
