//! Trellis insight: pure, synchronous algorithms on plain data — no I/O, no database.
//! The core calls them with plain structs; each is checked against a slower reference
//! in its tests and measured by a bench binary.

pub mod assignment;
pub mod connections;
pub mod graph;
pub mod matching;
