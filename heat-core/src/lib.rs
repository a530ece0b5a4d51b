//! heat-core: the pure library of heat-rs.
//!
//! It reads Heat templates (HOT and CloudFormation, JSON or YAML), checks them
//! as OpenStack Heat does, evaluates intrinsic functions and computes the
//! dependency graph. It performs no I/O and depends on no runtime.

pub mod definition;
pub mod engine;
pub mod environment;
pub mod files;
pub mod function;
pub mod graph;
pub mod parameters;
pub mod service;
pub mod suggest;
pub mod syntax;
pub mod template;
pub mod version;
