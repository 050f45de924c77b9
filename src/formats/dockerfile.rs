//! Dockerfile parser (hand-written; see README design notes). TODO(helper): full implementation.
use super::Parsed;

#[derive(Debug, Default)]
pub struct Dockerfile {}

pub fn parse_file(_text: &str) -> Parsed {
    Parsed::default()
}
