//! Optional detached signature over a package's tag manifest (which lists the
//! manifests, which list every file): SM2 (GB/T 32918, distinguishing ID
//! `1234567812345678`) or Ed25519. Configured in `bureau.json` (`signing`); the key
//! file holds the 32-byte secret in hex (`anjuan keygen` makes one).

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::model::settings::BureauSettings;

/// Name of the signature tag file in the bag.
pub const SIGNATURE_FILE: &str = "signature.json";
/// The file the signature covers.
pub const SIGNED_FILE: &str = "tagmanifest-sha256.txt";
/// The default SM2 distinguishing identifier (GB/T 35276).
const SM2_ID: &str = "1234567812345678";

pub use crate::model::settings::{SigningAlgorithm, SigningSettings};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SignatureFile {
    algorithm: SigningAlgorithm,
    signed_file: String,
    /// Hex: SEC1 uncompressed point (SM2) or the 32-byte key (Ed25519).
    public_key: String,
    signature: String,
}

pub struct Signer {
    algorithm: SigningAlgorithm,
    secret: [u8; 32],
}

fn read_secret(path: &Path) -> Result<[u8; 32]> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the signing key {}", path.display()))?;
    let bytes =
        hex::decode(text.trim()).with_context(|| format!("{} is not a hex key", path.display()))?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("{} must hold 32 bytes in hex", path.display()))
}

impl Signer {
    pub fn from_settings(settings: &BureauSettings) -> Result<Option<Signer>> {
        let Some(s) = &settings.signing else {
            return Ok(None);
        };
        Ok(Some(Signer {
            algorithm: s.algorithm,
            secret: read_secret(&s.key_file)?,
        }))
    }

    pub fn public_key(&self) -> Result<String> {
        Ok(match self.algorithm {
            SigningAlgorithm::Ed25519 => hex::encode(
                ed25519_dalek::SigningKey::from_bytes(&self.secret)
                    .verifying_key()
                    .to_bytes(),
            ),
            SigningAlgorithm::Sm2 => {
                let key = sm2::dsa::SigningKey::from_slice(SM2_ID, &self.secret)
                    .map_err(|e| anyhow::anyhow!("bad SM2 key: {e}"))?;
                hex::encode(key.verifying_key().to_sec1_bytes())
            }
        })
    }

    /// The signature file's bytes for `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let signature = match self.algorithm {
            SigningAlgorithm::Ed25519 => {
                use ed25519_dalek::Signer as _;
                hex::encode(
                    ed25519_dalek::SigningKey::from_bytes(&self.secret)
                        .sign(message)
                        .to_bytes(),
                )
            }
            SigningAlgorithm::Sm2 => {
                use sm2::dsa::signature::Signer as _;
                let key = sm2::dsa::SigningKey::from_slice(SM2_ID, &self.secret)
                    .map_err(|e| anyhow::anyhow!("bad SM2 key: {e}"))?;
                let sig: sm2::dsa::Signature = key
                    .try_sign(message)
                    .map_err(|e| anyhow::anyhow!("SM2 signing failed: {e}"))?;
                hex::encode(sig.to_bytes())
            }
        };
        let file = SignatureFile {
            algorithm: self.algorithm,
            signed_file: SIGNED_FILE.into(),
            public_key: self.public_key()?,
            signature,
        };
        Ok(serde_json::to_vec_pretty(&file)?)
    }
}

/// Checks a signature file against the signed bytes; returns who signed (the
/// algorithm and the public key's head) or why it fails.
pub fn verify_signature(file: &[u8], signed: &[u8]) -> Result<String, String> {
    let f: SignatureFile = serde_json::from_slice(file).map_err(|e| format!("unreadable: {e}"))?;
    if f.signed_file != SIGNED_FILE {
        return Err(format!("signs {:?}, not {SIGNED_FILE}", f.signed_file));
    }
    let key = hex::decode(&f.public_key).map_err(|_| "public key is not hex".to_string())?;
    let sig = hex::decode(&f.signature).map_err(|_| "signature is not hex".to_string())?;
    match f.algorithm {
        SigningAlgorithm::Ed25519 => {
            use ed25519_dalek::Verifier as _;
            let key: [u8; 32] = key
                .try_into()
                .map_err(|_| "Ed25519 key must be 32 bytes".to_string())?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|e| e.to_string())?;
            let sig = ed25519_dalek::Signature::from_slice(&sig).map_err(|e| e.to_string())?;
            key.verify(signed, &sig)
                .map_err(|_| "signature does not match".to_string())?;
        }
        SigningAlgorithm::Sm2 => {
            use sm2::dsa::signature::Verifier as _;
            let key =
                sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_ID, &key).map_err(|e| e.to_string())?;
            let sig = sm2::dsa::Signature::from_slice(&sig).map_err(|e| e.to_string())?;
            key.verify(signed, &sig)
                .map_err(|_| "signature does not match".to_string())?;
        }
    }
    Ok(format!(
        "{} {}…",
        f.algorithm,
        &f.public_key[..16.min(f.public_key.len())]
    ))
}

/// Makes a new secret key file (mode 0600) and returns its public key.
pub fn keygen(algorithm: SigningAlgorithm, out: &Path) -> Result<String> {
    if out.exists() {
        bail!("{} exists; refusing to overwrite a key", out.display());
    }
    let mut secret = [0u8; 32];
    loop {
        rand::fill(&mut secret);
        // An SM2 secret must be a non-zero scalar below the group order.
        if algorithm != SigningAlgorithm::Sm2
            || sm2::dsa::SigningKey::from_slice(SM2_ID, &secret).is_ok()
        {
            break;
        }
    }
    let signer = Signer { algorithm, secret };
    let public = signer.public_key()?;
    crate::fsutil::write_atomic(out, format!("{}\n", hex::encode(secret)).as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(public)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_algorithms_sign_and_catch_a_change() {
        for algorithm in [SigningAlgorithm::Sm2, SigningAlgorithm::Ed25519] {
            let signer = Signer {
                algorithm,
                secret: [7u8; 32],
            };
            let file = signer.sign(b"manifest").unwrap();
            assert!(verify_signature(&file, b"manifest").is_ok(), "{algorithm}");
            assert!(verify_signature(&file, b"manifesT").is_err(), "{algorithm}");
            // A signature made with another key does not verify under this one.
            let other = Signer {
                algorithm,
                secret: [9u8; 32],
            }
            .sign(b"manifest")
            .unwrap();
            let mut mixed: serde_json::Value = serde_json::from_slice(&file).unwrap();
            let other: serde_json::Value = serde_json::from_slice(&other).unwrap();
            mixed["signature"] = other["signature"].clone();
            assert!(verify_signature(&serde_json::to_vec(&mixed).unwrap(), b"manifest").is_err());
        }
    }
}
