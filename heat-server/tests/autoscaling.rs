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
//! writes, its heartbeat stopping when its server is stopped.

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

#[tokio::test(start_paused = true)]
async fn alarms_scale_out_within_a_period_then_wait_for_the_cooldown_and_scale_in() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(
        clock.clone(),
        SimConfig::with_latency(Duration::from_secs(5)),
    ));
    let store = Arc::new(MemoryStore::new());
    let guest = Arc::new(GuestKeys::random(builder::DEFAULT_CFN_URL));
    let engine = builder::engine_with(
        cloud.clone(),
        store.clone(),
        clock.clone(),
        Arc::new(TokioSpawner),
        EngineConfig::default(),
        guest.clone(),
    );
    let runner = Runner::new(engine.clone());
    let stack = runner
        .create_stack(
            "auto",
            StackSource {
                template: TEMPLATE.into(),
                ..StackSource::default()
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(stack.status_text(), "CREATE_COMPLETE", "{}", stack.reason);
    let api = Arc::new(ApiState::new(
        StackService::new(engine.clone()),
        Auth::NoAuth,
        Limits::default(),
    ));
    let cw = Arc::new(CloudWatchState::new(
        Arc::new(CfnState {
            api,
            auth: CfnAuth::default(),
            guest,
        }),
        86_400.0,
    ));
    let servers = || {
        cloud
            .stack_objects()
            .into_iter()
            .filter(|o| o.kind == "server")
            .count()
    };
    assert_eq!(servers(), 1);
    let evaluator = Evaluator::new(cw.clone(), Duration::from_secs_f64(ROUND));
    // Runs rounds (pushing `load` first) until the group has `size`
    // servers and its stack is settled; the virtual seconds it took.
    let run_until = |load: f64, size: usize| {
        let (cw, evaluator, store, clock) = (&cw, &evaluator, &store, &clock);
        let project = stack.project.clone();
        let id = stack.id.clone();
        async move {
            let start = clock.now();
            for _ in 0..200 {
                cw.metrics.put(
                    MetricId {
                        project: project.clone(),
                        namespace: "system/linux".into(),
                        name: "CPUUtilization".into(),
                        dimensions: vec![],
                    },
                    None,
                    &[Datapoint::value(clock.now(), load)],
                );
                evaluator.round().await;
                tokio::time::sleep(Duration::from_secs_f64(ROUND)).await;
                let settled = !store.stack(&id).await.unwrap().unwrap().in_progress();
                if servers() == size && settled {
                    return clock.now() - start;
                }
            }
            panic!("never {size} servers under load {load} (has {})", servers());
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
        cw.metrics.put(
            MetricId {
                project: stack.project.clone(),
                namespace: "system/linux".into(),
                name: "CPUUtilization".into(),
                dimensions: vec![],
            },
            None,
            &[Datapoint::value(clock.now(), 90.0)],
        );
        evaluator.round().await;
        tokio::time::sleep(Duration::from_secs_f64(ROUND)).await;
    }
    assert_eq!(servers(), 3);
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
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let cloud = Arc::new(SimCloud::new(
        clock.clone(),
        SimConfig::with_latency(Duration::from_secs(5)),
    ));
    let store = Arc::new(MemoryStore::new());
    let guest = Arc::new(GuestKeys::random(builder::DEFAULT_CFN_URL));
    let engine = builder::engine_with(
        cloud.clone(),
        store.clone(),
        clock.clone(),
        Arc::new(TokioSpawner),
        EngineConfig::default(),
        guest.clone(),
    );
    let runner = Runner::new(engine.clone());
    let stack = runner
        .create_stack(
            "hb",
            StackSource {
                template: HEARTBEAT.into(),
                ..StackSource::default()
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(stack.status_text(), "CREATE_COMPLETE", "{}", stack.reason);
    let cw = Arc::new(CloudWatchState::new(
        Arc::new(CfnState {
            api: Arc::new(ApiState::new(
                StackService::new(engine.clone()),
                Auth::NoAuth,
                Limits::default(),
            )),
            auth: CfnAuth::default(),
            guest,
        }),
        86_400.0,
    ));
    let evaluator = Evaluator::new(cw.clone(), Duration::from_secs_f64(ROUND));
    let server = || async {
        store
            .resources(&stack.id)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.current && r.name == "Server")
            .and_then(|r| r.physical_id)
            .unwrap()
    };
    // cfn-push-stats --heartbeat --watch <alarm>: a count, the alarm's name
    // as a dimension.
    let beat = || {
        cw.metrics.put(
            MetricId {
                project: stack.project.clone(),
                namespace: "system/linux".into(),
                name: "Heartbeat".into(),
                dimensions: vec![("AlarmName".into(), "hb-Heartbeat".into())],
            },
            None,
            &[Datapoint::value(clock.now(), 1.0)],
        );
    };
    let first = server().await;
    // Beating every 20 s for five minutes: nothing happens.
    for i in 0..30 {
        if i % 2 == 0 {
            beat();
        }
        evaluator.round().await;
        tokio::time::sleep(Duration::from_secs_f64(ROUND)).await;
    }
    assert_eq!(server().await, first);
    // Stopped: within a period (and a round or two), the instance is
    // replaced; the new one beats.
    let stopped = clock.now();
    let replaced = loop {
        evaluator.round().await;
        tokio::time::sleep(Duration::from_secs_f64(ROUND)).await;
        if server().await != first {
            break clock.now() - stopped;
        }
        assert!(clock.now() - stopped < 600.0, "never restarted");
    };
    assert!(
        replaced <= 60.0 + 3.0 * ROUND,
        "restarted after {replaced} s"
    );
    let second = server().await;
    let servers: Vec<String> = cloud
        .stack_objects()
        .into_iter()
        .filter(|o| o.kind == "server")
        .map(|o| o.id)
        .collect();
    assert_eq!(servers, vec![second.clone()], "the old instance is gone");
    for i in 0..30 {
        if i % 2 == 0 {
            beat();
        }
        evaluator.round().await;
        tokio::time::sleep(Duration::from_secs_f64(ROUND)).await;
    }
    assert_eq!(server().await, second, "beating again: left alone");
    // Stopped for good: restarted once, not once a period while the
    // alarm lasts (as Heat's watch rules, unlike scaling actions).
    let mut servers_seen = vec![second];
    for _ in 0..60 {
        evaluator.round().await;
        tokio::time::sleep(Duration::from_secs_f64(ROUND)).await;
        let now = server().await;
        let a = cw.alarms.list(None);
        eprintln!(
            "DBG {} {:?} {:?}",
            &now[..8],
            a[0].state.value,
            a[0].state.acted_at.map(|t| clock.now() - t)
        );
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

const GUEST_HEARTBEAT: &str = "HeatTemplateFormatVersion: '2012-12-12'
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
    Metadata:
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
";

/// The simulated guest plays cfn-push-stats: the crontab that cfn-init
/// writes from the instance's metadata sends a heartbeat every minute
/// while the server is ACTIVE; stopped behind the stack's back, its
/// heartbeat stops, the alarm restarts the instance, and the new one
/// beats again.
#[tokio::test(start_paused = true)]
async fn the_simulated_guest_beats_until_its_server_stops() {
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
    agent.report_to(cw.clone());
    let runner = Runner::new(engine.clone());
    let stack = runner
        .create_stack(
            "gb",
            StackSource {
                template: GUEST_HEARTBEAT.into(),
                ..StackSource::default()
            },
            StackOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(stack.status_text(), "CREATE_COMPLETE", "{}", stack.reason);
    let evaluator = Evaluator::new(cw.clone(), Duration::from_secs_f64(ROUND));
    let server = || async {
        store
            .resources(&stack.id)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.current && r.name == "Server")
            .and_then(|r| r.physical_id)
            .unwrap()
    };
    let rounds = |n: usize| {
        let evaluator = &evaluator;
        async move {
            for _ in 0..n {
                evaluator.round().await;
                tokio::time::sleep(Duration::from_secs_f64(ROUND)).await;
            }
        }
    };
    let first = server().await;
    rounds(30).await;
    assert_eq!(server().await, first, "beating: left alone");
    cloud.break_server(&first, "SHUTOFF").await.unwrap();
    let stopped = clock.now();
    let replaced = loop {
        rounds(1).await;
        if server().await != first {
            break clock.now() - stopped;
        }
        assert!(clock.now() - stopped < 900.0, "never restarted");
    };
    // The last beat up to a minute before the stop, a whole period
    // without one, a round.
    assert!(
        replaced <= 120.0 + 2.0 * ROUND,
        "restarted after {replaced} s"
    );
    let second = server().await;
    rounds(30).await;
    assert_eq!(server().await, second, "the new server beats");
}
