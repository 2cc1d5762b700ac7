//! The application layer: what a clerk or reviewer can do, written once for both
//! front ends. The command line ([`crate::cli`]) and the workstation
//! ([`crate::ui`]) parse what the person asked for and show what came of it; the
//! work itself — process, re-index, correct, settings, arrange, review decisions,
//! packing — is done here, with the same rules, the same audit trail and the same
//! messages.
//!
//! Work that takes long reports progress through a callback and stops at a
//! [`CancelToken`](crate::jobs::CancelToken); the UI runs it on a task thread, the
//! CLI in the foreground with a progress bar.

pub mod arrange;
pub mod edit;
pub mod index;
pub mod overview;
pub mod package;
pub mod pipeline;
pub mod review;
pub mod stats;
pub mod upload;
pub mod worker;

pub use edit::{
    arrange_then_reindex, check_second_entry, correct, decide_page, key_second, parse_correction,
    parse_second_entry, save_settings, settle_second,
};
pub use package::{PackEvent, PackOutcome, pack_batch};
