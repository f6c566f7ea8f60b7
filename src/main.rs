use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};
use dockgen::cli::Cli;

fn main() -> ExitCode {
    if let Err(why) = dockgen::cli::check_flag_variables() {
        eprintln!("dockgen: {why}");
        return ExitCode::from(2);
    }
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(err) => match dockgen::cli::variable_error(&err) {
            Some(why) => {
                eprintln!("dockgen: {why}");
                return ExitCode::from(2);
            }
            None => err.exit(),
        },
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match dockgen::run(cli, &matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line naming the file; the chain carries the detail (ripgrep's `{:#}`).
            eprintln!("dockgen: {}", dockgen::error_line(&err));
            if err.is::<dockgen::prompt::Cancelled>() || err.is::<dockgen::write::Interrupted>() {
                ExitCode::from(130)
            } else if err.is::<dockgen::UsageError>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
