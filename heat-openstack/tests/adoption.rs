//! Adoption by tag, offline: when a create resumes after a crash, the
//! OpenStack cloud finds the object it made before by the tags heat-rs
//! puts on it, for each kind that carries one, against mock Nova, Cinder
//! and Neutron on loopback: servers and volumes by their metadata (through
//! every page of Nova's and Cinder's listings, following their `next`
//! links), Neutron objects by their description (a security group's after
//! the user's own, in parentheses); an object tagged for another resource
//! or stack is not taken; kinds that carry no tag find nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json as AxumJson, Router};
use heat_core::engine::Clock;
use heat_openstack::config::Auth;
use heat_openstack::{CloudConfig, OpenStackCloud, Session};
use heat_resources::{Cloud, ObjectKind};
use serde_json::{json, Value as Json};

struct Instant;

impl Clock for Instant {
    fn now(&self) -> f64 {
        1.8e9
    }
    fn sleep(
        &self,
        _: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(async {})
    }
}

#[derive(Default)]
struct Mock {
    base: Mutex<String>,
    /// The pages asked for, by path and marker.
    pages: Mutex<Vec<String>>,
}

const STACK: &str = "5f1c0000-0000-4000-8000-00000000abcd";

async fn tokens(State(m): State<Arc<Mock>>) -> Response {
    let base = m.base.lock().unwrap().clone();
    let endpoint = |kind: &str, path: &str| {
        json!({"type": kind, "endpoints": [
            {"interface": "public", "region_id": "RegionOne", "url": format!("{base}/{path}")}
        ]})
    };
    let body = json!({"token": {
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "project": {"id": "p1", "name": "demo"},
        "user": {"id": "u1", "name": "demo"},
        "catalog": [endpoint("compute", "compute"), endpoint("volumev3", "volume"),
                    endpoint("network", "network")]
    }});
    let mut r = (StatusCode::CREATED, AxumJson(body)).into_response();
    r.headers_mut()
        .insert("X-Subject-Token", "tok".parse().unwrap());
    r
}

async fn compute_root() -> AxumJson<Json> {
    AxumJson(json!({"version": {"id": "v2.1", "version": "2.95", "min_version": "2.1"}}))
}

/// Three pages of servers (or volumes): the tagged one on the last; links
/// absolute, as Nova and Cinder give them.
fn paged(m: &Mock, service: &str, key: &str, marker: Option<&String>) -> AxumJson<Json> {
    let base = m.base.lock().unwrap().clone();
    m.pages
        .lock()
        .unwrap()
        .push(format!("{service}:{}", marker.cloned().unwrap_or_default()));
    let item = |id: &str, stack: &str, resource: &str| json!({"id": id, "metadata": {"heat_stack_id": stack, "heat_resource": resource}});
    let next = |marker: &str| json!([{"rel": "next", "href": format!("{base}/{service}/{key}/detail?limit=2&marker={marker}")}]);
    let (items, links) = match marker.map(String::as_str) {
        None => (
            vec![item("a1", "other-stack", "web"), item("a2", STACK, "db")],
            next("a2"),
        ),
        Some("a2") => (vec![item("b1", "other-stack", "db")], next("b1")),
        _ => (vec![item(&format!("{key}-mine"), STACK, "web")], json!([])),
    };
    AxumJson(json!({key: items, format!("{key}_links"): links}))
}

async fn servers(
    State(m): State<Arc<Mock>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> AxumJson<Json> {
    paged(&m, "compute", "servers", q.get("marker"))
}

async fn volumes(
    State(m): State<Arc<Mock>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> AxumJson<Json> {
    paged(&m, "volume", "volumes", q.get("marker"))
}

/// Neutron lists everything at once; objects carry the tag as their
/// description.
async fn neutron(Path(collection): Path<String>) -> AxumJson<Json> {
    let tag = |resource: &str| heat_openstack::requests::tag(STACK, resource);
    let key = collection.replace('-', "_");
    let items = if collection == "security-groups" {
        json!([
            {"id": "sg-other", "description": format!("web servers ({})", tag("db_sg"))},
            {"id": "sg-mine", "description": format!("web servers ({})", tag("web"))},
        ])
    } else {
        json!([
            {"id": format!("{collection}-other"), "description": tag("db")},
            {"id": format!("{collection}-mine"), "description": tag("web")},
            {"id": format!("{collection}-foreign"), "description": "made by hand"},
        ])
    };
    AxumJson(json!({ key: items }))
}

async fn mock() -> (Arc<Mock>, OpenStackCloud) {
    let m = Arc::new(Mock::default());
    let app = Router::new()
        .route("/v3/auth/tokens", post(tokens))
        .route("/compute/", get(compute_root))
        .route("/compute/servers/detail", get(servers))
        .route("/volume/volumes/detail", get(volumes))
        .route("/network/v2.0/{collection}", get(neutron))
        .with_state(m.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    *m.base.lock().unwrap() = base.clone();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let config = CloudConfig {
        name: "mock".into(),
        auth: Auth {
            auth_url: Some(format!("{base}/v3")),
            username: Some("demo".into()),
            password: Some("secret".into()),
            project_name: Some("demo".into()),
            user_domain_id: Some("default".into()),
            project_domain_id: Some("default".into()),
            ..Auth::default()
        },
        region: Some("RegionOne".into()),
        interface: "public".into(),
        auth_type: "password".into(),
        ..CloudConfig::default()
    };
    let clock: Arc<dyn Clock> = Arc::new(Instant);
    let session = Session::new(config, clock.clone()).unwrap();
    (m, OpenStackCloud::new(session, clock))
}

#[tokio::test]
async fn every_tagged_kind_is_found_by_its_tag_and_nothing_else() {
    let (m, cloud) = mock().await;
    // Servers and volumes: on the third page, after two `next` links.
    assert_eq!(
        cloud.find(ObjectKind::Server, STACK, "web").await.unwrap(),
        vec!["servers-mine".to_string()]
    );
    assert_eq!(
        m.pages.lock().unwrap().clone(),
        ["compute:", "compute:a2", "compute:b1"]
    );
    assert_eq!(
        cloud.find(ObjectKind::Volume, STACK, "web").await.unwrap(),
        vec!["volumes-mine".to_string()]
    );
    // Another stack's or resource's object is not taken.
    assert_eq!(
        cloud.find(ObjectKind::Server, STACK, "db").await.unwrap(),
        vec!["a2".to_string()]
    );
    assert_eq!(
        cloud
            .find(ObjectKind::Server, STACK, "cache")
            .await
            .unwrap(),
        Vec::<String>::new()
    );
    // Neutron objects by their description.
    for (kind, collection) in [
        (ObjectKind::Network, "networks"),
        (ObjectKind::Subnet, "subnets"),
        (ObjectKind::Port, "ports"),
        (ObjectKind::Router, "routers"),
        (ObjectKind::FloatingIp, "floatingips"),
    ] {
        assert_eq!(
            cloud.find(kind, STACK, "web").await.unwrap(),
            vec![format!("{collection}-mine")],
            "{kind:?}"
        );
        assert_eq!(
            cloud.find(kind, STACK, "lb").await.unwrap(),
            Vec::<String>::new(),
            "{kind:?}"
        );
    }
    assert_eq!(
        cloud
            .find(ObjectKind::SecurityGroup, STACK, "web")
            .await
            .unwrap(),
        vec!["sg-mine".to_string()]
    );
    // Kinds that carry no tag find nothing (found another way, or not
    // adoptable).
    for kind in [
        ObjectKind::Keypair,
        ObjectKind::RouterInterface,
        ObjectKind::VolumeAttachment,
        ObjectKind::FloatingIpAssociation,
    ] {
        assert_eq!(
            cloud.find(kind, STACK, "web").await.unwrap(),
            Vec::<String>::new(),
            "{kind:?}"
        );
    }
}

/// On OpenStack, a type heat-rs does not drive there is refused (asked
/// before anything is made), never faked: a Neutron trunk, a Designate
/// zone, a Swift signal (software deployments are the engine's, not the
/// driver's);
/// types with an object kind, and those that need no service (values,
/// configs, handles, credentials, evaluated alarms), are made.
#[tokio::test]
async fn types_not_driven_on_openstack_are_refused_not_faked() {
    use heat_core::engine::Driver;
    let (_m, cloud) = mock().await;
    assert!(!cloud.simulated());
    let driver = heat_resources::ResourceDriver::new(Arc::new(cloud), Arc::new(Instant));
    for t in [
        "OS::Neutron::Trunk",
        "OS::Designate::Zone",
        "OS::Heat::SwiftSignal",
        "AWS::EC2::VPC",
        // Kinds of objects the OpenStack cloud does not make (no Octavia,
        // Glance uploads, Swift or Zun here).
        "OS::Octavia::LoadBalancer",
        "OS::Glance::WebImage",
        "OS::Swift::Container",
        "OS::Zun::Container",
    ] {
        let e = driver.supports(t).unwrap_err();
        assert!(
            e.contains(t) && e.contains("not available on this cloud"),
            "{e}"
        );
    }
    for t in [
        "OS::Nova::Server",
        "AWS::EC2::Instance",
        "OS::Keystone::Project",
        "OS::Keystone::UserRoleAssignment",
        "OS::Keystone::Endpoint",
        "OS::Nova::Quota",
        "OS::Cinder::VolumeType",
        "OS::Nova::HostAggregate",
        "OS::Heat::SoftwareConfig",
        "AWS::CloudFormation::WaitConditionHandle",
        "AWS::IAM::AccessKey",
        "OS::Aodh::Alarm",
        "OS::Nova::FloatingIP",
    ] {
        assert_eq!(driver.supports(t), Ok(()), "{t}");
    }
}

/// What heat-rs does not set on OpenStack is refused before any request,
/// never dropped with the object made without it: a port's QoS policy, a
/// router's agents, a floating IP's DNS name.
#[tokio::test]
async fn properties_not_set_on_openstack_are_refused_not_dropped() {
    use heat_core::engine::ResourceSpec;
    use heat_resources::{Cloud, ObjectKind};
    let (_m, cloud) = mock().await;
    for (kind, props, named) in [
        (
            ObjectKind::Port,
            serde_json::json!({"network": "private", "qos_policy": "gold"}),
            "qos_policy",
        ),
        (
            ObjectKind::Router,
            serde_json::json!({"l3_agent_ids": ["agent-1"]}),
            "l3_agent_ids",
        ),
        (
            ObjectKind::FloatingIp,
            serde_json::json!({"floating_network": "public", "dns_name": "web"}),
            "dns_name",
        ),
    ] {
        let spec = ResourceSpec {
            stack_id: "s".into(),
            name: "r".into(),
            properties: props,
            ..ResourceSpec::default()
        };
        let e = cloud.create(kind, &spec).await.unwrap_err();
        assert!(
            e.message.contains(named) && e.message.contains("on OpenStack yet"),
            "{kind}: {e}"
        );
    }
}
