//! Cross-file checks: run once after every file is parsed, over the
//! [`Project`]. Each check here finds its own files and reports through
//! [`crate::project::FileFacts::locate`].

use crate::finding::Finding;
use crate::project::Project;

/// Runs on the caller's rayon pool: the families are independent, so they
/// run side by side (this is the serial tail of a scan) and their findings
/// are joined in a fixed order.
pub fn run_all(project: &Project, out: &mut Vec<Finding>) {
    let collect = |check: fn(&Project, &mut Vec<Finding>)| {
        let mut found = Vec::new();
        check(project, &mut found);
        found
    };
    let (auth, (mcp, docker)) = rayon::join(
        || collect(|p, out| super::auth::run(p, p.policy.as_ref(), out)),
        || {
            rayon::join(
                || collect(super::mcp_approvals::check),
                || collect(super::docker::copies_in_project),
            )
        },
    );
    out.extend(auth);
    out.extend(mcp);
    out.extend(docker);
}
