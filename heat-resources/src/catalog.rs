//! [`Catalog`]: every type Heat knows by name, the schemas heat-rs has, and
//! the [`TypeCatalog`] view the engine and validation use.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use heat_core::definition::{PropertyRule, Realisation, StackDefinition, TypeCatalog, TypeInfo};
use heat_core::function::{Expr, FnKind};
use serde_json::Value as Json;

use crate::schema::{self, ResourceType};
use crate::HEAT_TYPES;

/// What Heat's registry says of its types beyond their schemas.
struct HeatFacts {
    /// Types whose every attribute name is good (Heat's classes that
    /// override `get_attribute`: nested stacks, groups, deployments).
    any_attribute: HashSet<String>,
    /// Placeholders that take any property (Heat's `NoneResource`), but
    /// for the types heat-rs implements itself.
    placeholder: HashSet<String>,
}

fn heat_facts() -> &'static HeatFacts {
    static FACTS: OnceLock<HeatFacts> = OnceLock::new();
    FACTS.get_or_init(|| {
        let raw = crate::types::heat27::raw();
        let declared = crate::types::declared();
        HeatFacts {
            any_attribute: raw
                .iter()
                .filter(|(_, t)| t.any_attribute)
                .map(|(name, _)| name.clone())
                .collect(),
            placeholder: raw
                .iter()
                .filter(|(name, t)| {
                    t.placeholder
                        && (name.as_str() == "OS::Heat::None"
                            || !declared.iter().any(|d| d.name == name.as_str()))
                })
                .map(|(name, _)| name.clone())
                .collect(),
        }
    })
}

fn schemas() -> &'static HashMap<&'static str, ResourceType> {
    static SCHEMAS: OnceLock<HashMap<&'static str, ResourceType>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        crate::types::all()
            .into_iter()
            .map(|t| (t.name, t))
            .collect()
    })
}

/// The resource type catalog.
#[derive(Debug, Default, Clone, Copy)]
pub struct Catalog;

impl Catalog {
    /// The schema of a type, when heat-rs has one.
    pub fn schema(&self, type_name: &str) -> Option<&'static ResourceType> {
        schemas().get(type_name)
    }

    /// Every type name Heat registers, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = HEAT_TYPES.to_vec();
        v.extend(crate::BEYOND_HEAT);
        v.sort();
        v
    }
}

impl TypeCatalog for Catalog {
    fn type_names(&self) -> Vec<&'static str> {
        self.names()
    }

    fn translate(&self, type_name: &str, properties: &Json) -> Result<Json, String> {
        crate::deprecated::translate(type_name, properties)
    }

    fn current_property(&self, type_name: &str, property: &str) -> Option<&'static str> {
        crate::deprecated::current_name(type_name, property)
    }

    fn lookup(&self, type_name: &str) -> TypeInfo {
        if let Some(t) = self.schema(type_name) {
            // Groups and nested stacks pass their members' attributes through.
            const DYNAMIC: [&str; 6] = [
                "OS::Heat::None",
                "OS::Heat::ResourceGroup",
                "OS::Heat::AutoScalingGroup",
                "OS::Heat::InstanceGroup",
                "OS::Heat::Stack",
                "AWS::CloudFormation::Stack",
            ];
            let dynamic =
                DYNAMIC.contains(&type_name) || heat_facts().any_attribute.contains(type_name);
            let attributes =
                (!dynamic).then(|| t.attributes.iter().map(|a| a.name.to_string()).collect());
            return TypeInfo::Known { attributes };
        }
        if HEAT_TYPES.contains(&type_name) {
            TypeInfo::Known { attributes: None }
        } else {
            TypeInfo::Unknown
        }
    }

    fn realisation(&self, type_name: &str) -> Realisation {
        match type_name {
            "OS::Heat::Stack" => Realisation::StackInline,
            "AWS::CloudFormation::Stack" => Realisation::StackUrl,
            // A chain is a group whose members are its `resources`.
            "OS::Heat::ResourceGroup" | "OS::Heat::ResourceChain" => Realisation::ResourceGroup,
            "OS::Heat::AutoScalingGroup"
            | "AWS::AutoScaling::AutoScalingGroup"
            | "OS::Heat::InstanceGroup" => Realisation::AutoScalingGroup,
            "OS::Heat::WaitCondition" | "AWS::CloudFormation::WaitCondition" => {
                Realisation::WaitCondition
            }
            "OS::Heat::WaitConditionHandle"
            | "OS::Heat::UpdateWaitConditionHandle"
            | "AWS::CloudFormation::WaitConditionHandle" => Realisation::WaitConditionHandle,
            "OS::Heat::ScalingPolicy" | "AWS::AutoScaling::ScalingPolicy" => {
                Realisation::ScalingPolicy
            }
            "OS::Heat::HARestarter" => Realisation::Restarter,
            "OS::Heat::SoftwareDeployment" | "OS::Heat::StructuredDeployment" => {
                Realisation::SoftwareDeployment
            }
            "OS::Heat::SoftwareDeploymentGroup"
            | "OS::Heat::SoftwareDeployments"
            | "OS::Heat::StructuredDeploymentGroup"
            | "OS::Heat::StructuredDeployments" => Realisation::DeploymentGroup,
            _ => Realisation::Driver,
        }
    }

    fn property_rule(&self, type_name: &str, property: &str) -> PropertyRule {
        let Some(p) = self
            .schema(type_name)
            .and_then(|t| t.properties.iter().find(|p| p.name == property))
        else {
            return PropertyRule::Replace;
        };
        if p.immutable {
            PropertyRule::Immutable
        } else if p.update_allowed {
            PropertyRule::UpdateAllowed
        } else {
            PropertyRule::Replace
        }
    }

    fn property_rule_given(
        &self,
        type_name: &str,
        property: &str,
        properties: &Json,
    ) -> PropertyRule {
        // A server's update policies choose, as Heat's server plugin does.
        let policy = |name: &str, default: &str| {
            properties
                .get(name)
                .and_then(Json::as_str)
                .unwrap_or(default)
                .to_string()
        };
        match (type_name, property) {
            ("OS::Nova::Server", "user_data") => {
                if policy("user_data_update_policy", "REPLACE") == "IGNORE" {
                    PropertyRule::UpdateAllowed
                } else {
                    PropertyRule::Replace
                }
            }
            ("OS::Nova::Server", "flavor")
                if policy("flavor_update_policy", "RESIZE") == "REPLACE" =>
            {
                PropertyRule::Replace
            }
            ("OS::Nova::Server", "image")
                if policy("image_update_policy", "REBUILD") == "REPLACE" =>
            {
                PropertyRule::Replace
            }
            _ => self.property_rule(type_name, property),
        }
    }

    fn custom_constraints(
        &self,
        type_name: &str,
        properties: &Json,
    ) -> Vec<(String, &'static str, Json)> {
        match self.schema(type_name) {
            Some(t) => schema::custom_values(&t.properties, properties),
            None => Vec::new(),
        }
    }

    fn implicit_dependencies(&self, def: &StackDefinition<'_>) -> Vec<(String, String)> {
        implicit_dependencies(def)
    }

    fn supports_snapshot(&self, type_name: &str) -> Option<bool> {
        const SNAPSHOT: [&str; 5] = [
            "OS::Cinder::Volume",
            "OS::Nova::Server",
            "AWS::EC2::Volume",
            "OS::Trove::Instance",
            "OS::Manila::Share",
        ];
        self.schema(type_name)
            .map(|_| SNAPSHOT.contains(&type_name))
    }

    fn property_names(&self, type_name: &str) -> Option<(Vec<String>, Vec<String>)> {
        let t = self
            .schema(type_name)
            .filter(|t| !heat_facts().placeholder.contains(t.name))?;
        let names = t.properties.iter().map(|p| p.name.to_string()).collect();
        let required = t
            .properties
            .iter()
            .filter(|p| p.required && p.default.is_none())
            .map(|p| p.name.to_string())
            .collect();
        Some((names, required))
    }

    fn unimplemented_properties(&self, type_name: &str) -> Vec<String> {
        self.schema(type_name)
            .map(|t| {
                t.properties
                    .iter()
                    .filter(|p| !p.implemented)
                    .map(|p| p.name.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn check_properties(&self, type_name: &str, properties: &Json) -> Vec<(String, String)> {
        match self
            .schema(type_name)
            .filter(|t| !heat_facts().placeholder.contains(t.name))
        {
            Some(t) => schema::check(&t.properties, properties),
            None => Vec::new(),
        }
    }

    fn check_update_policy(&self, type_name: &str, policy: &Json) -> Vec<(String, String)> {
        match self.schema(type_name) {
            Some(_) => schema::check(&crate::types::update_policy::schema(type_name), policy),
            None => Vec::new(),
        }
    }

    fn software_config_slots(&self, type_name: &str, properties: &Json) -> Vec<String> {
        match type_name {
            // Heat's server: only RAW and SOFTWARE_CONFIG user data may be a
            // config (HEAT_CFNTOOLS, the default, is taken as it is).
            "OS::Nova::Server" => {
                let format = properties.get("user_data_format").and_then(Json::as_str);
                match format {
                    Some("RAW" | "SOFTWARE_CONFIG") => vec!["/user_data".to_string()],
                    _ => Vec::new(),
                }
            }
            "OS::Heat::MultipartMime" => {
                let parts = properties.get("parts").and_then(Json::as_array);
                (0..parts.map_or(0, Vec::len))
                    .map(|i| format!("/parts/{i}/config"))
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

/// A property of a resource's (unresolved) properties.
fn property<'e>(props: Option<&'e Expr>, key: &str) -> Option<&'e Expr> {
    match props? {
        Expr::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// The resource a `get_resource` names.
fn resource_ref(e: Option<&Expr>) -> Option<&str> {
    match e? {
        Expr::Call(c) if c.kind == FnKind::GetResource => c.args.as_str(),
        _ => None,
    }
}

/// Two unresolved values that are the same (same literal, same parameter).
fn same(a: Option<&Expr>, b: Option<&Expr>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x.to_json() == y.to_json())
}

/// Heat's plugins' implicit dependencies (`add_dependencies`): ports and
/// servers wait for the subnets of their networks; floating IPs wait for
/// the router interfaces and gateways that connect their network.
fn implicit_dependencies(def: &StackDefinition<'_>) -> Vec<(String, String)> {
    let resources: Vec<_> = def.resources.iter().filter(|r| r.enabled).collect();
    let mut out = Vec::new();
    let subnets_of = |net: &Expr| -> Vec<String> {
        resources
            .iter()
            .filter(|s| s.type_name == "OS::Neutron::Subnet")
            .filter(|s| {
                let n = property(s.properties.as_ref(), "network")
                    .or_else(|| property(s.properties.as_ref(), "network_id"));
                same(n, Some(net))
            })
            .map(|s| s.name.clone())
            .collect()
    };
    for r in &resources {
        match r.type_name.as_str() {
            "OS::Neutron::Port" => {
                if let Some(net) = property(r.properties.as_ref(), "network")
                    .or_else(|| property(r.properties.as_ref(), "network_id"))
                {
                    for s in subnets_of(net) {
                        out.push((r.name.clone(), s));
                    }
                }
            }
            "OS::Nova::Server" => {
                if let Some(Expr::List(nets)) = property(r.properties.as_ref(), "networks") {
                    for n in nets {
                        if let Some(net) =
                            property(Some(n), "network").or_else(|| property(Some(n), "uuid"))
                        {
                            for s in subnets_of(net) {
                                out.push((r.name.clone(), s));
                            }
                        }
                    }
                }
            }
            "OS::Neutron::FloatingIP" => {
                let floating = property(r.properties.as_ref(), "floating_network")
                    .or_else(|| property(r.properties.as_ref(), "floating_network_id"));
                let port_subnets: Vec<&Expr> =
                    resource_ref(property(r.properties.as_ref(), "port_id"))
                        .and_then(|p| resources.iter().find(|x| x.name == p))
                        .and_then(|p| match property(p.properties.as_ref(), "fixed_ips") {
                            Some(Expr::List(l)) => Some(
                                l.iter()
                                    .filter_map(|f| {
                                        property(Some(f), "subnet")
                                            .or_else(|| property(Some(f), "subnet_id"))
                                    })
                                    .collect(),
                            ),
                            _ => None,
                        })
                        .unwrap_or_default();
                for other in &resources {
                    let dep = match other.type_name.as_str() {
                        "OS::Neutron::RouterGateway" => {
                            same(property(other.properties.as_ref(), "network"), floating)
                        }
                        "OS::Neutron::Router" => same(
                            property(
                                property(other.properties.as_ref(), "external_gateway_info"),
                                "network",
                            ),
                            floating,
                        ),
                        "OS::Neutron::RouterInterface" => {
                            let subnet = property(other.properties.as_ref(), "subnet")
                                .or_else(|| property(other.properties.as_ref(), "subnet_id"));
                            port_subnets.iter().any(|s| same(Some(s), subnet))
                        }
                        _ => false,
                    };
                    if dep {
                        out.push((r.name.clone(), other.name.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod implicit_tests {
    use super::*;
    use heat_core::definition::Inputs;
    use heat_core::template::Template;

    #[test]
    fn ports_servers_and_floating_ips_get_heats_implicit_dependencies() {
        let t = Template::parse(
            "heat_template_version: 2018-08-31
parameters:
  public: {type: string, default: public}
resources:
  net: {type: OS::Neutron::Net}
  subnet: {type: OS::Neutron::Subnet, properties: {network: {get_resource: net}, cidr: 10.1.0.0/24}}
  router: {type: OS::Neutron::Router, properties: {external_gateway_info: {network: {get_param: public}}}}
  iface: {type: OS::Neutron::RouterInterface, properties: {router: {get_resource: router}, subnet: {get_resource: subnet}}}
  port: {type: OS::Neutron::Port, properties: {network: {get_resource: net}, fixed_ips: [{subnet: {get_resource: subnet}}]}}
  server: {type: OS::Nova::Server, properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{network: {get_resource: net}}]}}
  fip: {type: OS::Neutron::FloatingIP, properties: {floating_network: {get_param: public}, port_id: {get_resource: port}}}
",
        )
        .unwrap();
        let (def, errors) = StackDefinition::build(&t, Inputs::default(), &Catalog);
        assert!(errors.is_empty(), "{errors:?}");
        let mut deps = implicit_dependencies(&def.unwrap());
        deps.sort();
        let expect: Vec<(String, String)> = [
            ("fip", "iface"),
            ("fip", "router"),
            ("port", "subnet"),
            ("server", "subnet"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(deps, expect);
    }

    /// Properties Heat 27 accepts (hidden and deprecated ones too) that
    /// templates use: refused as unknown before.
    #[test]
    fn heats_hidden_and_later_properties_are_known() {
        for (t, p) in [
            ("OS::Neutron::SecurityGroup", "stateful"),
            ("OS::Neutron::Router", "l3_agent_id"),
            ("OS::Neutron::Router", "tenant_id"),
            ("OS::Neutron::Port", "replacement_policy"),
            ("OS::Glance::WebImage", "kernel_id"),
            ("OS::Glance::WebImage", "ramdisk_id"),
            ("OS::Glance::WebImage", "active"),
            ("OS::Glance::WebImage", "members"),
            ("OS::Nova::Flavor", "flavorid"),
        ] {
            let (names, _) = Catalog.property_names(t).unwrap();
            assert!(names.iter().any(|n| n == p), "{t} lacks {p}");
        }
    }
}
