//! What a definition asks of the catalog before anything is made: the
//! catalog type each resource resolves to, the required properties given
//! no value, and the values of the properties known before anything
//! exists against their types' schemas (Heat refuses a create or an update
//! for these; template validation does not check them, as in Heat).

use serde_json::{Map as JsonMap, Value as Json};

use super::{err, ResourceDef, StackDefinition, TypeCatalog, TypeInfo};
use crate::environment::TypeTarget;
use crate::function::{self, Expr};
use crate::syntax::Node;
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

    /// Problems with the property values of resources, as Heat finds them
    /// when a stack is created or updated (its `strict_validate`): each
    /// property that reads no other resource is resolved (a parameter the
    /// template does not declare is refused here) and checked against its
    /// type's schema (types, nested properties, constraints); a property
    /// that reads another resource is checked when that resource exists,
    /// as Heat skips the values that depend on resources not yet created.
    /// `types` is [`StackDefinition::catalog_types`]' answer. The known
    /// values of each resource (external ones aside) with its type, or
    /// every problem.
    pub fn checked_properties<'d>(
        &self,
        catalog: &dyn TypeCatalog,
        types: &[(&'d ResourceDef, String)],
    ) -> Result<Vec<(&'d ResourceDef, String, Json)>, Vec<TemplateError>> {
        let mut errors = Vec::new();
        let mut checked = Vec::new();
        for (r, t) in types.iter().filter(|(r, _)| r.external_id.is_none()) {
            let known = match self.known_properties(catalog, r, t) {
                Ok(known) => known,
                Err(mut e) => {
                    errors.append(&mut e);
                    continue;
                }
            };
            // A property left out (it reads another resource) is no
            // missing one; required properties given nothing are
            // `unassigned_properties`' to say.
            for (path, message) in catalog.check_properties(t, &known) {
                if path.is_empty() && message.ends_with(" not assigned") {
                    continue;
                }
                let (at, line) = self.property_at(r, &path);
                errors.push(err(
                    ErrorKind::Resource,
                    format!("Property error: {at}: {message}"),
                    at,
                    line,
                ));
            }
            checked.push((*r, t.clone(), known));
        }
        if errors.is_empty() {
            Ok(checked)
        } else {
            Err(errors)
        }
    }

    /// A resource's properties known before anything is made: each one
    /// that reads no other resource, resolved, with the type's deprecated
    /// names replaced (`t`, its catalog type); the problems resolving them.
    fn known_properties(
        &self,
        catalog: &dyn TypeCatalog,
        r: &ResourceDef,
        t: &str,
    ) -> Result<Json, Vec<TemplateError>> {
        let Some(Expr::Map(props)) = &r.properties else {
            return Ok(Json::Object(JsonMap::new()));
        };
        let mut known = JsonMap::new();
        let mut errors = Vec::new();
        for (k, e) in props.iter() {
            let (mut refs, mut problems) = (Vec::new(), Vec::new());
            self.references(e, "", &mut refs, &mut problems);
            if !refs.is_empty() {
                continue;
            }
            match function::resolve(e, self) {
                Ok(Json::Null) => {}
                Ok(v) => {
                    known.insert(k.clone(), v);
                }
                Err(fe) => {
                    let (at, line) = self.property_at(r, k);
                    errors.push(TemplateError::from(fe.at(&at, line)));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        catalog.translate(t, &Json::Object(known)).map_err(|m| {
            let (at, line) = self.property_at(r, "");
            vec![err(ErrorKind::Resource, format!("{at}: {m}"), at, line)]
        })
    }

    /// Where a path relative to a resource's properties is
    /// (`resources.web.properties.networks[0].network`), and the line of
    /// its top-level property (the resource's when the template does not
    /// write it).
    pub fn property_at(&self, r: &ResourceDef, path: &str) -> (String, u32) {
        let section = self.template.section_name("resources");
        let field = if self.template.dialect.is_hot() {
            "properties"
        } else {
            "Properties"
        };
        let sep = if path.is_empty() { "" } else { "." };
        let key = path.split(['.', '[']).next().unwrap_or_default();
        let line = self.property_line(&r.name, field, key).unwrap_or(r.line);
        (format!("{section}.{}.{field}{sep}{path}", r.name), line)
    }

    /// The line of a property of a resource, as the template writes it.
    fn property_line(&self, resource: &str, field: &str, key: &str) -> Option<u32> {
        fn entry<'n>(n: &'n Node, k: &str) -> Option<&'n Node> {
            n.as_map()?.get(k)
        }
        let r = entry(self.template.section("resources")?, resource)?;
        entry(entry(r, field)?, key)
            .map(|n| n.line)
            .filter(|l| *l > 0)
    }
}
