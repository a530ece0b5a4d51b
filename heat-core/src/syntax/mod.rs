//! The raw syntax layer: template and environment documents read from YAML or
//! JSON into [`Node`] trees that remember where each value came from.
//!
//! Heat reads YAML with PyYAML (YAML 1.1 rules: `yes` and `on` are booleans,
//! dates stay strings) and JSON with Python's `json`; this module reproduces
//! both readings and adds what Heat lacks: a line for every value, refusal of
//! alias bombs and absurd nesting, and CloudFormation's short-form tags
//! (`!Ref`, `!GetAtt a.b`, `!Sub`, ...) rewritten to their long forms.

mod node;
mod scalars;
mod yaml;

pub use node::{Map, Node, Number, Value};
pub use yaml::{parse_document, Format, Limits, SyntaxError};
