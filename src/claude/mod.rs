//! Claude Code's own configuration: where a settings file sits decides what
//! it is (project, local, user, managed), and the typed settings model.

pub mod hooks;
pub mod location;
pub mod permission_rule;
pub mod settings_model;
