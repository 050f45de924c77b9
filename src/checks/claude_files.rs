//! Committed Claude credential/state files and transcripts (CLD113–CLD115). TODO(helper).
use super::FileContext;
use crate::finding::Finding;

pub fn check(_ctx: &FileContext, _out: &mut Vec<Finding>) {}
