//! heat-tests: end-to-end tests across the heat-rs crates, and the
//! conformance runner that compares heat-rs with real OpenStack Heat on the
//! corpus of `../shared/conformance`.

pub mod conformance;
pub mod ordinary;
