//! What leaves the workstation: searchable PDFs and page text (archive packages
//! follow in this module).

pub mod export;
pub mod glyphless;
pub mod pdf;
