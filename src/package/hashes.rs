//! SHA-256 and SM3 (GB/T 32905-2016) of every file, computed in one pass.

use sha2::{Digest, Sha256};
use sm3::Sm3;

/// Both digests (lower-case hex) and the byte count of one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub sha256: String,
    pub sm3: String,
    pub bytes: u64,
}

#[derive(Default, Clone)]
pub struct DualHasher {
    sha256: Sha256,
    sm3: Sm3,
    bytes: u64,
}

impl DualHasher {
    pub fn update(&mut self, data: &[u8]) {
        self.sha256.update(data);
        self.sm3.update(data);
        self.bytes += data.len() as u64;
    }
    pub fn finish(self) -> Digests {
        Digests {
            sha256: hex::encode(self.sha256.finalize()),
            sm3: hex::encode(self.sm3.finalize()),
            bytes: self.bytes,
        }
    }
}

impl std::io::Write for DualHasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn digests(data: &[u8]) -> Digests {
    let mut h = DualHasher::default();
    h.update(data);
    h.finish()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_matches_the_gb_t_32905_vectors() {
        // GB/T 32905-2016, Appendix A, examples 1 and 2.
        assert_eq!(
            digests(b"abc").sm3,
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            digests(&b"abcd".repeat(16)).sm3,
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        assert_eq!(
            digests(b"abc").sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn streaming_equals_one_shot() {
        let mut h = DualHasher::default();
        h.update(b"ab");
        h.update(b"c");
        assert_eq!(h.finish(), digests(b"abc"));
    }
}
