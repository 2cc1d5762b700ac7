//! Tesseract's orientation detection (OSD, `osd.traineddata`) through its C API.
//!
//! The `tesseract` crate does not expose `DetectOrientationScript`; this is a small
//! safe wrapper around the one call, with its own engine instance per worker.

use std::ffi::CString;

use image::GrayImage;

use super::OcrError;

/// Characters OSD looks at first, and the confidence (which grows with their
/// number: 3.4–4.5 at 20 on the corpus's sideways pages, 11–14 at 50) from which
/// that first look is trusted.
const QUICK_CHARACTERS: u32 = 20;
const QUICK_CONFIDENCE: f32 = 2.0;
/// Tesseract's own `min_characters_to_try`.
const DEFAULT_CHARACTERS: u32 = 50;

pub struct OsdEngine {
    handle: *mut tesseract_sys::TessBaseAPI,
}

// SAFETY: the handle is owned by this value and used by one thread at a time
// (one engine per worker); Tesseract's API object has no thread affinity.
unsafe impl Send for OsdEngine {}

/// What OSD says about a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orientation {
    /// Clockwise turn to apply to make the page upright (0, 90, 180, 270).
    pub turn: u32,
    /// Tesseract's orientation confidence (roughly 0–30; OCRmyPDF trusts ≥ 14).
    pub confidence: f32,
}

impl OsdEngine {
    pub fn new() -> Result<Self, OcrError> {
        let lang = CString::new("osd").expect("no NUL");
        // SAFETY: plain C API calls; the handle is deleted in Drop.
        unsafe {
            let handle = tesseract_sys::TessBaseAPICreate();
            if handle.is_null() {
                return Err(OcrError::Init("Tesseract cannot start".into()));
            }
            if tesseract_sys::TessBaseAPIInit3(handle, std::ptr::null(), lang.as_ptr()) != 0 {
                tesseract_sys::TessBaseAPIDelete(handle);
                return Err(OcrError::Init(
                    "Tesseract's orientation data (osd) is missing; install tesseract-ocr-osd (`make setup` does)".into(),
                ));
            }
            let quiet = (
                CString::new("debug_file").unwrap(),
                CString::new("/dev/null").unwrap(),
            );
            tesseract_sys::TessBaseAPISetVariable(handle, quiet.0.as_ptr(), quiet.1.as_ptr());
            tesseract_sys::TessBaseAPISetPageSegMode(
                handle,
                tesseract_sys::TessPageSegMode_PSM_OSD_ONLY,
            );
            Ok(OsdEngine { handle })
        }
    }

    /// Detects the page's orientation; `None` when there is too little text to say.
    /// OSD classifies characters in all four orientations, and its time grows with
    /// their number: a first look at few characters decides a clear page in about
    /// a third of the time (corpus sideways pages: 0.27 s against 0.7 s, same
    /// answers); a doubtful answer is asked again with Tesseract's default number.
    pub fn detect(&mut self, image: &GrayImage, dpi: u32) -> Option<Orientation> {
        self.set_characters(QUICK_CHARACTERS);
        let quick = self.detect_with(image, dpi);
        if quick.is_some_and(|o| o.confidence >= QUICK_CONFIDENCE) {
            return quick;
        }
        self.set_characters(DEFAULT_CHARACTERS);
        self.detect_with(image, dpi).or(quick)
    }

    fn set_characters(&mut self, n: u32) {
        let name = CString::new("min_characters_to_try").expect("no NUL");
        let value = CString::new(n.to_string()).expect("no NUL");
        // SAFETY: a live handle and two NUL-terminated strings Tesseract copies.
        unsafe {
            tesseract_sys::TessBaseAPISetVariable(self.handle, name.as_ptr(), value.as_ptr());
        }
    }

    fn detect_with(&mut self, image: &GrayImage, dpi: u32) -> Option<Orientation> {
        let (w, h) = (image.width() as i32, image.height() as i32);
        let mut deg: std::os::raw::c_int = 0;
        let mut conf: f32 = 0.0;
        let mut script: *const std::os::raw::c_char = std::ptr::null();
        let mut script_conf: f32 = 0.0;
        // SAFETY: the image buffer outlives the call; Tesseract copies it.
        let ok = unsafe {
            tesseract_sys::TessBaseAPISetImage(self.handle, image.as_raw().as_ptr(), w, h, 1, w);
            tesseract_sys::TessBaseAPISetSourceResolution(self.handle, dpi as i32);
            let ok = tesseract_sys::TessBaseAPIDetectOrientationScript(
                self.handle,
                &mut deg,
                &mut conf,
                &mut script,
                &mut script_conf,
            );
            tesseract_sys::TessBaseAPIClear(self.handle);
            ok
        };
        // `deg` is the clockwise orientation of the input; turning it back is the rest.
        (ok != 0).then(|| Orientation {
            turn: ((360 - deg.rem_euclid(360)) % 360) as u32,
            confidence: conf,
        })
    }
}

impl Drop for OsdEngine {
    fn drop(&mut self) {
        // SAFETY: created in `new`, deleted once.
        unsafe {
            tesseract_sys::TessBaseAPIEnd(self.handle);
            tesseract_sys::TessBaseAPIDelete(self.handle);
        }
    }
}
