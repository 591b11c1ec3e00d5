//! Benches of the model pipeline on synthetic organisations (`support/synth.rs`): loading a graph
//! fragment, summarising the graph, exporting it as JSON, DOT and Mermaid, and cutting out the
//! neighbourhood of a hub. Two scales: `realistic` (2,000 components, 15,000 dependencies, a large
//! company) and `large` (100,000 components, 1,000,000 dependencies, a stress test).
//!
//! Inputs are generated and loaded once per scale, outside the timed loops, and only when a bench
//! of that scale runs: `cargo bench --bench model -- realistic` never builds the large graph.
//! Throughput is in dependencies of the whole graph; `neighbourhood` (the depth-2 neighbourhood of
//! the API with the most dependants, then the subgraph of it) reports time only.
//!
//! `backstage/load-one-file-100k` loads the same kind of organisation (100,000 components) written
//! as one Backstage catalog file, the shape that was quadratic in the number of entities.

/// The allocator the `ripple` binary ships with, so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/synth.rs"]
mod synth;

use std::hint::black_box;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use ripple::analyze::summary::summarize;
use ripple::load::{fragment, load_text};
use ripple::model::{ComponentIndex, DependencyDirection, DependencyKind, Graph, Kind};
use ripple::render::{dot, mermaid};
use synth::{OrgShape, fragment_json};

struct Scale {
    name: &'static str,
    components: usize,
    edges: usize,
    /// Long-running benches: few samples, one iteration each.
    large: bool,
}

static REALISTIC: Scale = Scale {
    name: "realistic",
    components: 2_000,
    edges: 15_000,
    large: false,
};

static LARGE: Scale = Scale {
    name: "large",
    components: 100_000,
    edges: 1_000_000,
    large: true,
};

/// One scale's input: the fragment text, the graph loaded from it, and its busiest API.
struct Input {
    text: String,
    graph: Graph,
    hub: ComponentIndex,
}

impl Input {
    fn new(scale: &Scale) -> Self {
        let text = fragment_json(&OrgShape::new(scale.components, scale.edges));
        let graph = load_text("org.ripple.json", &text)
            .expect("synthetic organisations load")
            .graph;
        let hub = graph
            .components()
            .filter(|(_, c)| c.kind == Kind::Api)
            .max_by_key(|(ix, _)| {
                graph
                    .dependencies_of(*ix, DependencyDirection::Reverse)
                    .count()
            })
            .map(|(ix, _)| ix)
            .expect("the organisation has APIs");
        Input { text, graph, hub }
    }
}

fn bench_scale(c: &mut Criterion, scale: &'static Scale, input: &'static OnceLock<Input>) {
    let get = || input.get_or_init(|| Input::new(scale));
    let mut group = c.benchmark_group(scale.name);
    if scale.large {
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
    } else {
        group
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
    }
    // First, before a throughput is set: it would count the whole graph, not the cut.
    group.bench_function("neighbourhood", |b| {
        let input = get();
        b.iter_batched(
            || (),
            |()| {
                let keep = input.graph.neighbourhood(black_box(input.hub), 2);
                input.graph.subgraph(&keep)
            },
            BatchSize::PerIteration,
        );
    });

    group.throughput(Throughput::Elements(scale.edges as u64));
    group.bench_function("load", |b| {
        let text = &get().text;
        // The graph is dropped outside the timing: loading is what is measured.
        b.iter_batched(
            || (),
            |()| load_text("org.ripple.json", black_box(text)).expect("loads"),
            BatchSize::PerIteration,
        );
    });

    // `Graph` caches its cycles, so each iteration summarises a fresh copy (made untimed) to
    // measure what `ripple graph` pays once per run.
    group.bench_function("summary", |b| {
        let graph = &get().graph;
        let all: Vec<ComponentIndex> = graph.components().map(|(ix, _)| ix).collect();
        b.iter_batched_ref(
            || graph.subgraph(&all),
            |fresh| summarize(black_box(fresh)),
            BatchSize::PerIteration,
        );
    });

    // As the CLI writes a fragment: file paths relative to where it goes (here, the current
    // directory).
    export(&mut group, "export/json", get, |g, out| {
        fragment::write_beside(g, out, Path::new("."), Path::new("/work"))
    });
    export(&mut group, "export/json-as-stored", get, |g, out| {
        fragment::write(g, out)
    });
    export(&mut group, "export/dot", get, |g, out| {
        dot::write(g, "org", out)
    });
    export(&mut group, "export/mermaid", get, |g, out| {
        mermaid::write(g, out)
    });

    group.finish();
}

/// An export bench writing into a buffer that keeps its capacity between iterations.
fn export(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    get: impl Fn() -> &'static Input,
    write: impl Fn(&Graph, &mut Vec<u8>) -> std::io::Result<()>,
) {
    group.bench_function(id, |b| {
        let graph = &get().graph;
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            write(black_box(graph), &mut out).expect("writes to memory");
            out.len()
        });
    });
}

/// A Backstage catalog of a whole organisation in one multi-document YAML file, written from the
/// synthetic organisation: services and libraries as `Component`s, APIs as `API`s, topics and
/// datastores as `Resource`s; `provides`/`consumes` as `providesApis`/`consumesApis`, the other
/// dependencies as `dependsOn` references `component:NAME`/`resource:NAME`, which the loader
/// resolves against the file's entities (the lookup that was once a scan of every entity per
/// reference).
fn backstage_catalog(graph: &Graph) -> String {
    use std::fmt::Write as _;
    let mut by_source: Vec<Vec<(DependencyKind, ComponentIndex)>> =
        vec![Vec::new(); graph.component_count()];
    for d in graph.dependencies() {
        by_source[d.source.index()].push((d.dependency().kind, d.target));
    }
    let mut out = String::new();
    for (ix, c) in graph.components() {
        let (kind, spec_type) = match c.kind {
            Kind::Service => ("Component", "service"),
            Kind::Library => ("Component", "library"),
            Kind::Api => ("API", "openapi"),
            Kind::Topic => ("Resource", "kafka-topic"),
            Kind::Datastore => ("Resource", "database"),
        };
        let _ = write!(
            out,
            "---\napiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {}\n",
            c.name
        );
        if let Some(tier) = c.attrs.tier {
            let _ = write!(out, "  annotations:\n    ripple.dev/tier: \"{tier}\"\n");
        }
        let _ = write!(out, "spec:\n  type: {spec_type}\n  lifecycle: production\n");
        if let Some(owner) = &c.attrs.owner {
            let _ = writeln!(out, "  owner: group:{owner}");
        }
        if let Some(system) = &c.attrs.system {
            let _ = writeln!(out, "  system: {system}");
        }
        let mut lists: [(&str, Vec<String>); 3] = [
            ("providesApis", Vec::new()),
            ("consumesApis", Vec::new()),
            ("dependsOn", Vec::new()),
        ];
        for &(kind, target) in &by_source[ix.index()] {
            let to = graph.component(target);
            match kind {
                DependencyKind::Provides => lists[0].1.push(to.name.clone()),
                DependencyKind::Consumes => lists[1].1.push(to.name.clone()),
                _ => lists[2].1.push(match to.kind {
                    Kind::Service | Kind::Library => format!("component:{}", to.name),
                    Kind::Topic | Kind::Datastore => format!("resource:{}", to.name),
                    Kind::Api => format!("api:{}", to.name),
                }),
            }
        }
        for (field, items) in &lists {
            if !items.is_empty() {
                let _ = writeln!(out, "  {field}: [{}]", items.join(", "));
            }
        }
    }
    out
}

/// Loading a one-file Backstage catalog of 100,000 components (about 300,000 references).
fn backstage(c: &mut Criterion) {
    static TEXT: OnceLock<String> = OnceLock::new();
    let get = || {
        TEXT.get_or_init(|| {
            let text = fragment_json(&OrgShape::new(100_000, 300_000));
            let graph = load_text("org.ripple.json", &text)
                .expect("synthetic organisations load")
                .graph;
            backstage_catalog(&graph)
        })
    };
    let mut group = c.benchmark_group("backstage");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(100_000));
    group.bench_function("load-one-file-100k", |b| {
        let text = get();
        b.iter_batched(
            || (),
            |()| load_text("catalog-info.yaml", black_box(text)).expect("the catalog loads"),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn realistic(c: &mut Criterion) {
    static INPUT: OnceLock<Input> = OnceLock::new();
    bench_scale(c, &REALISTIC, &INPUT);
}

fn large(c: &mut Criterion) {
    static INPUT: OnceLock<Input> = OnceLock::new();
    bench_scale(c, &LARGE, &INPUT);
}

criterion_group!(benches, realistic, large, backstage);
criterion_main!(benches);
