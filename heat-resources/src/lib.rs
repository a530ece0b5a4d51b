//! heat-resources
