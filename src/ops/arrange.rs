//! Rearranging a volume's pages: move, remove to the trash, restore from it, add
//! a file's pages (appended, before a page, or in place of one). Masters are
//! never touched; the clerk's decisions move with their pages; the index follows
//! the new order at once (new pages wait for `process`). One typed request, from
//! `anjuan arrange` and the 采集 screen alike.

use std::path::PathBuf;

use anyhow::{Result, bail};

use super::edit::arrange_then_reindex;
use crate::capture;
use crate::catalogue::{Catalogue, Placement};
use crate::home::Home;
use crate::store::Store;

/// What the clerk asked for (pages by their catalogue ids).
#[derive(Debug, Clone, PartialEq)]
pub enum Arrangement {
    /// Move these pages, in their order, before `before` (None: to the end).
    Move {
        pages: Vec<i64>,
        before: Option<i64>,
    },
    /// Into the volume's trash.
    Remove(Vec<i64>),
    /// Back from the trash to where they were (trash ids).
    Restore(Vec<i64>),
    /// A file's pages, placed as asked.
    Add { file: PathBuf, placement: Placement },
}

/// What came of it.
#[derive(Debug, Clone, PartialEq)]
pub enum Arranged {
    Moved(usize),
    Removed(usize),
    Restored(usize),
    Added(Vec<i64>),
}

/// Rearranges the volume, audited under `actor`, then re-indexes it.
pub fn arrange(
    home: &Home,
    catalogue: &mut Catalogue,
    volume: &str,
    arrangement: Arrangement,
    actor: &str,
) -> Result<Arranged> {
    if !catalogue.volume_exists(volume)? {
        bail!("no volume {volume} in {}", home.root().display());
    }
    arrange_then_reindex(home, catalogue, volume, |cat| {
        Ok(match arrangement {
            Arrangement::Move { pages, before } => {
                cat.move_pages(volume, &pages, before, actor)?;
                Arranged::Moved(pages.len())
            }
            Arrangement::Remove(pages) => {
                Arranged::Removed(cat.remove_pages(volume, &pages, actor)?)
            }
            Arrangement::Restore(trash_ids) => {
                Arranged::Restored(cat.restore_pages(volume, &trash_ids, actor)?)
            }
            Arrangement::Add { file, placement } => {
                let store = Store::new(home.store_dir());
                Arranged::Added(capture::add_file_at(
                    cat, &store, volume, &file, placement, actor,
                )?)
            }
        })
    })
}
