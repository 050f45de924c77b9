//! YAML (workflows, action metadata, compose) via saphyr. TODO(helper): full implementation.
use super::Parsed;
use crate::classify::FileKind;

pub fn parse_file(_kind: FileKind, _text: &str) -> Parsed {
    Parsed::default()
}
