//! Uploads to the platform's object storage: the multipart uploads under way
//! (each part's ETag committed as it is sent, so a crash or a lost network
//! resumes at the next part) and the receipts of finished ones. No credential
//! is ever stored here.

use super::db::{OptionalExtension, args, now};
use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::{Catalogue, write_audit};

/// Where an object goes: the server, the bucket and the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectPlace {
    pub endpoint: String,
    pub bucket: String,
    pub key: String,
}

/// A multipart upload under way.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingUpload {
    pub id: i64,
    pub upload_id: String,
    pub part_size: u64,
    /// Parts sent, by number (from 1), with the ETag the server gave.
    pub parts: Vec<(u32, String)>,
}

/// What an upload leaves: where the package went and what it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadReceipt {
    pub volume_id: Option<String>,
    /// The package's file name.
    pub package: String,
    #[serde(flatten)]
    pub place: ObjectPlace,
    pub etag: Option<String>,
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
    /// False when the object was there already with the same SHA-256.
    pub sent: bool,
    pub by: String,
    pub at: String,
}

impl Catalogue {
    /// The multipart upload of these bytes (by SHA-256) to this place, if one is under way.
    pub fn pending_upload(
        &self,
        place: &ObjectPlace,
        sha256: &str,
    ) -> Result<Option<PendingUpload>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, upload_id, part_size, parts FROM uploads
                 WHERE endpoint = ?1 AND bucket = ?2 AND key = ?3 AND sha256 = ?4",
                args![place.endpoint, place.bucket, place.key, sha256],
                |r| {
                    Ok((
                        r.get::<i64>(0)?,
                        r.get::<String>(1)?,
                        r.get::<i64>(2)?,
                        r.get::<String>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, upload_id, part_size, parts)| {
            Ok(PendingUpload {
                id,
                upload_id,
                part_size: part_size as u64,
                parts: serde_json::from_str(&parts)?,
            })
        })
        .transpose()
    }

    /// Records a multipart upload the server has just begun.
    pub fn begin_upload(
        &self,
        place: &ObjectPlace,
        sha256: &str,
        size: u64,
        part_size: u64,
        upload_id: &str,
        actor: &str,
    ) -> Result<PendingUpload> {
        self.conn.execute(
            "INSERT INTO uploads(endpoint, bucket, key, sha256, size, part_size, upload_id, actor, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(endpoint, bucket, key, sha256) DO UPDATE SET
               part_size = ?6, upload_id = ?7, parts = '[]', actor = ?8, started_at = excluded.started_at",
            args![
                place.endpoint,
                place.bucket,
                place.key,
                sha256,
                size as i64,
                part_size as i64,
                upload_id,
                actor,
                now()
            ],
        )?;
        Ok(self
            .pending_upload(place, sha256)?
            .expect("the row just written"))
    }

    /// Adds one part sent (its number and the server's ETag) to the upload and
    /// commits it.
    pub fn record_part(&self, upload: &mut PendingUpload, part: u32, etag: &str) -> Result<()> {
        upload.parts.retain(|(n, _)| *n != part);
        upload.parts.push((part, etag.to_string()));
        upload.parts.sort();
        self.conn.execute(
            "UPDATE uploads SET parts = ?1 WHERE id = ?2",
            args![serde_json::to_string(&upload.parts)?, upload.id],
        )?;
        Ok(())
    }

    /// Forgets a multipart upload (completed, or gone from the server).
    pub fn end_upload(&self, upload_id: i64) -> Result<()> {
        self.conn
            .execute("DELETE FROM uploads WHERE id = ?1", args![upload_id])?;
        Ok(())
    }

    /// Keeps a receipt, audited.
    pub fn record_receipt(&self, r: &UploadReceipt) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO upload_receipts(volume_id, package, endpoint, bucket, key, etag, sha256, sm3,
               size, sent, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            args![
                r.volume_id,
                r.package,
                r.place.endpoint,
                r.place.bucket,
                r.place.key,
                r.etag,
                r.sha256,
                r.sm3,
                r.size as i64,
                r.sent,
                r.by,
                r.at
            ],
        )?;
        write_audit(
            &tx,
            &r.by,
            "upload",
            r.volume_id.as_deref(),
            &serde_json::json!({"package": r.package, "bucket": r.place.bucket, "key": r.place.key,
                                "sha256": r.sha256, "sent": r.sent})
            .to_string(),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every receipt, newest first.
    pub fn receipts(&self) -> Result<Vec<UploadReceipt>> {
        let mut st = self.conn.prepare(
            "SELECT volume_id, package, endpoint, bucket, key, etag, sha256, sm3, size, sent, actor, at
             FROM upload_receipts ORDER BY id DESC",
        )?;
        let rows = st.query_map(args![], |r| {
            Ok(UploadReceipt {
                volume_id: r.get(0)?,
                package: r.get(1)?,
                place: ObjectPlace {
                    endpoint: r.get(2)?,
                    bucket: r.get(3)?,
                    key: r.get(4)?,
                },
                etag: r.get(5)?,
                sha256: r.get(6)?,
                sm3: r.get(7)?,
                size: r.get::<i64>(8)? as u64,
                sent: r.get(9)?,
                by: r.get(10)?,
                at: r.get(11)?,
            })
        })?;
        rows.collect::<Result<_>>()
    }

    /// The volume whose package in the outbox has these bytes, if any.
    pub fn volume_of_package(&self, sha256: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT volume_id FROM packages WHERE sha256 = ?1",
                args![sha256],
                |r| r.get(0),
            )
            .optional()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_committed_one_by_one_and_a_receipt_is_kept() {
        for scratch in crate::catalogue::testing::each_engine() {
            parts_are_committed_on(scratch.open());
        }
    }

    fn parts_are_committed_on(cat: Catalogue) {
        let place = ObjectPlace {
            endpoint: "http://127.0.0.1:9".into(),
            bucket: "archive".into(),
            key: "in/a.zip".into(),
        };
        assert!(cat.pending_upload(&place, "ab").unwrap().is_none());
        let mut up = cat.begin_upload(&place, "ab", 30, 10, "u-1", "甲").unwrap();
        cat.record_part(&mut up, 1, "e1").unwrap();
        cat.record_part(&mut up, 2, "e2").unwrap();
        // What was committed is what a resumed run finds.
        assert_eq!(cat.pending_upload(&place, "ab").unwrap().unwrap(), up);
        assert_eq!(up.parts, vec![(1, "e1".into()), (2, "e2".into())]);
        assert_eq!((up.upload_id.as_str(), up.part_size), ("u-1", 10));
        // Begun again (the server lost it): the parts start over.
        let again = cat.begin_upload(&place, "ab", 30, 10, "u-2", "甲").unwrap();
        assert!(again.parts.is_empty());
        cat.end_upload(again.id).unwrap();
        assert!(cat.pending_upload(&place, "ab").unwrap().is_none());

        let receipt = UploadReceipt {
            volume_id: None,
            package: "a.zip".into(),
            place,
            etag: Some("\"x\"".into()),
            sha256: "ab".into(),
            sm3: "cd".into(),
            size: 30,
            sent: true,
            by: "甲".into(),
            at: "2026-12-03T00:00:00Z".into(),
        };
        cat.record_receipt(&receipt).unwrap();
        assert_eq!(cat.receipts().unwrap(), vec![receipt]);
    }
}
