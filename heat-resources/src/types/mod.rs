//! The resource types heat-rs implements, with Heat's property and
//! attribute schemas, grouped by service.

mod aws;
mod heat;
pub(crate) mod heat27;
mod openstack;
pub(crate) mod update_policy;

use crate::schema::ResourceType;

/// Every type with a schema: those heat-rs declares, then Heat's own for
/// the rest.
pub fn all() -> Vec<ResourceType> {
    let mut out = declared();
    let rest = heat27::types(&out);
    out.extend(rest);
    out
}

/// The types heat-rs declares by hand.
pub(crate) fn declared() -> Vec<ResourceType> {
    let mut out = heat::types();
    out.extend(openstack::types());
    out.extend(aws::types());
    out
}
