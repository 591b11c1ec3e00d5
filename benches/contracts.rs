//! Benches of the CI gate: `diff` of two 5 MB OpenAPI documents (about 10,000 operations and 2,600
//! schemas, with a hundred changes between them), `diff` of two SQL schemas of 5,000 tables (15,000
//! statements, with three hundred changes), `diff` of a protobuf message of 20,000 fields, and
//! `check` / `skew` of a 20-component release against an environment of 10,000 services (a
//! synthetic organisation of 25,000 components and 200,000 dependencies, its `production` state
//! taken from the model). (At 100,000 protobuf fields one diff takes minutes, nearly all of it in
//! protobuf-parse's option resolver, which finds each field by a linear search of its message:
//! quadratic in the fields of one message, and outside ripple.)

/// The allocator the `ripple` binary ships with, so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/synth.rs"]
mod synth;

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use ripple::analyze::{check, skew};
use ripple::load::load_text;
use ripple::model::{Deployments, Graph, Kind};
use synth::{OrgShape, fragment_json};

/// An OpenAPI document with `resources` resources, each with a collection and an item path, four
/// operations and a schema of a dozen properties. `changed` resources differ in the new version:
/// a property removed, a required query parameter added, an enum value added to a response.
fn openapi(resources: usize, changed: usize, new: bool) -> String {
    let mut s = String::with_capacity(resources * 2600);
    s.push_str("openapi: 3.0.3\ninfo:\n  title: Synthetic\n  version: ");
    s.push_str(if new { "2.0.0\n" } else { "1.9.0\n" });
    s.push_str("paths:\n");
    for r in 0..resources {
        let delta = new && r % (resources / changed.max(1)).max(1) == 0;
        let _ = write!(
            s,
            "  /resources{r}:\n    get:\n      operationId: list{r}\n      parameters:\n        - name: limit\n          in: query\n          schema: {{type: integer, minimum: 1, maximum: 500}}\n"
        );
        if delta {
            let _ = write!(
                s,
                "        - name: tenant\n          in: query\n          required: true\n          schema: {{type: string}}\n"
            );
        }
        let _ = write!(
            s,
            "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: array\n                items: {{$ref: '#/components/schemas/Resource{r}'}}\n    post:\n      operationId: create{r}\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: {{$ref: '#/components/schemas/Resource{r}'}}\n      responses:\n        '201':\n          description: created\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Resource{r}'}}\n"
        );
        let _ = write!(
            s,
            "  /resources{r}/{{id}}:\n    parameters:\n      - name: id\n        in: path\n        required: true\n        schema: {{type: string, format: uuid}}\n    get:\n      operationId: get{r}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Resource{r}'}}\n        '404':\n          description: missing\n    delete:\n      operationId: delete{r}\n      responses:\n        '204':\n          description: deleted\n"
        );
    }
    s.push_str("components:\n  schemas:\n");
    for r in 0..resources {
        let delta = new && r % (resources / changed.max(1)).max(1) == 0;
        let _ = write!(
            s,
            "    Resource{r}:\n      type: object\n      required: [id, name, status]\n      properties:\n        id: {{type: string, format: uuid, readOnly: true}}\n        name: {{type: string, maxLength: 200}}\n"
        );
        if !delta {
            s.push_str("        description: {type: string, maxLength: 2000}\n");
        }
        let status = if delta {
            "[active, suspended, archived, deleted]"
        } else {
            "[active, suspended, archived]"
        };
        let _ = write!(
            s,
            "        status: {{type: string, enum: {status}}}\n        price: {{type: number, minimum: 0}}\n        currency: {{type: string, pattern: '^[A-Z]{{3}}$'}}\n        tags: {{type: array, items: {{type: string}}, maxItems: 20}}\n        createdAt: {{type: string, format: date-time, readOnly: true}}\n        owner:\n          type: object\n          properties:\n            id: {{type: string}}\n            email: {{type: string, format: email}}\n"
        );
    }
    s
}

struct DiffInput {
    _dir: tempfile::TempDir,
    old: PathBuf,
    new: PathBuf,
}

fn diff_input() -> &'static DiffInput {
    static INPUT: OnceLock<DiffInput> = OnceLock::new();
    INPUT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let old = dir.path().join("old.yaml");
        let new = dir.path().join("new.yaml");
        let (a, b) = (openapi(2_600, 100, false), openapi(2_600, 100, true));
        std::fs::write(&old, &a).expect("written");
        std::fs::write(&new, &b).expect("written");
        eprintln!("openapi documents: {} and {} bytes", a.len(), b.len());
        DiffInput {
            _dir: dir,
            old,
            new,
        }
    })
}

fn bench_diff(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("openapi-5mb", |b| {
        let input = diff_input();
        let options = ripple::contract::DiffOptions::new(jiff::civil::date(2026, 11, 30));
        b.iter(|| {
            let diff = ripple::contract::diff_paths(&input.old, &input.new, &options)
                .expect("the specs diff");
            assert!(diff.breaking() >= 100);
            black_box(diff)
        })
    });
    group.finish();
}

/// Two versions of a `.proto` file with one message of `fields` fields; the new one drops the
/// last field without reserving its number.
fn protobuf_input() -> &'static DiffInput {
    static INPUT: OnceLock<DiffInput> = OnceLock::new();
    INPUT.get_or_init(|| {
        let message = |fields: usize| {
            let mut s = String::from("syntax = \"proto3\";\npackage big.v1;\nmessage Big {\n");
            for i in 1..=fields {
                let _ = writeln!(s, "  int32 field_{i} = {i};");
            }
            s.push_str("}\n");
            s
        };
        let dir = tempfile::tempdir().expect("a temporary directory");
        let old = dir.path().join("old.proto");
        let new = dir.path().join("new.proto");
        std::fs::write(&old, message(20_000)).expect("written");
        std::fs::write(&new, message(19_999)).expect("written");
        DiffInput {
            _dir: dir,
            old,
            new,
        }
    })
}

fn bench_protobuf_diff(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("protobuf-20k-fields", |b| {
        let input = protobuf_input();
        let options = ripple::contract::DiffOptions::new(jiff::civil::date(2026, 11, 30));
        b.iter(|| {
            let diff = ripple::contract::diff_paths(&input.old, &input.new, &options)
                .expect("the protos diff");
            assert_eq!(diff.breaking(), 1);
            black_box(diff)
        })
    });
    group.finish();
}

/// A DDL file of `tables` tables, each with five columns, a unique and a plain index. The new
/// version widens a column in one table of a hundred, renames one in fifty and drops one in fifty.
fn sql_schema(tables: usize, new: bool) -> String {
    let mut s = String::with_capacity(tables * 240);
    for i in 0..tables {
        let total = if new && i % 100 == 0 {
            "bigint"
        } else {
            "integer"
        };
        let _ = writeln!(
            s,
            "CREATE TABLE t{i} (id bigint PRIMARY KEY, ref text NOT NULL, status text, total {total} NOT NULL DEFAULT 0, note varchar(100));\nCREATE UNIQUE INDEX t{i}_ref_key ON t{i} (ref);\nCREATE INDEX t{i}_status_idx ON t{i} (status);"
        );
    }
    if new {
        for i in (1..tables).step_by(50) {
            let _ = writeln!(s, "ALTER TABLE t{i} RENAME TO renamed{i};");
        }
        for i in (2..tables).step_by(50) {
            let _ = writeln!(s, "DROP TABLE t{i};");
        }
    }
    s
}

fn sql_input() -> &'static DiffInput {
    static INPUT: OnceLock<DiffInput> = OnceLock::new();
    INPUT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let old = dir.path().join("old.sql");
        let new = dir.path().join("new.sql");
        let (a, b) = (sql_schema(5_000, false), sql_schema(5_000, true));
        std::fs::write(&old, &a).expect("written");
        std::fs::write(&new, &b).expect("written");
        eprintln!("sql schemas: {} and {} bytes", a.len(), b.len());
        DiffInput {
            _dir: dir,
            old,
            new,
        }
    })
}

fn bench_sql_diff(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("sql-5000-tables", |b| {
        let input = sql_input();
        let options = ripple::contract::DiffOptions::new(jiff::civil::date(2026, 11, 30));
        b.iter(|| {
            let diff = ripple::contract::diff_paths(&input.old, &input.new, &options)
                .expect("the schemas diff");
            assert!(diff.breaking() >= 150);
            black_box(diff)
        })
    });
    group.finish();
}

struct Org {
    graph: Graph,
    state: Deployments,
    release: Vec<check::Candidate>,
}

fn org() -> &'static Org {
    static ORG: OnceLock<Org> = OnceLock::new();
    ORG.get_or_init(|| {
        let text = fragment_json(&OrgShape::new(25_000, 200_000));
        let graph = load_text("org.ripple.json", &text)
            .expect("synthetic organisations load")
            .graph;
        let state = Deployments::from_graph(&graph);
        // Twenty services spread over the organisation, each at the version its model describes.
        let services: Vec<_> = graph
            .components()
            .filter(|(_, c)| c.kind == Kind::Service && c.attrs.version.is_some())
            .collect();
        let step = services.len() / 20;
        let release = (0..20)
            .map(|i| {
                let c = services[i * step].1;
                check::Candidate {
                    component: c.id.clone(),
                    version: c.attrs.version.clone().expect("filtered"),
                }
            })
            .collect();
        let count = services.len();
        eprintln!(
            "organisation: {} components, {count} services",
            graph.component_count()
        );
        Org {
            graph,
            state,
            release,
        }
    })
}

fn bench_gate(c: &mut Criterion) {
    let mut group = c.benchmark_group("gate");
    group.sample_size(20);
    group.bench_function("check-20-of-10k-services", |b| {
        let org = org();
        b.iter(|| {
            black_box(
                check::check(&org.graph, &org.state, "production", None, &org.release)
                    .expect("production is known"),
            )
        })
    });
    group.bench_function("skew-10k-services", |b| {
        let org = org();
        b.iter(|| black_box(skew::skew(&org.graph, &org.state, None)))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_diff,
    bench_sql_diff,
    bench_protobuf_diff,
    bench_gate
);
criterion_main!(benches);
