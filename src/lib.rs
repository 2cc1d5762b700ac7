//! # anjuan (案卷)
//!
//! A workstation that turns paper administrative-enforcement case files (行政执法案卷)
//! into verified electronic archives.
//!
//! Data flows one way through the stages; the base sits under them, the
//! application layer above them and the two front ends on top.
//!
//! ## Layers
//!
//! ```text
//!  front ends    cli (clap)                      ui (egui: views → Command → apply)
//!                    └──────────────┬───────────────────┘
//!  application   ops: process, re-index, correct, settings, arrange, pack a batch
//!                    │   (pipeline: the per-page stages on the job pool)
//!  stages        capture ──► imaging ──► ocr ──► indexing ──► review ──► package
//!                    │ each uses the stages before it, never one after it
//!  base          model (vocabulary, records, findings, settings, time) · catalogue
//!                store · jobs · home · text · fsutil · fonts · vendor · print
//! ```
//!
//! The base imports no stage: the records the catalogue stores (imaging record,
//! OCR lines, the volume index, findings) are [`model`] types that the stages
//! fill. `tests/it/architecture.rs` reads every `crate::` path and fails when an
//! import points up.
//!
//! * [`capture`] turns files (images, multi-page TIFF, PDF) into masters and pages.
//! * [`imaging`] makes the working image of a page from its master.
//! * [`ocr`] reads a page image into lines (engines behind [`ocr::OcrEngine`]) and
//!   says which way up a page is.
//! * [`indexing`] splits a volume into its documents and proposes its fields.
//! * [`review`] gathers every finding: image quality, catalogue against images, and
//!   the statutory checks (required documents, the 行政处罚法's periods).
//! * [`package`] writes what leaves the workstation (searchable PDF, text, packages)
//!   and decides which volumes may leave ([`package::ready`]).
//! * [`ops`] is what a person can do, once for both front ends; [`ops::pipeline`]
//!   runs the pending per-page stages on the [`jobs`] pool and commits each page's
//!   result to the [`catalogue`], so a killed run resumes where it stopped;
//!   [`ops::worker`] does the same as one of a room's processes, with leases.
//! * [`catalogue`] is the one place with SQL: a home's SQLite, or a room's
//!   PostgreSQL shared by its seats and workers.
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
pub mod ops;
pub mod package;
pub mod print;
pub mod review;
pub mod store;
pub mod text;
pub mod ui;
pub mod vendor;

/// Version recorded in process metadata and shown in the UI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
