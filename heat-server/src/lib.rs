//! heat-server
