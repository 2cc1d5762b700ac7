//! Fixtures the tests make themselves: rendered case-file pages, damaged files,
//! bi-level and multi-page TIFFs, PDFs.

use std::path::{Path, PathBuf};
use std::process::Command;

use anjuan::capture::raster::encode_jpeg;
use anjuan::capture::sample::{self, RenderOptions};
use image::{DynamicImage, GrayImage, Luma};

/// A workspace for one test, removed at the end. Its catalogue is the home's
/// SQLite file, or with `ANJUAN_TEST_ENGINE=postgres` (the second pass of
/// `make test`) a fresh database on the tests' own PostgreSQL server.
pub struct TestHome {
    pub dir: tempfile::TempDir,
    /// The PostgreSQL catalogue's URL, when the suite runs on PostgreSQL.
    pub shared_catalogue: Option<String>,
}

/// Whether this run of the suite puts its catalogues on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("ANJUAN_TEST_ENGINE").is_ok_and(|e| e == "postgres")
}

/// A fresh database on the tests' PostgreSQL server (started on first use).
pub fn fresh_postgres() -> String {
    anjuan::catalogue::scratch::ScratchPostgres::shared()
        .and_then(|pg| pg.fresh_database())
        .expect("the tests' PostgreSQL server (make test installs Debian's postgresql)")
}

impl TestHome {
    pub fn new() -> Self {
        TestHome {
            dir: tempfile::tempdir().unwrap(),
            shared_catalogue: on_postgres().then(fresh_postgres),
        }
    }

    /// The home as the workstation opens it (with its catalogue).
    pub fn open_home(&self) -> anjuan::home::Home {
        anjuan::home::Home::open(self.home())
            .unwrap()
            .with_catalogue(self.shared_catalogue.as_deref())
            .unwrap()
    }
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// The `anjuan` binary on this home.
    pub fn cli(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_anjuan"));
        c.env("ANJUAN_HOME", self.home())
            .env("OMP_THREAD_LIMIT", "1")
            .env_remove("ANJUAN_FAKE_OCR")
            .env_remove("ANJUAN_CATALOGUE");
        if let Some(url) = &self.shared_catalogue {
            c.env("ANJUAN_CATALOGUE", url);
        }
        c
    }
    /// Everything the catalogue holds, as bytes: the SQLite file and its WAL,
    /// or PostgreSQL's dump of the database.
    pub fn catalogue_bytes(&self) -> Vec<u8> {
        match &self.shared_catalogue {
            None => {
                let mut bytes = std::fs::read(self.home().join("catalogue.sqlite")).unwrap();
                bytes.extend(
                    std::fs::read(self.home().join("catalogue.sqlite-wal")).unwrap_or_default(),
                );
                bytes
            }
            Some(url) => {
                let bin = anjuan::catalogue::scratch::server_bin().unwrap();
                let out = Command::new(bin.join("pg_dump")).arg(url).output().unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                assert!(!out.stdout.is_empty());
                out.stdout
            }
        }
    }

    pub fn catalogue(&self) -> anjuan::catalogue::Catalogue {
        std::fs::create_dir_all(self.home()).unwrap();
        anjuan::catalogue::Catalogue::open(self.open_home().catalogue()).unwrap()
    }
}

/// Runs a command; returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("the anjuan binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Renders the sample pages as JPEGs at `dpi` into `dir`; returns (paths, texts).
pub fn sample_pages(dir: &Path, dpi: u32) -> (Vec<PathBuf>, Vec<String>) {
    std::fs::create_dir_all(dir).unwrap();
    let pages = sample::render_volume(RenderOptions {
        dpi,
        ..Default::default()
    })
    .unwrap();
    let mut paths = Vec::new();
    let mut texts = Vec::new();
    for p in pages {
        let path = dir.join(&p.file_name);
        std::fs::write(&path, &p.jpeg).unwrap();
        paths.push(path);
        texts.push(p.text);
    }
    (paths, texts)
}

/// A small grey page with a distinctive width (the fake OCR engine can fail on it).
pub fn plain_jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = GrayImage::from_fn(width, height, |x, y| {
        Luma([if (x / 7 + y / 5) % 9 == 0 { 40 } else { 235 }])
    });
    encode_jpeg(&DynamicImage::ImageLuma8(img), 85, 300).unwrap()
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = GrayImage::from_fn(width, height, |x, _| Luma([(x % 256) as u8]));
    let mut out = Vec::new();
    DynamicImage::ImageLuma8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A PNG signature and header claiming `w × h` pixels, and no data.
pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    v.extend(13u32.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&ihdr);
    let crc = crc.sum();
    v.extend(ihdr);
    v.extend(crc.to_be_bytes());
    v
}

/// An uncompressed 1-bit TIFF (black bars on white), 300 dpi, written by hand.
pub fn bilevel_tiff(w: u32, h: u32) -> Vec<u8> {
    let stride = w.div_ceil(8) as usize;
    let mut data = vec![0u8; stride * h as usize]; // 0 = white (WhiteIsZero)
    for y in 0..h as usize {
        for x in 0..w as usize {
            if (y / 10) % 4 == 0 && x > 20 && x < w as usize - 20 {
                data[y * stride + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    let entries: Vec<(u16, u16, u32, u32)> = vec![
        (256, 4, 1, w),                 // ImageWidth
        (257, 4, 1, h),                 // ImageLength
        (258, 3, 1, 1),                 // BitsPerSample
        (259, 3, 1, 1),                 // Compression none
        (262, 3, 1, 0),                 // Photometric WhiteIsZero
        (273, 4, 1, 0),                 // StripOffsets (patched)
        (277, 3, 1, 1),                 // SamplesPerPixel
        (278, 4, 1, h),                 // RowsPerStrip
        (279, 4, 1, data.len() as u32), // StripByteCounts
        (282, 5, 1, 0),                 // XResolution (patched)
        (283, 5, 1, 0),                 // YResolution (patched)
        (296, 3, 1, 2),                 // ResolutionUnit inch
    ];
    let ifd_at = 8u32;
    let ifd_len = 2 + entries.len() as u32 * 12 + 4;
    let res_at = ifd_at + ifd_len;
    let data_at = res_at + 16;
    let mut out = b"II*\0".to_vec();
    out.extend(ifd_at.to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    for (tag, typ, count, value) in entries {
        let value = match tag {
            273 => data_at,
            282 => res_at,
            283 => res_at + 8,
            _ => value,
        };
        out.extend(tag.to_le_bytes());
        out.extend(typ.to_le_bytes());
        out.extend(count.to_le_bytes());
        if typ == 3 {
            out.extend((value as u16).to_le_bytes());
            out.extend([0, 0]);
        } else {
            out.extend(value.to_le_bytes());
        }
    }
    out.extend(0u32.to_le_bytes());
    for _ in 0..2 {
        out.extend(300u32.to_le_bytes());
        out.extend(1u32.to_le_bytes());
    }
    out.extend(data);
    out
}

/// Two bi-level pages in one CCITT G4 TIFF, made with libtiff's `tiffcp`.
pub fn g4_multipage_tiff(dir: &Path) -> PathBuf {
    let a = dir.join("a-raw.tif");
    let b = dir.join("b-raw.tif");
    std::fs::write(&a, bilevel_tiff(400, 300)).unwrap();
    std::fs::write(&b, bilevel_tiff(320, 240)).unwrap();
    let out = dir.join("g4-two-pages.tif");
    let status = Command::new("tiffcp")
        .args(["-c", "g4"])
        .arg(&a)
        .arg(&b)
        .arg(&out)
        .status()
        .expect("tiffcp (libtiff-tools, installed by `make setup`)");
    assert!(status.success());
    std::fs::remove_file(a).unwrap();
    std::fs::remove_file(b).unwrap();
    out
}

/// A born-digital PDF page: real text in a standard font, no image.
pub fn born_digital_pdf(text: &str) -> Vec<u8> {
    use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
    let mut pdf = Pdf::new();
    let (cat, pages, page, font, content) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
    );
    pdf.catalog(cat).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    p.parent(pages);
    p.contents(content);
    p.resources().fonts().pair(Name(b"F1"), font);
    p.finish();
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    let mut c = Content::new();
    c.begin_text();
    c.set_font(Name(b"F1"), 14.0);
    c.next_line(72.0, 760.0);
    c.show(Str(text.as_bytes()));
    c.end_text();
    pdf.stream(content, &c.finish().into_vec());
    pdf.finish()
}

/// The same PDF encrypted with a user password, by qpdf.
pub fn encrypted_pdf(dir: &Path) -> PathBuf {
    let plain = dir.join("plain-for-encryption.pdf");
    std::fs::write(
        &plain,
        born_digital_pdf("secret case file text for encryption"),
    )
    .unwrap();
    let out = dir.join("encrypted.pdf");
    let status = Command::new("qpdf")
        .args(["--encrypt", "user-pw", "owner-pw", "256", "--"])
        .arg(&plain)
        .arg(&out)
        .status()
        .expect("qpdf (installed by `make setup`)");
    assert!(status.success());
    std::fs::remove_file(plain).unwrap();
    out
}

/// True when a space stands between two Chinese characters (OCR must not leave any).
pub fn has_space_between_cjk(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    c.windows(3)
        .any(|w| anjuan::ocr::text::is_cjk(w[0]) && w[1] == ' ' && anjuan::ocr::text::is_cjk(w[2]))
}

/// The text `pdftotext` reads from a PDF, without spaces and line breaks.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, make setup)");
    String::from_utf8_lossy(&out.stdout).replace([' ', '\n'], "")
}

/// Exports a volume with the CLI and returns the text `pdftotext` reads from its PDF.
pub fn export_pdf_text(t: &TestHome, vid: &str) -> (PathBuf, String) {
    let out_dir = t.path("export");
    let (code, _, err) = run(t
        .cli()
        .args(["export", "--volume", vid, "--out"])
        .arg(&out_dir));
    assert_eq!(code, 0, "{err}");
    let pdf = out_dir.join(format!("{vid}.pdf"));
    let out = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, make setup)");
    (pdf, String::from_utf8(out.stdout).unwrap())
}

/// A volume of plain grey pages, one per width (`N.jpg`), imported; its id.
pub fn plain_volume(t: &TestHome, widths: &[u32]) -> String {
    let dir = t.path("scans");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, w) in widths.iter().enumerate() {
        std::fs::write(dir.join(format!("{}.jpg", i + 1)), plain_jpeg(*w, 400)).unwrap();
    }
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    out.trim().to_string()
}

/// Processes every pending page with the fake engine reading `text` on each.
pub fn process_fake(t: &TestHome, text: &str) {
    let (code, _, err) = run(t
        .cli()
        .args(["process", "--engine", "fake"])
        .env("ANJUAN_FAKE_OCR", format!("text={text}")));
    assert_eq!(code, 0, "{err}");
}
