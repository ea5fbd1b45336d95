//! colony backend: `backend <host> <port> <cloud>` serves PING on its port
//! and registers with the coordinator named by COORDINATOR_HOST/PORT.

use shared::{Message, DEFAULT_COORDINATOR_PORT};
use std::env;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;

fn register(own_addr: &str) -> std::io::Result<()> {
    let host = env::var("COORDINATOR_HOST").unwrap_or_else(|_| "localhost".into());
    let port = env::var("COORDINATOR_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_COORDINATOR_PORT);
    let mut stream = TcpStream::connect((host.as_str(), port))?;
    writeln!(stream, "{}", Message::Register(own_addr.to_owned()))
}

fn serve(listener: TcpListener) -> std::io::Result<()> {
    for stream in listener.incoming() {
        let mut stream = stream?;
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line)?;
        let reply = match Message::parse(&line) {
            Ok(Message::Ping) => Message::Pong.to_string(),
            Ok(other) => format!("ERR unexpected {other}"),
            Err(err) => format!("ERR {err}"),
        };
        writeln!(stream, "{reply}")?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let [host, port, cloud] = args.as_slice() else {
        eprintln!("usage: backend <host> <port> <cloud>");
        return ExitCode::from(2);
    };
    let addr = format!("{host}:{port}");
    let listener = match TcpListener::bind(&addr) {
        Ok(l) => l,
        Err(err) => {
            eprintln!("backend: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(err) = register(&addr) {
        // The coordinator may start later; it also learns backends from their PINGs.
        eprintln!("backend: registration with coordinator failed ({cloud}): {err}");
    }
    match serve(listener) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("backend: {err}");
            ExitCode::FAILURE
        }
    }
}
