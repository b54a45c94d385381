//! Reading inputs: what the API and forms send, read as the services take it.

use serde::{Deserialize, Deserializer};

/// A field a change may set, clear or leave alone: absent is `None`, `null` is
/// `Some(None)` (use with `#[serde(default, deserialize_with = ...)]`).
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
