//! Private notes sealed at rest with XChaCha20-Poly1305 under the server's `secret_key`
//! (configuration only, never in the database): a dump or a backup of the database does
//! not reveal them. Each note is bound to its place (series, meeting, author), so a sealed
//! note copied onto another row does not open. Losing the key loses the private notes;
//! nothing else depends on it.

use crate::error::{CoreError, CoreResult};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// The server's key for sealing private notes.
#[derive(Clone)]
pub struct NoteKey {
    cipher: XChaCha20Poly1305,
    /// The first bytes of the key's digest, kept with each note: a note sealed under
    /// another key is recognised as such instead of failing as tampered.
    fingerprint: String,
    /// A second key derived from it, for pseudonyms (keyed hashes), never for sealing.
    pseudonyms: [u8; 32],
}

impl std::fmt::Debug for NoteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NoteKey({})", self.fingerprint)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl NoteKey {
    /// A key from its configuration text: 64 hexadecimal digits (32 bytes).
    pub fn from_hex(text: &str) -> Result<NoteKey, String> {
        let bytes = unhex(text.trim())
            .filter(|b| b.len() == 32)
            .ok_or("secret_key: give 64 hexadecimal digits (32 random bytes)")?;
        Ok(NoteKey {
            cipher: XChaCha20Poly1305::new_from_slice(&bytes).map_err(|e| e.to_string())?,
            fingerprint: hex(&Sha256::digest(&bytes)[..4]),
            pseudonyms: Sha256::new()
                .chain_update(b"trellis pseudonyms v1")
                .chain_update(&bytes)
                .finalize()
                .into(),
        })
    }

    /// A pseudonym for `context` (e.g. a rater and the person they rate): stable under this
    /// key, and without the key no one can tell whose it is — HMAC-SHA-256, first 8 bytes.
    pub fn pseudonym(&self, context: &str) -> u64 {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.pseudonyms)
            .expect("HMAC takes a key of any length");
        mac.update(context.as_bytes());
        let digest = mac.finalize().into_bytes();
        u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
    }

    /// A new random key's configuration text.
    pub fn generate_hex() -> String {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the system's random numbers");
        hex(&bytes)
    }

    /// `v1.<fingerprint>.<nonce and ciphertext in hex>`.
    pub fn seal(&self, place: &str, text: &str) -> CoreResult<String> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| CoreError::Internal(e.to_string()))?;
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: text.as_bytes(),
                    aad: place.as_bytes(),
                },
            )
            .map_err(|_| CoreError::Internal("sealing a note failed".into()))?;
        Ok(format!(
            "v1.{}.{}{}",
            self.fingerprint,
            hex(&nonce),
            hex(&sealed)
        ))
    }

    /// The text of a sealed note, if it was sealed at `place` under this key.
    pub fn open(&self, place: &str, sealed: &str) -> CoreResult<String> {
        let mut parts = sealed.splitn(3, '.');
        let (Some("v1"), Some(fingerprint), Some(body)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(CoreError::Internal(
                "a private note is not in a known form".into(),
            ));
        };
        if fingerprint != self.fingerprint {
            return Err(CoreError::Conflict(
                "this private note was sealed with another secret_key; it cannot be read with \
                 this one"
                    .into(),
            ));
        }
        let bytes = unhex(body)
            .filter(|b| b.len() > 24)
            .ok_or_else(|| CoreError::Internal("a private note is damaged".into()))?;
        let (nonce, ciphertext) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: place.as_bytes(),
                },
            )
            .map_err(|_| {
                CoreError::Internal("a private note does not open: damaged or moved".into())
            })?;
        String::from_utf8(plain)
            .map_err(|_| CoreError::Internal("a private note is damaged".into()))
    }
}

/// Where a private note sits: what its seal is bound to.
pub fn note_place(
    series: crate::ids::SeriesId,
    occurrence: chrono::NaiveDate,
    author: crate::ids::PersonId,
) -> String {
    format!("private-note:{series}:{occurrence}:{author}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_opens_only_with_its_key_at_its_place() {
        let key = NoteKey::from_hex(&NoteKey::generate_hex()).unwrap();
        let sealed = key.seal("here", "She is thinking of leaving").unwrap();
        assert!(!sealed.contains("leaving"));
        assert_eq!(
            key.open("here", &sealed).unwrap(),
            "She is thinking of leaving"
        );
        assert!(key.open("there", &sealed).is_err(), "bound to its place");
        let other = NoteKey::from_hex(&NoteKey::generate_hex()).unwrap();
        assert!(matches!(
            other.open("here", &sealed),
            Err(CoreError::Conflict(_))
        ));
        assert_ne!(
            key.seal("here", "x").unwrap(),
            key.seal("here", "x").unwrap(),
            "fresh nonce"
        );
    }

    #[test]
    fn a_key_is_64_hex_digits() {
        assert!(NoteKey::from_hex("abc").is_err());
        assert!(NoteKey::from_hex(&"g".repeat(64)).is_err());
        assert!(NoteKey::from_hex(&"0f".repeat(32)).is_ok());
    }
}
