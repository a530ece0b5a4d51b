//! Embedding heat-core: read a template, check it as Heat does, look at its
//! dependency graph, then run it through the stack service on an in-memory
//! store and the fake driver of the `testing` feature (a real program
//! passes its own `Driver`, such as heat-resources' simulated cloud or an
//! OpenStack one). heat-core has no runtime of its own: the program gives
//! it a clock and a spawner, here tokio's from heat-server.
//!
//! Run with `cargo run -p heat-core --example embed`.

use std::sync::Arc;
use std::time::Duration;

use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::engine::testing::FakeDriver;
use heat_core::engine::{
    Clock, Engine, EngineConfig, EngineParts, MemoryStore, RequestContext, StackOptions,
};
use heat_core::service::{SourceParts, StackService};
use heat_core::template::Template;
use heat_server::{SystemClock, TokioSpawner};

const TEMPLATE: &str = "heat_template_version: 2018-08-31
parameters:
  greeting: {type: string, default: hello}
resources:
  first: {type: OS::Heat::Value, properties: {value: {get_param: greeting}}}
  second:
    type: OS::Heat::Value
    properties: {value: {list_join: [' ', [{get_attr: [first, value]}, world]]}}
outputs:
  message: {value: {get_attr: [second, value]}}
";

#[tokio::main]
async fn main() {
    // 1. Read the template: syntax, version, sections.
    let template = Template::parse(TEMPLATE).expect("a valid template");
    println!("dialect: {}", template.dialect);

    // 2. Bind it to inputs and check it: every problem, with paths and lines.
    let (def, errors) = StackDefinition::build(&template, Inputs::default(), &AnyType);
    assert!(errors.is_empty(), "{errors:?}");
    let def = def.expect("no errors");
    println!("creation waves: {:?}", def.levels().expect("no cycle"));

    // 3. Run it: the service accepts the create (checked, stored) and the
    //    engine converges it in the background, persisting every step in
    //    the store before it calls the driver; `wait` follows it to the end.
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let driver = Arc::new(FakeDriver::new(clock.clone(), Duration::ZERO));
    let engine = Engine::new(EngineParts {
        driver: driver.clone(),
        store: Arc::new(MemoryStore::new()),
        clock,
        spawner: Arc::new(TokioSpawner),
        catalog: Arc::new(AnyType),
        config: EngineConfig::default(),
    });
    let service = StackService::new(engine);
    let ctx = RequestContext::new("my-project", "me");
    let parts = SourceParts::template("example.yaml", TEMPLATE);
    let accepted = service
        .create(&ctx, "example", &parts, StackOptions::default())
        .await
        .expect("accepted");
    println!("{}: {}", accepted.name, accepted.status_text());
    let stack = service
        .wait(&ctx, &accepted.id)
        .await
        .expect("followed")
        .expect("not deleted");
    println!("{}: {}", stack.name, stack.status_text());
    println!(
        "message: {}",
        stack.outputs.expect("outputs")["message"]["value"]
    );
    println!("cloud calls: {:?}", driver.log());
}
