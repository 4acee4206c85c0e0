//! What each message costs its sender: the gas table `make gas` writes
//! (`target/gas-table.json`, format of `attrib bench gas`), priced at the scenario's gas
//! price. The crate ships a snapshot (`gas-table.json`); refresh it with
//! `make gas && cp target/gas-table.json packages/attrib-sim/gas-table.json`.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Deserialize)]
struct Entry {
    message: String,
    gas_used: u64,
}

#[derive(Deserialize)]
struct Table {
    entries: Vec<Entry>,
}

/// The shipped snapshot.
pub const SNAPSHOT: &str = include_str!("../gas-table.json");

/// Gas per message name (a row's label without its `#n` repeat mark and its
/// parenthesized variant: the first row of a message stands for it).
pub struct GasTable {
    by_label: BTreeMap<String, u64>,
    by_message: BTreeMap<String, u64>,
}

impl GasTable {
    pub fn parse(json: &str) -> anyhow::Result<GasTable> {
        let t: Table = serde_json::from_str(json)?;
        let mut by_message = BTreeMap::new();
        let mut by_label = BTreeMap::new();
        for e in t.entries {
            by_label.insert(e.message.clone(), e.gas_used);
            let base = e.message.split([' ', '#']).next().unwrap_or_default().to_string();
            by_message.entry(base).or_insert(e.gas_used);
        }
        Ok(GasTable { by_label, by_message })
    }

    pub fn snapshot() -> GasTable {
        Self::parse(SNAPSHOT).expect("the shipped gas table parses")
    }

    /// The gas of `message` (a row's exact label first, e.g. `register_tranche
    /// (duplicate)`, then the message's first row); a message missing from the table is an error of the
    /// simulator (every message it sends must be priced).
    pub fn gas(&self, message: &str) -> u64 {
        *self
            .by_label
            .get(message)
            .or_else(|| self.by_message.get(message))
            .unwrap_or_else(|| panic!("message {message} is not in the gas table"))
    }

    pub fn has(&self, message: &str) -> bool {
        self.by_message.contains_key(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_rows_are_found_by_message() {
        let t = GasTable::snapshot();
        assert_eq!(t.gas("submit_batch"), 245_861);
        assert_eq!(t.gas("register_tranche"), 223_746);
        assert_eq!(t.gas("register_tranche (duplicate)"), 312_204);
        assert!(!t.has("no_such_message"));
    }
}
