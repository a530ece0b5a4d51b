//! What real templates of openstack/heat-templates rely on, each class
//! written from Heat's documented behaviour and sources: a resource taken
//! over by `external_id` with no properties, software configs named by id
//! in a server's user data and a MultipartMime's parts (their content
//! reaches the server, as Heat's `get_software_config` gives it), a trunk's
//! `port_id`, and `AWS::Region` as Heat gives it (`ap-southeast-1`).

mod common;

use std::time::Duration;

use common::{create, sim};
use heat_core::engine::{StackOptions, StackSource, StateStore};
use serde_json::Value as Json;

/// Why a create of `template` is refused or fails.
async fn refusal(runner: &heat_core::engine::testing::Runner, template: &str) -> String {
    let source = StackSource {
        template: template.into(),
        ..StackSource::default()
    };
    match runner
        .create_stack("refused", source, StackOptions::default())
        .await
    {
        Ok(s) => {
            assert_ne!(s.status_text(), "CREATE_COMPLETE", "{template}");
            let reason = s.reason.clone();
            let gone = runner.delete_stack("refused").await.unwrap();
            runner.wait(gone).await;
            reason
        }
        Err(e) => e.to_string(),
    }
}

/// The user data the simulated cloud's server of a resource was made with.
fn user_data(s: &common::Sim, resource: &str) -> String {
    s.cloud
        .objects()
        .into_iter()
        .find(|o| o.kind == "server" && o.resource == resource)
        .and_then(|o| o.properties["user_data"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no server for {resource}"))
}

#[tokio::test(start_paused = true)]
async fn an_external_server_needs_no_properties_and_outlives_its_stack() {
    let s = sim(Duration::from_secs(1));
    let owner = create(
        &s.runner,
        "owner",
        "heat_template_version: 2018-08-31
resources:
  vm: {type: OS::Nova::Server, properties: {image: cirros-0.6.2, flavor: m1.small}}
outputs:
  id: {value: {get_resource: vm}}
",
    )
    .await;
    let id = owner.outputs.unwrap()["id"]["value"].clone();
    let id = id.as_str().unwrap();
    // hot/external_resource.yaml: no image, no flavor, only the id.
    let user = create(
        &s.runner,
        "user",
        &format!(
            "heat_template_version: newton
resources:
  external_server:
    type: OS::Nova::Server
    external_id: {id}
outputs:
  address: {{value: {{get_attr: [external_server, networks, private, 0]}}}}
"
        ),
    )
    .await;
    let records = s.store.resources(&user.id).await.unwrap();
    assert_eq!(records[0].status_text(), "ADOPT_COMPLETE");
    assert_eq!(records[0].physical_id.as_deref(), Some(id));
    let address = &user.outputs.unwrap()["address"]["value"];
    assert!(
        address.as_str().is_some_and(|a| a.starts_with("10.")),
        "{address}"
    );
    let gone = s.runner.delete_stack("user").await.unwrap();
    assert_eq!(s.runner.wait(gone).await.status_text(), "DELETE_COMPLETE");
    assert!(
        s.cloud.objects().iter().any(|o| o.id == id),
        "the server is the owner's"
    );
    // An id that names no server: Heat's "can not be found", at create.
    let m = refusal(
        &s.runner,
        "heat_template_version: newton
resources:
  external_server: {type: OS::Nova::Server, external_id: 6d2c7f1e-0000-4000-8000-000000000000}
",
    )
    .await;
    assert!(m.contains("6d2c7f1e"), "{m}");
}

const CONFIGS: &str = "heat_template_version: 2016-10-14
resources:
  script:
    type: OS::Heat::SoftwareConfig
    properties:
      group: ungrouped
      config: |
        #!/bin/sh
        echo configured
  cloud:
    type: OS::Heat::CloudConfig
    properties:
      cloud_config: {packages: [httpd]}
  init:
    type: OS::Heat::MultipartMime
    properties:
      parts:
      - {config: {get_resource: cloud}}
      - {config: {get_resource: script}, subtype: x-shellscript}
      - {config: 'Import-Module utils', filename: utils.psm1}
  raw:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: m1.small
      user_data_format: RAW
      user_data: {get_resource: init}
  software:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: m1.small
      user_data_format: SOFTWARE_CONFIG
      user_data: {get_resource: script}
  cfntools:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: m1.small
      user_data: {get_resource: script}
outputs:
  mime: {value: {get_attr: [init, config]}}
  script_id: {value: {get_resource: script}}
";

#[tokio::test(start_paused = true)]
async fn software_configs_named_by_id_reach_the_server_as_their_content() {
    let s = sim(Duration::from_secs(1));
    let stack = create(&s.runner, "configs", CONFIGS).await;
    let outputs = stack.outputs.unwrap();
    let mime = outputs["mime"]["value"].as_str().unwrap().to_string();
    // The parts are the configs themselves, each of its subtype (text/plain
    // without one: cloud-init tells a cloud-config by its first line).
    assert!(mime.contains("Content-Type: text/plain"), "{mime}");
    assert!(mime.contains("#cloud-config"), "{mime}");
    assert!(mime.contains("Content-Type: text/x-shellscript"), "{mime}");
    assert!(mime.contains("echo configured"), "{mime}");
    assert!(
        mime.contains("Content-Disposition: attachment; filename=\"utils.psm1\""),
        "{mime}"
    );
    // RAW user data naming the MultipartMime: its message.
    assert_eq!(user_data(&s, "raw"), mime);
    // SOFTWARE_CONFIG user data naming a config: the config, in the boot
    // user data; what the guest runs is the config.
    let software = user_data(&s, "software");
    assert!(
        software.contains("filename=\"part-handler.py\""),
        "{software}"
    );
    assert_eq!(
        heat_resources::boot::guest_script(&software),
        "#!/bin/sh\necho configured\n"
    );
    // HEAT_CFNTOOLS (the default) takes its user data as given (the id is
    // not a config's content here, as in Heat), as cfn-userdata.
    let id = outputs["script_id"]["value"].as_str().unwrap();
    let cfntools = user_data(&s, "cfntools");
    assert!(cfntools.contains("filename=\"cfn-userdata\""), "{cfntools}");
    assert_eq!(heat_resources::boot::guest_script(&cfntools), id);
    // The software config API shows a template's config by its id, as
    // Heat's; it goes with its stack, not through the API.
    let svc = heat_core::service::StackService::new(s.runner.engine().clone());
    let ctx = heat_core::engine::RequestContext::default();
    let config = svc.config(&ctx, id).await.unwrap();
    assert_eq!(config.name, "configs-script");
    assert_eq!(config.group, "ungrouped");
    assert!(config.config.as_str().unwrap().contains("echo configured"));
    assert!(svc.delete_config(&ctx, id).await.is_err());
    // And lists it with the others (the three configs of the template).
    let listed = svc.configs(&ctx, None, None).await.unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed.iter().any(|c| c.id == id));
    assert!(svc
        .config(&ctx, "6d2c7f1e-0000-4000-8000-000000000000")
        .await
        .is_err());
}

#[tokio::test(start_paused = true)]
async fn a_server_boots_on_its_trunks_parent_port() {
    let s = sim(Duration::from_secs(1));
    let stack = create(
        &s.runner,
        "trunk",
        "heat_template_version: 2016-10-14
resources:
  parent_port: {type: OS::Neutron::Port, properties: {network: private}}
  trunk0:
    type: OS::Neutron::Trunk
    properties: {port: {get_resource: parent_port}}
  vm:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: m1.small
      networks: [{port: {get_attr: [trunk0, port_id]}}]
outputs:
  port: {value: {get_resource: parent_port}}
  vm_port: {value: {get_attr: [vm, addresses, private, 0, port]}}
",
    )
    .await;
    let outputs = stack.outputs.unwrap();
    assert_eq!(outputs["vm_port"]["value"], outputs["port"]["value"]);
}

#[tokio::test(start_paused = true)]
async fn aws_region_is_heats_so_region_maps_written_for_heat_resolve() {
    let s = sim(Duration::from_secs(1));
    let stack = create(
        &s.runner,
        "region",
        r#"{"AWSTemplateFormatVersion": "2010-09-09",
 "Mappings": {"AWSRegionArch2AMI": {
   "us-east-1": {"64": "ami-aws"},
   "ap-southeast-1": {"64": "cirros-0.6.2"}}},
 "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
 "Outputs": {
   "Region": {"Value": {"Ref": "AWS::Region"}},
   "Image": {"Value": {"Fn::FindInMap": ["AWSRegionArch2AMI", {"Ref": "AWS::Region"}, "64"]}}}}"#,
    )
    .await;
    let outputs = stack.outputs.unwrap();
    assert_eq!(outputs["Region"]["value"], Json::from("ap-southeast-1"));
    assert_eq!(outputs["Image"]["value"], Json::from("cirros-0.6.2"));
}

#[tokio::test(start_paused = true)]
async fn properties_and_attributes_of_recent_heat_releases_are_known() {
    let s = sim(Duration::from_secs(1));
    // rules[*].description (Heat 27), the port's attributes since Heat 5
    // to 15, a boot volume's volume_type (Heat 26), the REBUILD policy.
    let stack = create(
        &s.runner,
        "recent",
        "heat_template_version: 2021-04-16
resources:
  sg:
    type: OS::Neutron::SecurityGroup
    properties:
      rules: [{protocol: tcp, port_range_min: 22, port_range_max: 22, description: ssh}]
  port:
    type: OS::Neutron::Port
    properties: {network: private, security_groups: [{get_resource: sg}]}
  vm:
    type: OS::Nova::Server
    properties:
      flavor: m1.small
      user_data_update_policy: REBUILD
      networks: [{port: {get_resource: port}}]
      block_device_mapping_v2:
      - {image: cirros-0.6.2, volume_size: 1, volume_type: ssd, disk_bus: sata, boot_index: 0}
outputs:
  port_security: {value: {get_attr: [port, port_security_enabled]}}
  dns: {value: {get_attr: [port, dns_assignment]}}
",
    )
    .await;
    assert!(stack.outputs.unwrap().contains_key("dns"));
    // A property no release has is still refused, with its path.
    let message = refusal(
        &s.runner,
        "heat_template_version: 2021-04-16
resources:
  sg:
    type: OS::Neutron::SecurityGroup
    properties:
      rules: [{protocol: tcp, colour: blue}]
",
    )
    .await;
    assert!(message.contains("colour"), "{message}");
}

#[tokio::test(start_paused = true)]
async fn every_heat_type_validates_with_heats_schema() {
    let s = sim(Duration::from_secs(1));
    let refused = |template: &'static str| refusal(&s.runner, template);
    // A misspelt property of a type heat-rs has no hand-written schema for.
    let m = refused(
        "heat_template_version: 2018-08-31
resources:
  trunk: {type: OS::Neutron::Trunk, properties: {prot: p}}
",
    )
    .await;
    assert!(
        m.contains("resources.trunk.properties") && m.contains("Unknown Property prot"),
        "{m}"
    );
    // What Heat declares but does not implement is refused, as Heat
    // refuses it (by hand-written and by Heat's own schemas).
    for (t, key) in [
        ("AWS::EC2::Instance", "Monitoring"),
        ("AWS::EC2::VPC", "InstanceTenancy"),
    ] {
        let template = format!(
            r#"{{"AWSTemplateFormatVersion": "2010-09-09",
 "Resources": {{"R": {{"Type": "{t}", "Properties": {{"{key}": "x"}}}}}}}}"#
        );
        let m = refusal(&s.runner, &template).await;
        assert!(
            m.contains(&format!(
                "Resources.R.Properties: Property {key} not implemented yet"
            )),
            "{m}"
        );
    }
    // An attribute the type does not have.
    let m = refused(
        "heat_template_version: 2018-08-31
resources:
  c: {type: OS::Zun::Container, properties: {image: cirros}}
outputs:
  x: {value: {get_attr: [c, first_address]}}
",
    )
    .await;
    assert!(m.contains("first_address"), "{m}");
    // A list property's allowed values hold for each item.
    let m = refused(
        "heat_template_version: 2018-08-31
resources:
  config: {type: OS::Heat::SoftwareConfig, properties: {config: echo}}
  vm: {type: OS::Nova::Server, properties: {image: cirros-0.6.2, flavor: m1.small}}
  d:
    type: OS::Heat::SoftwareDeployment
    properties: {config: {get_resource: config}, server: {get_resource: vm}, actions: [CREATE, REBOOT]}
",
    )
    .await;
    assert!(m.contains("REBOOT") && m.contains("actions"), "{m}");
    // A removed type Heat keeps as a placeholder takes anything and does
    // nothing; deployments answer any output name.
    let stack = create(
        &s.runner,
        "placeholders",
        "heat_template_version: 2018-08-31
resources:
  domain: {type: OS::Designate::Domain, properties: {name: example.org., email: a@example.org}}
  config: {type: OS::Heat::SoftwareConfig, properties: {config: echo, group: script}}
  vm: {type: OS::Nova::Server, properties: {image: cirros-0.6.2, flavor: m1.small, user_data_format: SOFTWARE_CONFIG}}
  d:
    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: config}
      server: {get_resource: vm}
      actions: [CREATE, UPDATE, SUSPEND, RESUME]
      signal_transport: NO_SIGNAL
outputs:
  anything: {value: {get_attr: [d, result]}}
",
    )
    .await;
    assert_eq!(stack.status_text(), "CREATE_COMPLETE");
}

#[tokio::test(start_paused = true)]
async fn nova_floating_ips_are_neutrons_bound_to_the_server() {
    let s = sim(Duration::from_secs(1));
    // hot/mistral/templates/server_with_ip.yaml's way.
    let stack = create(
        &s.runner,
        "nova-fip",
        "heat_template_version: 2015-04-30
resources:
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.small}
  floating_ip:
    type: OS::Nova::FloatingIP
  floating_ip_association:
    type: OS::Nova::FloatingIPAssociation
    properties:
      floating_ip: {get_resource: floating_ip}
      server_id: {get_resource: server}
outputs:
  ip: {value: {get_attr: [floating_ip, ip]}}
",
    )
    .await;
    let ip = stack.outputs.unwrap()["ip"]["value"].clone();
    let fip = s
        .cloud
        .stack_objects()
        .into_iter()
        .find(|o| o.kind == "floating_ip")
        .unwrap();
    assert_eq!(fip.attributes["floating_ip_address"], ip);
    assert!(
        fip.attributes["port_id"]
            .as_str()
            .is_some_and(|p| !p.is_empty()),
        "bound to the server's port: {:?}",
        fip.attributes
    );
}

#[tokio::test(start_paused = true)]
async fn a_zun_container_is_on_its_network_by_a_port_of_its_own() {
    let s = sim(Duration::from_secs(1));
    // hot/zun/webapp.yaml's way: a floating IP on the container's port.
    let stack = create(
        &s.runner,
        "zun",
        "heat_template_version: rocky
resources:
  db:
    type: OS::Zun::Container
    properties:
      image: mysql:5.7
      networks: [{network: private}]
  web:
    type: OS::Zun::Container
    properties:
      image: wordpress:latest
      environment:
        WORDPRESS_DB_HOST: {get_attr: [db, addresses, private, 0, addr]}
      networks: [{network: private}]
  floating_ip:
    type: OS::Neutron::FloatingIP
    properties: {floating_network: public}
  association:
    type: OS::Neutron::FloatingIPAssociation
    properties:
      floatingip_id: {get_resource: floating_ip}
      port_id: {get_attr: [web, addresses, private, 0, port]}
outputs:
  db_host: {value: {get_attr: [db, addresses, private, 0, addr]}}
  web_port: {value: {get_attr: [web, addresses, private, 0, port]}}
",
    )
    .await;
    assert_eq!(stack.status_text(), "CREATE_COMPLETE", "{}", stack.reason);
    let outputs = stack.outputs.clone().unwrap();
    let port = outputs["web_port"]["value"].as_str().unwrap().to_string();
    let objects = s.cloud.objects();
    let owned = objects.iter().find(|o| o.id == port).expect("the port");
    assert_eq!(owned.attributes["device_owner"], "compute:kuryr");
    assert!(outputs["db_host"]["value"]
        .as_str()
        .is_some_and(|a| a.starts_with("10.")));
    let fip = objects.iter().find(|o| o.kind == "floating_ip").unwrap();
    assert_eq!(fip.attributes["port_id"], port.as_str());
    // The ports go with their containers.
    let deleted = s.runner.delete_stack("zun").await.unwrap();
    assert_eq!(
        deleted.status_text(),
        "DELETE_COMPLETE",
        "{}",
        deleted.reason
    );
    let left: Vec<_> = s
        .cloud
        .objects()
        .into_iter()
        .filter(|o| o.id == port)
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
