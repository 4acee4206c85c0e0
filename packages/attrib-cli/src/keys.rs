//! Keys: BIP-39 mnemonics derived on the Cosmos path m/44'/118'/0'/0/0 (secp256k1),
//! kept in `<home>/keys.json`, readable by the owner only (0600 in a 0700 folder).
//!
//! This is a plain-file keyring like `--keyring-backend test`: fine for local chains and
//! test accounts; use a hardware wallet or an OS keyring for real funds.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::AccountId;
use serde::{Deserialize, Serialize};

pub const HD_PATH: &str = "m/44'/118'/0'/0/0";

#[derive(Serialize, Deserialize, Clone)]
struct StoredKey {
    mnemonic: String,
    address: String,
}

pub struct KeyStore {
    path: PathBuf,
    keys: BTreeMap<String, StoredKey>,
}

/// A loaded key: what signs, and its address. The same secret twice: `key` signs
/// transactions (cosmrs), the libsecp256k1 copy signs messages — receipts and batch
/// headers, through [`crate::receipts::sign_bytes`] — 2.8x faster than k256 with the same
/// bytes (both RFC 6979 nonces, low-S), which the metering service's throughput needs.
pub struct Signer {
    pub name: String,
    pub key: SigningKey,
    pub address: AccountId,
    message_key: MessageKey,
}

/// The libsecp256k1 half of a [`Signer`], with its context built once.
struct MessageKey {
    secp: secp256k1::Secp256k1<secp256k1::SignOnly>,
    secret: secp256k1::SecretKey,
}

impl Signer {
    /// The key of a BIP-39 `mnemonic` on [`HD_PATH`], its address under `prefix`.
    pub fn from_mnemonic(name: &str, mnemonic: &str, prefix: &str) -> Result<Self> {
        let secret = derive(mnemonic)?;
        let key = SigningKey::from_slice(&secret).map_err(|e| anyhow!("key: {e}"))?;
        let address = key
            .public_key()
            .account_id(prefix)
            .map_err(|e| anyhow!("address: {e}"))?;
        Self::from_secret(name, &secret, address)
    }

    /// The key of a raw secret (32 bytes, big endian) with the address given.
    pub fn from_secret(name: &str, secret: &[u8], address: AccountId) -> Result<Self> {
        Ok(Self {
            name: name.to_string(),
            key: SigningKey::from_slice(secret).map_err(|e| anyhow!("key: {e}"))?,
            address,
            message_key: MessageKey {
                secp: secp256k1::Secp256k1::signing_only(),
                secret: secp256k1::SecretKey::from_slice(secret).map_err(|e| anyhow!("key: {e}"))?,
            },
        })
    }

    /// The compact (r ‖ s) signature of a 32-byte digest: deterministic (RFC 6979), low-S.
    /// Hashing is the caller's: [`crate::receipts::sign_bytes`] holds the rule.
    pub fn sign_digest(&self, digest: [u8; 32]) -> [u8; 64] {
        let k = &self.message_key;
        k.secp
            .sign_ecdsa(&secp256k1::Message::from_digest(digest), &k.secret)
            .serialize_compact()
    }
}

/// Names the key, never its secret.
impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("name", &self.name)
            .field("address", &self.address.to_string())
            .finish_non_exhaustive()
    }
}

/// The secret key of a BIP-39 mnemonic on [`HD_PATH`] (32 bytes, big endian).
fn derive(mnemonic: &str) -> Result<[u8; 32]> {
    let phrase = bip32::Mnemonic::new(mnemonic.trim(), bip32::Language::English)
        .map_err(|e| anyhow!("invalid mnemonic: {e}"))?;
    let seed = phrase.to_seed("");
    let path: bip32::DerivationPath = HD_PATH.parse().expect("valid HD path");
    let key = bip32::XPrv::derive_from_path(seed, &path).map_err(|e| anyhow!("key derivation: {e}"))?;
    Ok(key.to_bytes())
}

impl KeyStore {
    pub fn open(home: &Path) -> Result<Self> {
        let path = home.join("keys.json");
        let keys = if path.exists() {
            let meta = fs::metadata(&path)?;
            if meta.permissions().mode() & 0o077 != 0 {
                bail!(
                    "{} is readable by others (mode {:o}); chmod 600 it",
                    path.display(),
                    meta.permissions().mode() & 0o777
                );
            }
            serde_json::from_slice(&fs::read(&path)?)
                .with_context(|| format!("reading {}", path.display()))?
        } else {
            BTreeMap::new()
        };
        Ok(Self { path, keys })
    }

    fn save(&self) -> Result<()> {
        let dir = self.path.parent().expect("keys.json has a parent");
        fs::create_dir_all(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        let tmp = self.path.with_extension("json.tmp");
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(&serde_json::to_vec_pretty(&self.keys)?)?;
        f.sync_all()?;
        fs::rename(&tmp, &self.path)?;
        Ok(())
    }

    /// Adds (or, with `overwrite`, replaces) a key; returns its address.
    pub fn add(&mut self, name: &str, mnemonic: &str, prefix: &str, overwrite: bool) -> Result<String> {
        if self.keys.contains_key(name) && !overwrite {
            bail!("key {name} exists (use --overwrite to replace it)");
        }
        let address = Signer::from_mnemonic(name, mnemonic, prefix)?.address;
        self.keys.insert(
            name.to_string(),
            StoredKey {
                mnemonic: mnemonic.trim().to_string(),
                address: address.to_string(),
            },
        );
        self.save()?;
        Ok(address.to_string())
    }

    pub fn list(&self) -> Vec<(String, String)> {
        self.keys
            .iter()
            .map(|(n, k)| (n.clone(), k.address.clone()))
            .collect()
    }

    pub fn address(&self, name: &str) -> Result<String> {
        self.keys
            .get(name)
            .map(|k| k.address.clone())
            .ok_or_else(|| anyhow!("no key named {name} (see `attrib keys list`)"))
    }

    pub fn signer(&self, name: &str, prefix: &str) -> Result<Signer> {
        let k = self
            .keys
            .get(name)
            .ok_or_else(|| anyhow!("no key named {name} (see `attrib keys list`)"))?;
        Signer::from_mnemonic(name, &k.mnemonic, prefix)
    }
}

/// The signer of account `index` of scripts/test-accounts.json, called `name` (tests).
#[cfg(test)]
pub fn test_signer(index: usize, name: &str) -> Signer {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
    Signer::from_mnemonic(name, doc["accounts"][index]["mnemonic"].as_str().unwrap(), "wasm").unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The first test account of scripts/test-accounts.json, derived by wasmd itself.
    const MNEMONIC: &str = include_str!("../../../scripts/test-accounts.json");

    #[test]
    fn derives_the_same_address_as_wasmd() {
        let doc: serde_json::Value = serde_json::from_str(MNEMONIC).unwrap();
        for acc in doc["accounts"].as_array().unwrap().iter().take(3) {
            let s = Signer::from_mnemonic("a", acc["mnemonic"].as_str().unwrap(), "wasm").unwrap();
            assert_eq!(s.address.to_string(), acc["address"].as_str().unwrap());
        }
    }

    #[test]
    fn key_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("attrib");
        let mut ks = KeyStore::open(&home).unwrap();
        let doc: serde_json::Value = serde_json::from_str(MNEMONIC).unwrap();
        let m = doc["accounts"][0]["mnemonic"].as_str().unwrap();
        ks.add("v", m, "wasm", false).unwrap();
        assert!(ks.add("v", m, "wasm", false).is_err(), "no silent overwrite");
        let mode = fs::metadata(home.join("keys.json")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let reopened = KeyStore::open(&home).unwrap();
        assert_eq!(reopened.list().len(), 1);
        fs::set_permissions(home.join("keys.json"), fs::Permissions::from_mode(0o644)).unwrap();
        assert!(
            KeyStore::open(&home).is_err(),
            "refuses a world-readable key file"
        );
    }
}
