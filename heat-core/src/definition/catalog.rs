//! What heat-core asks of a catalog of resource types: whether a type
//! exists and its attributes, how a property change applies, how the
//! engine realises the type, implicit dependencies, property checks.

use serde_json::Value as Json;

use super::StackDefinition;

/// What a catalog of resource types says about a type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeInfo {
    /// Unknown type.
    Unknown,
    /// Known; `attributes` lists its attribute names when the catalog knows them.
    Known {
        /// Attribute names (besides `show`), `None` when not known.
        attributes: Option<Vec<String>>,
    },
}

/// How a change to a property is applied on update (Heat's
/// `update_allowed` and `immutable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyRule {
    /// Changed in place.
    UpdateAllowed,
    /// A change replaces the resource.
    Replace,
    /// A change is an error.
    Immutable,
}

/// How the engine realises the resources of a type: most through the
/// driver (the cloud); the kinds below the engine realises itself, reading
/// the properties Heat gives them (both spellings where CloudFormation's
/// twin has its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realisation {
    /// Through the driver.
    Driver,
    /// A nested stack whose template is the `template` property
    /// (`OS::Heat::Stack`), with `parameters` and `timeout`.
    StackInline,
    /// A nested stack whose template is the files-map entry that
    /// `TemplateURL` names (`AWS::CloudFormation::Stack`), with
    /// `Parameters` and `TimeoutInMinutes`.
    StackUrl,
    /// A group of `count` copies of `resource_def` (`OS::Heat::ResourceGroup`).
    ResourceGroup,
    /// A group of `resource` sized between `min_size` and `max_size`
    /// (`OS::Heat::AutoScalingGroup`).
    AutoScalingGroup,
    /// Waits for `count` (`Count`) signals on `handle` (`Handle`) within
    /// `timeout` (`Timeout`) seconds.
    WaitCondition,
    /// Receives the signals a wait condition waits for.
    WaitConditionHandle,
    /// Deploys `config` to `server` and waits for the server's agent to
    /// report its outputs (`OS::Heat::SoftwareDeployment`,
    /// `OS::Heat::StructuredDeployment`).
    SoftwareDeployment,
    /// One deployment of `config` per server of the `servers` map, as a
    /// generated nested stack (`OS::Heat::SoftwareDeploymentGroup`,
    /// `OS::Heat::StructuredDeploymentGroup` and their old names).
    DeploymentGroup,
    /// A signal scales the group `auto_scaling_group_id`
    /// (`AutoScalingGroupName`) by `scaling_adjustment`.
    ScalingPolicy,
    /// A signal replaces the resource `InstanceId` names, and what depends
    /// on it follows (`OS::Heat::HARestarter`).
    Restarter,
}

impl Realisation {
    /// Whether resources of this kind are nested stacks (their property
    /// changes update the nested stack in place).
    pub fn is_nested(self) -> bool {
        matches!(
            self,
            Realisation::StackInline
                | Realisation::StackUrl
                | Realisation::ResourceGroup
                | Realisation::AutoScalingGroup
                | Realisation::DeploymentGroup
        )
    }
}

/// The resource types a definition is checked against (heat-resources
/// implements it; heat-core knows no types).
pub trait TypeCatalog: Send + Sync {
    /// What the catalog knows about a type.
    fn lookup(&self, type_name: &str) -> TypeInfo;

    /// Every type the catalog knows (for suggestions when a template
    /// names one it does not).
    fn type_names(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// How the engine realises a type's resources.
    fn realisation(&self, _type_name: &str) -> Realisation {
        Realisation::Driver
    }

    /// How a change to a property of a type is applied.
    fn property_rule(&self, _type_name: &str, _property: &str) -> PropertyRule {
        PropertyRule::Replace
    }

    /// The rule for a property of a resource whose new properties are
    /// `properties`: a sibling property may choose it (a server's
    /// `user_data_update_policy`, `flavor_update_policy`,
    /// `image_update_policy`). By default, [`TypeCatalog::property_rule`].
    fn property_rule_given(
        &self,
        type_name: &str,
        property: &str,
        _properties: &Json,
    ) -> PropertyRule {
        self.property_rule(type_name, property)
    }

    /// Dependencies the types' plugins add beyond references and
    /// `depends_on` (a port after the subnets of its network, a floating IP
    /// after the router interface to its external network), as
    /// `(requirer, required)`. Used when creating and updating, not by
    /// template validation (as in Heat).
    fn implicit_dependencies(&self, _def: &StackDefinition<'_>) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Whether a type supports the `Snapshot` deletion policy; `None` when
    /// the catalog does not know.
    fn supports_snapshot(&self, _type_name: &str) -> Option<bool> {
        None
    }

    /// The property names of a type and which of them are required (with
    /// no default), when the catalog has its schema; template validation
    /// checks unknown and missing properties with them.
    fn property_names(&self, _type_name: &str) -> Option<(Vec<String>, Vec<String>)> {
        None
    }

    /// The properties of a type that Heat declares but does not implement:
    /// a template that gives one is refused ("Property X not implemented
    /// yet").
    fn unimplemented_properties(&self, _type_name: &str) -> Vec<String> {
        Vec::new()
    }

    /// The values of resolved properties that custom constraints
    /// (`glance.image`, `nova.flavor`, `neutron.network`...) cover, nested
    /// ones included (`networks[0].network`), as `(path, constraint,
    /// value)` with paths relative to `properties`, for the driver to check
    /// before create.
    fn custom_constraints(
        &self,
        _type_name: &str,
        _properties: &Json,
    ) -> Vec<(String, &'static str, Json)> {
        Vec::new()
    }

    /// A type's resolved properties with the names it deprecated replaced
    /// by the current ones (Heat's translation rules); `Err` when both
    /// names are given.
    fn translate(&self, _type_name: &str, properties: &Json) -> Result<Json, String> {
        Ok(properties.clone())
    }

    /// The current name of a deprecated top-level property of a type.
    fn current_property(&self, _type_name: &str, _property: &str) -> Option<&'static str> {
        None
    }

    /// Problems with a resource's resolved properties (unknown or missing
    /// properties, wrong types, failed constraints), as `(path, message)`
    /// with paths relative to `properties`.
    fn check_properties(&self, _type_name: &str, _properties: &Json) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Problems with a resource's resolved update policy against the
    /// policy its type declares (a key it does not declare is unknown), as
    /// `(path, message)` with paths relative to the policy.
    fn check_update_policy(&self, _type_name: &str, _policy: &Json) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Where a type's resolved properties may name a software config by id,
    /// as JSON pointers (`/user_data`, `/parts/0/config`): the driver sees
    /// the config's content there, as Heat's `get_software_config` gives
    /// it (a server's RAW or SOFTWARE_CONFIG user data, a MultipartMime's
    /// parts).
    fn software_config_slots(&self, _type_name: &str, _properties: &Json) -> Vec<String> {
        Vec::new()
    }
}

/// A catalog that knows every type (for graphs without a catalog).
pub struct AnyType;

impl TypeCatalog for AnyType {
    fn lookup(&self, _: &str) -> TypeInfo {
        TypeInfo::Known { attributes: None }
    }
}
