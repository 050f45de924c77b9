//! Dockerfile credential rules (CLD111, CLD112). TODO(helper).
use super::FileContext;
use crate::finding::Finding;

pub fn check(_ctx: &FileContext, _out: &mut Vec<Finding>) {}
