//! Integration tests: one binary (shared build), modules by stage.
//! Fixtures are made by the tests themselves (see `fixtures`).

mod architecture;
mod crash_resume;
mod double_entry;
mod export;
mod fixtures;
mod imaging;
mod import;
mod indexing;
mod ocr_real;
mod package;
mod process;
mod review;
mod room;
mod scan;
mod search_show;
mod servers;
mod stats;
mod ui;
mod upload;
