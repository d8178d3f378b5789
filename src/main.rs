//! The `propusk` command: `serve`, `migrate`, `keys …`, `client …`, `user …`.

use clap::Parser as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = propusk::cli::Cli::parse();
    let workers = match worker_threads() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("propusk: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("propusk: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(propusk::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("propusk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Request threads: `TOKIO_WORKER_THREADS` if set (tokio's own variable), else two per
/// core. propusk shares its cores with its database (SQLite's connection threads or
/// PostgreSQL), its password-hashing threads and often a proxy; a runtime thread that is
/// preempted holds up the tasks queued on it until it runs again, and a second thread
/// per core keeps one ready to take them. Measured on 2 cores with the load generator
/// beside it (docs/performance.md): discovery 114 k → 125 k requests/s,
/// client_credentials 34 k → 37 k, less CPU per request, flows unchanged.
fn worker_threads() -> Result<usize, String> {
    let Ok(set) = std::env::var("TOKIO_WORKER_THREADS") else {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        return Ok(2 * cores);
    };
    match set.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "TOKIO_WORKER_THREADS must be a whole number above 0, not {set:?}"
        )),
    }
}
