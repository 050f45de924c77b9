//! Cross-file checks: run once after every file is parsed, over the
//! [`Project`]. Each check here finds its own files and reports through
//! [`crate::project::FileFacts::locate`].

use crate::finding::Finding;
use crate::project::Project;

pub fn run_all(project: &Project, out: &mut Vec<Finding>) {
    super::auth::run(project, project.policy.as_ref(), out);
    super::mcp_approvals::check(project, out);
    super::docker::copies_in_project(project, out);
}
