//! One integration-test binary: fixtures rendered and snapshotted, the CLI contract, hadolint on every output.

mod all_apps;
mod architecture;
mod cli;
mod common;
mod fixtures;
mod fuzz_regressions;
mod hostile;
mod injection;
mod lines;
mod plan;
mod prompts;
mod writing;
