//! Running the `trellis` binary from the CLI tests.
#![allow(dead_code)]

use std::process::{Command, Output};

/// The sealing key of the tests' installations (served ones too), so none writes a
/// trellis.toml where it runs.
pub const TEST_SECRET_KEY: &str =
    "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";

/// Runs `trellis` with these arguments, away from any configuration of the machine.
pub fn trellis(args: &[&str]) -> Output {
    trellis_with(args, &[])
}

/// Runs `trellis` with these arguments and environment variables.
pub fn trellis_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(args)
        .env_remove("TRELLIS_DATABASE")
        .env_remove("TRELLIS_CONFIG")
        .env_remove("TRELLIS_BACKUP_PASSPHRASE")
        .env("TRELLIS_SECRET_KEY", TEST_SECRET_KEY)
        .envs(env.iter().copied())
        .output()
        .expect("run trellis")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
