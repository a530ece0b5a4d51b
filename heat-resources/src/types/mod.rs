//! The resource types heat-rs implements, with Heat's property and
//! attribute schemas, grouped by service.

mod aws;
mod heat;
mod openstack;

use crate::schema::ResourceType;

/// Every type with a schema.
pub fn all() -> Vec<ResourceType> {
    let mut out = heat::types();
    out.extend(openstack::types());
    out.extend(aws::types());
    out
}
