//! Thin entry point: parse the command line, run, map the outcome to an exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    claudit::timings::mark("start");
    let cli = match claudit::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors.
            return if e.use_stderr() {
                std::process::ExitCode::from(claudit::cli::ExitCode::Fatal as u8)
            } else {
                std::process::ExitCode::SUCCESS
            };
        }
    };
    let code = claudit::cli::run(cli) as u8;
    claudit::timings::mark("done");
    std::process::ExitCode::from(code)
}
