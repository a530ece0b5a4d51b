//! [`Metrics`]: the datapoints that PutMetricData brings (cfn-push-stats,
//! SDKs), per project, kept for a retention (two weeks by default) and a
//! bounded number of points per metric, with CloudWatch's statistics over
//! periods (SampleCount, Sum, Average, Minimum, Maximum).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

/// A metric: its project, namespace, name and dimensions (sorted by name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetricId {
    /// The project whose metric it is.
    pub project: String,
    /// The namespace (`system/linux`, `AWS/EC2`...).
    pub namespace: String,
    /// The metric's name.
    pub name: String,
    /// Dimensions, sorted by name.
    pub dimensions: Vec<(String, String)>,
}

/// One datapoint, or a statistic set of several.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Datapoint {
    /// Seconds since the epoch.
    pub time: f64,
    /// How many samples.
    pub count: f64,
    /// Their sum.
    pub sum: f64,
    /// The least.
    pub min: f64,
    /// The greatest.
    pub max: f64,
}

impl Datapoint {
    /// A single value.
    pub fn value(time: f64, v: f64) -> Self {
        Datapoint {
            time,
            count: 1.0,
            sum: v,
            min: v,
            max: v,
        }
    }
}

/// The statistics of one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// The period's start.
    pub start: f64,
    /// SampleCount.
    pub count: f64,
    /// Sum.
    pub sum: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
}

impl Bucket {
    /// A statistic by CloudWatch's name.
    pub fn statistic(&self, name: &str) -> Option<f64> {
        match name {
            "SampleCount" => Some(self.count),
            "Sum" => Some(self.sum),
            "Average" => Some(if self.count > 0.0 {
                self.sum / self.count
            } else {
                0.0
            }),
            "Minimum" => Some(self.min),
            "Maximum" => Some(self.max),
            _ => None,
        }
    }
}

/// CloudWatch's statistic names.
pub const STATISTICS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

struct Series {
    unit: Option<String>,
    points: VecDeque<Datapoint>,
}

/// Every project's metrics.
pub struct Metrics {
    series: Mutex<BTreeMap<MetricId, Series>>,
    retention: f64,
    max_points: usize,
}

impl Metrics {
    /// A store keeping points `retention` seconds, at most `max_points` per
    /// metric (the oldest go first).
    pub fn new(retention: f64, max_points: usize) -> Self {
        Metrics {
            series: Mutex::new(BTreeMap::new()),
            retention,
            max_points,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<MetricId, Series>> {
        self.series.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds points to a metric.
    pub fn put(&self, id: MetricId, unit: Option<String>, points: &[Datapoint]) {
        let mut all = self.lock();
        let s = all.entry(id).or_insert_with(|| Series {
            unit: None,
            points: VecDeque::new(),
        });
        if unit.is_some() {
            s.unit = unit;
        }
        for p in points {
            // Kept in time order: most points come in order.
            let at = s.points.partition_point(|q| q.time <= p.time);
            s.points.insert(at, *p);
        }
        while s.points.len() > self.max_points {
            s.points.pop_front();
        }
    }

    /// Drops what is older than the retention.
    pub fn prune(&self, now: f64) {
        let oldest = now - self.retention;
        let mut all = self.lock();
        for s in all.values_mut() {
            while s.points.front().is_some_and(|p| p.time < oldest) {
                s.points.pop_front();
            }
        }
        all.retain(|_, s| !s.points.is_empty());
    }

    /// A project's metrics, filtered by namespace, name and dimensions
    /// (a dimension without a value matches any value).
    pub fn list(
        &self,
        project: &str,
        namespace: Option<&str>,
        name: Option<&str>,
        dimensions: &[(String, Option<String>)],
    ) -> Vec<MetricId> {
        self.lock()
            .keys()
            .filter(|m| {
                m.project == project
                    && namespace.is_none_or(|n| m.namespace == n)
                    && name.is_none_or(|n| m.name == n)
                    && dimensions.iter().all(|(k, v)| {
                        m.dimensions
                            .iter()
                            .any(|(mk, mv)| mk == k && v.as_ref().is_none_or(|v| v == mv))
                    })
            })
            .cloned()
            .collect()
    }

    /// The unit a metric was last given.
    pub fn unit(&self, id: &MetricId) -> Option<String> {
        self.lock().get(id).and_then(|s| s.unit.clone())
    }

    /// Statistics per period from `start` (inclusive) to `end` (exclusive)
    /// over the points of the metrics of a project, namespace (every one
    /// for `*`, as an Aodh alarm's meter) and name whose dimensions
    /// `matches` accepts; periods without points are left out.
    pub fn statistics(
        &self,
        metric: (&str, &str, &str),
        matches: impl Fn(&[(String, String)]) -> bool,
        start: f64,
        end: f64,
        period: f64,
    ) -> Vec<Bucket> {
        let (project, namespace, name) = metric;
        let period = period.max(1.0);
        let mut buckets: BTreeMap<i64, Bucket> = BTreeMap::new();
        let from = MetricId {
            project: project.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            dimensions: Vec::new(),
        };
        let all = self.lock();
        let any = namespace == super::aodh::ANY_NAMESPACE;
        let series: Box<dyn Iterator<Item = (&MetricId, &Series)>> = if any {
            Box::new(
                all.iter()
                    .filter(|(id, _)| id.project == project && id.name == name),
            )
        } else {
            let same = |id: &MetricId| {
                id.project == project && id.namespace == namespace && id.name == name
            };
            Box::new(all.range(from..).take_while(move |(id, _)| same(id)))
        };
        for (id, s) in series {
            if !matches(&id.dimensions) {
                continue;
            }
            let from = s.points.partition_point(|p| p.time < start);
            for p in s.points.iter().skip(from).take_while(|p| p.time < end) {
                let k = ((p.time - start) / period).floor() as i64;
                let b = buckets.entry(k).or_insert(Bucket {
                    start: start + k as f64 * period,
                    count: 0.0,
                    sum: 0.0,
                    min: f64::INFINITY,
                    max: f64::NEG_INFINITY,
                });
                b.count += p.count;
                b.sum += p.sum;
                b.min = b.min.min(p.min);
                b.max = b.max.max(p.max);
            }
        }
        buckets.into_values().collect()
    }

    /// How many points are held (for the bench and tests).
    pub fn len(&self) -> usize {
        self.lock().values().map(|s| s.points.len()).sum()
    }

    /// Whether no point is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str, dims: &[(&str, &str)]) -> MetricId {
        MetricId {
            project: "p".into(),
            namespace: "ns".into(),
            name: name.into(),
            dimensions: dims
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn statistics_are_per_period_and_merge_matching_metrics() {
        let m = Metrics::new(3600.0, 1000);
        m.put(
            id("cpu", &[("host", "a")]),
            Some("Percent".into()),
            &[Datapoint::value(100.0, 10.0), Datapoint::value(130.0, 30.0)],
        );
        m.put(
            id("cpu", &[("host", "b")]),
            None,
            &[Datapoint::value(110.0, 50.0), Datapoint::value(170.0, 5.0)],
        );
        let b = m.statistics(("p", "ns", "cpu"), |_| true, 100.0, 200.0, 60.0);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].start, 100.0);
        assert_eq!(b[0].statistic("SampleCount"), Some(3.0));
        assert_eq!(b[0].statistic("Average"), Some(30.0));
        assert_eq!(b[0].statistic("Maximum"), Some(50.0));
        assert_eq!(b[1].statistic("Sum"), Some(5.0));
        let only_a = m.statistics(("p", "ns", "cpu"), |d| d[0].1 == "a", 100.0, 200.0, 100.0);
        assert!(m
            .statistics(("p", "ns", "mem"), |_| true, 100.0, 200.0, 100.0)
            .is_empty());
        assert_eq!(only_a[0].statistic("Minimum"), Some(10.0));
        assert_eq!(
            m.list("p", None, Some("cpu"), &[("host".into(), Some("b".into()))])
                .len(),
            1
        );
        assert_eq!(m.list("other", None, None, &[]).len(), 0);
        assert_eq!(
            m.unit(&id("cpu", &[("host", "a")])).as_deref(),
            Some("Percent")
        );
    }

    #[test]
    fn old_points_and_overflow_go() {
        let m = Metrics::new(100.0, 3);
        let points: Vec<Datapoint> = (0..5)
            .map(|i| Datapoint::value(i as f64 * 10.0, 1.0))
            .collect();
        m.put(id("x", &[]), None, &points);
        assert_eq!(m.len(), 3);
        m.prune(135.0);
        assert_eq!(m.len(), 1);
        m.prune(1000.0);
        assert!(m.is_empty());
        assert!(m.list("p", None, None, &[]).is_empty());
    }
}
