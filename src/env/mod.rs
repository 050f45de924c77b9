//! The effective environment: every structured file's assignments chained
//! into execution contexts (workflow → job → step, Dockerfile stages →
//! compose `env_file` → `environment`, devcontainer image → `containerEnv`
//! → `remoteEnv`, Claude settings, dotenv files), each variable with the
//! binding that wins, the ones it shadows, and where each is written.
//!
//! The CLD2xx rules ([`crate::checks::auth`]) and `claudit env` read only
//! this model. Facts: `claude-code-facts.md` §3, §6, §7, §12.1.

pub mod auth;
pub mod build;
pub mod model;
pub mod policy;
pub mod summary;
pub mod value;
pub mod vars;

pub use build::{Workspace, contexts};
pub use model::{ActionUse, Binding, Context, ContextKind, Layer, Resolved, Site};
pub use value::{Presence, Truth, Val};
pub use vars::{CredentialKind, Provider};
