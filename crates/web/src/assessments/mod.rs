//! 360 assessments: asking raters, answering, sharing, and the report under the anonymity
//! rule.

pub mod api;
pub mod pages;
