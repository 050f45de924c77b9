//! claudit: finds leaked Anthropic credentials and Claude Code
//! misconfiguration in repositories, CI workflows and container definitions.
//!
//! The pipeline flows one way: discover → classify → parse → checks →
//! findings → filters → reporters. See the README's design notes.

pub mod assign;
pub mod catalog;
pub mod checks;
pub mod classify;
pub mod claude;
pub mod cli;
pub mod config;
pub mod discover;
pub mod env;
pub mod finding;
pub mod fleet;
pub mod formats;
pub mod history;
pub mod image;
pub mod project;
pub mod report;
pub mod scan;
pub mod secrets;
pub mod source;
pub mod testkeys;
pub mod timings;
pub mod tree;
pub mod triage;
