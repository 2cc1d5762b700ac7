//! Leases: how the workers of a room share the pages to process without
//! stepping on each other. A worker takes pages with a lease (its name and an
//! expiry), renews it while it works (a heartbeat), and commits a page only
//! while it still holds it. A worker killed with `kill -9` stops renewing;
//! when its leases run out, the pages go to whoever asks next. On PostgreSQL
//! the pages are taken with `FOR UPDATE SKIP LOCKED`, so two workers asking at
//! once get different pages without waiting for each other.
//!
//! Expiry times are the catalogue's UTC timestamps compared as text (one
//! format, so text order is time order); the room's machines keep their clocks
//! in step (NTP), as any shared system needs.

use std::time::Duration;

use anyhow::Result;

use super::Catalogue;
use super::db::{args, now};

/// One worker's hold on the pages it processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    owner: String,
    ttl: Duration,
}

/// How long a lease lasts without renewal: `ANJUAN_LEASE_SECS`, default 60 s.
pub fn lease_ttl() -> Duration {
    let secs = std::env::var("ANJUAN_LEASE_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|&s| s > 0)
        .unwrap_or(60);
    Duration::from_secs(secs)
}

impl Lease {
    /// A lease for this process: host, process id and a random part, so no two
    /// workers of a room share a name.
    pub fn for_this_process() -> Lease {
        let host = whoami::fallible::hostname().unwrap_or_else(|_| "host".into());
        Lease {
            owner: format!(
                "{host}:{}:{:08x}",
                std::process::id(),
                rand::random::<u32>()
            ),
            ttl: lease_ttl(),
        }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// How often to renew: a third of the lease, so one late heartbeat is not
    /// yet a lost lease.
    pub fn heartbeat(&self) -> Duration {
        self.ttl / 3
    }

    /// When a lease taken or renewed now runs out.
    pub fn until(&self) -> String {
        let until = chrono::Utc::now() + chrono::Duration::from_std(self.ttl).unwrap_or_default();
        crate::model::time::utc_millis(until)
    }
}

impl Catalogue {
    /// Takes up to `n` pages to process for `lease`, in volume and scan order:
    /// new ones (failed ones too with `retry_failed`) and those whose lease ran
    /// out. Pages another worker is taking at this moment are skipped, not
    /// waited for.
    pub fn claim_next(
        &self,
        lease: &Lease,
        n: usize,
        volume_id: Option<&str>,
        retry_failed: bool,
    ) -> Result<Vec<i64>> {
        let states = if retry_failed {
            "('imported','failed')"
        } else {
            "('imported')"
        };
        // SQLite's write transaction already holds the whole database.
        let skip_locked = if self.conn.is_postgres() {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let tx = self.conn.transaction()?;
        let ids: Vec<i64> = tx.query_map(
            &format!(
                "SELECT id FROM pages
                 WHERE (state IN {states}
                        OR (state = 'processing' AND (lease_until IS NULL OR lease_until < ?1)))
                   AND (CAST(?2 AS TEXT) IS NULL OR volume_id = ?2)
                 ORDER BY volume_id, seq LIMIT ?3{skip_locked}"
            ),
            args![now(), volume_id, n as i64],
            |r| r.get(0),
        )?;
        for id in &ids {
            tx.execute(
                "UPDATE pages SET state = 'processing', error = NULL, lease_owner = ?2, lease_until = ?3
                 WHERE id = ?1",
                args![id, lease.owner(), lease.until()],
            )?;
        }
        tx.commit()?;
        Ok(ids)
    }

    /// The heartbeat: every page `lease` holds gets a new expiry. The number of
    /// pages still held.
    pub fn renew_lease(&self, lease: &Lease) -> Result<usize> {
        self.conn.execute(
            "UPDATE pages SET lease_until = ?2 WHERE lease_owner = ?1 AND state = 'processing'",
            args![lease.owner(), lease.until()],
        )
    }

    /// The pages being processed now and who holds each: (page id, worker).
    pub fn leased_pages(&self) -> Result<Vec<(i64, String)>> {
        self.conn.query_map(
            "SELECT id, lease_owner FROM pages WHERE state = 'processing' AND lease_owner IS NOT NULL
             ORDER BY id",
            args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Pages not yet through (new, or being processed by someone, whatever
    /// their lease): a worker told to stop when idle waits while there are any.
    pub fn pages_in_flight(&self, volume_id: Option<&str>) -> Result<usize> {
        self.conn.query_row(
            "SELECT COUNT(*) FROM pages WHERE state IN ('imported', 'processing')
               AND (CAST(?1 AS TEXT) IS NULL OR volume_id = ?1)",
            args![volume_id],
            |r| r.get(0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{MasterRecord, NewPage, PageResult};
    use crate::model::{ColorMode, TextOrigin};

    fn lease(owner: &str, secs: u64) -> Lease {
        Lease {
            owner: owner.into(),
            ttl: Duration::from_secs(secs),
        }
    }

    fn result(text: &str) -> PageResult {
        PageResult {
            image_key: "k".into(),
            image_ext: "png".into(),
            width: 10,
            height: 10,
            rotation: 0,
            skew_deg: None,
            blank: false,
            imaging: Default::default(),
            flags: vec![],
            text_origin: TextOrigin::Ocr,
            text: text.into(),
            lines: vec![],
            ocr_confidence: None,
            ocr_engine: "fake".into(),
        }
    }

    fn three_pages(cat: &mut Catalogue) -> String {
        let v = cat.create_volume(None, "v").unwrap();
        cat.put_master(&MasterRecord {
            sha256: "m".into(),
            ext: "png".into(),
            format: "png".into(),
            size: 1,
            original_name: "m.png".into(),
            page_count: 3,
        })
        .unwrap();
        for p in 1..=3 {
            let page = NewPage {
                master_sha256: "m".into(),
                source_name: "m.png".into(),
                source_page: p,
                width: 10,
                height: 10,
                dpi: None,
                color_mode: ColorMode::Gray,
                born_digital: None,
                always_new: false,
            };
            cat.add_page(&v, &page).unwrap();
        }
        v
    }

    #[test]
    fn workers_take_different_pages_and_a_lapsed_lease_is_taken_over_once() {
        for scratch in crate::catalogue::testing::each_engine() {
            let mut cat = scratch.open();
            three_pages(&mut cat);
            let (a, b) = (lease("a", 60), lease("b", 60));
            let mine = cat.claim_next(&a, 2, None, false).unwrap();
            let theirs = cat.claim_next(&b, 2, None, false).unwrap();
            assert_eq!(mine.len(), 2);
            assert_eq!(theirs.len(), 1);
            assert!(!mine.contains(&theirs[0]));
            assert!(cat.claim_next(&b, 2, None, false).unwrap().is_empty());
            assert_eq!(cat.pages_in_flight(None).unwrap(), 3);

            // a dies: its leases lapse (moved into the past here), b takes
            // the pages over and commits them; a's late commit is refused.
            cat.conn
                .execute(
                    "UPDATE pages SET lease_until = '2000-01-01T00:00:00.000Z' WHERE lease_owner = 'a'",
                    args![],
                )
                .unwrap();
            assert_eq!(cat.renew_lease(&b).unwrap(), 1);
            let taken = cat.claim_next(&b, 5, None, false).unwrap();
            assert_eq!(taken, mine);
            assert!(cat.commit_page(mine[0], &result("b's"), &b).unwrap());
            assert!(!cat.commit_page(mine[0], &result("a's"), &a).unwrap());
            assert!(!cat.fail_page(mine[1], "a's error", &a).unwrap());
            assert_eq!(cat.page(mine[0]).unwrap().text.as_deref(), Some("b's"));
            assert_eq!(cat.renew_lease(&a).unwrap(), 0);
            // A page claimed one by one (the `process` command's way) too.
            assert!(!cat.claim_page(theirs[0], &a).unwrap());
            cat.release_page(theirs[0], &b).unwrap();
            assert!(cat.claim_page(theirs[0], &a).unwrap());
        }
    }
}
