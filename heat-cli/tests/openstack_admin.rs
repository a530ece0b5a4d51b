//! `heat --os-cloud` for what an operator sets up, as Heat's resources
//! do: Keystone's domains, projects, roles, groups, users and role
//! assignments made, changed in place (an assignment moved) and deleted
//! with no grant left; the catalog's regions, services and endpoints; an
//! object a killed create made found again by its tag; a project's quotas
//! and a volume type shared with it; a private flavor shared with its
//! projects; a host aggregate; a subnet from a
//! subnet pool; heat-templates' own Keystone templates (from the
//! conformance corpus). Built only with `--features openstack-live`;
//! `.ci/run` starts the cloud and sets `OS_CLOUD`.

mod live;

use live::*;

/// Keystone objects as Heat's `OS::Keystone::*` make them: a domain, a
/// project, a role, a group granted the role on the project, a user in the
/// group with a default project and a role, and a user role assignment;
/// an update changes the project in place, takes the user out of the
/// group and moves the assignment to the domain (the old grant revoked);
/// the delete leaves none of them, nor any grant.
#[tokio::test(flavor = "multi_thread")]
async fn keystone_objects_live_and_die_as_heats() {
    let (session, heat, _) = setup("keystone");
    let template = heat.dir.join("keystone.yaml");
    let text = |description: &str, groups: &str, scope: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  domain: {{type: OS::Keystone::Domain, properties: {{description: a domain}}}}
  project:
    type: OS::Keystone::Project
    properties: {{domain: default, description: {description}, tags: [team]}}
  role: {{type: OS::Keystone::Role}}
  group:
    type: OS::Keystone::Group
    properties:
      roles: [{{role: {{get_resource: role}}, project: {{get_resource: project}}}}]
  user:
    type: OS::Keystone::User
    properties:
      password: s3cret-pass
      default_project: {{get_resource: project}}
      groups: {groups}
      roles: [{{role: member, project: {{get_resource: project}}}}]
  assignment:
    type: OS::Keystone::UserRoleAssignment
    properties:
      user: {{get_resource: user}}
      roles: [{{role: reader, {scope}}}]
outputs:
  project_domain: {{value: {{get_attr: [project, domain_id]}}}}
  user_project: {{value: {{get_attr: [user, default_project_id]}}}}
"
        )
    };
    std::fs::write(
        &template,
        text(
            "first",
            "[{get_resource: group}]",
            "project: {get_resource: project}",
        ),
    )
    .unwrap();
    let name = format!("ks{}", std::process::id());
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    assert_eq!(output(&created, "project_domain"), "default");
    assert_eq!(output(&created, "user_project"), ids["project"]);
    let identity = |path: String| {
        let session = &session;
        async move { get(session, "identity", &path).await }
    };
    let project = identity(format!("/projects/{}", ids["project"]))
        .await
        .unwrap();
    assert_eq!(project["project"]["tags"], serde_json::json!(["team"]));
    let description = project["project"]["description"].as_str().unwrap();
    assert!(description.starts_with("first (heat-rs:"), "{description}");
    let role_of = |name: &'static str| {
        let session = &session;
        async move {
            let roles = get(session, "identity", &format!("/roles?name={name}"))
                .await
                .unwrap();
            roles["roles"][0]["id"].as_str().unwrap().to_string()
        }
    };
    let (member, reader) = (role_of("member").await, role_of("reader").await);
    let granted = |query: String| {
        let session = &session;
        async move {
            let list = get(session, "identity", &format!("/role_assignments?{query}"))
                .await
                .unwrap();
            let mut roles: Vec<String> = list["role_assignments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["role"]["id"].as_str().unwrap().to_string())
                .collect();
            roles.sort();
            roles
        }
    };
    let on_project =
        |who: &str, id: &str| format!("{who}.id={id}&scope.project.id={}", ids["project"]);
    let mut both = vec![member.clone(), reader.clone()];
    both.sort();
    assert_eq!(granted(on_project("user", &ids["user"])).await, both);
    assert_eq!(
        granted(on_project("group", &ids["group"])).await,
        [ids["role"].clone()]
    );
    let groups = identity(format!("/users/{}/groups", ids["user"]))
        .await
        .unwrap();
    assert_eq!(groups["groups"][0]["id"], ids["group"].as_str(), "{groups}");

    // Update: in place, the assignment moved to the domain.
    std::fs::write(&template, text("second", "[]", "domain: default")).unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    let after = heat.physical_ids(&name);
    for kept in ["domain", "project", "role", "group", "user"] {
        assert_eq!(after[kept], ids[kept], "{kept} was kept");
    }
    assert_ne!(after["assignment"], ids["assignment"]);
    let project = identity(format!("/projects/{}", ids["project"]))
        .await
        .unwrap();
    let description = project["project"]["description"].as_str().unwrap();
    assert!(description.starts_with("second (heat-rs:"), "{description}");
    assert_eq!(
        granted(on_project("user", &ids["user"])).await,
        std::slice::from_ref(&member)
    );
    assert_eq!(
        granted(format!("user.id={}&scope.domain.id=default", ids["user"])).await,
        std::slice::from_ref(&reader)
    );
    let groups = identity(format!("/users/{}/groups", ids["user"]))
        .await
        .unwrap();
    assert_eq!(groups["groups"], serde_json::json!([]), "{groups}");

    delete_leaving_none(
        &session,
        &heat,
        &name,
        "identity",
        &[
            ("domain", "domains"),
            ("project", "projects"),
            ("role", "roles"),
            ("group", "groups"),
            ("user", "users"),
        ],
    )
    .await;
}

/// Keystone's catalog as Heat's resources make it: a region, a service and
/// its endpoint there; an update changes the endpoint's URL and the
/// service's description in place; the delete leaves none of them.
#[tokio::test(flavor = "multi_thread")]
async fn a_service_and_its_endpoint_join_and_leave_keystones_catalog() {
    let (session, heat, _) = setup("catalog");
    let template = heat.dir.join("catalog.yaml");
    let pid = std::process::id();
    let text = |url: &str, description: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  region:
    type: OS::Keystone::Region
    properties: {{id: heat-rs-region-{pid}, description: test region}}
  service:
    type: OS::Keystone::Service
    properties: {{type: heat-rs-test-{pid}, description: {description}}}
  endpoint:
    type: OS::Keystone::Endpoint
    properties:
      service: {{get_resource: service}}
      region: {{get_resource: region}}
      interface: public
      url: {url}
"
        )
    };
    std::fs::write(&template, text("http://127.0.0.1:9999/v1", "first")).unwrap();
    let name = format!("catalog{pid}");
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    assert_eq!(ids["region"], format!("heat-rs-region-{pid}"));
    let identity = |path: String| {
        let session = &session;
        async move { get(session, "identity", &path).await }
    };
    let endpoint = identity(format!("/endpoints/{}", ids["endpoint"]))
        .await
        .unwrap();
    assert_eq!(endpoint["endpoint"]["service_id"], ids["service"].as_str());
    assert_eq!(endpoint["endpoint"]["region_id"], ids["region"].as_str());
    assert_eq!(endpoint["endpoint"]["url"], "http://127.0.0.1:9999/v1");
    // Its tag, as one of its extra fields, finds it after a crash.
    let tag = endpoint["endpoint"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(tag.starts_with("heat-rs:"), "{endpoint}");
    let service = identity(format!("/services/{}", ids["service"]))
        .await
        .unwrap();
    assert_eq!(
        service["service"]["type"],
        format!("heat-rs-test-{pid}").as_str()
    );

    std::fs::write(&template, text("http://127.0.0.1:9998/v2", "second")).unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(heat.physical_ids(&name), ids, "changed in place");
    let endpoint = identity(format!("/endpoints/{}", ids["endpoint"]))
        .await
        .unwrap();
    assert_eq!(endpoint["endpoint"]["url"], "http://127.0.0.1:9998/v2");
    let service = identity(format!("/services/{}", ids["service"]))
        .await
        .unwrap();
    let description = service["service"]["description"].as_str().unwrap();
    assert!(description.starts_with("second (heat-rs:"), "{description}");

    delete_leaving_none(
        &session,
        &heat,
        &name,
        "identity",
        &[
            ("endpoint", "endpoints"),
            ("service", "services"),
            ("region", "regions"),
        ],
    )
    .await;
}

/// A Keystone object a killed create made before it recorded the id is
/// found again by the tag its description carries (an address scope, which
/// has none, by its name), and only for its own resource; once deleted, it
/// is not.
#[tokio::test(flavor = "multi_thread")]
async fn a_keystone_object_made_before_a_crash_is_found_by_its_tag() {
    use heat_resources::{Cloud, ObjectKind};
    let (session, _heat, _) = setup("ksfind");
    let cloud = heat_openstack::OpenStackCloud::new(
        session,
        std::sync::Arc::new(heat_server::SystemClock::new()),
    );
    let stack_id = format!("ksfind-{}", std::process::id());
    let spec = heat_core::engine::ResourceSpec {
        stack_id: stack_id.clone(),
        stack_name: format!("ksfind{}", std::process::id()),
        name: "team".into(),
        type_name: "OS::Keystone::Project".into(),
        properties: serde_json::json!({"description": "made, then the engine was killed"}),
        ..Default::default()
    };
    let kind = ObjectKind::KeystoneProject;
    let id = cloud.create(kind, &spec).await.unwrap();
    assert_eq!(
        cloud.find(kind, &stack_id, "team").await.unwrap(),
        vec![id.clone()]
    );
    assert_eq!(
        cloud.find(kind, &stack_id, "other").await.unwrap(),
        Vec::<String>::new()
    );
    cloud.delete(kind, &id).await.unwrap();
    assert_eq!(
        cloud.find(kind, &stack_id, "team").await.unwrap(),
        Vec::<String>::new()
    );
    // An address scope, which has no description: named by its tag.
    let spec = heat_core::engine::ResourceSpec {
        name: "scope".into(),
        type_name: "OS::Neutron::AddressScope".into(),
        properties: serde_json::json!({"ip_version": 4}),
        ..spec
    };
    let kind = ObjectKind::AddressScope;
    let id = cloud.create(kind, &spec).await.unwrap();
    assert_eq!(
        cloud.find(kind, &stack_id, "scope").await.unwrap(),
        vec![id.clone()]
    );
    assert_eq!(
        cloud.find(kind, &stack_id, "team").await.unwrap(),
        Vec::<String>::new()
    );
    cloud.delete(kind, &id).await.unwrap();
    assert_eq!(
        cloud.find(kind, &stack_id, "scope").await.unwrap(),
        Vec::<String>::new()
    );
}

/// A project's limits and a volume type shared with it, as an operator's
/// stack sets them up: Nova's, Cinder's and Neutron's quotas set, then
/// changed in place; a private volume type with extra specs, its specs
/// changed; the delete puts the project's defaults back and removes the
/// type.
#[tokio::test(flavor = "multi_thread")]
async fn a_projects_quotas_and_volume_type_are_set_changed_and_reset() {
    let (session, heat, _) = setup("quotas");
    let pid = std::process::id();
    let tenant = heat.dir.join("tenant.yaml");
    std::fs::write(
        &tenant,
        "heat_template_version: 2018-08-31\nresources:\n  project: {type: OS::Keystone::Project}\n",
    )
    .unwrap();
    let t = tenant.display().to_string();
    let name = format!("tenant{pid}");
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let project = heat.physical_ids(&name)["project"].clone();

    let limits = heat.dir.join("limits.yaml");
    let text = |cores: u32, spec: &str| {
        format!(
            "heat_template_version: 2018-08-31
parameters:
  project: {{type: string}}
resources:
  nova: {{type: OS::Nova::Quota, properties: {{project: {{get_param: project}}, cores: {cores}, instances: 3}}}}
  cinder: {{type: OS::Cinder::Quota, properties: {{project: {{get_param: project}}, volumes: 4, gigabytes: 40}}}}
  neutron: {{type: OS::Neutron::Quota, properties: {{project: {{get_param: project}}, port: 25}}}}
  fast:
    type: OS::Cinder::VolumeType
    properties:
      name: fast-{pid}
      is_public: false
      projects: [{{get_param: project}}]
      metadata: {{speed: {spec}}}
"
        )
    };
    std::fs::write(&limits, text(4, "high")).unwrap();
    let l = limits.display().to_string();
    let lname = format!("limits{pid}");
    let param = format!("project={project}");
    let created = heat.json(&[
        "stack",
        "create",
        &lname,
        "-t",
        &l,
        "--parameter",
        &param,
        "-f",
        "json",
    ]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&lname);
    let quota = |service: &'static str, path: String, key: &'static str| {
        let session = &session;
        async move { get(session, service, &path).await.unwrap()[key].clone() }
    };
    let nova = || quota("compute", format!("/os-quota-sets/{project}"), "quota_set");
    let cinder = || quota("volume", format!("/os-quota-sets/{project}"), "quota_set");
    let neutron = || quota("network", format!("/quotas/{project}"), "quota");
    assert_eq!(nova().await["cores"], 4);
    assert_eq!(nova().await["instances"], 3);
    assert_eq!(cinder().await["volumes"], 4);
    assert_eq!(neutron().await["port"], 25);
    let volume_type = || {
        let session = &session;
        let id = ids["fast"].clone();
        async move {
            let t = get(session, "volume", &format!("/types/{id}"))
                .await
                .unwrap();
            let access = get(
                session,
                "volume",
                &format!("/types/{id}/os-volume-type-access"),
            )
            .await
            .unwrap();
            (
                t["volume_type"].clone(),
                access["volume_type_access"].clone(),
            )
        }
    };
    let (t, access) = volume_type().await;
    assert_eq!(t["extra_specs"]["speed"], "high", "{t}");
    assert_eq!(t["is_public"], false, "{t}");
    assert_eq!(access[0]["project_id"], project.as_str(), "{access}");

    std::fs::write(&limits, text(6, "higher")).unwrap();
    let updated = heat.json(&[
        "stack",
        "update",
        &lname,
        "-t",
        &l,
        "--parameter",
        &param,
        "-f",
        "json",
    ]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(heat.physical_ids(&lname), ids, "changed in place");
    assert_eq!(nova().await["cores"], 6);
    assert_eq!(volume_type().await.0["extra_specs"]["speed"], "higher");

    let defaults = quota(
        "compute",
        format!("/os-quota-sets/{project}/defaults"),
        "quota_set",
    )
    .await;
    let (code, out, err) = heat.run(&["stack", "delete", &lname, "--yes", "--wait"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(nova().await["cores"], defaults["cores"]);
    assert_eq!(nova().await["instances"], defaults["instances"]);
    assert_ne!(cinder().await["volumes"], 4);
    assert_ne!(neutron().await["port"], 25);
    assert!(get(&session, "volume", &format!("/types/{}", ids["fast"]))
        .await
        .is_none());
    heat.delete(&name);
}

/// A host aggregate as an operator's stack makes it: in a zone of its
/// own, with the cloud's compute host and metadata; an update takes the
/// host out and changes the metadata; the delete removes it.
/// A private flavor as Heat's: its own id and description, shared with
/// the stack's project when no `tenants` are given, its attributes Nova's;
/// an update shares it with another project instead (the first taken
/// access) and changes its description in place.
#[tokio::test(flavor = "multi_thread")]
async fn a_private_flavor_is_shared_with_its_projects() {
    let (session, heat, _) = setup("private-flavor");
    let template = heat.dir.join("flavor.yaml");
    let name = format!("pflv{}", std::process::id());
    let text = |description: &str, tenants: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  project: {{type: OS::Keystone::Project}}
  flavor:
    type: OS::Nova::Flavor
    properties:
      flavorid: {name}-id
      ram: 64
      vcpus: 1
      is_public: false
      description: {description}
      tenants: {tenants}
      extra_specs: {{\"hw:numa_nodes\": 1}}
outputs:
  public: {{value: {{get_attr: [flavor, is_public]}}}}
  specs: {{value: {{get_attr: [flavor, extra_specs]}}}}
"
        )
    };
    std::fs::write(&template, text("small and private", "[]")).unwrap();
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    assert_eq!(ids["flavor"], format!("{name}-id"));
    let outputs: std::collections::BTreeMap<String, serde_json::Value> = created["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["output_key"].as_str().unwrap().into(),
                o["output_value"].clone(),
            )
        })
        .collect();
    assert_eq!(outputs["public"], false, "{created}");
    assert_eq!(outputs["specs"], serde_json::json!({"hw:numa_nodes": "1"}));
    let flavor_path = format!("/flavors/{}", ids["flavor"]);
    let described = |flavor: &serde_json::Value| {
        flavor["flavor"]["description"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let flavor = get(&session, "compute", &flavor_path).await.unwrap();
    assert!(
        described(&flavor).starts_with("small and private (heat-rs:"),
        "{flavor}"
    );
    let access = || async {
        let list = get(
            &session,
            "compute",
            &format!("{flavor_path}/os-flavor-access"),
        )
        .await
        .unwrap();
        list["flavor_access"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["tenant_id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let own = session.token(false).await.unwrap().project_id.unwrap();
    assert_eq!(access().await, [own]);

    std::fs::write(&template, text("shared", "[{get_resource: project}]")).unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(heat.physical_ids(&name)["flavor"], ids["flavor"]);
    assert_eq!(access().await, [ids["project"].clone()]);
    let flavor = get(&session, "compute", &flavor_path).await.unwrap();
    assert!(
        described(&flavor).starts_with("shared (heat-rs:"),
        "{flavor}"
    );

    delete_leaving_none(&session, &heat, &name, "compute", &[("flavor", "flavors")]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_aggregate_gathers_hosts_and_metadata() {
    let (session, heat, _) = setup("aggregate");
    let pid = std::process::id();
    let hosts = get(&session, "compute", "/os-services?binary=nova-compute")
        .await
        .unwrap();
    let host = hosts["services"][0]["host"].as_str().unwrap().to_string();
    let template = heat.dir.join("aggregate.yaml");
    let text = |hosts: &str, meta: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  aggregate:
    type: OS::Nova::HostAggregate
    properties: {{name: fast-{pid}, availability_zone: zone-{pid}, hosts: {hosts}, metadata: {meta}}}
"
        )
    };
    std::fs::write(
        &template,
        text(&format!("[{host}]"), "{ssd: 'true', tier: gold}"),
    )
    .unwrap();
    let name = format!("aggregate{pid}");
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let id = heat.physical_ids(&name)["aggregate"].clone();
    let shown = || {
        let session = &session;
        let id = id.clone();
        async move {
            get(session, "compute", &format!("/os-aggregates/{id}"))
                .await
                .map(|a| a["aggregate"].clone())
        }
    };
    let a = shown().await.unwrap();
    assert_eq!(
        a["availability_zone"],
        format!("zone-{pid}").as_str(),
        "{a}"
    );
    assert_eq!(a["hosts"], serde_json::json!([host]), "{a}");
    assert_eq!(a["metadata"]["ssd"], "true", "{a}");
    assert_eq!(a["metadata"]["tier"], "gold", "{a}");

    std::fs::write(&template, text("[]", "{tier: silver}")).unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    let a = shown().await.unwrap();
    assert_eq!(a["hosts"], serde_json::json!([]), "{a}");
    assert_eq!(a["metadata"]["tier"], "silver", "{a}");
    assert!(a["metadata"].get("ssd").is_none(), "{a}");

    // With its host again: the delete takes it out first.
    std::fs::write(&template, text(&format!("[{host}]"), "{tier: silver}")).unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(shown().await.unwrap()["hosts"], serde_json::json!([host]));
    heat.delete(&name);
    assert!(shown().await.is_none(), "the aggregate was left behind");
}

/// Addresses an operator hands out: an address scope and a subnet pool in
/// it, and a subnet taking its range from the pool; an update adds a
/// prefix to the pool in place; the delete leaves none of them.
#[tokio::test(flavor = "multi_thread")]
async fn a_subnet_takes_its_range_from_a_pool() {
    let (session, heat, _) = setup("pool");
    let pid = std::process::id();
    let octet = pid % 200 + 20;
    let template = heat.dir.join("pool.yaml");
    let text = |prefixes: &str| {
        format!(
            "heat_template_version: 2018-08-31
resources:
  scope: {{type: OS::Neutron::AddressScope, properties: {{ip_version: 4}}}}
  pool:
    type: OS::Neutron::SubnetPool
    properties:
      address_scope: {{get_resource: scope}}
      prefixes: {prefixes}
      default_prefixlen: 26
  net: {{type: OS::Neutron::Net}}
  subnet:
    type: OS::Neutron::Subnet
    properties: {{network: {{get_resource: net}}, subnetpool: {{get_resource: pool}}}}
outputs:
  cidr: {{value: {{get_attr: [subnet, cidr]}}}}
"
        )
    };
    std::fs::write(&template, text(&format!("[10.{octet}.64.0/24]"))).unwrap();
    let name = format!("pool{pid}");
    let t = template.display().to_string();
    let created = heat.json(&["stack", "create", &name, "-t", &t, "-f", "json"]);
    assert_eq!(created["stack_status"], "CREATE_COMPLETE", "{created}");
    let ids = heat.physical_ids(&name);
    let cidr = output(&created, "cidr");
    assert!(
        cidr.starts_with(&format!("10.{octet}.64.")) && cidr.ends_with("/26"),
        "{cidr}"
    );
    let neutron = |path: String| {
        let session = &session;
        async move { get(session, "network", &path).await }
    };
    let pool = neutron(format!("/subnetpools/{}", ids["pool"]))
        .await
        .unwrap();
    assert_eq!(
        pool["subnetpool"]["address_scope_id"],
        ids["scope"].as_str(),
        "{pool}"
    );
    let subnet = neutron(format!("/subnets/{}", ids["subnet"]))
        .await
        .unwrap();
    assert_eq!(
        subnet["subnet"]["subnetpool_id"],
        ids["pool"].as_str(),
        "{subnet}"
    );

    std::fs::write(
        &template,
        text(&format!("[10.{octet}.64.0/24, 10.{octet}.65.0/24]")),
    )
    .unwrap();
    let updated = heat.json(&["stack", "update", &name, "-t", &t, "-f", "json"]);
    assert_eq!(updated["stack_status"], "UPDATE_COMPLETE", "{updated}");
    assert_eq!(heat.physical_ids(&name), ids, "changed in place");
    let pool = neutron(format!("/subnetpools/{}", ids["pool"]))
        .await
        .unwrap();
    let prefixes = pool["subnetpool"]["prefixes"].as_array().unwrap().len();
    assert!(prefixes >= 1, "{pool}");
    assert!(
        pool["subnetpool"]["prefixes"]
            .to_string()
            .contains(&format!("10.{octet}.65.0/24"))
            || pool["subnetpool"]["prefixes"]
                .to_string()
                .contains(&format!("10.{octet}.64.0/23")),
        "{pool}"
    );

    delete_leaving_none(
        &session,
        &heat,
        &name,
        "network",
        &[
            ("pool", "subnetpools"),
            ("scope", "address-scopes"),
            ("subnet", "subnets"),
        ],
    )
    .await;
}

/// heat-templates' own Keystone templates (`hot/keystone/`), unchanged,
/// on the real Keystone: a domain, a user in it with roles on the domain
/// and on a project, a service, and the "updated" set of roles, projects,
/// groups and a user; each created and deleted with nothing left.
#[tokio::test(flavor = "multi_thread")]
async fn heat_templates_keystone_templates_run_on_keystone() {
    let Some(corpus) = heat_tests::conformance::corpus() else {
        return;
    };
    let dir = corpus.join("templates/heat-templates/hot/keystone");
    let t = |name: &str| dir.join(name).display().to_string();
    let (session, heat, _) = setup("hotkeystone");
    let pid = std::process::id();
    let domain = format!("hot-domain-{pid}");
    let runs: Vec<(&str, Vec<String>)> = vec![
        (
            "keystone_domain.yaml",
            vec![
                format!("domain_name={domain}"),
                "domain_enabled=true".into(),
            ],
        ),
        (
            "keystone_user.yaml",
            vec![
                format!("user_name=hot-user-{pid}"),
                "user_description=from heat-templates".into(),
                "user_enabled=true".into(),
                format!("user_domain={domain}"),
                "user_email=user@example.com".into(),
                "user_password=pw-12345678".into(),
                "user_default_project=demo".into(),
                "user_groups=".into(),
                "group_role=member".into(),
                format!("group_role_domain={domain}"),
                "group_role_project=demo".into(),
            ],
        ),
        (
            "keystone_service.yaml",
            vec![
                format!("name=hot-service-{pid}"),
                "description=from heat-templates".into(),
                format!("type=hot-type-{pid}"),
            ],
        ),
        ("keystone_updated.yaml", vec![]),
    ];
    let mut made = Vec::new();
    for (i, (template, params)) in runs.iter().enumerate() {
        let name = format!("hot{i}x{pid}");
        let path = t(template);
        let mut args = vec!["stack", "create", name.as_str(), "-t", path.as_str()];
        for p in params {
            args.push("--parameter");
            args.push(p);
        }
        args.extend(["-f", "json"]);
        let created = heat.json(&args);
        assert_eq!(
            created["stack_status"], "CREATE_COMPLETE",
            "{template}: {created}"
        );
        made.push((name, heat.physical_ids(&format!("hot{i}x{pid}"))));
    }
    // Deleted in reverse: the user before the domain it is in.
    for (name, ids) in made.iter().rev() {
        let (code, out, err) = heat.run(&["stack", "delete", name, "--yes", "--wait"]);
        assert_eq!(code, 0, "{out}{err}");
        for (resource, id) in ids {
            for collection in [
                "users", "groups", "projects", "roles", "domains", "services",
            ] {
                let left = get(&session, "identity", &format!("/{collection}/{id}")).await;
                assert!(
                    left.is_none(),
                    "{name}: {resource} ({id}) was left in {collection}"
                );
            }
        }
    }
}
