//! JSON / JSONC via jsonc-parser. TODO(helper): full implementation.
use super::Parsed;
use crate::classify::FileKind;

#[derive(Debug, Default)]
pub struct JsonDoc {}

pub fn parse_file(_kind: FileKind, _text: &str) -> Parsed {
    Parsed::default()
}
