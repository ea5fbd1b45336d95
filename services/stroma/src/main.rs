//! stroma: keeps a member ledger for a trust network in a data directory.
//!
//! Deliberately dependency-free so the container build stays a static musl
//! binary on distroless/static (see the Dockerfile).

use std::env;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn usage() -> &'static str {
    "usage: stroma [--data-dir DIR] (--version | vouch MEMBER | members)"
}

fn ledger_path(data_dir: &PathBuf) -> PathBuf {
    data_dir.join("members.txt")
}

fn vouch(data_dir: &PathBuf, member: &str) -> io::Result<()> {
    if member.is_empty() || member.contains(char::is_whitespace) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "member must be a single non-empty word"));
    }
    fs::create_dir_all(data_dir)?;
    let mut ledger = OpenOptions::new().create(true).append(true).open(ledger_path(data_dir))?;
    writeln!(ledger, "{member}")
}

fn members(data_dir: &PathBuf) -> io::Result<Vec<String>> {
    match fs::read_to_string(ledger_path(data_dir)) {
        Ok(text) => {
            let mut names: Vec<String> = text.lines().map(str::to_owned).collect();
            names.sort();
            names.dedup();
            Ok(names)
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(err) => Err(err),
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = env::args().skip(1).collect();
    let mut data_dir = PathBuf::from(env::var("STROMA_DATA_DIR").unwrap_or_else(|_| "/data".into()));
    if args.len() >= 2 && args[0] == "--data-dir" {
        data_dir = PathBuf::from(args[1].clone());
        args.drain(..2);
    }
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["--version"] => {
            println!("stroma {VERSION}");
            Ok(())
        }
        ["vouch", member] => vouch(&data_dir, member),
        ["members"] => members(&data_dir).map(|names| names.iter().for_each(|n| println!("{n}"))),
        _ => {
            eprintln!("{}", usage());
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("stroma: {err}");
            ExitCode::FAILURE
        }
    }
}
