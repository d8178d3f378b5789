//! The `propusk` command: `serve`, `migrate`, `keys …`, `client …`, `user …`.

use clap::Parser as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = propusk::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
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
