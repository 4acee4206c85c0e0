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

/// A loaded key: what signs, and its address.
pub struct Signer {
    pub name: String,
    pub key: SigningKey,
    pub address: AccountId,
}

pub fn derive(mnemonic: &str, prefix: &str) -> Result<(SigningKey, AccountId)> {
    let phrase = bip32::Mnemonic::new(mnemonic.trim(), bip32::Language::English)
        .map_err(|e| anyhow!("invalid mnemonic: {e}"))?;
    let seed = phrase.to_seed("");
    let path: bip32::DerivationPath = HD_PATH.parse().expect("valid HD path");
    let key = SigningKey::derive_from_path(seed, &path).map_err(|e| anyhow!("key derivation: {e}"))?;
    let address = key
        .public_key()
        .account_id(prefix)
        .map_err(|e| anyhow!("address: {e}"))?;
    Ok((key, address))
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
        let (_, address) = derive(mnemonic, prefix)?;
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
        let (key, address) = derive(&k.mnemonic, prefix)?;
        Ok(Signer {
            name: name.to_string(),
            key,
            address,
        })
    }
}

/// The signer of account `index` of scripts/test-accounts.json, called `name` (tests).
#[cfg(test)]
pub fn test_signer(index: usize, name: &str) -> Signer {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
    let (key, address) = derive(doc["accounts"][index]["mnemonic"].as_str().unwrap(), "wasm").unwrap();
    Signer {
        name: name.into(),
        key,
        address,
    }
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
            let (_, addr) = derive(acc["mnemonic"].as_str().unwrap(), "wasm").unwrap();
            assert_eq!(addr.to_string(), acc["address"].as_str().unwrap());
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
