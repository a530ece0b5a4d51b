//! What a definition asks of the catalog before anything is made: the
//! catalog type each resource resolves to, and the required properties
//! given no value (Heat refuses a create or an update for them; template
//! validation does not check them, as in Heat).

use serde_json::Value as Json;

use super::{err, ResourceDef, StackDefinition, TypeCatalog, TypeInfo};
use crate::environment::TypeTarget;
use crate::function::Expr;
use crate::template::{ErrorKind, TemplateError};

impl StackDefinition<'_> {
    /// The enabled resources whose type resolves (through the registry) to
    /// a type of the catalog, with that type (provider templates aside).
    pub fn catalog_types(&self, catalog: &dyn TypeCatalog) -> Vec<(&ResourceDef, String)> {
        let known = |t: &str| catalog.lookup(t) != TypeInfo::Unknown;
        self.resources
            .iter()
            .filter(|r| r.enabled)
            .filter_map(|r| {
                match self
                    .inputs
                    .registry
                    .resolve(&r.type_name, Some(&r.name), &known)
                {
                    Some(TypeTarget::Type(t)) => Some((r, t)),
                    _ => None,
                }
            })
            .collect()
    }

    /// Required properties of known types given no value: Heat refuses a
    /// create or an update for them (template validation does not check
    /// them, as in Heat).
    /// `types` is [`StackDefinition::catalog_types`]' answer.
    pub fn unassigned_properties(
        &self,
        catalog: &dyn TypeCatalog,
        types: &[(&ResourceDef, String)],
    ) -> Vec<TemplateError> {
        let hot = self.template.dialect.is_hot();
        let section = self.template.section_name("resources");
        let field = if hot { "properties" } else { "Properties" };
        let mut errors = Vec::new();
        // An external resource is taken over as it is: Heat checks that it
        // exists instead of its properties.
        for (r, t) in types.iter().filter(|(r, _)| r.external_id.is_none()) {
            let Some((_, required)) = catalog.property_names(t) else {
                continue;
            };
            let given = |name: &str| match &r.properties {
                Some(Expr::Map(props)) => props.iter().any(|(k, v)| {
                    let current = catalog.current_property(t, k).unwrap_or(k);
                    current == name && !matches!(v, Expr::Lit(Json::Null))
                }),
                // A whole-map function: known once resolved.
                Some(_) => true,
                None => false,
            };
            for name in required.iter().filter(|n| !given(n)) {
                let path = format!("{section}.{}.{field}", r.name);
                errors.push(err(
                    ErrorKind::Resource,
                    format!("Property error: {path}: Property {name} not assigned"),
                    format!("{path}.{name}"),
                    r.line,
                ));
            }
        }
        errors
    }
}
