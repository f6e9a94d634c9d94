//! The simulation in CI: a range of seeds, the seeds that once found bugs, and a check that a
//! seed replays exactly. `SIM_SEEDS` sets how many seeds to run (default 2,000).

use sim::{Config, Report};

/// Seeds that found a bug (docs/SYNC.md): kept so the bug cannot come back unseen.
/// 79, 370, 741: a pull or lease answer held in the network while the kiosk pushed its share
/// bookings made the kiosk confirm a table it no longer had (issue 8, section 1).
const REGRESSIONS: &[u64] = &[79, 370, 741];

fn run_seeds(seeds: Vec<u64>) -> Vec<String> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let chunks: Vec<Vec<u64>> = (0..threads)
        .map(|t| seeds.iter().copied().skip(t).step_by(threads).collect())
        .collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime");
                chunk
                    .into_iter()
                    .filter_map(|seed| runtime.block_on(sim::run(Config::new(seed))).err())
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    handles
        .into_iter()
        .flat_map(|h| h.join().expect("a simulation thread panicked"))
        .collect()
}

#[test]
fn every_seed_keeps_the_invariants() {
    let count: u64 = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let failures = run_seeds((1..=count).collect());
    assert!(
        failures.is_empty(),
        "{} of {count} seeds failed; the first:\n{}",
        failures.len(),
        failures[0]
    );
}

#[test]
fn the_seeds_that_found_bugs_keep_the_invariants() {
    let failures = run_seeds(REGRESSIONS.to_vec());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_seed_replays_exactly() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let run = |seed| -> Report {
        runtime
            .block_on(sim::run(Config::new(seed)))
            .unwrap_or_else(|f| panic!("{f}"))
    };
    let first = run(79);
    let second = run(79);
    assert!(first.trace.len() > 120, "the trace holds every step and outcome");
    assert_eq!(first, second);
    // Something happened: slips of both kinds, refusals, faults.
    assert!(first.confirmed_slips > 0 && first.refusals > 0 && first.lost_messages > 0);
}
