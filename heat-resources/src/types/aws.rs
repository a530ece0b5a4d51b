//! `AWS::*`: CloudFormation's types as Heat implements them on OpenStack.

use serde_json::json;

use crate::cloud::ObjectKind;
use crate::schema::{attrs, prop, Attribute, Kind::*, Property, ResourceType};

fn t(
    name: &'static str,
    kind: Option<ObjectKind>,
    description: &'static str,
    properties: Vec<Property>,
    attributes: Vec<Attribute>,
) -> ResourceType {
    ResourceType {
        name,
        properties,
        attributes,
        cloud_kind: kind,
        description,
    }
}

/// The properties of a CloudWatch alarm (Heat's `AWS::CloudWatch::Alarm`
/// and `OS::Heat::CWLiteAlarm`, before Heat dropped them): every one can
/// change in place.
pub(super) fn alarm_properties() -> Vec<Property> {
    vec![
        prop("ComparisonOperator", String).update().allowed(&[
            "GreaterThanOrEqualToThreshold",
            "GreaterThanThreshold",
            "LessThanThreshold",
            "LessThanOrEqualToThreshold",
        ]),
        prop("AlarmDescription", String).update(),
        prop("EvaluationPeriods", String).update(),
        prop("MetricName", String).update(),
        prop("Namespace", String).update(),
        prop("Period", String).update(),
        prop("Statistic", String).update().allowed(&[
            "SampleCount",
            "Average",
            "Sum",
            "Minimum",
            "Maximum",
        ]),
        prop("AlarmActions", List).update(),
        prop("OKActions", List).update(),
        prop("Dimensions", List).update(),
        prop("InsufficientDataActions", List).update(),
        prop("Threshold", String).update(),
        prop("Units", String).update(),
        prop("ActionsEnabled", Boolean).update(),
    ]
}

pub(super) fn types() -> Vec<ResourceType> {
    vec![
        t(
            "AWS::CloudWatch::Alarm",
            None,
            "A CloudWatch alarm, evaluated by heat-server (beyond Heat 27, which no longer has it).",
            alarm_properties(),
            vec![],
        ),
        t(
            "AWS::EC2::Instance",
            Some(ObjectKind::Server),
            "An instance (a Nova server).",
            vec![
                prop("ImageId", String)
                    .required()
                    .update()
                    .custom("glance.image"),
                prop("InstanceType", String)
                    .required()
                    .update()
                    .custom("nova.flavor"),
                prop("KeyName", String).custom("nova.keypair"),
                prop("AvailabilityZone", String),
                prop("DisableApiTermination", String).unimplemented(),
                prop("KernelId", String).unimplemented(),
                prop("Monitoring", Boolean).unimplemented(),
                prop("PlacementGroupName", String).unimplemented(),
                prop("PrivateIpAddress", String).unimplemented(),
                prop("RamDiskId", String).unimplemented(),
                prop("SecurityGroups", List),
                prop("SecurityGroupIds", List),
                prop("NetworkInterfaces", List),
                prop("SourceDestCheck", Boolean).unimplemented(),
                prop("SubnetId", String),
                prop("Tags", List).update(),
                prop("NovaSchedulerHints", List),
                prop("Tenancy", String).allowed(&["dedicated", "default"]).unimplemented(),
                prop("UserData", String),
                prop("Volumes", List).default(json!([])),
                prop("BlockDeviceMappings", List),
            ],
            attrs(&[
                ("AvailabilityZone", "AZ."),
                ("PrivateDnsName", "Private DNS name."),
                ("PublicDnsName", "Public DNS name."),
                ("PrivateIp", "Private IP."),
                ("PublicIp", "Public IP."),
            ]),
        ),
        t(
            "AWS::EC2::EIP",
            Some(ObjectKind::FloatingIp),
            "An elastic IP (a floating IP).",
            vec![
                prop("Domain", String).allowed(&["vpc"]),
                prop("InstanceId", String).update(),
            ],
            attrs(&[("AllocationId", "Allocation id.")]),
        ),
        t(
            "AWS::EC2::EIPAssociation",
            Some(ObjectKind::FloatingIpAssociation),
            "Associates an elastic IP.",
            vec![
                prop("InstanceId", String).update(),
                prop("EIP", String).update(),
                prop("AllocationId", String).update(),
                prop("NetworkInterfaceId", String).update(),
            ],
            vec![],
        ),
        t(
            "AWS::EC2::SecurityGroup",
            Some(ObjectKind::SecurityGroup),
            "A security group.",
            vec![
                prop("GroupDescription", String).required(),
                prop("VpcId", String),
                prop("SecurityGroupIngress", List).update(),
                prop("SecurityGroupEgress", List).update(),
            ],
            vec![],
        ),
        t(
            "AWS::EC2::Volume",
            Some(ObjectKind::Volume),
            "A volume.",
            vec![
                prop("AvailabilityZone", String).required(),
                prop("Size", Integer).range(Some(1.0), None),
                prop("SnapshotId", String),
                prop("Tags", List),
            ],
            vec![],
        ),
        t(
            "AWS::EC2::VolumeAttachment",
            Some(ObjectKind::VolumeAttachment),
            "Attaches a volume.",
            vec![
                prop("InstanceId", String).required().update(),
                prop("VolumeId", String).required().update(),
                prop("Device", String).required().update(),
            ],
            vec![],
        ),
        t(
            "AWS::AutoScaling::AutoScalingGroup",
            None,
            "An autoscaling group of instances.",
            vec![
                prop("AvailabilityZones", List).required(),
                prop("LaunchConfigurationName", String).update(),
                prop("InstanceId", String),
                prop("MaxSize", Integer).required().update(),
                prop("MinSize", Integer).required().update(),
                prop("Cooldown", Integer).update(),
                prop("DesiredCapacity", Integer).update(),
                prop("HealthCheckGracePeriod", Integer).unimplemented(),
                prop("HealthCheckType", String).allowed(&["EC2", "ELB"]).unimplemented(),
                prop("LoadBalancerNames", List),
                prop("VPCZoneIdentifier", List),
                prop("Tags", List),
            ],
            attrs(&[("InstanceList", "The instances' IP addresses.")]),
        ),
        t(
            "AWS::AutoScaling::LaunchConfiguration",
            None,
            "How an autoscaling group launches instances.",
            vec![
                prop("ImageId", String).custom("glance.image"),
                prop("InstanceType", String).custom("nova.flavor"),
                prop("KeyName", String),
                prop("UserData", String),
                prop("SecurityGroups", List),
                prop("KernelId", String).unimplemented(),
                prop("RamDiskId", String).unimplemented(),
                prop("BlockDeviceMappings", List),
                prop("NovaSchedulerHints", List),
                prop("InstanceId", String),
            ],
            vec![],
        ),
        t(
            "AWS::AutoScaling::ScalingPolicy",
            None,
            "Scales an autoscaling group when signalled.",
            vec![
                prop("AutoScalingGroupName", String).required().update(),
                prop("ScalingAdjustment", Integer).required().update(),
                prop("AdjustmentType", String)
                    .required()
                    .update()
                    .allowed(&[
                        "ChangeInCapacity",
                        "ExactCapacity",
                        "PercentChangeInCapacity",
                    ]),
                prop("Cooldown", Integer).update(),
                prop("MinAdjustmentStep", Integer),
            ],
            attrs(&[("AlarmUrl", "The signal URL.")]),
        ),
        t(
            "AWS::CloudFormation::Stack",
            None,
            "A nested stack.",
            vec![
                prop("TemplateURL", String).required().update(),
                prop("TimeoutInMinutes", Integer).update(),
                prop("Parameters", Map).update(),
            ],
            attrs(&[("Outputs", "The nested stack's outputs.")]),
        ),
        t(
            "AWS::CloudFormation::WaitCondition",
            None,
            "Waits for signals on a handle.",
            vec![
                prop("Handle", String).required().update(),
                prop("Timeout", Number)
                    .required()
                    .update()
                    .range(Some(1.0), Some(43200.0)),
                prop("Count", Integer).update().default(json!(1)),
            ],
            attrs(&[("Data", "The signals' data.")]),
        ),
        t(
            "AWS::CloudFormation::WaitConditionHandle",
            None,
            "A wait condition handle (a signal URL).",
            vec![],
            vec![],
        ),
        t(
            "AWS::ElasticLoadBalancing::LoadBalancer",
            Some(ObjectKind::LoadBalancer),
            "A load balancer.",
            vec![
                prop("AvailabilityZones", List).required(),
                prop("HealthCheck", Map),
                prop("Instances", List).update(),
                prop("Listeners", List).required(),
                prop("AppCookieStickinessPolicy", String).unimplemented(),
                prop("LBCookieStickinessPolicy", String).unimplemented(),
                prop("SecurityGroups", List),
                prop("Subnets", List).unimplemented(),
            ],
            attrs(&[
                ("CanonicalHostedZoneName", "Zone name."),
                ("CanonicalHostedZoneNameID", "Zone id."),
                ("DNSName", "DNS name."),
                ("SourceSecurityGroup.GroupName", "Group name."),
                ("SourceSecurityGroup.OwnerAlias", "Owner."),
            ]),
        ),
        t(
            "AWS::S3::Bucket",
            Some(ObjectKind::Container),
            "A bucket (a Swift container).",
            vec![
                prop("AccessControl", String).allowed(&[
                    "Private",
                    "PublicRead",
                    "PublicReadWrite",
                    "AuthenticatedRead",
                    "BucketOwnerRead",
                    "BucketOwnerFullControl",
                ]),
                prop("WebsiteConfiguration", Map).schema(vec![
                    prop("IndexDocument", String),
                    prop("ErrorDocument", String),
                ]),
                prop("Tags", List).schema(vec![
                    prop("Key", String).required(),
                    prop("Value", String).required(),
                ]),
            ],
            attrs(&[
                ("DomainName", "Domain name."),
                ("WebsiteURL", "Website URL."),
            ]),
        ),
        t(
            "AWS::IAM::User",
            None,
            "A user.",
            vec![
                prop("Path", String),
                prop("Groups", List),
                prop("LoginProfile", Map),
                prop("Policies", List),
            ],
            vec![],
        ),
        t(
            "AWS::IAM::AccessKey",
            None,
            "An access key of a user.",
            vec![
                prop("Serial", Integer).unimplemented(),
                prop("UserName", String).required(),
                prop("Status", String).allowed(&["Active", "Inactive"]).unimplemented(),
            ],
            attrs(&[
                ("UserName", "The user."),
                ("SecretAccessKey", "The secret."),
            ]),
        ),
    ]
}
