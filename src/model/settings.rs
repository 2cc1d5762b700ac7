//! The bureau's settings (`bureau.json` in the home): what every stage may read,
//! none owns. Checking them against the 档号 rules is indexing's business
//! ([`crate::indexing::archival`]).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The bureau's archive settings (`bureau.json` in the workspace, defaults in
/// `assets/indexing/bureau.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BureauSettings {
    pub fonds_code: Option<String>,
    pub category_code: String,
    pub retention: String,
    pub archival_code_template: String,
    /// Sign packages (SM2 or Ed25519) when set.
    #[serde(default)]
    pub signing: Option<SigningSettings>,
    /// Pack a volume only with a current approval of 质检 (approved after its
    /// last change). A bureau without a review step turns it off.
    #[serde(default = "approval_required_by_default")]
    pub require_approval: bool,
    /// Pack a volume only when its decisive fields were keyed twice (一稿双录)
    /// and every disagreement was settled.
    #[serde(default)]
    pub require_double_entry: bool,
    /// The bureau's own codes for the 双公示 table.
    #[serde(default)]
    pub publicity: PublicitySettings,
    /// Where packages are uploaded (the platform's object storage).
    #[serde(default)]
    pub upload: UploadSettings,
    /// Who may take over a stage of a volume another clerk holds (a room's
    /// supervisors, by operator name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supervisors: Vec<String>,
}

/// The platform's object storage (S3-compatible). Credentials are never kept
/// here: they come from the environment (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`) or from the file `credentials_file` names.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct UploadSettings {
    /// `s3://BUCKET/PREFIX` the 打包 screen uploads to (the CLI takes `--to`).
    #[serde(default)]
    pub target: Option<String>,
    /// The server, e.g. `https://s3.example.gov.cn` (`AWS_ENDPOINT_URL` wins).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// `AWS_REGION` wins; default `us-east-1`.
    #[serde(default)]
    pub region: Option<String>,
    /// A file with `aws_access_key_id = …` and `aws_secret_access_key = …`
    /// lines (the AWS credentials format), readable by the clerk only.
    #[serde(default)]
    pub credentials_file: Option<std::path::PathBuf>,
    /// Parts of a multipart upload, MiB (S3 takes at least 5); default 16.
    #[serde(default)]
    pub part_size_mib: Option<u32>,
}

/// What the 双公示 table needs of the bureau itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PublicitySettings {
    /// 处罚机关统一社会信用代码.
    #[serde(default)]
    pub agency_credit_code: Option<String>,
    /// 数据来源单位 (default: the 处罚机关).
    #[serde(default)]
    pub source_unit: Option<String>,
    /// 数据来源单位统一社会信用代码 (default: the 处罚机关's).
    #[serde(default)]
    pub source_unit_credit_code: Option<String>,
}

fn approval_required_by_default() -> bool {
    true
}

impl Default for BureauSettings {
    fn default() -> Self {
        serde_json::from_str(include_str!("../../assets/indexing/bureau.json"))
            .expect("assets/indexing/bureau.json is valid")
    }
}

impl BureauSettings {
    /// What indexing reads of the settings (the 档号's parts), for the index's
    /// fingerprint: a change of anything else (signing, the review gate) must not
    /// make every volume's index, and so every approval, out of date.
    pub fn indexing_inputs(&self) -> serde_json::Value {
        serde_json::json!({
            "fonds_code": self.fonds_code,
            "category_code": self.category_code,
            "retention": self.retention,
            "archival_code_template": self.archival_code_template,
        })
    }

    /// The workspace's settings, or the defaults when it has none.
    pub fn load(path: &Path) -> Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not valid bureau settings", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

crate::word_enum! {
    /// Signature of packages: SM2 (GB/T 32918, the State's choice) or Ed25519.
    #[derive(clap::ValueEnum)]
    pub enum SigningAlgorithm {
        Sm2 = "sm2",
        Ed25519 = "ed25519",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningSettings {
    pub algorithm: SigningAlgorithm,
    pub key_file: PathBuf,
}
