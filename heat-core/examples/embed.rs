//! Embedding heat-core: read a template, check it as Heat does, look at its
//! dependency graph, then run it with the engine on an in-memory store and
//! the fake driver of the `testing` feature (a real program passes its own
//! `Driver`, such as heat-resources' simulated cloud or an OpenStack one).
//!
//! Run with `cargo run -p heat-core --example embed`.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::engine::testing::FakeDriver;
use heat_core::engine::{Clock, Engine, EngineConfig, MemoryStore, StackOptions, StackSource};
use heat_core::template::Template;

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

/// The engine asks for time through a `Clock`; here, the system's, with a
/// runtime-free sleep good enough for an example whose driver never waits.
struct ExampleClock;

impl Clock for ExampleClock {
    fn now(&self) -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(async move { std::thread::sleep(duration) })
    }
}

fn main() {
    // 1. Read the template: syntax, version, sections.
    let template = Template::parse(TEMPLATE).expect("a valid template");
    println!("dialect: {}", template.dialect);

    // 2. Bind it to inputs and check it: every problem, with paths and lines.
    let (def, errors) = StackDefinition::build(&template, Inputs::default(), &AnyType);
    assert!(errors.is_empty(), "{errors:?}");
    let def = def.expect("no errors");
    println!("creation waves: {:?}", def.levels().expect("no cycle"));

    // 3. Run it: the engine persists every step in the store before it
    //    calls the driver, and resolves `get_attr` from what the driver reports.
    let clock: Arc<dyn Clock> = Arc::new(ExampleClock);
    let driver = Arc::new(FakeDriver::new(clock.clone(), Duration::ZERO));
    let engine = Engine::new(
        driver.clone(),
        Arc::new(MemoryStore::new()),
        clock,
        Arc::new(AnyType),
        EngineConfig::default(),
    );
    let source = StackSource {
        template: TEMPLATE.into(),
        ..StackSource::default()
    };
    let stack = futures::executor::block_on(engine.create_stack(
        "example",
        source,
        StackOptions::default(),
    ))
    .expect("created");
    println!("{}: {}", stack.name, stack.status_text());
    println!(
        "message: {}",
        stack.outputs.expect("outputs")["message"]["value"]
    );
    println!("cloud calls: {:?}", driver.log());
}
