//! heat-resources: the resource types heat-rs knows: the names OpenStack
//! Heat 27 registers (a template naming another type is refused as Heat
//! refuses it), property and attribute schemas matching Heat's plugins, and
//! their validation with Heat's messages.

pub mod boot;
mod catalog;
mod cloud;
pub mod deprecated;
mod driver;
pub mod guest;
mod mime;
pub mod schema;
pub mod sim;
pub mod translate;
mod types;
pub mod views;

pub use catalog::Catalog;
pub use cloud::{Cloud, ObjectKind};
pub use driver::ResourceDriver;
pub use guest::GuestKeys;

/// Types heat-rs has beyond Heat 27's registry: the CloudWatch alarms of
/// the seed-era templates (HA and autoscaling), which Heat dropped.
pub const BEYOND_HEAT: &[&str] = &["AWS::CloudWatch::Alarm", "OS::Heat::CWLiteAlarm"];

/// The resource types Heat's registry has, by name.
pub const HEAT_TYPES: &[&str] = &[
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::AutoScaling::LaunchConfiguration",
    "AWS::AutoScaling::ScalingPolicy",
    "AWS::CloudFormation::Stack",
    "AWS::CloudFormation::WaitCondition",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::EC2::EIP",
    "AWS::EC2::EIPAssociation",
    "AWS::EC2::Instance",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::Volume",
    "AWS::EC2::VolumeAttachment",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::IAM::AccessKey",
    "AWS::IAM::User",
    "AWS::S3::Bucket",
    "OS::Aodh::Alarm",
    "OS::Aodh::CombinationAlarm",
    "OS::Aodh::CompositeAlarm",
    "OS::Aodh::EventAlarm",
    "OS::Aodh::GnocchiAggregationByMetricsAlarm",
    "OS::Aodh::GnocchiAggregationByResourcesAlarm",
    "OS::Aodh::GnocchiResourcesAlarm",
    "OS::Aodh::LBMemberHealthAlarm",
    "OS::Aodh::PrometheusAlarm",
    "OS::Barbican::CertificateContainer",
    "OS::Barbican::GenericContainer",
    "OS::Barbican::Order",
    "OS::Barbican::RSAContainer",
    "OS::Barbican::Secret",
    "OS::Blazar::Host",
    "OS::Blazar::Lease",
    "OS::Cinder::EncryptedVolumeType",
    "OS::Cinder::QoSAssociation",
    "OS::Cinder::QoSSpecs",
    "OS::Cinder::Quota",
    "OS::Cinder::Volume",
    "OS::Cinder::VolumeAttachment",
    "OS::Cinder::VolumeType",
    "OS::Designate::Domain",
    "OS::Designate::Record",
    "OS::Designate::RecordSet",
    "OS::Designate::Zone",
    "OS::Glance::Image",
    "OS::Glance::WebImage",
    "OS::Heat::AccessPolicy",
    "OS::Heat::AutoScalingGroup",
    "OS::Heat::CloudConfig",
    "OS::Heat::Delay",
    "OS::Heat::DeployedServer",
    "OS::Heat::HARestarter",
    "OS::Heat::InstanceGroup",
    "OS::Heat::MultipartMime",
    "OS::Heat::None",
    "OS::Heat::RandomString",
    "OS::Heat::ResourceChain",
    "OS::Heat::ResourceGroup",
    "OS::Heat::ScalingPolicy",
    "OS::Heat::SoftwareComponent",
    "OS::Heat::SoftwareConfig",
    "OS::Heat::SoftwareDeployment",
    "OS::Heat::SoftwareDeploymentGroup",
    "OS::Heat::SoftwareDeployments",
    "OS::Heat::Stack",
    "OS::Heat::StructuredConfig",
    "OS::Heat::StructuredDeployment",
    "OS::Heat::StructuredDeploymentGroup",
    "OS::Heat::StructuredDeployments",
    "OS::Heat::SwiftSignal",
    "OS::Heat::SwiftSignalHandle",
    "OS::Heat::TestResource",
    "OS::Heat::UpdateWaitConditionHandle",
    "OS::Heat::Value",
    "OS::Heat::WaitCondition",
    "OS::Heat::WaitConditionHandle",
    "OS::Ironic::Port",
    "OS::Keystone::Domain",
    "OS::Keystone::Endpoint",
    "OS::Keystone::Group",
    "OS::Keystone::GroupRoleAssignment",
    "OS::Keystone::Project",
    "OS::Keystone::Region",
    "OS::Keystone::Role",
    "OS::Keystone::Service",
    "OS::Keystone::User",
    "OS::Keystone::UserRoleAssignment",
    "OS::Magnum::Bay",
    "OS::Magnum::BayModel",
    "OS::Magnum::Cluster",
    "OS::Magnum::ClusterTemplate",
    "OS::Manila::SecurityService",
    "OS::Manila::Share",
    "OS::Manila::ShareNetwork",
    "OS::Manila::ShareType",
    "OS::Mistral::CronTrigger",
    "OS::Mistral::ExternalResource",
    "OS::Mistral::Workflow",
    "OS::Monasca::AlarmDefinition",
    "OS::Monasca::Notification",
    "OS::Neutron::AddressScope",
    "OS::Neutron::ExtraRoute",
    "OS::Neutron::ExtraRouteSet",
    "OS::Neutron::Firewall",
    "OS::Neutron::FirewallPolicy",
    "OS::Neutron::FirewallRule",
    "OS::Neutron::FloatingIP",
    "OS::Neutron::FloatingIPAssociation",
    "OS::Neutron::FloatingIPPortForward",
    "OS::Neutron::FlowClassifier",
    "OS::Neutron::HealthMonitor",
    "OS::Neutron::IKEPolicy",
    "OS::Neutron::IPsecPolicy",
    "OS::Neutron::IPsecSiteConnection",
    "OS::Neutron::L2Gateway",
    "OS::Neutron::L2GatewayConnection",
    "OS::Neutron::LBaaS::HealthMonitor",
    "OS::Neutron::LBaaS::L7Policy",
    "OS::Neutron::LBaaS::L7Rule",
    "OS::Neutron::LBaaS::Listener",
    "OS::Neutron::LBaaS::LoadBalancer",
    "OS::Neutron::LBaaS::Pool",
    "OS::Neutron::LBaaS::PoolMember",
    "OS::Neutron::LoadBalancer",
    "OS::Neutron::MeteringLabel",
    "OS::Neutron::MeteringRule",
    "OS::Neutron::Net",
    "OS::Neutron::NetworkGateway",
    "OS::Neutron::Pool",
    "OS::Neutron::PoolMember",
    "OS::Neutron::Port",
    "OS::Neutron::PortChain",
    "OS::Neutron::PortPair",
    "OS::Neutron::PortPairGroup",
    "OS::Neutron::ProviderNet",
    "OS::Neutron::QoSBandwidthLimitRule",
    "OS::Neutron::QoSDscpMarkingRule",
    "OS::Neutron::QoSMinimumBandwidthRule",
    "OS::Neutron::QoSMinimumPacketRateRule",
    "OS::Neutron::QoSPolicy",
    "OS::Neutron::Quota",
    "OS::Neutron::RBACPolicy",
    "OS::Neutron::Router",
    "OS::Neutron::RouterGateway",
    "OS::Neutron::RouterInterface",
    "OS::Neutron::SecurityGroup",
    "OS::Neutron::SecurityGroupRule",
    "OS::Neutron::Segment",
    "OS::Neutron::Subnet",
    "OS::Neutron::SubnetPool",
    "OS::Neutron::TaaS::TapFlow",
    "OS::Neutron::TaaS::TapService",
    "OS::Neutron::Trunk",
    "OS::Neutron::VPNService",
    "OS::Nova::Flavor",
    "OS::Nova::FloatingIP",
    "OS::Nova::FloatingIPAssociation",
    "OS::Nova::HostAggregate",
    "OS::Nova::KeyPair",
    "OS::Nova::Quota",
    "OS::Nova::Server",
    "OS::Nova::ServerGroup",
    "OS::Octavia::AvailabilityZone",
    "OS::Octavia::AvailabilityZoneProfile",
    "OS::Octavia::Flavor",
    "OS::Octavia::FlavorProfile",
    "OS::Octavia::HealthMonitor",
    "OS::Octavia::L7Policy",
    "OS::Octavia::L7Rule",
    "OS::Octavia::Listener",
    "OS::Octavia::LoadBalancer",
    "OS::Octavia::Pool",
    "OS::Octavia::PoolMember",
    "OS::Octavia::Quota",
    "OS::Sahara::Cluster",
    "OS::Sahara::ClusterTemplate",
    "OS::Sahara::DataSource",
    "OS::Sahara::ImageRegistry",
    "OS::Sahara::Job",
    "OS::Sahara::JobBinary",
    "OS::Sahara::NodeGroupTemplate",
    "OS::Senlin::Cluster",
    "OS::Senlin::Node",
    "OS::Senlin::Policy",
    "OS::Senlin::Profile",
    "OS::Senlin::Receiver",
    "OS::Swift::Container",
    "OS::Trove::Cluster",
    "OS::Trove::Instance",
    "OS::Vitrage::Template",
    "OS::Zaqar::MistralTrigger",
    "OS::Zaqar::Queue",
    "OS::Zaqar::SignedQueueURL",
    "OS::Zaqar::Subscription",
    "OS::Zun::Container",
];

#[cfg(test)]
mod tests {
    use super::*;
    use heat_core::definition::{TypeCatalog, TypeInfo};

    #[test]
    fn knows_heat_types_and_refuses_others() {
        assert!(matches!(
            Catalog.lookup("OS::Nova::Server"),
            TypeInfo::Known { attributes: Some(a) } if a.contains(&"first_address".to_string())
        ));
        // Heat's own schema for a type heat-rs does not declare by hand.
        assert_eq!(
            Catalog.lookup("OS::Zun::Container"),
            TypeInfo::Known {
                attributes: Some(vec!["addresses".into(), "name".into()])
            }
        );
        // Deployments answer any attribute (their outputs), as in Heat.
        assert_eq!(
            Catalog.lookup("OS::Heat::SoftwareDeployments"),
            TypeInfo::Known { attributes: None }
        );
        assert_eq!(Catalog.lookup("AWS::Lambda::Function"), TypeInfo::Unknown);
    }
}
