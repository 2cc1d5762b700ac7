//! What leaves the workstation: searchable PDFs, page text, and self-verifying
//! archive packages (BagIt zip, SHA-256 + SM3, XML/JSON metadata, 四性检测), and
//! their upload to the platform's object storage with receipts.

pub mod bag;
pub mod export;
pub mod glyphless;
pub mod handover;
pub mod hashes;
pub mod metadata;
pub mod pdf;
pub mod publicity;
pub mod ready;
pub mod records;
pub mod schema;
pub mod sign;
pub mod upload;
pub mod verify;
