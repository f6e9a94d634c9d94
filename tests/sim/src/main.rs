//! Runs the simulation for one seed or a range of them; a failing seed prints itself, its last
//! steps and the command that replays it.

use clap::Parser;

#[derive(Parser)]
#[command(about = "Deterministic simulation of central and several kiosks")]
struct Cli {
    /// The first seed to run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many seeds to run, from --seed on.
    #[arg(long, default_value_t = 1)]
    seeds: u64,
    #[arg(long, default_value_t = 120)]
    steps: usize,
    #[arg(long, default_value_t = 3)]
    kiosks: usize,
    /// Print every step.
    #[arg(long)]
    verbose: bool,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut failed = 0;
    for seed in cli.seed..cli.seed + cli.seeds {
        let config = sim::Config {
            seed,
            kiosks: cli.kiosks,
            steps: cli.steps,
            verbose: cli.verbose,
        };
        match runtime.block_on(sim::run(config)) {
            Ok(r) => println!(
                "seed {seed}: ok: {} confirmed, {} requests, {} refused, {} rounds, {} crashes, {} central restarts, {} messages lost",
                r.confirmed_slips,
                r.request_slips,
                r.refusals,
                r.rounds,
                r.crashes,
                r.central_restarts,
                r.lost_messages
            ),
            Err(f) => {
                failed += 1;
                println!("{f}");
            }
        }
    }
    anyhow::ensure!(failed == 0, "{failed} seed(s) failed");
    Ok(())
}
