//! Finding the run-time libraries and models that the set-up fetches (PDFium,
//! ONNX Runtime, PP-OCR models): beside the executable, in a configured folder,
//! then in the project's `vendor/` (where `make setup` puts them).

use std::path::PathBuf;

/// Folders to look in for `relative` (e.g. `pdfium`), in order.
pub fn candidates(relative: &str, env_var: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        dirs.push(dir.to_path_buf());
        dirs.push(dir.join(relative));
        // target/{debug,release}/deps/.. for test binaries
        if let Some(up) = dir.parent() {
            dirs.push(up.to_path_buf());
        }
    }
    if let Some(dir) = std::env::var_os(env_var) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("vendor")
            .join(relative),
    );
    dirs
}

/// The first existing `file` in the candidate folders.
pub fn find(relative: &str, env_var: &str, file: &str) -> Option<PathBuf> {
    candidates(relative, env_var)
        .into_iter()
        .map(|d| d.join(file))
        .find(|p| p.exists())
}

/// "looked in a, b, c" for error messages.
pub fn looked_in(relative: &str, env_var: &str) -> String {
    candidates(relative, env_var)
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
