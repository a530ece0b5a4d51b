//! Autoscaling on alarms in virtual time, on the simulated cloud with the
//! server's CloudWatch evaluator (a round every 10 s) and metrics pushed
//! every 10 s as cfn-push-stats would: a load above the high alarm's
//! threshold scales the group out within one evaluation period (plus a
//! round); while it stays high, the next scaling waits for the policy's
//! cooldown; a load below the low alarm's threshold scales it back in,
//! within a period of the change (its own policy's cooldown not running);
//! never beyond the group's sizes. A heartbeat that stops (cfn-push-stats
//! `--heartbeat`, a `SampleCount` alarm as the seed-era templates have)
//! restarts its instance through `OS::Heat::HARestarter` within a period,
//! once per entry into ALARM;
//! the simulated guest plays cfn-push-stats from the crontab cfn-init
//! writes, its heartbeat stopping when its server is stopped, and going on
//! when the server process starts again.

use std::sync::Arc;
use std::time::Duration;

use heat_core::engine::testing::Runner;
use heat_core::engine::{Clock, EngineConfig, MemoryStore, StackOptions, StackSource, StateStore};
use heat_core::service::StackService;
use heat_resources::sim::{SimCloud, SimConfig};
use heat_resources::GuestKeys;
use heat_server::api::{ApiState, Auth, Limits};
use heat_server::cfn::{CfnAuth, CfnState};
use heat_server::cloudwatch::metrics::{Datapoint, MetricId};
use heat_server::cloudwatch::{CloudWatchState, Evaluator};
use heat_server::{builder, SystemClock, TokioSpawner};

const TEMPLATE: &str = "heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 3
      resource:
        type: OS::Nova::Server
        properties: {image: cirros-0.6.2, flavor: m1.small}
  up:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: 1, cooldown: 300}
  down:
    type: OS::Heat::ScalingPolicy
    properties: {adjustment_type: change_in_capacity, auto_scaling_group_id: {get_resource: group}, scaling_adjustment: -1, cooldown: 300}
  high:
    type: OS::Heat::CWLiteAlarm
    properties:
      MetricName: CPUUtilization
      Namespace: system/linux
      Statistic: Average
      Period: '60'
      EvaluationPeriods: '1'
      Threshold: '50'
      ComparisonOperator: GreaterThanThreshold
      AlarmActions: [{get_attr: [up, alarm_url]}]
  low:
    type: OS::Heat::CWLiteAlarm
    properties:
      MetricName: CPUUtilization
      Namespace: system/linux
      Statistic: Average
      Period: '60'
      EvaluationPeriods: '1'
      Threshold: '20'
      ComparisonOperator: LessThanThreshold
      AlarmActions: [{get_attr: [down, alarm_url]}]
";

const ROUND: f64 = 10.0;

/// The simulated cloud (5 s per object) and its simulated guest, an engine
/// on it, the server's CloudWatch state over the same engine (the guest's
/// cfn-push-stats report to it), and a stack made from `template`.
struct World {
    clock: Arc<dyn Clock>,
    cloud: Arc<SimCloud>,
    store: Arc<MemoryStore>,
    cw: Arc<CloudWatchState>,
    evaluator: Evaluator,
    stack: heat_core::engine::StackRecord,
    agent: Arc<heat_server::guest::SimulatedGuest>,
}

async fn world(name: &str, template: &str) -> World {
    world_with(name, template, true).await
}

/// `reporting`: the guest's metrics reach CloudWatch from the start (else
/// only once `agent.report_to` is called, as after a server restart).
async fn world_with(name: &str, template: &str, reporting: bool) -> World {
    use heat_server::guest::SimulatedGuest;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(
        clock.clone(),
        SimConfig::with_latency(Duration::from_secs(5)),
    ));
    let store = Arc::new(MemoryStore::new());
    let keys = Arc::new(GuestKeys::random(builder::DEFAULT_CFN_URL));
    let agent = SimulatedGuest::new(keys.clone());
    cloud.set_guest(agent.clone());
    let engine = builder::engine_with(
        cloud.clone(),
        store.clone(),
        clock.clone(),
        Arc::new(TokioSpawner),
        EngineConfig::default(),
        keys.clone(),
    );
    agent.attach(StackService::new(engine.clone()), &cloud);
    let cw = Arc::new(CloudWatchState::new(
        Arc::new(CfnState {
            api: Arc::new(ApiState::new(
                StackService::new(engine.clone()),
                Auth::NoAuth,
                Limits::default(),
            )),
            auth: CfnAuth::default(),
            guest: keys,
        }),
        86_400.0,
    ));
    if reporting {
        agent.report_to(cw.clone());
    }
    let stack = Runner::new(engine)
        .create_stack(
            name,
            StackSource {
                template: template.into(),
                ..StackSource::default()
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(stack.status_text(), "CREATE_COMPLETE", "{}", stack.reason);
    World {
        evaluator: Evaluator::new(cw.clone(), Duration::from_secs_f64(ROUND)),
        clock,
        cloud,
        store,
        cw,
        stack,
        agent,
    }
}

impl World {
    /// Pushes a datapoint of a metric of `system/linux`, now.
    fn put(&self, metric: &str, dimensions: Vec<(String, String)>, value: f64) {
        self.cw.metrics.put(
            MetricId {
                project: self.stack.project.clone(),
                namespace: "system/linux".into(),
                name: metric.into(),
                dimensions,
            },
            None,
            &[Datapoint::value(self.clock.now(), value)],
        );
    }

    /// `n` evaluation rounds, a round apart.
    async fn rounds(&self, n: usize) {
        for _ in 0..n {
            self.evaluator.round().await;
            tokio::time::sleep(Duration::from_secs_f64(ROUND)).await;
        }
    }

    /// The physical id of the stack's resource `name`.
    async fn physical_id(&self, name: &str) -> String {
        self.store
            .resources(&self.stack.id)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.current && r.name == name)
            .and_then(|r| r.physical_id)
            .unwrap()
    }

    /// Rounds until the stack's `Server` is another than `first`; the
    /// virtual seconds from `since` (panics after `limit`).
    async fn until_replaced(&self, first: &str, since: f64, limit: f64) -> f64 {
        loop {
            self.rounds(1).await;
            if self.physical_id("Server").await != first {
                return self.clock.now() - since;
            }
            assert!(self.clock.now() - since < limit, "never restarted");
        }
    }

    fn servers(&self) -> usize {
        self.cloud
            .stack_objects()
            .into_iter()
            .filter(|o| o.kind == "server")
            .count()
    }
}

#[tokio::test(start_paused = true)]
async fn alarms_scale_out_within_a_period_then_wait_for_the_cooldown_and_scale_in() {
    let w = world("auto", TEMPLATE).await;
    assert_eq!(w.servers(), 1);
    // Runs rounds (pushing `load` first) until the group has `size`
    // servers and its stack is settled; the virtual seconds it took.
    let run_until = |load: f64, size: usize| {
        let w = &w;
        async move {
            let start = w.clock.now();
            for _ in 0..200 {
                w.put("CPUUtilization", vec![], load);
                w.rounds(1).await;
                let settled = !w
                    .store
                    .stack(&w.stack.id)
                    .await
                    .unwrap()
                    .unwrap()
                    .in_progress();
                if w.servers() == size && settled {
                    return w.clock.now() - start;
                }
            }
            panic!(
                "never {size} servers under load {load} (has {})",
                w.servers()
            );
        }
    };
    // High load: out to 2 within one period (and a round).
    let took = run_until(80.0, 2).await;
    assert!(took <= 60.0 + ROUND + 5.0 + ROUND, "out after {took} s");
    // Still high: the next scaling waits for the policy's cooldown (300 s
    // from the end of the first), then out to 3, the maximum.
    let took = run_until(85.0, 3).await;
    assert!(
        (300.0 - ROUND..=300.0 + 60.0 + 2.0 * ROUND).contains(&took),
        "out again after {took} s"
    );
    // High for ten more minutes: never beyond the maximum.
    for _ in 0..60 {
        w.put("CPUUtilization", vec![], 90.0);
        w.rounds(1).await;
    }
    assert_eq!(w.servers(), 3);
    // Low: back in, within a period of the change (the down policy has
    // not scaled yet: no cooldown runs for it).
    let took = run_until(5.0, 2).await;
    assert!(took <= 60.0 + 2.0 * ROUND + 5.0, "in after {took} s");
}

const HEARTBEAT: &str = "HeatTemplateFormatVersion: '2012-12-12'
Resources:
  Restarter:
    Type: OS::Heat::HARestarter
    Properties: {InstanceId: {Ref: Server}}
  Heartbeat:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: Heartbeat
      Namespace: system/linux
      Statistic: SampleCount
      Period: '60'
      EvaluationPeriods: '1'
      Threshold: '1'
      ComparisonOperator: LessThanThreshold
      AlarmActions: [{Ref: Restarter}]
  Server:
    Type: AWS::EC2::Instance
    Properties: {ImageId: cirros-0.6.2, InstanceType: m1.small}
";

#[tokio::test(start_paused = true)]
async fn a_heartbeat_that_stops_restarts_its_instance() {
    let w = world("hb", HEARTBEAT).await;
    // cfn-push-stats --heartbeat --watch <alarm>: a count, the alarm's name
    // as a dimension.
    let beat = || {
        w.put(
            "Heartbeat",
            vec![("AlarmName".into(), "hb-Heartbeat".into())],
            1.0,
        )
    };
    let first = w.physical_id("Server").await;
    // Beating every 20 s for five minutes: nothing happens.
    for i in 0..30 {
        if i % 2 == 0 {
            beat();
        }
        w.rounds(1).await;
    }
    assert_eq!(w.physical_id("Server").await, first);
    // Stopped: within a period (and a round or two), the instance is
    // replaced; the new one beats.
    let stopped = w.clock.now();
    let replaced = w.until_replaced(&first, stopped, 600.0).await;
    assert!(
        replaced <= 60.0 + 3.0 * ROUND,
        "restarted after {replaced} s"
    );
    let second = w.physical_id("Server").await;
    assert_eq!(w.servers(), 1, "the old instance is gone");
    for i in 0..30 {
        if i % 2 == 0 {
            beat();
        }
        w.rounds(1).await;
    }
    assert_eq!(
        w.physical_id("Server").await,
        second,
        "beating again: left alone"
    );
    // Stopped for good: restarted once, not once a period while the
    // alarm lasts (as Heat's watch rules, unlike scaling actions).
    let mut servers_seen = vec![second];
    for _ in 0..60 {
        w.rounds(1).await;
        let now = w.physical_id("Server").await;
        if !servers_seen.contains(&now) {
            servers_seen.push(now);
        }
    }
    assert_eq!(
        servers_seen.len(),
        2,
        "restarted {} times",
        servers_seen.len() - 1
    );
}

/// `HEARTBEAT` with a server whose cfn-init writes a crontab that runs
/// cfn-push-stats every minute.
fn guest_heartbeat() -> String {
    HEARTBEAT.replace(
        "    Properties: {ImageId: cirros-0.6.2, InstanceType: m1.small}\n",
        "    Metadata:
      AWS::CloudFormation::Init:
        config:
          files:
            /tmp/cfn-hup-crontab.txt:
              content: \"* * * * * /opt/aws/bin/cfn-push-stats --watch gb-Heartbeat --heartbeat\\n\"
    Properties:
      ImageId: cirros-0.6.2
      InstanceType: m1.small
      UserData:
        Fn::Base64: \"#!/bin/bash\\n/opt/aws/bin/cfn-init -s gb -r Server\\ncrontab /tmp/cfn-hup-crontab.txt\\n\"
",
    )
}

/// The simulated guest plays cfn-push-stats: the crontab that cfn-init
/// writes from the instance's metadata sends a heartbeat every minute
/// while the server is ACTIVE; stopped behind the stack's back, its
/// heartbeat stops, the alarm restarts the instance, and the new one
/// beats again.
#[tokio::test(start_paused = true)]
async fn the_simulated_guest_beats_until_its_server_stops() {
    let w = world("gb", &guest_heartbeat()).await;
    let first = w.physical_id("Server").await;
    w.rounds(30).await;
    assert_eq!(w.physical_id("Server").await, first, "beating: left alone");
    w.cloud.break_server(&first, "SHUTOFF").await.unwrap();
    let stopped = w.clock.now();
    let replaced = w.until_replaced(&first, stopped, 900.0).await;
    // The last beat up to a minute before the stop, a whole period
    // without one, a round.
    assert!(
        replaced <= 120.0 + 2.0 * ROUND,
        "restarted after {replaced} s"
    );
    let second = w.physical_id("Server").await;
    w.rounds(30).await;
    assert_eq!(
        w.physical_id("Server").await,
        second,
        "the new server beats"
    );
}

/// A server process that starts again resumes its simulated servers'
/// cron heartbeats (here: their guests booted before the metrics were
/// reachable): the alarm stays OK, nothing is restarted.
#[tokio::test(start_paused = true)]
async fn a_restarted_server_resumes_its_guests_heartbeats() {
    let w = world_with("gb", &guest_heartbeat(), false).await;
    w.agent.report_to(w.cw.clone());
    w.agent.resume();
    let first = w.physical_id("Server").await;
    w.rounds(60).await;
    assert_eq!(w.physical_id("Server").await, first, "beating: left alone");
    let alarm = w.cw.alarms.list(None);
    assert_eq!(
        alarm[0].state.value,
        heat_server::cloudwatch::alarms::StateValue::Ok
    );
}
