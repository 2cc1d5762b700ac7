//! # anjuan (案卷)
//!
//! A workstation that turns paper administrative-enforcement case files (行政执法案卷)
//! into verified electronic archives.
//!
//! Data flows one way through the stages; the catalogue and the job runner sit beside
//! them and the UI on top:
//!
//! ```text
//! capture ──► imaging ──► ocr ──► indexing ──► review ──► package
//!    │           │          │
//!    └──── catalogue (SQLite: volumes, pages, stage state, audit log, FTS) ────┘
//!              store (masters, derivatives; atomic writes)
//!    jobs: background workers, progress, cancel, resume        ui/: egui views + commands
//! ```
//!
//! * [`capture`] turns files (images, multi-page TIFF, PDF) into masters and pages.
//! * [`imaging`] makes the working image of a page from its master.
//! * [`ocr`] reads a page image into lines (engines behind [`ocr::OcrEngine`]).
//! * [`pipeline`] runs the pending per-page stages on the [`jobs`] pool and commits
//!   each page's result to the [`catalogue`], so a killed run resumes where it stopped.
//! * [`indexing`] splits a volume into its documents and fills the catalogue's fields.
//! * [`review`] gathers every finding: image quality, catalogue against images, and
//!   the statutory checks (required documents, the 行政处罚法's periods).
//! * [`package`] writes what leaves the workstation (searchable PDF, text, packages).
//! * [`ui`] is the egui workstation; [`cli`] the same library headless.
//!
//! Masters are written once and never modified ([`store`]); everything else is a
//! derivative that can be made again from the master plus recorded parameters.

pub mod bench;
pub mod capture;
pub mod catalogue;
pub mod cli;
pub mod fonts;
pub mod fsutil;
pub mod home;
pub mod imaging;
pub mod indexing;
pub mod jobs;
pub mod model;
pub mod ocr;
pub mod package;
pub mod pipeline;
pub mod review;
pub mod store;
pub mod ui;
pub mod vendor;

/// Version recorded in process metadata and shown in the UI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
