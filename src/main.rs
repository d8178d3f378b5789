//! The `propusk` command: `serve`, `migrate`, `keys …`, `client …`, `user …`.

use clap::Parser as _;
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: most requests are short and allocation-heavy
/// (headers, JSON, futures), and the allocator was their largest single cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
