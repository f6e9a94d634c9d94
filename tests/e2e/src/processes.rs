//! The app's processes, read from /proc: its tree, names and memory.

use crate::Driver;
use anyhow::{Context, Result, ensure};
use std::time::{Duration, Instant};

/// Process ids of `root` and all its descendants, from /proc.
pub fn process_tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if let Some(ppid) = parent_pid(pid) {
                parents.push((pid, ppid));
            }
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    tree
}

fn parent_pid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// The short command name of a process (`/proc/PID/comm`).
pub fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Proportional set size and resident set size of one process, in KiB, from
/// `/proc/PID/smaps_rollup`. PSS shares pages between the processes that map them, so the PSS of
/// a process tree adds up to what the tree really costs.
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("Pss:")?, field("Rss:")?))
}

/// The kiosk app's pid under tauri-driver: the descendant whose name is `visit-kiosk`.
pub fn app_pid(driver: &Driver) -> Option<u32> {
    process_tree(driver.pid())
        .into_iter()
        .find(|pid| process_name(*pid) == "visit-kiosk")
}

/// PSS and RSS in KiB of `root` and every process under it, summed by process name.
pub fn memory_of_tree(root: u32) -> std::collections::BTreeMap<String, (u64, u64)> {
    let mut by_name = std::collections::BTreeMap::new();
    for pid in process_tree(root) {
        if let Some((pss, rss)) = memory_kib(pid) {
            let entry = by_name.entry(process_name(pid)).or_insert((0, 0));
            entry.0 += pss;
            entry.1 += rss;
        }
    }
    by_name
}

/// The page's web processes under the app (WebKit names them `WebKitWebProcess`, which
/// /proc cuts to 15 characters).
pub fn web_processes(driver: &Driver) -> Result<Vec<u32>> {
    let app = app_pid(driver).context("the app is not under tauri-driver")?;
    Ok(process_tree(app)
        .into_iter()
        .filter(|pid| process_name(*pid).starts_with("WebKitWebProces"))
        .collect())
}

/// Waits (up to 20 s) until the app's log holds `line` `times` times and the page runs in web
/// processes none of which is in `old`, then a moment for the frame; answers the new processes.
pub async fn web_process_replaced(
    driver: &Driver,
    old: &[u32],
    line: &str,
    times: usize,
) -> Result<Vec<u32>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = web_processes(driver)?;
        let log = driver.log();
        if log.matches(line).count() >= times && !now.is_empty() && now.iter().all(|p| !old.contains(p)) {
            tokio::time::sleep(Duration::from_secs(1)).await;
            return Ok(now);
        }
        ensure!(
            Instant::now() < deadline,
            "{line:?} not logged {times} times by a new web process (before {old:?}, now {now:?}); the log ends:\n{}",
            driver.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
