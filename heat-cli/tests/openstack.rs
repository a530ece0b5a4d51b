//! `heat --os-cloud` against a real OpenStack (Keystone, Nova, Neutron,
//! Cinder): a stack with a keypair, network, subnet, router, port, server,
//! floating IP, security group, volume and attachment is created, checked
//! against the cloud's own APIs, updated in place, checked, and deleted
//! with nothing left behind. Built only with `--features openstack-live`;
//! `.ci/run` starts the cloud of ../shared/openstack and sets `OS_CLOUD`.

mod live;

use live::*;
use serde_json::{json, Value as Json};

#[tokio::test(flavor = "multi_thread")]
async fn a_two_tier_stack_lives_and_dies_on_a_real_openstack() {
    let (session, heat, template) = setup("full");
    let name = format!("live{}", std::process::id());
    let octet = std::process::id() % 200 + 20;
    let cidr = format!("10.{octet}.7.0/24");

    // Create: every resource, outputs from the cloud's own answers.
    let created = heat.json(&[
        "stack",
        "create",
        &name,
        "-t",
        &template,
        "--parameter",
        &format!("cidr={cidr}"),
        "-f",
        "json",
    ]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    assert!(
        output(&created, "web_public").starts_with("172.24.4."),
        "{created}"
    );
    let subnet_prefix = format!("10.{octet}.7.");
    assert!(output(&created, "web_address").starts_with(&subnet_prefix));
    assert!(output(&created, "db_address").starts_with(&subnet_prefix));
    let ids = heat.physical_ids(&name);
    assert_eq!(ids.len(), 15, "{ids:?}");

    // The cloud agrees.
    let web = get(&session, "compute", &format!("/servers/{}", ids["web"]))
        .await
        .expect("the web server exists");
    assert_eq!(web["server"]["status"], "ACTIVE", "{web}");
    assert_eq!(web["server"]["metadata"]["role"], "web", "{web}");
    // A value that is not a string, as Heat sends it: its JSON text.
    assert_eq!(web["server"]["metadata"]["slots"], "2", "{web}");
    assert_eq!(web["server"]["key_name"], format!("{name}-key").as_str());
    let tags = |server: &Json| -> Vec<String> {
        let mut t: Vec<String> = server["server"]["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("no tags: {server}"))
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        t.sort();
        t
    };
    assert_eq!(tags(&web), ["heat-rs", "web"]);
    // Its user data is Heat's boot user data (HEAT_CFNTOOLS, the default):
    // the script as cfn-userdata, beside heat-cfntools' files.
    let encoded = web["server"]["OS-EXT-SRV-ATTR:user_data"]
        .as_str()
        .unwrap_or_else(|| panic!("no user data shown to the admin: {web}"));
    use base64::Engine as _;
    let boot = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map(|b| String::from_utf8(b).unwrap())
        .unwrap();
    assert!(boot.contains("filename=\"cfn-metadata-server\""), "{boot}");
    assert_eq!(
        heat_resources::boot::guest_script(&boot),
        "#!/bin/sh\necho web\n"
    );
    let volume = get(&session, "volume", &format!("/volumes/{}", ids["volume"]))
        .await
        .expect("the volume exists");
    assert_eq!(volume["volume"]["status"], "in-use", "{volume}");
    assert_eq!(
        volume["volume"]["attachments"][0]["server_id"],
        ids["db"].as_str(),
        "{volume}"
    );
    let fip = get(&session, "network", &format!("/floatingips/{}", ids["fip"]))
        .await
        .unwrap();
    assert_eq!(fip["floatingip"]["port_id"], ids["web_port"].as_str());
    let subnet = get(&session, "network", &format!("/subnets/{}", ids["subnet"]))
        .await
        .expect("the subnet exists");
    assert_eq!(subnet["subnet"]["cidr"], cidr.as_str(), "{subnet}");

    // Update: a rule added to web_sg, web's and the volume's metadata
    // changed in place, the attached volume extended (detached from db,
    // extended, attached again, as Heat does);
    // vip's MAC address cannot change in place, so vip is replaced.
    let updated_template = std::fs::read_to_string(&template)
        .unwrap()
        .replace(
            "        - {protocol: tcp, port_range_min: 80, port_range_max: 80}\n",
            "        - {protocol: tcp, port_range_min: 80, port_range_max: 80}\n        - {protocol: tcp, port_range_min: 443, port_range_max: 443}\n",
        )
        .replace(
            "    properties: {size: 1}\n",
            "    properties: {size: 2, metadata: {tier: db}}\n",
        );
    assert!(updated_template.contains("tier: db"));
    assert!(updated_template.contains("443"));
    let updated_path = heat.dir.join("updated.yaml");
    std::fs::write(&updated_path, updated_template).unwrap();
    let updated = heat.json(&[
        "stack",
        "update",
        &name,
        "-t",
        updated_path.to_str().unwrap(),
        "--parameter",
        &format!("cidr={cidr}"),
        "--parameter",
        "role=frontend",
        "--parameter",
        "vip_mac=fa:16:3e:00:00:02",
        "-f",
        "json",
    ]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    let after = heat.physical_ids(&name);
    for (resource, id) in &ids {
        if resource == "vip" {
            assert_ne!(&after[resource], id, "vip was replaced");
        } else {
            assert_eq!(&after[resource], id, "{resource} was updated in place");
        }
    }
    let web = get(&session, "compute", &format!("/servers/{}", ids["web"]))
        .await
        .unwrap();
    assert_eq!(web["server"]["metadata"]["role"], "frontend", "{web}");
    assert_eq!(tags(&web), ["frontend", "heat-rs"]);
    // The volume's metadata changed in place, heat-rs's own keys kept.
    let volume = get(&session, "volume", &format!("/volumes/{}", ids["volume"]))
        .await
        .expect("the same volume");
    assert_eq!(volume["volume"]["metadata"]["tier"], "db", "{volume}");
    assert_eq!(volume["volume"]["size"], 2, "{volume}");
    assert_eq!(volume["volume"]["status"], "in-use", "{volume}");
    assert_eq!(
        volume["volume"]["attachments"][0]["server_id"],
        ids["db"].as_str(),
        "{volume}"
    );
    assert!(
        volume["volume"]["metadata"].get("heat_reattach").is_none(),
        "{volume}"
    );
    assert_eq!(
        volume["volume"]["metadata"]["heat_resource"], "volume",
        "{volume}"
    );
    let sg = get(
        &session,
        "network",
        &format!("/security-groups/{}", ids["web_sg"]),
    )
    .await
    .unwrap();
    let ports: Vec<i64> = sg["security_group"]["security_group_rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["port_range_min"].as_i64())
        .collect();
    assert!(ports.contains(&443) && ports.contains(&80), "{sg}");
    let vip = get(&session, "network", &format!("/ports/{}", after["vip"]))
        .await
        .unwrap();
    assert_eq!(vip["port"]["mac_address"], "fa:16:3e:00:00:02", "{vip}");
    let old_vip = get(&session, "network", &format!("/ports/{}", ids["vip"])).await;
    assert!(old_vip.is_none(), "the replaced vip was left behind");

    // Check reads every resource back from the cloud.
    let (code, out, err) = heat.run(&["stack", "check", &name]);
    assert_eq!(code, 0, "{out}{err}");
    let shown = heat.json(&["stack", "show", &name, "-f", "json"]);
    assert_eq!(shown["stack_status"], "CHECK_COMPLETE", "{shown}");

    // Delete: nothing is left on the cloud (by listing each collection).
    heat.delete(&name);
    let listed = listed(&session).await;
    for (resource, id) in ids.iter().chain(after.iter()) {
        assert!(!listed.contains_key(id), "{resource} {id} was left behind");
    }
    let key = get(&session, "compute", &format!("/os-keypairs/{name}-key")).await;
    assert!(key.is_none(), "the key pair was left behind");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_over_quota_fails_with_the_clouds_message_and_rolls_back() {
    let (session, heat, template) = setup("quota");
    let name = format!("quota{}", std::process::id());
    let octet = std::process::id() % 200 + 20;
    let over = std::fs::read_to_string(&template)
        .unwrap()
        .replace("properties: {size: 1}", "properties: {size: 100000}");
    let over_path = heat.dir.join("over.yaml");
    std::fs::write(&over_path, over).unwrap();
    let (code, out, err) = heat.run(&[
        "stack",
        "create",
        &name,
        "-t",
        over_path.to_str().unwrap(),
        "--parameter",
        &format!("cidr=10.{octet}.9.0/24"),
        "--enable-rollback",
    ]);
    assert_ne!(code, 0, "{out}{err}");
    let shown = heat.json(&["stack", "show", &name, "-f", "json"]);
    assert_eq!(shown["stack_status"], "ROLLBACK_COMPLETE", "{shown}");
    let events = heat.json(&["stack", "event", "list", &name, "-f", "json"]);
    let failed = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource_name"] == "volume" && e["resource_status"] == "CREATE_FAILED")
        .unwrap_or_else(|| panic!("no volume CREATE_FAILED event: {events}"));
    let reason = failed["resource_status_reason"].as_str().unwrap();
    assert!(
        reason.contains("exceeds allowed gigabytes quota"),
        "{reason}"
    );
    // Whatever was created before the failure is gone again.
    assert_nothing_named(&session, &name).await;

    // An image the cloud does not have is refused before anything is
    // created, naming the property and the cloud's answer.
    let bad = std::fs::read_to_string(&template)
        .unwrap()
        .replace("image: oslocal-tiny", "image: no-such-image");
    let bad_path = heat.dir.join("bad_image.yaml");
    std::fs::write(&bad_path, bad).unwrap();
    let bad_name = format!("img{}", std::process::id());
    let (code, out, err) = heat.run(&[
        "stack",
        "create",
        &bad_name,
        "-t",
        bad_path.to_str().unwrap(),
        "--parameter",
        &format!("cidr=10.{octet}.9.0/24"),
        "--enable-rollback",
    ]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        err.contains("resources.web.properties.image: Property error: Error validating value 'no-such-image': The Image (no-such-image) could not be found."),
        "{err}"
    );
    let (code, _, _) = heat.run(&["stack", "show", &bad_name]);
    assert_ne!(code, 0, "the stack was never created");
    assert_nothing_named(&session, &bad_name).await;

    // Parameters' custom constraints are checked against the cloud before
    // anything is created.
    let constrained = heat.dir.join("constrained.yaml");
    std::fs::write(
        &constrained,
        "heat_template_version: 2018-08-31\nparameters:\n  image: {type: string, constraints: [{custom_constraint: glance.image}]}\n  flavor: {type: string, constraints: [{custom_constraint: nova.flavor}]}\nresources:\n  s:\n    type: OS::Nova::Server\n    properties: {image: {get_param: image}, flavor: {get_param: flavor}, networks: [{network: private}]}\n",
    )
    .unwrap();
    let (code, out, err) = heat.run(&[
        "stack",
        "create",
        &format!("{name}cc"),
        "-t",
        constrained.to_str().unwrap(),
        "--parameter",
        "image=nope",
        "--parameter",
        "flavor=m1.nano",
    ]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        err.contains("constrained.yaml:3: parameters.image: Parameter 'image' is invalid: Error validating value 'nope': The Image (nope) could not be found."),
        "{err}"
    );
    assert!(!err.contains("parameters.flavor"), "{err}");
    let (code, _, _) = heat.run(&["stack", "show", &format!("{name}cc")]);
    assert_ne!(code, 0, "the stack was never created");

    // Credentials Keystone refuses stop the command before anything is
    // written, with Keystone's answer.
    let clouds = std::env::var("OS_CLIENT_CONFIG_FILE").expect("OS_CLIENT_CONFIG_FILE is set");
    let text = std::fs::read_to_string(clouds).unwrap();
    let bad = spoil_passwords(&text);
    assert_ne!(bad, text, "the clouds.yaml has passwords to spoil");
    let bad_clouds = heat.dir.join("bad-clouds.yaml");
    std::fs::write(&bad_clouds, bad).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_heat"))
        .args(["--os-cloud", &heat.cloud, "stack", "create", "nope", "-t"])
        .arg(&template)
        .env("HEAT_STATE", heat.dir.join("state.sqlite"))
        .env("OS_CLIENT_CONFIG_FILE", &bad_clouds)
        .env_remove("HEAT_URL")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("Keystone refused the credentials"), "{err}");
    let (code, _, _) = heat.run(&["stack", "show", "nope"]);
    assert_ne!(code, 0, "nothing was written");
}

/// clouds.yaml text with every `password:` value replaced.
fn spoil_passwords(text: &str) -> String {
    text.lines()
        .map(|l| match l.split_once("password:") {
            Some((indent, _)) => format!("{indent}password: not-the-password"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The two tiers again, as CloudFormation: AWS::EC2 instances, security
/// groups, elastic IPs (one associated, one given its instance) and
/// volume, on Neutron networking.
const CFN_TEMPLATE: &str = r##"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {
    "Cidr": {"Type": "String"},
    "InstanceType": {"Type": "String", "Default": "m1.nano"}
  },
  "Resources": {
    "Net": {"Type": "OS::Neutron::Net"},
    "Subnet": {"Type": "OS::Neutron::Subnet", "Properties": {"network": {"Ref": "Net"}, "cidr": {"Ref": "Cidr"}}},
    "Router": {"Type": "OS::Neutron::Router", "Properties": {"external_gateway_info": {"network": "public"}}},
    "RouterInterface": {"Type": "OS::Neutron::RouterInterface",
      "Properties": {"router": {"Ref": "Router"}, "subnet": {"Ref": "Subnet"}}},
    "WebSG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "web",
      "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": "80", "ToPort": "80", "CidrIp": "0.0.0.0/0"}]}},
    "DbSG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "db",
      "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": "3306", "ToPort": "3306", "CidrIp": {"Ref": "Cidr"}}]}},
    "WebPort": {"Type": "OS::Neutron::Port", "Properties": {"network": {"Ref": "Net"},
      "fixed_ips": [{"subnet": {"Ref": "Subnet"}}], "security_groups": [{"Ref": "WebSG"}]}},
    "DbPort": {"Type": "OS::Neutron::Port", "Properties": {"network": {"Ref": "Net"},
      "fixed_ips": [{"subnet": {"Ref": "Subnet"}}], "security_groups": [{"Ref": "DbSG"}]}},
    "Web": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "oslocal-tiny",
      "InstanceType": {"Ref": "InstanceType"},
      "NetworkInterfaces": [{"NetworkInterfaceId": {"Ref": "WebPort"}, "DeviceIndex": "0"}],
      "UserData": {"Fn::Base64": "#!/bin/sh\necho web\n"}}},
    "Db": {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "oslocal-tiny",
      "InstanceType": {"Ref": "InstanceType"},
      "NetworkInterfaces": [{"NetworkInterfaceId": {"Ref": "DbPort"}, "DeviceIndex": "0"}]}},
    "IP": {"Type": "AWS::EC2::EIP", "DependsOn": "RouterInterface"},
    "IPAssoc": {"Type": "AWS::EC2::EIPAssociation", "Properties": {"InstanceId": {"Ref": "Web"}, "EIP": {"Ref": "IP"}}},
    "DbIP": {"Type": "AWS::EC2::EIP", "DependsOn": "RouterInterface", "Properties": {"InstanceId": {"Ref": "Db"}}},
    "Data": {"Type": "AWS::EC2::Volume", "Properties": {"Size": "1",
      "AvailabilityZone": {"Fn::GetAtt": ["Db", "AvailabilityZone"]}}},
    "Attach": {"Type": "AWS::EC2::VolumeAttachment", "Properties": {"InstanceId": {"Ref": "Db"},
      "VolumeId": {"Ref": "Data"}, "Device": "/dev/vdb"}}
  },
  "Outputs": {
    "WebPublic": {"Value": {"Ref": "IP"}},
    "DbPublic": {"Value": {"Ref": "DbIP"}},
    "WebAddress": {"Value": {"Fn::GetAtt": ["Web", "PrivateIp"]}},
    "DbAddress": {"Value": {"Fn::GetAtt": ["Db", "PrivateIp"]}}
  }
}"##;

#[tokio::test(flavor = "multi_thread")]
async fn the_two_tiers_as_cloudformation_live_and_die_on_a_real_openstack() {
    let (session, heat, _) = setup("cfn");
    let template = heat.dir.join("two_tier.json");
    std::fs::write(&template, CFN_TEMPLATE).unwrap();
    let name = format!("cfn{}", std::process::id());
    let octet = std::process::id() % 200 + 20;
    let created = heat.json(&[
        "stack",
        "create",
        &name,
        "-t",
        template.to_str().unwrap(),
        "--parameter",
        &format!("Cidr=10.{octet}.10.0/24"),
        "-f",
        "json",
    ]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let prefix = format!("10.{octet}.10.");
    assert!(
        output(&created, "WebAddress").starts_with(&prefix),
        "{created}"
    );
    assert!(
        output(&created, "DbAddress").starts_with(&prefix),
        "{created}"
    );
    let public = output(&created, "WebPublic");
    assert!(public.starts_with("172.24.4."), "{created}");
    let ids = heat.physical_ids(&name);
    for server in ["Web", "Db"] {
        let s = get(&session, "compute", &format!("/servers/{}", ids[server]))
            .await
            .expect("the instance exists");
        assert_eq!(s["server"]["status"], "ACTIVE", "{s}");
    }
    // The associated elastic IP, and one given its instance, are each on
    // their instance's port.
    for (output_key, port) in [("WebPublic", "WebPort"), ("DbPublic", "DbPort")] {
        let address = output(&created, output_key);
        let fips = get(
            &session,
            "network",
            &format!("/floatingips?floating_ip_address={address}"),
        )
        .await
        .unwrap();
        assert_eq!(
            fips["floatingips"][0]["port_id"],
            ids[port].as_str(),
            "{fips}"
        );
    }
    let volume = get(&session, "volume", &format!("/volumes/{}", ids["Data"]))
        .await
        .unwrap();
    assert_eq!(volume["volume"]["status"], "in-use", "{volume}");
    assert_eq!(
        volume["volume"]["attachments"][0]["server_id"],
        ids["Db"].as_str(),
        "{volume}"
    );

    heat.delete(&name);
    let listed = listed(&session).await;
    for (resource, id) in &ids {
        assert!(!listed.contains_key(id), "{resource} {id} was left behind");
    }
    let fips = get(
        &session,
        "network",
        &format!("/floatingips?floating_ip_address={public}"),
    )
    .await
    .unwrap();
    assert_eq!(
        fips["floatingips"],
        json!([]),
        "the elastic IP was left behind"
    );
    assert_nothing_named(&session, &name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flavor_and_a_server_group_are_made_used_resized_away_and_removed() {
    let (session, heat, _) = setup("flavor");
    let template = heat.dir.join("flavor.yaml");
    std::fs::write(
        &template,
        "heat_template_version: 2018-08-31\nresources:\n  flavor:\n    type: OS::Nova::Flavor\n    properties: {ram: 64, vcpus: 1, disk: 1, extra_specs: {\"hw:cpu_policy\": shared}}\n  group:\n    type: OS::Nova::ServerGroup\n    properties: {policies: [soft-anti-affinity]}\n  server:\n    type: OS::Nova::Server\n    properties:\n      image: oslocal-tiny\n      flavor: {get_resource: flavor}\n      networks: [{network: private}]\n      scheduler_hints: {group: {get_resource: group}}\n",
    )
    .unwrap();
    let name = format!("flv{}", std::process::id());
    let created = heat.json(&[
        "stack",
        "create",
        &name,
        "-t",
        template.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    let specs = get(
        &session,
        "compute",
        &format!("/flavors/{}/os-extra_specs", ids["flavor"]),
    )
    .await
    .expect("the flavor exists");
    assert_eq!(specs["extra_specs"]["hw:cpu_policy"], "shared", "{specs}");
    let server = get(&session, "compute", &format!("/servers/{}", ids["server"]))
        .await
        .unwrap();
    assert_eq!(
        server["server"]["flavor"]["original_name"],
        format!("{name}-flavor").as_str(),
        "{server}"
    );
    let group = get(
        &session,
        "compute",
        &format!("/os-server-groups/{}", ids["group"]),
    )
    .await
    .expect("the server group exists");
    assert_eq!(group["server_group"]["policy"], "soft-anti-affinity");
    assert_eq!(
        group["server_group"]["members"][0],
        ids["server"].as_str(),
        "{group}"
    );

    // Resized in place to another flavor (resize, then confirmed); the
    // flavor's extra specs changed in place (one set, one unset).
    let resized = std::fs::read_to_string(&template)
        .unwrap()
        .replace("flavor: {get_resource: flavor}", "flavor: m1.micro")
        .replace("\"hw:cpu_policy\": shared", "\"hw:mem_page_size\": small");
    let resized_path = heat.dir.join("resized.yaml");
    std::fs::write(&resized_path, resized).unwrap();
    let updated = heat.json(&[
        "stack",
        "update",
        &name,
        "-t",
        resized_path.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(heat.physical_ids(&name)["server"], ids["server"]);
    let server = get(&session, "compute", &format!("/servers/{}", ids["server"]))
        .await
        .unwrap();
    assert_eq!(
        server["server"]["flavor"]["original_name"], "m1.micro",
        "{server}"
    );
    assert_eq!(server["server"]["status"], "ACTIVE", "{server}");
    assert_eq!(heat.physical_ids(&name)["flavor"], ids["flavor"]);
    let specs = get(
        &session,
        "compute",
        &format!("/flavors/{}/os-extra_specs", ids["flavor"]),
    )
    .await
    .expect("the flavor exists");
    assert_eq!(
        specs["extra_specs"],
        json!({"hw:mem_page_size": "small"}),
        "{specs}"
    );

    heat.delete(&name);
    for (resource, path) in [
        ("server", "/servers/"),
        ("flavor", "/flavors/"),
        ("group", "/os-server-groups/"),
    ] {
        let left = get(&session, "compute", &format!("{path}{}", ids[resource])).await;
        assert!(left.is_none(), "{resource} was left behind: {left:?}");
    }
}

/// A server whose wait condition nobody signals (ten minutes).
const WAITING: &str = r##"
heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties: {image: oslocal-tiny, flavor: m1.nano, networks: [{network: private}]}
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    depends_on: server
    properties: {handle: {get_resource: handle}, timeout: 600}
"##;

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_stack_being_created_cancels_its_wait_and_deletes_its_server() {
    let (session, heat, _) = setup("delete-running");
    let template = heat.dir.join("waiting.yaml");
    std::fs::write(&template, WAITING).unwrap();
    let name = format!("waiting{}", std::process::id());
    let creating = heat
        .command(&["stack", "create", &name, "-t", template.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let creating = Killed(creating);
    // Once the wait condition waits (its server is up on the cloud)...
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        assert!(std::time::Instant::now() < deadline, "the wait never began");
        let (code, out, _) = heat.run(&["stack", "resource", "list", &name, "-f", "json"]);
        if code == 0 {
            let list: Json = serde_json::from_str(&out).unwrap();
            let waiting = list.as_array().unwrap().iter().any(|r| {
                r["resource_name"] == "wait" && r["resource_status"] == "CREATE_IN_PROGRESS"
            });
            if waiting {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let stack_id = heat.json(&["stack", "show", &name, "-f", "json"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(servers_of(&session, &stack_id).await.len(), 1);
    // ...another heat deletes the stack: the creating one stops waiting,
    // and the stack with its server is deleted, long before ten minutes.
    let (code, out, err) = heat.run(&["stack", "delete", &name, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("cancelling it, then deleting"), "{err}");
    let (code, _, err) = heat.run(&["stack", "show", &name]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(servers_of(&session, &stack_id).await, Vec::<String>::new());
    let out = creating.wait_with_output();
    assert_eq!(out.0, 1, "{}", out.1);
    assert!(
        out.1.contains("was deleted while its CREATE ran"),
        "{}",
        out.1
    );
    assert_nothing_named(&session, &name).await;
}
