//! Parse + validate + graph of generated templates (chains, fan-in, fan-out,
//! get_attr and depends_on) of 100, 1,000 and 10,000 resources.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use heat_core::definition::{AnyType, Inputs, StackDefinition};
use heat_core::template::Template;

/// A HOT template of `n` resources mixing chains, fan-in and fan-out.
pub fn generated(n: usize) -> String {
    let mut t = String::from("heat_template_version: 2018-08-31\nparameters:\n  size: {type: number, default: 3}\nresources:\n");
    for i in 0..n {
        t.push_str(&format!(
            "  r{i}:\n    type: OS::Heat::Value\n    properties:\n"
        ));
        match i % 4 {
            0 if i >= 4 => t.push_str(&format!("      value: {{get_attr: [r{}, value]}}\n", i - 4)),
            1 if i >= 10 => t.push_str(&format!(
                "      value: {{list_join: [',', [{{get_resource: r{}}}, {{get_resource: r{}}}, {{get_param: size}}]]}}\n",
                i - 1,
                i / 2
            )),
            2 => t.push_str(&format!("      value: {{str_replace: {{template: x$y, params: {{$y: r{i}}}}}}}\n    depends_on: [r0]\n")),
            _ => t.push_str("      value: 1\n"),
        }
    }
    t
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_validate_graph");
    for n in [100usize, 1_000, 10_000] {
        let text = generated(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let t = Template::parse_with(text, usize::MAX).unwrap();
                let inputs = Inputs {
                    max_resources: usize::MAX,
                    ..Inputs::default()
                };
                let (def, errors) = StackDefinition::build(&t, inputs, &AnyType);
                assert!(errors.is_empty(), "{errors:?}");
                def.unwrap().levels().unwrap().len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
