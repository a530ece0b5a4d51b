//! heat-openstack
