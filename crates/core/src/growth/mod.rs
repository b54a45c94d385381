//! Growth (lead): stretch suggestions so far — how well a person suits a piece of stretch
//! work, in figures and in words. Career plans, plate wishes, opportunities, skill
//! sourcing and mentor matching build on this.

pub mod stretch;
