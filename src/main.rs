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
            None => usage_error(&err),
        },
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => usage_error(&err),
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

/// Help and version as clap prints them; any other parse error in dockgen's one-line style, like its own usage
/// errors: what is wrong, clap's tip when it has one, and the command's usage (exit 2).
fn usage_error(err: &clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        err.exit();
    }
    eprintln!(
        "dockgen: {}",
        dockgen::cli::one_line_usage_error(&err.render().to_string())
    );
    std::process::exit(2);
}
