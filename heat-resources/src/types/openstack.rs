//! `OS::Nova`, `OS::Neutron`, `OS::Cinder`, `OS::Glance`, `OS::Swift`:
//! the cloud-backed types.

use serde_json::json;

use crate::cloud::ObjectKind;
use crate::schema::{attrs, prop, Attribute, Kind::*, Property, ResourceType};

fn t(
    name: &'static str,
    kind: ObjectKind,
    description: &'static str,
    properties: Vec<Property>,
    attributes: Vec<Attribute>,
) -> ResourceType {
    ResourceType {
        name,
        properties,
        attributes,
        cloud_kind: Some(kind),
        description,
    }
}

pub(super) fn types() -> Vec<ResourceType> {
    vec![
        t(
            "OS::Nova::Server",
            ObjectKind::Server,
            "A compute instance.",
            vec![
                prop("name", String).update(),
                prop("image", String).update().custom("glance.image"),
                prop("block_device_mapping", List).schema(vec![
                    prop("device_name", String).required(),
                    prop("volume_id", String).custom("cinder.volume"),
                    prop("snapshot_id", String),
                    prop("volume_size", Integer),
                    prop("delete_on_termination", Boolean),
                ]),
                prop("block_device_mapping_v2", List).schema(vec![
                    prop("device_name", String),
                    prop("volume_id", String).custom("cinder.volume"),
                    prop("image", String).custom("glance.image"),
                    prop("image_id", String),
                    prop("snapshot_id", String),
                    prop("swap_size", Integer),
                    prop("ephemeral_size", Integer),
                    prop("ephemeral_format", String),
                    prop("device_type", String).allowed(&["cdrom", "disk"]),
                    prop("disk_bus", String)
                        .allowed(&["ide", "lame_bus", "sata", "scsi", "usb", "virtio"]),
                    prop("boot_index", Integer),
                    prop("volume_size", Integer),
                    prop("volume_type", String),
                    prop("delete_on_termination", Boolean),
                ]),
                prop("flavor", String)
                    .required()
                    .update()
                    .custom("nova.flavor"),
                prop("flavor_update_policy", String)
                    .update()
                    .default(json!("RESIZE"))
                    .allowed(&["RESIZE", "REPLACE"]),
                prop("image_update_policy", String)
                    .update()
                    .default(json!("REBUILD"))
                    .allowed(&["REBUILD", "REPLACE", "REBUILD_PRESERVE_EPHEMERAL"]),
                prop("key_name", String).custom("nova.keypair"),
                prop("admin_pass", String).update(),
                prop("availability_zone", String),
                prop("security_groups", List).update().default(json!([])),
                prop("networks", List).update().schema(vec![
                    prop("uuid", String),
                    prop("network", String).custom("neutron.network"),
                    prop("allocate_network", String).allowed(&["none", "auto"]),
                    prop("fixed_ip", String),
                    prop("floating_ip", String),
                    prop("port", String).custom("neutron.port"),
                    prop("port_extra_properties", Map),
                    prop("subnet", String),
                    prop("tag", String),
                ]),
                prop("scheduler_hints", Map),
                prop("metadata", Map).update(),
                prop("user_data_format", String)
                    .default(json!("HEAT_CFNTOOLS"))
                    .allowed(&["HEAT_CFNTOOLS", "RAW", "SOFTWARE_CONFIG"]),
                prop("software_config_transport", String)
                    .update()
                    .default(json!("POLL_SERVER_CFN")),
                prop("user_data_update_policy", String)
                    .update()
                    .default(json!("REPLACE"))
                    .allowed(&["REPLACE", "IGNORE", "REBUILD"]),
                prop("user_data", String).update().default(json!("")),
                prop("reservation_id", String),
                prop("config_drive", Boolean),
                prop("diskConfig", String).allowed(&["AUTO", "MANUAL"]),
                prop("personality", Map).update().default(json!({})),
                prop("admin_user", String),
                prop("deployment_swift_data", Map).update(),
                prop("tags", List).update(),
            ],
            attrs(&[
                ("name", "Name of the server."),
                (
                    "addresses",
                    "Addresses by network: [{addr, version, port}].",
                ),
                ("networks", "Addresses by network name and id."),
                ("first_address", "The first IP address."),
                ("instance_name", "The instance's name on its host."),
                ("accessIPv4", "The access IPv4 address."),
                ("accessIPv6", "The access IPv6 address."),
                ("console_urls", "Console URLs."),
                ("tags", "Tags."),
                ("os_collect_config", "Configuration for os-collect-config."),
            ]),
        ),
        t(
            "OS::Nova::KeyPair",
            ObjectKind::Keypair,
            "An SSH key pair.",
            vec![
                prop("name", String).required().length(Some(1), Some(255)),
                prop("save_private_key", Boolean).default(json!(false)),
                prop("public_key", String),
                prop("type", String).allowed(&["ssh", "x509"]),
                prop("user", String),
            ],
            attrs(&[
                ("private_key", "The private key, when generated and saved."),
                ("public_key", "The public key."),
            ]),
        ),
        t(
            "OS::Nova::Flavor",
            ObjectKind::Flavor,
            "A flavor (admin).",
            vec![
                prop("name", String),
                prop("ram", Integer).required().range(Some(1.0), None),
                prop("vcpus", Integer).required().range(Some(1.0), None),
                prop("disk", Integer)
                    .default(json!(0))
                    .range(Some(0.0), None),
                prop("swap", Integer).default(json!(0)),
                prop("ephemeral", Integer).default(json!(0)),
                prop("rxtx_factor", Number).default(json!(1.0)),
                prop("is_public", Boolean).default(json!(true)),
                prop("extra_specs", Map).update(),
                prop("tenants", List).update().default(json!([])),
                prop("description", String).update(),
                prop("flavorid", String),
            ],
            attrs(&[
                ("is_public", "Whether public."),
                ("extra_specs", "Extra specs."),
            ]),
        ),
        t(
            "OS::Nova::ServerGroup",
            ObjectKind::ServerGroup,
            "A server group (affinity policies).",
            vec![
                prop("name", String),
                prop("policies", List).default(json!(["anti-affinity"])),
                prop("policy", String).allowed(&[
                    "anti-affinity",
                    "affinity",
                    "soft-anti-affinity",
                    "soft-affinity",
                ]),
                prop("rules", Map),
            ],
            vec![],
        ),
        t(
            "OS::Neutron::Net",
            ObjectKind::Network,
            "A network.",
            vec![
                prop("name", String).update(),
                prop("value_specs", Map).update().default(json!({})),
                prop("admin_state_up", Boolean)
                    .update()
                    .default(json!(true)),
                prop("tenant_id", String),
                prop("shared", Boolean).update(),
                prop("dhcp_agent_ids", List).update(),
                prop("port_security_enabled", Boolean).update(),
                prop("qos_policy", String).update(),
                prop("dns_domain", String).update(),
                prop("tags", List).update(),
                prop("availability_zone_hints", List),
            ],
            attrs(&[
                ("status", "The status."),
                ("name", "The name."),
                ("subnets", "Subnets of the network."),
                ("admin_state_up", "Administrative state."),
                ("tenant_id", "The owner."),
                ("port_security_enabled", "Port security."),
                ("mtu", "The MTU."),
                ("qos_policy_id", "QoS policy."),
                ("l2_adjacency", "L2 adjacency."),
                ("segments", "Segments."),
            ]),
        ),
        t(
            "OS::Neutron::Subnet",
            ObjectKind::Subnet,
            "A subnet of a network.",
            vec![
                prop("network_id", String).custom("neutron.network"),
                prop("network", String).required().custom("neutron.network"),
                prop("subnetpool", String),
                prop("prefixlen", Integer).range(Some(0.0), None),
                prop("cidr", String),
                prop("ip_version", Integer)
                    .default(json!(4))
                    .allowed(&["4", "6"]),
                prop("dns_nameservers", List).update().default(json!([])),
                prop("gateway_ip", String).update(),
                prop("enable_dhcp", Boolean).update().default(json!(true)),
                prop("allocation_pools", List).update().schema(vec![
                    prop("start", String).required(),
                    prop("end", String).required(),
                ]),
                prop("tenant_id", String),
                prop("host_routes", List).update().schema(vec![
                    prop("destination", String).required(),
                    prop("nexthop", String).required(),
                ]),
                prop("ipv6_ra_mode", String).allowed(&[
                    "dhcpv6-stateful",
                    "dhcpv6-stateless",
                    "slaac",
                ]),
                prop("ipv6_address_mode", String).allowed(&[
                    "dhcpv6-stateful",
                    "dhcpv6-stateless",
                    "slaac",
                ]),
                prop("name", String).update(),
                prop("value_specs", Map).update().default(json!({})),
                prop("segment", String).update(),
                prop("tags", List).update(),
                prop("use_default_subnetpool", Boolean),
            ],
            attrs(&[
                ("name", "Name."),
                ("network_id", "The network."),
                ("tenant_id", "Owner."),
                ("allocation_pools", "Allocation pools."),
                ("gateway_ip", "Gateway."),
                ("host_routes", "Host routes."),
                ("ip_version", "IP version."),
                ("cidr", "CIDR."),
                ("dns_nameservers", "DNS servers."),
                ("enable_dhcp", "DHCP."),
            ]),
        ),
        t(
            "OS::Neutron::Port",
            ObjectKind::Port,
            "A port on a network.",
            vec![
                prop("network", String).required().custom("neutron.network"),
                prop("network_id", String),
                prop("name", String).update(),
                prop("value_specs", Map).update().default(json!({})),
                prop("admin_state_up", Boolean)
                    .update()
                    .default(json!(true)),
                prop("fixed_ips", List).update().schema(vec![
                    prop("subnet_id", String),
                    prop("subnet", String).custom("neutron.subnet"),
                    prop("ip_address", String),
                ]),
                prop("mac_address", String),
                prop("device_id", String).update(),
                prop("device_owner", String).update(),
                prop("security_groups", List).update(),
                prop("allowed_address_pairs", List).update().schema(vec![
                    prop("mac_address", String),
                    prop("ip_address", String).required(),
                ]),
                prop("binding:vnic_type", String).update().allowed(&[
                    "normal",
                    "direct",
                    "macvtap",
                    "direct-physical",
                    "baremetal",
                    "virtio-forwarder",
                    "smart-nic",
                ]),
                prop("port_security_enabled", Boolean).update(),
                prop("qos_policy", String).update(),
                prop("dns_name", String).update(),
                prop("tags", List).update(),
                // Deprecated in Heat, still accepted.
                prop("replacement_policy", String)
                    .update()
                    .default(json!("AUTO"))
                    .allowed(&["REPLACE_ALWAYS", "AUTO"]),
                prop("propagate_uplink_status", Boolean).update(),
                prop("no_fixed_ips", Boolean).update().default(json!(false)),
            ],
            attrs(&[
                ("admin_state_up", "Administrative state."),
                ("device_id", "The device using the port."),
                ("device_owner", "Owner."),
                ("fixed_ips", "Fixed IPs: [{subnet_id, ip_address}]."),
                ("mac_address", "MAC address."),
                ("name", "Name."),
                ("network_id", "Network."),
                ("security_groups", "Security groups."),
                ("status", "Status."),
                ("tenant_id", "Owner."),
                ("allowed_address_pairs", "Allowed address pairs."),
                ("subnets", "Subnets."),
                ("port_security_enabled", "Port security."),
                ("qos_policy_id", "QoS policy."),
                (
                    "dns_assignment",
                    "DNS assignment: {hostname, ip_address, fqdn}.",
                ),
                ("network", "The network, as Neutron shows it."),
                (
                    "propagate_uplink_status",
                    "Whether the uplink status propagates.",
                ),
            ]),
        ),
        t(
            "OS::Neutron::Router",
            ObjectKind::Router,
            "A router.",
            vec![
                prop("name", String).update(),
                prop("external_gateway_info", Map).update().schema(vec![
                    prop("network", String).required().custom("neutron.network"),
                    prop("enable_snat", Boolean),
                    prop("external_fixed_ips", List),
                ]),
                prop("value_specs", Map).update().default(json!({})),
                prop("admin_state_up", Boolean)
                    .update()
                    .default(json!(true)),
                prop("l3_agent_ids", List).update(),
                // Hidden in Heat (replaced by l3_agent_ids), still accepted.
                prop("l3_agent_id", String).update(),
                prop("tenant_id", String),
                prop("availability_zone_hints", List),
                prop("distributed", Boolean),
                prop("ha", Boolean),
                prop("tags", List).update(),
            ],
            attrs(&[
                ("status", "Status."),
                ("external_gateway_info", "Gateway."),
                ("name", "Name."),
                ("admin_state_up", "State."),
                ("tenant_id", "Owner."),
            ]),
        ),
        t(
            "OS::Neutron::RouterInterface",
            ObjectKind::RouterInterface,
            "A router's interface on a subnet or port.",
            vec![
                prop("router", String).required().custom("neutron.router"),
                prop("router_id", String),
                prop("subnet", String).custom("neutron.subnet"),
                prop("subnet_id", String),
                prop("port", String).custom("neutron.port"),
                prop("port_id", String),
            ],
            vec![],
        ),
        t(
            "OS::Neutron::FloatingIP",
            ObjectKind::FloatingIp,
            "A floating IP on an external network.",
            vec![
                prop("floating_network", String)
                    .required()
                    .custom("neutron.network"),
                prop("floating_network_id", String),
                prop("value_specs", Map).default(json!({})),
                prop("port_id", String).update().custom("neutron.port"),
                prop("fixed_ip_address", String).update(),
                prop("floating_ip_address", String),
                prop("floating_subnet", String),
                prop("dns_name", String),
                prop("dns_domain", String),
            ],
            attrs(&[
                ("router_id", "Router."),
                ("tenant_id", "Owner."),
                ("floating_network_id", "External network."),
                ("fixed_ip_address", "Associated fixed IP."),
                ("floating_ip_address", "The floating IP address."),
                ("port_id", "Associated port."),
            ]),
        ),
        t(
            "OS::Neutron::FloatingIPAssociation",
            ObjectKind::FloatingIpAssociation,
            "Associates a floating IP with a port.",
            vec![
                prop("floatingip_id", String).required().update(),
                prop("port_id", String)
                    .required()
                    .update()
                    .custom("neutron.port"),
                prop("fixed_ip_address", String).update(),
            ],
            vec![],
        ),
        t(
            "OS::Nova::FloatingIP",
            ObjectKind::FloatingIp,
            "A floating IP from a pool (Heat's Nova floating IP, made in Neutron).",
            vec![prop("pool", String)],
            attrs(&[
                ("ip", "The address."),
                ("pool", "The pool (external network)."),
            ]),
        ),
        t(
            "OS::Nova::FloatingIPAssociation",
            ObjectKind::FloatingIpAssociation,
            "Associates a floating IP with a server.",
            vec![
                prop("floating_ip", String).required().update(),
                prop("server_id", String)
                    .required()
                    .update()
                    .custom("nova.server"),
            ],
            vec![],
        ),
        t(
            "OS::Neutron::SecurityGroup",
            ObjectKind::SecurityGroup,
            "A security group.",
            vec![
                prop("name", String).update(),
                prop("description", String).update(),
                prop("stateful", Boolean).default(json!(true)),
                prop("rules", List).update().default(json!([])).schema(vec![
                    prop("direction", String)
                        .default(json!("ingress"))
                        .allowed(&["ingress", "egress"]),
                    prop("ethertype", String)
                        .default(json!("IPv4"))
                        .allowed(&["IPv4", "IPv6"]),
                    prop("port_range_min", Integer).range(Some(0.0), Some(65535.0)),
                    prop("port_range_max", Integer).range(Some(0.0), Some(65535.0)),
                    prop("protocol", String),
                    prop("remote_mode", String)
                        .default(json!("remote_ip_prefix"))
                        .allowed(&["remote_ip_prefix", "remote_group_id"]),
                    prop("remote_group_id", String),
                    prop("remote_ip_prefix", String),
                    prop("description", String),
                ]),
            ],
            vec![],
        ),
        t(
            "OS::Neutron::SecurityGroupRule",
            ObjectKind::SecurityGroupRule,
            "A rule of a security group.",
            vec![
                prop("security_group", String).required(),
                prop("description", String),
                prop("direction", String)
                    .default(json!("ingress"))
                    .allowed(&["ingress", "egress"]),
                prop("ethertype", String)
                    .default(json!("IPv4"))
                    .allowed(&["IPv4", "IPv6"]),
                prop("port_range_min", Integer).range(Some(0.0), Some(65535.0)),
                prop("port_range_max", Integer).range(Some(0.0), Some(65535.0)),
                prop("protocol", String).default(json!("tcp")),
                prop("remote_group", String),
                prop("remote_ip_prefix", String),
            ],
            vec![],
        ),
        t(
            "OS::Cinder::Volume",
            ObjectKind::Volume,
            "A block storage volume.",
            vec![
                prop("size", Integer).update().range(Some(1.0), None),
                prop("snapshot_id", String),
                prop("backup_id", String).update(),
                prop("name", String).update(),
                prop("description", String).update(),
                prop("volume_type", String).update(),
                prop("metadata", Map).update().default(json!({})),
                prop("imageRef", String),
                prop("image", String).custom("glance.image"),
                prop("source_volid", String),
                prop("scheduler_hints", Map),
                prop("multiattach", Boolean),
                prop("availability_zone", String),
                prop("read_only", Boolean).update(),
            ],
            attrs(&[
                ("availability_zone", "AZ."),
                ("size", "Size in GB."),
                ("snapshot_id", "Snapshot."),
                ("display_name", "Name."),
                ("display_description", "Description."),
                ("volume_type", "Type."),
                ("metadata", "Metadata."),
                ("source_volid", "Source volume."),
                ("status", "Status."),
                ("created_at", "Creation time."),
                ("bootable", "Bootable."),
                ("metadata_values", "Metadata values."),
                ("encrypted", "Encrypted."),
                ("attachments", "Attachments."),
                ("attachments_list", "Attachments as a list."),
                ("multiattach", "Multi-attach."),
            ]),
        ),
        t(
            "OS::Cinder::VolumeAttachment",
            ObjectKind::VolumeAttachment,
            "Attaches a volume to a server.",
            vec![
                prop("instance_uuid", String).required().update(),
                prop("volume_id", String)
                    .required()
                    .update()
                    .custom("cinder.volume"),
                prop("mountpoint", String).update(),
            ],
            vec![],
        ),
        t(
            "OS::Glance::WebImage",
            ObjectKind::Image,
            "An image downloaded by Glance from a URL.",
            vec![
                prop("name", String),
                prop("id", String),
                prop("location", String).required(),
                prop("disk_format", String).required().allowed(&[
                    "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                    "ploop",
                ]),
                prop("container_format", String)
                    .required()
                    .allowed(&["ami", "ari", "aki", "bare", "ova", "ovf", "docker"]),
                prop("min_ram", Integer).default(json!(0)),
                prop("min_disk", Integer).default(json!(0)),
                prop("visibility", String)
                    .update()
                    .default(json!("private"))
                    .allowed(&["public", "private", "community", "shared"]),
                prop("protected", Boolean).update().default(json!(false)),
                prop("tags", List).update().default(json!([])),
                prop("architecture", String).update(),
                prop("os_distro", String).update(),
                prop("os_version", String).update(),
                prop("owner", String).update(),
                prop("extra_properties", Map).update().default(json!({})),
                prop("kernel_id", String).update().custom("glance.image"),
                prop("ramdisk_id", String).update().custom("glance.image"),
                prop("active", Boolean).update(),
                prop("members", List).update(),
            ],
            attrs(&[("status", "Status."), ("name", "Name.")]),
        ),
        t(
            "OS::Octavia::LoadBalancer",
            ObjectKind::LoadBalancer,
            "A load balancer.",
            vec![
                prop("name", String).update(),
                prop("description", String).update(),
                prop("admin_state_up", Boolean)
                    .update()
                    .default(json!(true)),
                prop("vip_subnet", String).custom("neutron.subnet"),
                prop("vip_network", String).custom("neutron.network"),
                prop("vip_address", String),
                prop("provider", String),
                prop("flavor", String),
                prop("availability_zone", String),
                prop("tenant_id", String),
            ],
            attrs(&[
                ("vip_address", "The VIP address."),
                ("vip_port_id", "The VIP port."),
                ("vip_subnet_id", "The VIP subnet."),
                ("pools", "Pools."),
                ("listeners", "Listeners."),
                ("flavor_id", "Flavor."),
            ]),
        ),
        t(
            "OS::Octavia::Listener",
            ObjectKind::Listener,
            "A load balancer's listener.",
            vec![
                prop("protocol_port", Integer)
                    .required()
                    .range(Some(1.0), Some(65535.0)),
                prop("protocol", String).required().allowed(&[
                    "TCP",
                    "HTTP",
                    "HTTPS",
                    "TERMINATED_HTTPS",
                    "PROXY",
                    "UDP",
                    "SCTP",
                ]),
                prop("loadbalancer", String).required(),
                prop("default_pool", String).update(),
                prop("name", String).update(),
                prop("admin_state_up", Boolean)
                    .update()
                    .default(json!(true)),
                prop("description", String).update(),
                prop("default_tls_container_ref", String).update(),
                prop("sni_container_refs", List).update(),
                prop("connection_limit", Integer).update(),
                prop("allowed_cidrs", List).update(),
                prop("tenant_id", String),
            ],
            attrs(&[
                ("loadbalancers", "Load balancers."),
                ("default_pool_id", "Default pool."),
            ]),
        ),
        t(
            "OS::Octavia::Pool",
            ObjectKind::Pool,
            "A pool of members.",
            vec![
                prop("admin_state_up", Boolean)
                    .update()
                    .default(json!(true)),
                prop("description", String).update(),
                prop("session_persistence", Map),
                prop("name", String).update(),
                prop("lb_algorithm", String).required().update().allowed(&[
                    "ROUND_ROBIN",
                    "LEAST_CONNECTIONS",
                    "SOURCE_IP",
                    "SOURCE_IP_PORT",
                ]),
                prop("listener", String),
                prop("loadbalancer", String),
                prop("protocol", String).required().allowed(&[
                    "TCP",
                    "HTTP",
                    "HTTPS",
                    "TERMINATED_HTTPS",
                    "PROXY",
                    "UDP",
                    "SCTP",
                ]),
                prop("tls_enabled", Boolean).update(),
                prop("tenant_id", String),
            ],
            attrs(&[
                ("healthmonitor_id", "Monitor."),
                ("listeners", "Listeners."),
                ("members", "Members."),
            ]),
        ),
        t(
            "OS::Octavia::PoolMember",
            ObjectKind::PoolMember,
            "A member of a pool.",
            vec![
                prop("pool", String).required(),
                prop("address", String).required(),
                prop("protocol_port", Integer)
                    .required()
                    .range(Some(1.0), Some(65535.0)),
                prop("monitor_address", String),
                prop("monitor_port", Integer),
                prop("weight", Integer)
                    .update()
                    .default(json!(1))
                    .range(Some(0.0), Some(256.0)),
                prop("admin_state_up", Boolean)
                    .update()
                    .default(json!(true)),
                prop("subnet", String).custom("neutron.subnet"),
                prop("tenant_id", String),
                prop("tags", List).update(),
            ],
            attrs(&[
                ("address", "The member's address."),
                ("pool_id", "The pool."),
            ]),
        ),
        t(
            "OS::Octavia::HealthMonitor",
            ObjectKind::HealthMonitor,
            "A load balancer pool's health monitor.",
            vec![
                prop("admin_state_up", Boolean)
                    .update()
                    .default(json!(true)),
                prop("delay", Integer)
                    .required()
                    .update()
                    .range(Some(0.0), None),
                prop("expected_codes", String).update(),
                prop("http_method", String).update().allowed(&[
                    "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH",
                ]),
                prop("max_retries", Integer)
                    .required()
                    .update()
                    .range(Some(1.0), Some(10.0)),
                prop("pool", String).required(),
                prop("timeout", Integer)
                    .required()
                    .update()
                    .range(Some(0.0), None),
                prop("type", String).required().allowed(&[
                    "HTTP",
                    "HTTPS",
                    "PING",
                    "TCP",
                    "UDP-CONNECT",
                    "TLS-HELLO",
                ]),
                prop("url_path", String).update(),
                prop("tenant_id", String),
            ],
            attrs(&[("pools", "The pools.")]),
        ),
        t(
            "OS::Swift::Container",
            ObjectKind::Container,
            "An object storage container.",
            vec![
                prop("name", String),
                prop("X-Container-Read", String),
                prop("X-Container-Write", String),
                prop("X-Container-Meta", Map).default(json!({})),
                prop("X-Account-Meta", Map).default(json!({})),
                prop("PurgeOnDelete", Boolean).default(json!(false)),
            ],
            attrs(&[
                ("DomainName", "Domain."),
                ("WebsiteURL", "Website URL."),
                ("RootURL", "Root URL."),
                ("ObjectCount", "Objects."),
                ("BytesUsed", "Bytes."),
                ("HeadContainer", "Headers."),
            ]),
        ),
    ]
}
