//! Page images for the UI: thumbnails and the viewer's full page, decoded on
//! background threads and turned into textures on the UI thread.
//!
//! Thumbnails are cached in the store as derivatives (keyed by master and page),
//! so a volume of hundreds of pages opens quickly the second time.

use std::collections::{HashMap, HashSet};

use crossbeam_channel::{Receiver, Sender};
use image::DynamicImage;

use crate::capture::decode_master_page;
use crate::catalogue::PageRow;
use crate::store::{Store, derivative_key};

pub const THUMB_HEIGHT: u32 = 200;
/// Longest side of the viewer's texture (GPU limits and memory).
pub const FULL_MAX_SIDE: u32 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Thumb,
    Full,
}

struct Request {
    page_id: i64,
    kind: Kind,
    row: PageRow,
}

struct Loaded {
    page_id: i64,
    kind: Kind,
    image: Result<egui::ColorImage, String>,
}

pub struct ImageCache {
    thumbs: HashMap<i64, egui::TextureHandle>,
    full: Option<(i64, egui::TextureHandle)>,
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

fn load(store: &Store, row: &PageRow, kind: Kind) -> anyhow::Result<DynamicImage> {
    match kind {
        Kind::Thumb => {
            let key = derivative_key(&[
                "thumb",
                &row.master_sha256,
                &row.source_page.to_string(),
                "1",
            ]);
            let path = store.derived_path(&key, "jpg");
            if let Ok(img) = image::open(&path) {
                return Ok(img);
            }
            let master = store.read_master(&row.master_sha256, &row.master_ext)?;
            // PDFs render straight at thumbnail size; rasters decode then shrink.
            let dpi = row
                .dpi
                .map(|d| (d * THUMB_HEIGHT / row.height.max(1)).max(10));
            let dpi = if row.master_ext == "pdf" {
                dpi
            } else {
                row.dpi
            };
            let img = decode_master_page(&master, &row.master_ext, row.source_page, dpi)?;
            let thumb = img.thumbnail(THUMB_HEIGHT * 2, THUMB_HEIGHT);
            let jpg = crate::capture::raster::encode_jpeg(&thumb, 80, 72)?;
            let _ = store.put_derived(&key, "jpg", &jpg);
            Ok(thumb)
        }
        Kind::Full => {
            let img = match (&row.image_key, &row.image_ext) {
                (Some(k), Some(e)) if store.derived_path(k, e).exists() => {
                    image::open(store.derived_path(k, e))?
                }
                _ => {
                    let master = store.read_master(&row.master_sha256, &row.master_ext)?;
                    decode_master_page(&master, &row.master_ext, row.source_page, row.dpi)?
                }
            };
            Ok(if img.width().max(img.height()) > FULL_MAX_SIDE {
                img.thumbnail(FULL_MAX_SIDE, FULL_MAX_SIDE)
            } else {
                img
            })
        }
    }
}

fn loader(store: Store, rx: Receiver<Request>, tx: Sender<Loaded>, egui: egui::Context) {
    for req in rx {
        let image = load(&store, &req.row, req.kind)
            .map(|i| to_color_image(&i))
            .map_err(|e| format!("{e:#}"));
        if tx
            .send(Loaded {
                page_id: req.page_id,
                kind: req.kind,
                image,
            })
            .is_err()
        {
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
                    let tex = ctx.load_texture(
                        format!("{:?}-{}", l.kind, l.page_id),
                        img,
                        egui::TextureOptions::LINEAR,
                    );
                    match l.kind {
                        Kind::Thumb => {
                            self.thumbs.insert(l.page_id, tex);
                        }
                        Kind::Full => self.full = Some((l.page_id, tex)),
                    }
                }
                Err(e) => {
                    self.failed.insert((l.page_id, l.kind), e);
                }
            }
        }
    }

    fn request(&mut self, row: &PageRow, kind: Kind) {
        let key = (row.id, kind);
        if self.pending.contains(&key) || self.failed.contains_key(&key) {
            return;
        }
        self.pending.insert(key);
        let tx = if kind == Kind::Thumb {
            &self.thumb_tx
        } else {
            &self.full_tx
        };
        let _ = tx.send(Request {
            page_id: row.id,
            kind,
            row: row.clone(),
        });
    }

    pub fn thumb(&mut self, row: &PageRow) -> Option<&egui::TextureHandle> {
        if !self.thumbs.contains_key(&row.id) {
            self.request(row, Kind::Thumb);
        }
        self.thumbs.get(&row.id)
    }

    pub fn full(&mut self, row: &PageRow) -> Option<&egui::TextureHandle> {
        match &self.full {
            Some((id, _)) if *id == row.id => {}
            _ => self.request(row, Kind::Full),
        }
        self.full
            .as_ref()
            .filter(|(id, _)| *id == row.id)
            .map(|(_, t)| t)
    }

    pub fn error(&self, page_id: i64, kind: Kind) -> Option<&str> {
        self.failed.get(&(page_id, kind)).map(String::as_str)
    }

    /// Forgets a page's images (after it was processed anew).
    pub fn invalidate(&mut self, page_id: i64) {
        self.failed.retain(|(id, _), _| *id != page_id);
        if self.full.as_ref().is_some_and(|(id, _)| *id == page_id) {
            self.full = None;
        }
    }
}
