//! Files sealed with a passphrase (`trellis backup --encrypt`): the key comes from the
//! passphrase through Argon2id with a random salt, and the data is encrypted with
//! ChaCha20-Poly1305 in the STREAM construction, chunk by chunk, so a file of any size is
//! sealed and opened in constant memory, and a reordered, truncated or altered chunk fails
//! to open. What a sealed file needs besides the passphrase is recorded in [`Sealing`].

use crate::error::{CoreError, CoreResult};
use chacha20poly1305::aead::generic_array::GenericArray;
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

const CIPHER: &str = "chacha20poly1305-stream-be32";
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;

/// How a file was sealed: everything but the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealing {
    pub cipher: String,
    pub kdf: String,
    /// Hex.
    pub salt: String,
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
    /// The STREAM nonce prefix, hex.
    pub nonce: String,
    pub chunk_bytes: u32,
}

/// Why a sealed file did not open.
#[derive(Debug, PartialEq, Eq)]
pub enum OpenError {
    /// The first chunk does not authenticate: a wrong passphrase (or a damaged start).
    WrongPassphrase,
    /// A later chunk does not authenticate, or the last one is missing.
    Damaged,
    Io(String),
}

fn random<const N: usize>() -> CoreResult<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| CoreError::Internal(format!("no randomness available: {e}")))?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Sealing {
    /// A new sealing: fresh salt and nonce, Argon2id at 64 MiB and three passes.
    pub fn new() -> CoreResult<Sealing> {
        Ok(Sealing {
            cipher: CIPHER.into(),
            kdf: "argon2id".into(),
            salt: hex(&random::<16>()?),
            m_cost_kib: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
            nonce: hex(&random::<7>()?),
            chunk_bytes: CHUNK as u32,
        })
    }

    fn key(&self, passphrase: &str) -> CoreResult<[u8; 32]> {
        if self.cipher != CIPHER || self.kdf != "argon2id" {
            return Err(CoreError::Conflict(format!(
                "this file is sealed with {} and {}, which this Trellis does not know",
                self.cipher, self.kdf
            )));
        }
        let bad =
            |what: &str| CoreError::Conflict(format!("the file's sealing is damaged ({what})"));
        let salt = unhex(&self.salt).ok_or_else(|| bad("salt"))?;
        let params = argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(32))
            .map_err(|_| bad("key parameters"))?;
        let mut key = [0u8; 32];
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), &salt, &mut key)
            .map_err(|e| CoreError::Internal(format!("cannot derive the key: {e}")))?;
        Ok(key)
    }

    fn nonce(&self) -> CoreResult<Vec<u8>> {
        unhex(&self.nonce)
            .filter(|n| n.len() == 7)
            .ok_or_else(|| CoreError::Conflict("the file's sealing is damaged (nonce)".into()))
    }
}

/// Reads up to `buffer.len()` bytes, fewer only at the end of the input.
fn fill(input: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Seals everything `input` holds into `output`.
pub fn seal(
    input: &mut impl Read,
    output: &mut impl Write,
    sealing: &Sealing,
    passphrase: &str,
) -> CoreResult<()> {
    let key = sealing.key(passphrase)?;
    let nonce = sealing.nonce()?;
    let aead = ChaCha20Poly1305::new(GenericArray::from_slice(&key));
    let mut stream = EncryptorBE32::from_aead(aead, GenericArray::from_slice(&nonce));
    let io = |e: std::io::Error| CoreError::Unavailable(format!("cannot seal the file: {e}"));
    let chunk = sealing.chunk_bytes as usize;
    let mut current = vec![0u8; chunk];
    let mut next = vec![0u8; chunk];
    let mut have = fill(input, &mut current).map_err(io)?;
    loop {
        let more = if have == chunk {
            fill(input, &mut next).map_err(io)?
        } else {
            0
        };
        if more == 0 {
            let sealed = stream
                .encrypt_last(&current[..have])
                .map_err(|_| CoreError::Internal("cannot seal the last chunk".into()))?;
            output.write_all(&sealed).map_err(io)?;
            return Ok(());
        }
        let sealed = stream
            .encrypt_next(&current[..have])
            .map_err(|_| CoreError::Internal("cannot seal a chunk".into()))?;
        output.write_all(&sealed).map_err(io)?;
        std::mem::swap(&mut current, &mut next);
        have = more;
    }
}

/// Opens a sealed stream into `output`; how many bytes it held.
pub fn open(
    input: &mut impl Read,
    output: &mut impl Write,
    sealing: &Sealing,
    passphrase: &str,
) -> Result<u64, OpenError> {
    let key = sealing
        .key(passphrase)
        .map_err(|e| OpenError::Io(e.to_string()))?;
    let nonce = sealing.nonce().map_err(|e| OpenError::Io(e.to_string()))?;
    let aead = ChaCha20Poly1305::new(GenericArray::from_slice(&key));
    let mut stream = DecryptorBE32::from_aead(aead, GenericArray::from_slice(&nonce));
    let io = |e: std::io::Error| OpenError::Io(e.to_string());
    let chunk = sealing.chunk_bytes as usize + TAG;
    let mut current = vec![0u8; chunk];
    let mut next = vec![0u8; chunk];
    let mut have = fill(input, &mut current).map_err(io)?;
    let mut total = 0u64;
    let mut first = true;
    let fail = |first: bool| {
        if first {
            OpenError::WrongPassphrase
        } else {
            OpenError::Damaged
        }
    };
    loop {
        let more = if have == chunk {
            fill(input, &mut next).map_err(io)?
        } else {
            0
        };
        let plain = if more == 0 {
            // Only the real last chunk opens as the last: a file cut at a chunk boundary fails here.
            let plain = stream.decrypt_last(&current[..have]).map_err(|_| {
                // The first chunk also fails as "last" when the passphrase is wrong.
                fail(first)
            })?;
            output.write_all(&plain).map_err(io)?;
            return Ok(total + plain.len() as u64);
        } else {
            stream
                .decrypt_next(&current[..have])
                .map_err(|_| fail(first))?
        };
        output.write_all(&plain).map_err(io)?;
        total += plain.len() as u64;
        first = false;
        std::mem::swap(&mut current, &mut next);
        have = more;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Sealing {
        // A cheap key and small chunks, so the test covers many chunks quickly.
        Sealing {
            m_cost_kib: 64,
            t_cost: 1,
            chunk_bytes: 1000,
            ..Sealing::new().unwrap()
        }
    }

    #[test]
    fn a_sealed_file_opens_only_whole_and_with_its_passphrase() {
        let data: Vec<u8> = (0..10_500u32).map(|i| (i * 7 % 251) as u8).collect();
        let sealing = small();
        let mut sealed = Vec::new();
        seal(&mut &data[..], &mut sealed, &sealing, "correct horse").unwrap();
        assert_eq!(sealed.len(), data.len() + 11 * TAG);
        assert!(!sealed.windows(64).any(|w| data.windows(64).any(|d| d == w)));
        let mut opened = Vec::new();
        assert_eq!(
            open(&mut &sealed[..], &mut opened, &sealing, "correct horse"),
            Ok(data.len() as u64)
        );
        assert_eq!(opened, data);
        let attempt = |bytes: &[u8], passphrase: &str| {
            open(&mut &bytes[..], &mut Vec::new(), &sealing, passphrase)
        };
        assert_eq!(
            attempt(&sealed, "wrong horse"),
            Err(OpenError::WrongPassphrase)
        );
        let cut = &sealed[..sealed.len() - 700];
        assert_eq!(
            attempt(cut, "correct horse"),
            Err(OpenError::Damaged),
            "cut short"
        );
        let at_boundary = &sealed[..5 * (1000 + TAG)];
        assert_eq!(
            attempt(at_boundary, "correct horse"),
            Err(OpenError::Damaged),
            "cut at a chunk's end"
        );
        let mut altered = sealed.clone();
        altered[5000] ^= 1;
        assert_eq!(attempt(&altered, "correct horse"), Err(OpenError::Damaged));
        // Empty input seals to one (empty) last chunk.
        let mut empty = Vec::new();
        seal(&mut &[][..], &mut empty, &sealing, "p").unwrap();
        assert_eq!(open(&mut &empty[..], &mut Vec::new(), &sealing, "p"), Ok(0));
    }
}
