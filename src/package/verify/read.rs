//! Reading a package in bounded memory: each entry is hashed (SHA-256 and SM3)
//! and opened as what its name says while it streams past, one at a time.
//! Images are decoded and dropped, the PDF is sniffed as it streams, only tag
//! files, metadata, reports and page texts are kept. Nothing is extracted.
//!
//! Names that escape the bag (`..`, absolute paths, backslashes), symlinks,
//! encrypted entries and unusual compression are recorded and never read.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};

use super::super::hashes::DualHasher;
use super::super::metadata::xml_summary;

/// An entry's facts as stored in the container.
#[derive(Debug, Clone, Default)]
pub struct EntryFacts {
    pub name: String,
    pub is_dir: bool,
    pub symlink: bool,
    pub encrypted: bool,
    /// Stored or deflated (the only methods an archive should need).
    pub plain_method: bool,
}

/// What the checks read from a package.
pub struct Contents {
    pub facts: Vec<EntryFacts>,
    /// Relative to the bag root → digests, size, and the bytes of small files.
    pub files: BTreeMap<String, FileInfo>,
    pub root: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FileInfo {
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
    /// Kept for tag files, metadata, reports and text; images and the PDF are
    /// checked as they stream past and not kept.
    pub bytes: Option<Vec<u8>>,
    /// Why the file does not open, if it does not.
    pub decode_error: Option<String>,
}

/// Largest entry we are willing to read (a volume's PDF is the biggest file).
const MAX_ENTRY: u64 = 4 << 30;
/// Largest single image or kept file: larger ones are refused, not read whole.
const MAX_IN_MEMORY: u64 = 512 << 20;

/// Builds [`Contents`] entry by entry; the zip reader and the packer's
/// self-check both feed it, so both check the same way.
pub struct ContentsBuilder {
    root: Option<String>,
    facts: Vec<EntryFacts>,
    files: BTreeMap<String, FileInfo>,
}

impl ContentsBuilder {
    /// `names`: every entry name of the container (the bag root is their one
    /// common first component, if they have one).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> ContentsBuilder {
        let roots: std::collections::BTreeSet<&str> = names
            .into_iter()
            .filter_map(|n| n.split('/').next())
            .collect();
        let root = (roots.len() == 1).then(|| roots.into_iter().next().unwrap_or("").to_string());
        ContentsBuilder {
            root,
            facts: Vec::new(),
            files: BTreeMap::new(),
        }
    }

    pub fn fact(&mut self, facts: EntryFacts) {
        self.facts.push(facts);
    }

    fn relative(&self, name: &str) -> String {
        match &self.root {
            Some(r) => name
                .strip_prefix(&format!("{r}/"))
                .unwrap_or(name)
                .to_string(),
            None => name.to_string(),
        }
    }

    /// An entry that could not be read at all.
    pub fn unreadable(&mut self, name: &str, why: String) {
        self.files.insert(
            self.relative(name),
            FileInfo {
                sha256: String::new(),
                sm3: String::new(),
                size: 0,
                bytes: None,
                decode_error: Some(why),
            },
        );
    }

    /// Reads one entry (`name` as in the container) to its end.
    pub fn read(&mut self, name: &str, reader: impl Read) {
        let rel = self.relative(name);
        let mut hashing = HashingReader {
            inner: reader.take(MAX_ENTRY + 1),
            hasher: DualHasher::default(),
        };
        let kind = Kind::of(&rel);
        let (bytes, decode_error) = match kind {
            Kind::Pdf => {
                let mut sniffer = PdfSniffer::default();
                let mut buf = vec![0u8; 1 << 16];
                let mut error = None;
                loop {
                    match hashing.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => sniffer.feed(&buf[..n]),
                        Err(e) => {
                            error = Some(format!("cannot read: {e}"));
                            break;
                        }
                    }
                }
                (None, error.or_else(|| sniffer.verdict()))
            }
            _ => {
                let mut bytes = Vec::new();
                let read = (&mut hashing)
                    .take(MAX_IN_MEMORY + 1)
                    .read_to_end(&mut bytes);
                match read {
                    Err(e) => (None, Some(format!("cannot read: {e}"))),
                    Ok(_) if bytes.len() as u64 > MAX_IN_MEMORY => {
                        // Hash the rest without keeping it.
                        let _ = std::io::copy(&mut hashing, &mut std::io::sink());
                        (None, Some(format!("more than {MAX_IN_MEMORY} bytes")))
                    }
                    Ok(_) => {
                        let error = kind.open_error(&bytes);
                        let keep = kind != Kind::Image;
                        (keep.then_some(bytes), error)
                    }
                }
            }
        };
        let digests = hashing.hasher.finish();
        let decode_error = if digests.bytes > MAX_ENTRY {
            Some(format!(
                "{} bytes is more than a package file may hold",
                digests.bytes
            ))
        } else {
            decode_error
        };
        self.files.insert(
            rel,
            FileInfo {
                sha256: digests.sha256,
                sm3: digests.sm3,
                size: digests.bytes,
                bytes,
                decode_error,
            },
        );
    }

    pub fn finish(self) -> Contents {
        Contents {
            facts: self.facts,
            files: self.files,
            root: self.root,
        }
    }
}

/// Hashes what passes through it.
struct HashingReader<R> {
    inner: R,
    hasher: DualHasher,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads a zip package safely into [`Contents`], one entry at a time.
pub fn read_zip(path: &Path) -> Result<Contents> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .with_context(|| format!("{} is not a readable zip file", path.display()))?;
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.name_for_index(i).unwrap_or("?").to_string())
        .collect();
    let mut contents = ContentsBuilder::new(names.iter().map(String::as_str));
    for (i, guessed_name) in names.iter().enumerate() {
        let entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                // Encrypted or unsupported entries cannot be opened: still recorded.
                contents.fact(EntryFacts {
                    name: guessed_name.clone(),
                    encrypted: true,
                    ..Default::default()
                });
                contents.unreadable(guessed_name, format!("cannot open: {e}"));
                continue;
            }
        };
        let name = String::from_utf8(entry.name_raw().to_vec())
            .unwrap_or_else(|_| format!("<non-UTF-8 name #{i}>"));
        let facts = EntryFacts {
            name: name.clone(),
            is_dir: entry.is_dir(),
            symlink: entry.is_symlink(),
            encrypted: entry.encrypted(),
            plain_method: matches!(
                entry.compression(),
                zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
            ),
        };
        let never_read = facts.is_dir || facts.symlink || facts.encrypted || !safe_name(&name);
        contents.fact(facts);
        if never_read {
            continue; // its name or kind is already a failure
        }
        if entry.size() > MAX_ENTRY {
            contents.unreadable(
                &name,
                format!(
                    "{} bytes is more than a package file may hold",
                    entry.size()
                ),
            );
            continue;
        }
        contents.read(&name, entry);
    }
    Ok(contents.finish())
}

/// A name that stays inside the bag: relative, no `..`, no backslash, no drive.
pub fn safe_name(name: &str) -> bool {
    let drive = name.len() > 1 && name.as_bytes()[1] == b':';
    let escapes = name.split('/').any(|c| c == ".." || c == ".");
    let odd =
        name.is_empty() || name.starts_with('/') || name.contains('\\') || name.contains('\0');
    !(drive || escapes || odd)
}

pub(super) fn ext(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// What a file is, by its name, and so how it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Image,
    Pdf,
    Json,
    Xml,
    Text,
}

impl Kind {
    fn of(name: &str) -> Kind {
        match ext(name).as_str() {
            "jpg" | "jpeg" | "png" | "tif" | "tiff" => Kind::Image,
            "pdf" => Kind::Pdf,
            "json" => Kind::Json,
            "xml" => Kind::Xml,
            _ => Kind::Text,
        }
    }

    /// Does the file open as what its name says? (PDFs: see [`PdfSniffer`].)
    fn open_error(self, bytes: &[u8]) -> Option<String> {
        match self {
            Kind::Image => {
                let reader = match image::ImageReader::new(std::io::Cursor::new(bytes))
                    .with_guessed_format()
                {
                    Ok(r) => r,
                    Err(e) => return Some(e.to_string()),
                };
                let mut reader = reader;
                let mut limits = image::Limits::default();
                limits.max_image_width = Some(30_000);
                limits.max_image_height = Some(30_000);
                limits.max_alloc = Some(1 << 30);
                reader.limits(limits);
                reader
                    .decode()
                    .err()
                    .map(|e| format!("does not decode: {e}"))
            }
            Kind::Pdf => {
                let mut s = PdfSniffer::default();
                s.feed(bytes);
                s.verdict()
            }
            Kind::Json => serde_json::from_slice::<serde_json::Value>(bytes)
                .err()
                .map(|e| format!("invalid JSON: {e}")),
            Kind::Xml => xml_summary(bytes).err(),
            Kind::Text => std::str::from_utf8(bytes)
                .err()
                .map(|e| format!("not UTF-8 text: {e}")),
        }
    }
}

/// What can be told of a PDF while it streams past: its header, an `%%EOF` in
/// its last KiB, and whether it names an `/Encrypt` dictionary anywhere.
#[derive(Default)]
struct PdfSniffer {
    head: Vec<u8>,
    /// The last KiB seen (also the overlap for a keyword cut between reads).
    tail: Vec<u8>,
    encrypted: bool,
}

impl PdfSniffer {
    const TAIL: usize = 1024;

    fn feed(&mut self, data: &[u8]) {
        if self.head.len() < 5 {
            let want = 5 - self.head.len();
            self.head.extend_from_slice(&data[..want.min(data.len())]);
        }
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(data);
        if !self.encrypted && window.windows(8).any(|w| w == b"/Encrypt") {
            self.encrypted = true;
        }
        let keep = window.len().min(Self::TAIL);
        self.tail = window.split_off(window.len() - keep);
    }

    fn verdict(&self) -> Option<String> {
        if self.head != b"%PDF-" {
            Some("not a PDF".into())
        } else if !self.tail.windows(5).any(|w| w == b"%%EOF") {
            Some("PDF is truncated (no %%EOF)".into())
        } else if self.encrypted {
            Some("PDF is encrypted".into())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_refused() {
        assert!(safe_name("J1-XZCF·2021-D30-0001/data/images/a.jpg"));
        for bad in [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "a\\b",
            "C:/x",
            "a/./b",
            "",
        ] {
            assert!(!safe_name(bad), "{bad}");
        }
    }

    /// A keyword cut between two reads is still seen, and the verdict of a
    /// streamed PDF is the verdict of the whole.
    #[test]
    fn the_pdf_sniffer_sees_across_reads() {
        let pdf = b"%PDF-1.7\n1 0 obj << /Encrypt 2 0 R >> endobj\n%%EOF\n".to_vec();
        for cut in 1..pdf.len() {
            let mut s = PdfSniffer::default();
            s.feed(&pdf[..cut]);
            s.feed(&pdf[cut..]);
            assert_eq!(
                s.verdict().as_deref(),
                Some("PDF is encrypted"),
                "cut {cut}"
            );
        }
        let mut s = PdfSniffer::default();
        s.feed(b"%PDF-1.7\n");
        s.feed(&vec![b' '; 5000]);
        assert_eq!(s.verdict().as_deref(), Some("PDF is truncated (no %%EOF)"));
        s.feed(b"%%EOF");
        assert_eq!(s.verdict(), None);
        let mut s = PdfSniffer::default();
        s.feed(b"%PD");
        assert_eq!(s.verdict().as_deref(), Some("not a PDF"));
    }

    /// Digests computed while streaming are the digests of the whole file.
    #[test]
    fn streamed_digests_are_the_files_digests() {
        let mut b = ContentsBuilder::new(["BAG/a.txt", "BAG/b.pdf"]);
        b.read("BAG/a.txt", &b"hello\n"[..]);
        let pdf = b"%PDF-1.4\n%%EOF\n";
        b.read("BAG/b.pdf", &pdf[..]);
        let c = b.finish();
        assert_eq!(c.root.as_deref(), Some("BAG"));
        let want = crate::package::hashes::digests(b"hello\n");
        assert_eq!(c.files["a.txt"].sha256, want.sha256);
        assert_eq!(c.files["a.txt"].sm3, want.sm3);
        assert_eq!(c.files["a.txt"].bytes.as_deref(), Some(&b"hello\n"[..]));
        assert_eq!(c.files["b.pdf"].size, pdf.len() as u64);
        assert!(c.files["b.pdf"].bytes.is_none(), "the PDF is not kept");
        assert_eq!(c.files["b.pdf"].decode_error, None);
    }
}
