//! Progress while a stack operation runs: a live bar on a terminal
//! (resources done of total, what is in progress), plain event lines
//! otherwise. Events come from the engine as it stores them.

use std::io::IsTerminal;

use futures::StreamExt;
use heat_core::engine::{Event, Status};
use indicatif::{ProgressBar, ProgressStyle};

/// One event as `openstack stack event list` prints it.
pub fn event_line(e: &Event) -> String {
    let reason = if e.reason.is_empty() {
        String::new()
    } else {
        format!("  {}", e.reason)
    };
    format!(
        "{} [{}]: {}_{}{}",
        heat_core::service::heat_time(e.time),
        e.resource_name,
        e.action.name(),
        e.status.name(),
        reason
    )
}

/// Shows events until `stop` fires (then what is already there), or the
/// stream ends; `total` resources are expected.
pub async fn show(
    mut events: futures::channel::mpsc::UnboundedReceiver<Event>,
    total: usize,
    stack_type: &'static str,
    stop: tokio::sync::oneshot::Receiver<()>,
) {
    let terminal = std::io::stderr().is_terminal();
    let bar = terminal.then(|| {
        let b = ProgressBar::new(total as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
            )
            .expect("a valid template"),
        );
        b.enable_steady_tick(std::time::Duration::from_millis(120));
        b
    });
    let mut running: Vec<String> = Vec::new();
    let mut stop = stop;
    let mut stopping = false;
    loop {
        let e = if stopping {
            match events.try_recv() {
                Ok(e) => e,
                Err(_) => break,
            }
        } else {
            tokio::select! {
                e = events.next() => match e {
                    Some(e) => e,
                    None => break,
                },
                _ = &mut stop => {
                    stopping = true;
                    continue;
                }
            }
        };
        match &bar {
            Some(b) => {
                if e.resource_type != stack_type {
                    match e.status {
                        Status::InProgress => running.push(e.resource_name.clone()),
                        _ => {
                            running.retain(|n| *n != e.resource_name);
                            if e.status == Status::Complete {
                                b.inc(1);
                            }
                        }
                    }
                }
                b.println(event_line(&e));
                b.set_message(running.join(", "));
            }
            None => eprintln!("{}", event_line(&e)),
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
}
