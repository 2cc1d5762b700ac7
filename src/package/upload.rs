//! Upload of packages to the platform's object storage (S3-compatible, through
//! the `rust-s3` client, blocking).
//!
//! One package at a time: its SHA-256 and SM3 first; an object already at the
//! key with the same SHA-256 (kept as `x-amz-meta-sha256`) is not sent again;
//! a small package goes in one PUT, a large one in parts whose ETags the
//! catalogue keeps as they are sent, so a crash or a lost network resumes at
//! the next part; every request is retried with backoff; at the end a HEAD
//! checks size and checksum. Credentials come from the environment or a file
//! and are never written anywhere (they are not even `Debug`).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use s3::bucket::Bucket;
use s3::creds::Credentials;
use s3::error::S3Error;
use s3::region::Region;

use crate::catalogue::{Catalogue, ObjectPlace, UploadReceipt};
use crate::model::settings::UploadSettings;

/// Parts smaller than this are refused by S3 (except the last).
const MIN_PART: u64 = 5 * 1024 * 1024;
const DEFAULT_PART_MIB: u64 = 16;

/// `s3://BUCKET/PREFIX`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub bucket: String,
    /// Without leading or trailing `/`; may be empty.
    pub prefix: String,
}

impl Target {
    pub fn parse(s: &str) -> Result<Target> {
        let rest = s
            .strip_prefix("s3://")
            .with_context(|| format!("{s:?} is not s3://BUCKET/PREFIX"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !valid {
            bail!("{bucket:?} is not a bucket name (3–63 lower-case letters, digits, '-', '.')");
        }
        let prefix = prefix.trim_matches('/');
        if prefix.split('/').any(|p| p == ".." || p == ".") {
            bail!("{s:?}: a prefix has no '.' or '..' parts");
        }
        Ok(Target {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }

    /// The key of a file under the prefix.
    pub fn key(&self, file_name: &str) -> String {
        if self.prefix.is_empty() {
            file_name.to_string()
        } else {
            format!("{}/{file_name}", self.prefix)
        }
    }
}

/// The access key pair. Never printed, logged or stored.
pub struct Secret {
    pub access_key_id: String,
    secret_access_key: String,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({}, ***)", self.access_key_id)
    }
}

/// How to reach the server: from the environment, else the bureau's settings.
#[derive(Debug)]
pub struct Connection {
    pub endpoint: String,
    pub region: String,
    pub secret: Secret,
    pub part_size: u64,
}

impl Connection {
    /// `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` win over `bureau.json`'s `upload` (whose
    /// `credentials_file` holds the key pair).
    pub fn resolve(settings: &UploadSettings) -> Result<Connection> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let endpoint = env("AWS_ENDPOINT_URL")
            .or_else(|| settings.endpoint.clone())
            .context(
                "no object storage server: set `upload.endpoint` in bureau.json or AWS_ENDPOINT_URL",
            )?;
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            bail!("{endpoint:?} is not an http(s) address");
        }
        let region = env("AWS_REGION")
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .or_else(|| settings.region.clone())
            .unwrap_or_else(|| "us-east-1".into());
        let secret = match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(key)) => Secret {
                access_key_id: id,
                secret_access_key: key,
            },
            _ => match &settings.credentials_file {
                Some(path) => read_credentials(path)?,
                None => bail!(
                    "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or `upload.credentials_file` in bureau.json"
                ),
            },
        };
        // A tuning knob for tests and slow links: parts below S3's minimum are
        // only for servers that take them.
        let part_size = match env("ANJUAN_UPLOAD_PART_BYTES") {
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|b| *b >= 1024)
                .context("ANJUAN_UPLOAD_PART_BYTES is a number of bytes, at least 1024")?,
            None => {
                let mib = settings
                    .part_size_mib
                    .map_or(DEFAULT_PART_MIB, u64::from)
                    .max(MIN_PART / (1024 * 1024));
                mib * 1024 * 1024
            }
        };
        Ok(Connection {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            region,
            secret,
            part_size,
        })
    }

    fn bucket(&self, name: &str) -> Result<Box<Bucket>> {
        let region = Region::Custom {
            region: self.region.clone(),
            endpoint: self.endpoint.clone(),
        };
        let creds = Credentials::new(
            Some(&self.secret.access_key_id),
            Some(&self.secret.secret_access_key),
            None,
            None,
            None,
        )
        .map_err(|e| anyhow::anyhow!("credentials: {e}"))?;
        let bucket = Bucket::new(name, region, creds).map_err(s3_error)?;
        // Path-style (`endpoint/bucket/key`): what S3-compatible servers on a
        // bureau's own network serve without wildcard DNS.
        bucket
            .with_path_style()
            .with_request_timeout(Duration::from_secs(120))
            .map_err(s3_error)
    }
}

/// Reads `aws_access_key_id` and `aws_secret_access_key` from a credentials
/// file (`key = value` lines; sections and comments ignored).
fn read_credentials(path: &Path) -> Result<Secret> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the credentials file {}", path.display()))?;
    let mut id = None;
    let mut key = None;
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            match k.trim() {
                "aws_access_key_id" | "access_key_id" => id = Some(v.trim().to_string()),
                "aws_secret_access_key" | "secret_access_key" => key = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    match (id, key) {
        (Some(access_key_id), Some(secret_access_key)) => Ok(Secret {
            access_key_id,
            secret_access_key,
        }),
        _ => bail!(
            "{} has no aws_access_key_id and aws_secret_access_key lines",
            path.display()
        ),
    }
}

fn s3_error(e: S3Error) -> anyhow::Error {
    anyhow::anyhow!("{}", describe(&e))
}

/// The server's answer in words a clerk can act on (never the credentials).
fn describe(e: &S3Error) -> String {
    match e {
        S3Error::HttpFailWithBody(status, body) => {
            let code = between(body, "<Code>", "</Code>").unwrap_or_default();
            let message = between(body, "<Message>", "</Message>").unwrap_or_default();
            match (*status, code.as_str()) {
                // InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied …
                (401 | 403, _) => format!(
                    "the server refused the credentials or the access ({status} {code}: {message}); check the access key and its secret"
                ),
                (404, "NoSuchBucket") => format!("no such bucket on the server ({message})"),
                _ => format!("the server answered {status} {code} {message}")
                    .trim()
                    .to_string(),
            }
        }
        other => other.to_string(),
    }
}

fn between(s: &str, a: &str, b: &str) -> Option<String> {
    let start = s.find(a)? + a.len();
    let end = s[start..].find(b)? + start;
    Some(s[start..end].to_string())
}

/// Whether trying again may help: the network or the server, not the request.
fn transient(e: &S3Error) -> bool {
    match e {
        S3Error::HttpFailWithBody(status, _) => *status >= 500 || *status == 429,
        S3Error::HttpFail => true,
        S3Error::Io(_) => true,
        S3Error::Atto(_) => true,
        _ => false,
    }
}

/// How hard to try, and how fast to send.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Attempts per request (at least 1); waits 1, 2, 4 … s between them.
    pub attempts: u32,
    /// Bytes per second at most (None: as fast as the link goes).
    pub limit_bytes_per_sec: Option<u64>,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            attempts: 5,
            limit_bytes_per_sec: None,
        }
    }
}

/// What happened to one package, for the caller's report.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Already on the server with the same SHA-256: nothing sent.
    AlreadyThere,
    /// Resuming a multipart upload: `done` of `parts` were sent before.
    Resuming { done: u32, parts: u32 },
    /// One part (or the single PUT, as part 1 of 1) is on the server.
    PartSent { part: u32, parts: u32 },
    /// A request failed and is tried again after `wait`.
    Retrying {
        attempt: u32,
        wait: Duration,
        error: String,
    },
}

/// One uploader: a connection and a pace, used for many packages.
pub struct Uploader<'a> {
    pub connection: &'a Connection,
    pub pace: Pace,
    pub actor: &'a str,
}

impl Uploader<'_> {
    fn with_retry<T>(
        &self,
        on_step: &mut dyn FnMut(Step),
        mut call: impl FnMut() -> std::result::Result<T, S3Error>,
    ) -> Result<T> {
        let mut attempt = 1;
        loop {
            match call() {
                Ok(v) => return Ok(v),
                Err(e) if transient(&e) && attempt < self.pace.attempts.max(1) => {
                    let wait = Duration::from_secs(1 << (attempt - 1).min(5));
                    on_step(Step::Retrying {
                        attempt,
                        wait,
                        error: describe(&e),
                    });
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Err(e) => return Err(s3_error(e)),
            }
        }
    }

    /// Uploads one package (its file name under the target's prefix) and
    /// returns the receipt, which the caller keeps.
    pub fn upload(
        &self,
        catalogue: &Catalogue,
        path: &Path,
        target: &Target,
        cancel: &dyn Fn() -> bool,
        on_step: &mut dyn FnMut(Step),
    ) -> Result<UploadReceipt> {
        // No retries inside the client: ours wait longer and say so.
        s3::set_retries(0);
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .with_context(|| format!("{} has no file name", path.display()))?
            .to_string();
        let digests = {
            let mut h = super::hashes::DualHasher::default();
            let mut f = std::fs::File::open(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            std::io::copy(&mut f, &mut h)?;
            h.finish()
        };
        let bucket = self.connection.bucket(&target.bucket)?;
        let place = ObjectPlace {
            endpoint: self.connection.endpoint.clone(),
            bucket: target.bucket.clone(),
            key: target.key(&name),
        };
        let receipt = |etag: Option<String>, sent: bool| UploadReceipt {
            volume_id: catalogue.volume_of_package(&digests.sha256).ok().flatten(),
            package: name.clone(),
            place: place.clone(),
            etag,
            sha256: digests.sha256.clone(),
            sm3: digests.sm3.clone(),
            size: digests.bytes,
            sent,
            by: self.actor.to_string(),
            at: crate::model::time::now_utc(),
        };

        if let Some(etag) =
            self.same_object(&bucket, &place.key, &digests.sha256, digests.bytes, on_step)?
        {
            on_step(Step::AlreadyThere);
            return Ok(receipt(Some(etag), false));
        }
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amz-meta-sha256", digests.sha256.parse()?);
        headers.insert("x-amz-meta-sm3", digests.sm3.parse()?);
        let part_size = self.connection.part_size;
        let mut file = std::fs::File::open(path)?;
        if digests.bytes <= part_size {
            let mut body = Vec::with_capacity(digests.bytes as usize);
            file.read_to_end(&mut body)?;
            let started = Instant::now();
            self.with_retry(on_step, || {
                bucket
                    .with_extra_headers(headers.clone())
                    .and_then(|b| {
                        b.put_object_with_content_type(&place.key, &body, "application/zip")
                    })
                    .and_then(ok_status)
            })?;
            self.throttle(started, body.len() as u64);
            on_step(Step::PartSent { part: 1, parts: 1 });
        } else {
            self.multipart(
                catalogue, &bucket, &place, &digests, headers, &mut file, cancel, on_step,
            )?;
        }
        // Checked after upload: the server's size and checksum are ours.
        match self.same_object(&bucket, &place.key, &digests.sha256, digests.bytes, on_step)? {
            Some(etag) => Ok(receipt(Some(etag), true)),
            None => bail!(
                "{}: after the upload the server does not hold these bytes (size or SHA-256 differ)",
                place.key
            ),
        }
    }

    /// The object's ETag when the server holds exactly these bytes (size and
    /// the SHA-256 kept with it), else None.
    fn same_object(
        &self,
        bucket: &Bucket,
        key: &str,
        sha256: &str,
        size: u64,
        on_step: &mut dyn FnMut(Step),
    ) -> Result<Option<String>> {
        let (head, status) = self.with_retry(on_step, || {
            let (head, status) = bucket.head_object(key)?;
            if status >= 500 || status == 429 {
                return Err(S3Error::HttpFailWithBody(status, String::new()));
            }
            Ok((head, status))
        })?;
        match status {
            404 => return Ok(None),
            401 | 403 => bail!(
                "the server refused the credentials or the access ({status}); check the access key and its secret"
            ),
            s if !(200..300).contains(&s) => bail!("the server answered {s} to HEAD {key}"),
            _ => {}
        }
        let theirs = head
            .metadata
            .as_ref()
            .and_then(|m| m.get("sha256"))
            .map(|s| s.to_ascii_lowercase());
        let same = head.content_length == Some(size as i64) && theirs.as_deref() == Some(sha256);
        Ok(same.then(|| head.e_tag.unwrap_or_default()))
    }

    #[allow(clippy::too_many_arguments)]
    fn multipart(
        &self,
        catalogue: &Catalogue,
        bucket: &Bucket,
        place: &ObjectPlace,
        digests: &super::hashes::Digests,
        headers: http::HeaderMap,
        file: &mut std::fs::File,
        cancel: &dyn Fn() -> bool,
        on_step: &mut dyn FnMut(Step),
    ) -> Result<()> {
        let mut upload = match catalogue.pending_upload(place, &digests.sha256)? {
            Some(u) => u,
            None => {
                let started = self.with_retry(on_step, || {
                    bucket
                        .with_extra_headers(headers.clone())?
                        .initiate_multipart_upload(&place.key, "application/zip")
                })?;
                catalogue.begin_upload(
                    place,
                    &digests.sha256,
                    digests.bytes,
                    self.connection.part_size,
                    &started.upload_id,
                    self.actor,
                )?
            }
        };
        let parts = digests.bytes.div_ceil(upload.part_size) as u32;
        if !upload.parts.is_empty() {
            on_step(Step::Resuming {
                done: upload.parts.len() as u32,
                parts,
            });
        }
        let mut chunk = vec![0u8; upload.part_size as usize];
        for part in 1..=parts {
            if upload.parts.iter().any(|(n, _)| *n == part) {
                continue;
            }
            if cancel() {
                bail!("cancelled; the parts sent are kept, `anjuan upload` again resumes");
            }
            let offset = u64::from(part - 1) * upload.part_size;
            let len = (digests.bytes - offset).min(upload.part_size) as usize;
            file.seek(SeekFrom::Start(offset))?;
            file.read_exact(&mut chunk[..len])?;
            let started = Instant::now();
            let sent = self.with_retry(on_step, || {
                bucket.put_multipart_chunk(
                    &chunk[..len],
                    &place.key,
                    part,
                    &upload.upload_id,
                    "application/zip",
                )
            });
            let sent = sent.map_err(|e| forget_if_gone(catalogue, upload.id, e))?;
            catalogue.record_part(&mut upload, part, &sent.etag)?;
            self.throttle(started, len as u64);
            on_step(Step::PartSent { part, parts });
        }
        let list: Vec<s3::serde_types::Part> = upload
            .parts
            .iter()
            .map(|(n, etag)| s3::serde_types::Part {
                part_number: *n,
                etag: etag.clone(),
            })
            .collect();
        self.with_retry(on_step, || {
            bucket
                .complete_multipart_upload(&place.key, &upload.upload_id, list.clone())
                .and_then(ok_status)
        })
        .map_err(|e| forget_if_gone(catalogue, upload.id, e))?;
        catalogue.end_upload(upload.id)?;
        Ok(())
    }

    /// Sleeps so that `bytes` sent since `since` keep to the rate limit.
    fn throttle(&self, since: Instant, bytes: u64) {
        if let Some(rate) = self.pace.limit_bytes_per_sec.filter(|r| *r > 0) {
            let due = Duration::from_secs_f64(bytes as f64 / rate as f64);
            if let Some(rest) = due.checked_sub(since.elapsed()) {
                std::thread::sleep(rest);
            }
        }
    }
}

/// A multipart upload the server no longer has (expired, aborted) is
/// forgotten here too, so that the next run begins it anew; other errors leave
/// it to be resumed.
fn forget_if_gone(catalogue: &Catalogue, upload_id: i64, e: anyhow::Error) -> anyhow::Error {
    if !e.to_string().contains("NoSuchUpload") {
        return e;
    }
    match catalogue.end_upload(upload_id) {
        Ok(()) => e.context(
            "the server no longer has the upload begun earlier; run `anjuan upload` again to begin anew",
        ),
        Err(forgetting) => forgetting.context(e.to_string()),
    }
}

/// A response below 300, else the server's error.
fn ok_status(
    r: s3::request::ResponseData,
) -> std::result::Result<s3::request::ResponseData, S3Error> {
    if r.status_code() >= 300 {
        Err(S3Error::HttpFailWithBody(
            r.status_code(),
            r.as_str().unwrap_or_default().to_string(),
        ))
    } else {
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_and_refused_with_the_reason() {
        let t = Target::parse("s3://archive/2026/batch-1/").unwrap();
        assert_eq!(
            (t.bucket.as_str(), t.prefix.as_str()),
            ("archive", "2026/batch-1")
        );
        assert_eq!(t.key("J001.zip"), "2026/batch-1/J001.zip");
        assert_eq!(Target::parse("s3://archive").unwrap().key("a.zip"), "a.zip");
        assert!(Target::parse("archive/x").is_err());
        assert!(Target::parse("s3://Ar").is_err());
        assert!(Target::parse("s3://archive/../x").is_err());
    }

    #[test]
    fn credentials_come_from_a_file_and_never_show() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(
            &file,
            "[default]\naws_access_key_id = GK123\naws_secret_access_key = very-secret\n",
        )
        .unwrap();
        let s = read_credentials(&file).unwrap();
        assert_eq!(s.access_key_id, "GK123");
        assert!(!format!("{s:?}").contains("very-secret"));
        std::fs::write(&file, "nothing here").unwrap();
        assert!(read_credentials(&file).is_err());
    }

    #[test]
    fn the_servers_refusal_is_said_in_words() {
        let body = "<Error><Code>InvalidAccessKeyId</Code><Message>bad key</Message></Error>";
        let said = describe(&S3Error::HttpFailWithBody(403, body.into()));
        assert!(said.contains("refused the credentials"), "{said}");
        assert!(!transient(&S3Error::HttpFailWithBody(403, body.into())));
        assert!(transient(&S3Error::HttpFailWithBody(503, String::new())));
    }
}
