//! colony coordinator: `coordinator <cloud>` keeps the set of registered
//! backends and answers PING.

use shared::{Message, DEFAULT_COORDINATOR_PORT};
use std::collections::BTreeSet;
use std::env;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let [cloud] = args.as_slice() else {
        eprintln!("usage: coordinator <cloud>");
        return ExitCode::from(2);
    };
    let port = env::var("COORDINATOR_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_COORDINATOR_PORT);
    let listener = match TcpListener::bind(("0.0.0.0", port)) {
        Ok(l) => l,
        Err(err) => {
            eprintln!("coordinator: cannot listen on port {port}: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("coordinator: listening on {port} ({cloud})");
    let mut backends = BTreeSet::new();
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut line = String::new();
        if BufReader::new(&stream).read_line(&mut line).is_err() {
            continue;
        }
        let reply = match Message::parse(&line) {
            Ok(Message::Register(addr)) => {
                backends.insert(addr);
                format!("OK {}", backends.len())
            }
            Ok(Message::Ping) => Message::Pong.to_string(),
            Ok(other) => format!("ERR unexpected {other}"),
            Err(err) => format!("ERR {err}"),
        };
        let _ = writeln!(stream, "{reply}");
    }
    ExitCode::SUCCESS
}
