//! Wire protocol shared by the colony backend and coordinator: one line per
//! message, `<verb> <argument>`, so both binaries stay dependency-free.

use std::fmt;

pub const DEFAULT_BACKEND_PORT: u16 = 8082;
pub const DEFAULT_COORDINATOR_PORT: u16 = 8083;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A backend announces itself to the coordinator with its address.
    Register(String),
    /// Liveness probe; answered with `Pong`.
    Ping,
    Pong,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unparseable message: {:?}", self.0)
    }
}

impl Message {
    pub fn parse(line: &str) -> Result<Message, ParseError> {
        let line = line.trim_end_matches(['\r', '\n']);
        match line.split_once(' ') {
            Some(("REGISTER", addr)) if !addr.is_empty() => Ok(Message::Register(addr.to_owned())),
            None if line == "PING" => Ok(Message::Ping),
            None if line == "PONG" => Ok(Message::Pong),
            _ => Err(ParseError(line.to_owned())),
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Register(addr) => write!(f, "REGISTER {addr}"),
            Message::Ping => write!(f, "PING"),
            Message::Pong => write!(f, "PONG"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for m in [Message::Register("10.0.0.1:8082".into()), Message::Ping, Message::Pong] {
            assert_eq!(Message::parse(&m.to_string()), Ok(m));
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(Message::parse("REGISTER ").is_err());
        assert!(Message::parse("HELLO").is_err());
    }
}
