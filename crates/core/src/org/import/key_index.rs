//! Index-only hash tables for an import's lookups by e-mail and employee id.

use hashbrown::{HashTable, hash_table};
use std::hash::{BuildHasher, RandomState};

/// Rows (or people) by a text key, holding only their index and reading the key back from
/// the row: a map from `&str` to an index costs 24 bytes a slot where this costs 4, and
/// 240,000 rows take 524,288 slots — a file's four lookups were 30 MiB of its peak.
pub(super) struct KeyIndex<'a> {
    slots: HashTable<u32>,
    hasher: RandomState,
    key_of: Box<dyn Fn(usize) -> &'a str + 'a>,
}

impl<'a> KeyIndex<'a> {
    pub(super) fn new(capacity: usize, key_of: impl Fn(usize) -> &'a str + 'a) -> Self {
        KeyIndex {
            slots: HashTable::with_capacity(capacity),
            hasher: RandomState::new(),
            key_of: Box::new(key_of),
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(key);
        self.slots
            .find(hash, |&i| (self.key_of)(i as usize) == key)
            .map(|&i| i as usize)
    }

    /// Files the index under its key, unless the key is already taken: then returns the
    /// index that holds it and files nothing.
    pub(super) fn insert(&mut self, index: usize) -> Option<usize> {
        let KeyIndex {
            slots,
            hasher,
            key_of,
        } = self;
        let key = key_of(index);
        let slot = u32::try_from(index).expect("fewer than 4 billion rows");
        match slots.entry(
            hasher.hash_one(key),
            |&i| key_of(i as usize) == key,
            |&i| hasher.hash_one(key_of(i as usize)),
        ) {
            hash_table::Entry::Occupied(taken) => Some(*taken.get() as usize),
            hash_table::Entry::Vacant(free) => {
                free.insert(slot);
                None
            }
        }
    }
}

#[cfg(test)]
mod key_index_tests {
    use super::KeyIndex;

    #[test]
    fn a_key_index_finds_each_key_keeps_the_first_holder_and_grows() {
        let keys: Vec<String> = (0..10_000)
            .map(|i| format!("person{}@example.com", i % 7_000))
            .collect();
        // Sized for none: every slot comes from growing, which hashes keys read back by index.
        let mut index = KeyIndex::new(0, |i| keys[i].as_str());
        let taken: Vec<Option<usize>> = (0..keys.len()).map(|i| index.insert(i)).collect();
        assert!(taken[..7_000].iter().all(Option::is_none));
        assert_eq!(
            taken[7_000],
            Some(0),
            "a repeated key names its first holder"
        );
        assert_eq!(taken[9_999], Some(2_999));
        assert_eq!(index.get("person6999@example.com"), Some(6_999));
        assert_eq!(index.get("person42@example.com"), Some(42));
        assert_eq!(index.get("nobody@example.com"), None);
    }
}
