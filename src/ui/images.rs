//! Page images for the UI: thumbnails, the viewer's working image and the master
//! as scanned, decoded on background threads and turned into textures on the UI
//! thread.
//!
//! Thumbnails show the working image (turned, straightened) once a page is
//! processed, and are cached in the store as derivatives keyed by what they show,
//! so a volume of hundreds of pages opens quickly the second time.

use std::collections::{HashMap, HashSet};

use crossbeam_channel::{Receiver, Sender};
use image::DynamicImage;

use crate::capture::decode_master_page;
use crate::catalogue::PageRow;
use crate::store::{Store, derivative_key};

pub const THUMB_HEIGHT: u32 = 200;
/// Longest side of the viewer's sharp texture (GPU limits and memory).
pub const FULL_MAX_SIDE: u32 = 4096;
/// Longest side of the viewer's first texture of a page: sharp at any zoom that
/// shows the whole page on a screen, and a sixth of the sharp one's bytes to
/// upload, so stepping through pages stays smooth. Zooming in past it brings
/// the sharp one.
pub const PREVIEW_SIDE: u32 = 1600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Small picture of the working image (the master until processed).
    Thumb,
    /// Small picture of the master as scanned (before/after on the 采集 grid).
    OriginalThumb,
    /// The working image for the viewer.
    Full,
    /// The master as scanned (before/after in the viewer).
    Original,
}

struct Request {
    kind: Kind,
    row: PageRow,
    /// Longest side wanted (viewer pictures).
    side: u32,
}

struct Loaded {
    page_id: i64,
    kind: Kind,
    /// The working image the picture shows (None: the master).
    shows: Option<String>,
    side: u32,
    image: Result<egui::ColorImage, String>,
}

struct Texture {
    shows: Option<String>,
    handle: egui::TextureHandle,
}

pub struct ImageCache {
    thumbs: HashMap<(i64, Kind), Texture>,
    /// The one large picture in the viewer, and the longest side asked of it.
    full: Option<(i64, Kind, Texture, u32)>,
    failed: HashMap<(i64, Kind), String>,
    pending: HashSet<(i64, Kind)>,
    thumb_tx: Sender<Request>,
    full_tx: Sender<Request>,
    rx: Receiver<Loaded>,
}

fn to_color_image(img: &DynamicImage) -> egui::ColorImage {
    let rgba = img.to_rgba8();
    egui::ColorImage::from_rgba_unmultiplied(
        [rgba.width() as usize, rgba.height() as usize],
        rgba.as_raw(),
    )
}

/// The working image if the page has one, else the master page.
fn page_image(store: &Store, row: &PageRow, dpi: Option<u32>) -> anyhow::Result<DynamicImage> {
    if let (Some(k), Some(e)) = (&row.image_key, &row.image_ext) {
        let path = store.derived_path(k, e);
        if path.exists() {
            return Ok(image::open(path)?);
        }
    }
    let master = store.read_master(&row.master_sha256, &row.master_ext)?;
    decode_master_page(&master, &row.master_ext, row.source_page, dpi)
}

fn fit(img: DynamicImage, side: u32) -> DynamicImage {
    if img.width().max(img.height()) > side {
        img.resize(side, side, image::imageops::FilterType::Triangle)
    } else {
        img
    }
}

fn load(store: &Store, row: &PageRow, kind: Kind, side: u32) -> anyhow::Result<DynamicImage> {
    match kind {
        Kind::Thumb | Kind::OriginalThumb => {
            let working = if kind == Kind::Thumb {
                row.image_key.as_deref()
            } else {
                None
            };
            let source = working.unwrap_or(&row.master_sha256);
            let key = derivative_key(&["thumb", source, &row.source_page.to_string(), "1"]);
            let path = store.derived_path(&key, "jpg");
            if let Ok(img) = image::open(&path) {
                return Ok(img);
            }
            let picture = if working.is_some() {
                page_image(store, row, row.dpi)?
            } else {
                // A PDF page renders straight at thumbnail size.
                let dpi = if row.master_ext == "pdf" {
                    row.dpi
                        .map(|d| (d * THUMB_HEIGHT / row.height.max(1)).max(10))
                } else {
                    row.dpi
                };
                let master = store.read_master(&row.master_sha256, &row.master_ext)?;
                decode_master_page(&master, &row.master_ext, row.source_page, dpi)?
            };
            let thumb = picture.thumbnail(THUMB_HEIGHT * 2, THUMB_HEIGHT);
            let jpg = crate::capture::raster::encode_jpeg(&thumb, 80, 72)?;
            let _ = store.put_derived(&key, "jpg", &jpg);
            Ok(thumb)
        }
        Kind::Full => Ok(fit(page_image(store, row, row.dpi)?, side)),
        Kind::Original => {
            let master = store.read_master(&row.master_sha256, &row.master_ext)?;
            Ok(fit(
                decode_master_page(&master, &row.master_ext, row.source_page, row.dpi)?,
                side,
            ))
        }
    }
}

fn loader(store: Store, rx: Receiver<Request>, tx: Sender<Loaded>, egui: egui::Context) {
    for req in rx {
        let image = load(&store, &req.row, req.kind, req.side)
            .map(|i| to_color_image(&i))
            .map_err(|e| format!("{e:#}"));
        let shows = if matches!(req.kind, Kind::Original | Kind::OriginalThumb) {
            None
        } else {
            req.row.image_key.clone()
        };
        let loaded = Loaded {
            page_id: req.row.id,
            kind: req.kind,
            shows,
            side: req.side,
            image,
        };
        if tx.send(loaded).is_err() {
            break;
        }
        egui.request_repaint();
    }
}

impl ImageCache {
    pub fn new(store: Store, egui: &egui::Context) -> Self {
        let (thumb_tx, thumb_rx) = crossbeam_channel::unbounded();
        let (full_tx, full_rx) = crossbeam_channel::unbounded();
        let (tx, rx) = crossbeam_channel::unbounded();
        for (name, req_rx) in [("thumbs", thumb_rx), ("page-image", full_rx)] {
            let (store, tx, egui) = (store.clone(), tx.clone(), egui.clone());
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || loader(store, req_rx, tx, egui))
                .expect("spawning an image loader");
        }
        ImageCache {
            thumbs: HashMap::new(),
            full: None,
            failed: HashMap::new(),
            pending: HashSet::new(),
            thumb_tx,
            full_tx,
            rx,
        }
    }

    /// Turns finished decodes into textures; call once per frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        for l in self.rx.try_iter().collect::<Vec<_>>() {
            self.pending.remove(&(l.page_id, l.kind));
            match l.image {
                Ok(img) => {
                    let handle = ctx.load_texture(
                        format!("{:?}-{}", l.kind, l.page_id),
                        img,
                        egui::TextureOptions::LINEAR,
                    );
                    let tex = Texture {
                        shows: l.shows,
                        handle,
                    };
                    match l.kind {
                        Kind::Thumb | Kind::OriginalThumb => {
                            self.thumbs.insert((l.page_id, l.kind), tex);
                        }
                        kind => self.full = Some((l.page_id, kind, tex, l.side)),
                    }
                }
                Err(e) => {
                    self.failed.insert((l.page_id, l.kind), e);
                }
            }
        }
    }

    fn request(&mut self, row: &PageRow, kind: Kind, side: u32) {
        let key = (row.id, kind);
        if self.pending.contains(&key) || self.failed.contains_key(&key) {
            return;
        }
        self.pending.insert(key);
        let tx = if matches!(kind, Kind::Thumb | Kind::OriginalThumb) {
            &self.thumb_tx
        } else {
            &self.full_tx
        };
        let _ = tx.send(Request {
            kind,
            row: row.clone(),
            side,
        });
    }

    /// The page's thumbnail (working image, or the master as scanned when
    /// `original`); asks for a new one when the page's image changed.
    pub fn thumb(&mut self, row: &PageRow, original: bool) -> Option<&egui::TextureHandle> {
        let (kind, shows) = if original {
            (Kind::OriginalThumb, None)
        } else {
            (Kind::Thumb, row.image_key.clone())
        };
        if self
            .thumbs
            .get(&(row.id, kind))
            .is_none_or(|t| t.shows != shows)
        {
            self.request(row, kind, THUMB_HEIGHT * 2);
        }
        self.thumbs.get(&(row.id, kind)).map(|t| &t.handle)
    }

    /// The viewer's picture of a page: the working image, or the master
    /// (`original`). `sharp`: the page is zoomed in past what the picture holds,
    /// so a sharper one is asked for (the current one is shown meanwhile).
    pub fn full(
        &mut self,
        row: &PageRow,
        original: bool,
        sharp: bool,
    ) -> Option<&egui::TextureHandle> {
        let kind = if original { Kind::Original } else { Kind::Full };
        let current = |t: &Texture| kind == Kind::Original || t.shows == row.image_key;
        match &self.full {
            Some((id, k, t, side)) if *id == row.id && *k == kind && current(t) => {
                if sharp && *side < FULL_MAX_SIDE {
                    self.request(row, kind, FULL_MAX_SIDE);
                }
            }
            _ => self.request(row, kind, PREVIEW_SIDE),
        }
        self.full
            .as_ref()
            .filter(|(id, k, t, _)| *id == row.id && *k == kind && current(t))
            .map(|(_, _, t, _)| &t.handle)
    }

    /// The longest side of the viewer's picture held for a page, if any.
    pub fn full_side(&self, page_id: i64) -> Option<u32> {
        self.full
            .as_ref()
            .filter(|(id, ..)| *id == page_id)
            .map(|(_, _, t, _)| t.handle.size().into_iter().max().unwrap_or(0) as u32)
    }

    pub fn error(&self, page_id: i64, kind: Kind) -> Option<&str> {
        self.failed.get(&(page_id, kind)).map(String::as_str)
    }

    /// Forgets a page's failures (after it was processed anew).
    pub fn invalidate(&mut self, page_id: i64) {
        self.failed.retain(|(id, _), _| *id != page_id);
    }
}
