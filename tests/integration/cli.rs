//! The CLI contract: exit codes, refusal to overwrite, --force, --stdout, environment variables.
