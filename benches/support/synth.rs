//! Synthetic organisations shaped like real ones, for the benches and the tests.
//!
//! This file is not part of the library: each bench includes it with
//! `#[path = "support/synth.rs"] mod synth;` and the integration tests with
//! `#[path = "../../benches/support/synth.rs"]`, so it sees only ripple's public API.
//!
//! [`fragment_json`] writes a graph fragment (the JSON of `docs/formats.md`) for an organisation of
//! a given [`OrgShape`]: so many components, exactly so many dependencies, from a seed. The same
//! shape always gives the same bytes, so a bench or a failing test can be reproduced anywhere.
//!
//! What the organisation looks like, and why:
//!
//! - **Mix of kinds.** About 40% services, 25% APIs, 10% topics, 15% datastores, 10% libraries.
//!   Services are grouped into systems of about 20, and one team owns about two systems.
//! - **Power-law fan-in.** Consumers choose APIs, topics, datastores and libraries with Zipf-like
//!   popularity: a few hub APIs (the `auth` services' at the bottom of each system) are used by a
//!   large share of the organisation while most are used by a handful. Fan-out has a heavy tail
//!   too: a few services use several times more than the median.
//! - **Locality.** Services prefer their own system's APIs, topics and (strongly) datastores.
//! - **Mostly layered.** Services have a hidden depth; a component only needs components of lower
//!   depth (a consumer needs APIs of providers below it, a subscriber needs topics published below
//!   it, a library needs more basic libraries). That keeps the "needs" relation acyclic apart from a
//!   few deliberate mutual `calls` between services of nearly equal depth, which form small cycles
//!   the way real organisations have a few.
//! - **Attributes.** Tiers 1-4 (few tier 1, more among foundational services), compliance tags on
//!   some systems, `version` and `environments` (`production`, `staging`) on services, APIs and
//!   libraries. `consumes` and `depends-on` edges carry a version requirement that the provider's
//!   version and every environment satisfy; `consumes` edges list 1-3 operations in `uses`.
//!   Every edge has one piece of evidence pointing at the source's `ripple.yaml`.
//!
//! This module only produces text, through serde: it does not build a `ripple::model::Graph` itself
//! (load the text with `ripple::load::load_text`, so the loader is exercised too) and it must never
//! read files, the clock or any unseeded randomness.

use std::collections::BTreeMap;
use std::fmt;
use std::io;

use ripple::load::fragment::FORMAT_VERSION;
use ripple::model::{DependencyKind, Kind, component_id};
use serde::{Serialize, Serializer};
use serde_json::ser::Formatter;

/// The size of a synthetic organisation, and the seed that fixes everything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrgShape {
    /// Number of components (nodes).
    pub components: usize,
    /// Number of dependencies (edges), exactly.
    pub edges: usize,
    pub seed: u64,
}

impl OrgShape {
    /// The seed [`OrgShape::new`] uses.
    pub const DEFAULT_SEED: u64 = 0x7269_7070_6c65; // "ripple"

    /// A shape with the default seed.
    pub fn new(components: usize, edges: usize) -> Self {
        OrgShape {
            components,
            edges,
            seed: Self::DEFAULT_SEED,
        }
    }

    /// The same shape with another seed.
    #[allow(dead_code, reason = "the tests use it, the benches do not")]
    pub fn with_seed(self, seed: u64) -> Self {
        OrgShape { seed, ..self }
    }
}

/// Fragment JSON text (the format in `docs/formats.md`, `"ripple": 1`) for an organisation of
/// `shape`, ready for `ripple::load::load_text` under a `.json` name. Nodes are sorted
/// by id and edges by (`from`, `to`, `kind`), as the format requires.
///
/// Every API has exactly one provider when `shape.edges` is at least the number of APIs (a quarter
/// of the components); with fewer edges, only the first APIs get one and there are no other edges.
///
/// # Panics
///
/// When the components cannot hold `shape.edges` distinct dependencies (a shape far denser than
/// any organisation, such as more edges than components squared), or when `shape.components` is 0
/// and `shape.edges` is not.
pub fn fragment_json(shape: &OrgShape) -> String {
    Org::generate(shape).to_json(shape.seed)
}

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64. Small, fast, and fully determined by the seed on every platform.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift; the bias is below 2^-40 for our sizes.
    fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Zipf-like (exponent 1) in `0..n`: `P(k) ≈ 1 / ((k + 1.5) ln(n + 1))`, so index 0 is the
    /// most popular. Inverse transform of the continuous distribution: no table, O(1).
    fn zipf(&mut self, n: usize) -> usize {
        let x = ((n as f64 + 1.0).ln() * self.unit()).exp() - 1.0;
        (x as usize).min(n - 1)
    }

    /// Pareto weight (shape 2.5, minimum 1, mean 5/3): most near 1, a few several times larger.
    fn pareto(&mut self) -> f64 {
        (1.0 - self.unit()).powf(-0.4)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// The splitmix64 finaliser: a good 64-bit mixing function, also used to hash edges.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: every name is made of these words and digits.

/// System names and the domain each belongs to.
const SYSTEMS: [(&str, &str); 24] = [
    ("accounts", "customer"),
    ("analytics", "data"),
    ("billing", "finance"),
    ("catalog", "commerce"),
    ("checkout", "commerce"),
    ("fulfilment", "logistics"),
    ("identity", "platform"),
    ("inventory", "logistics"),
    ("loyalty", "customer"),
    ("marketing", "growth"),
    ("media", "content"),
    ("messaging", "platform"),
    ("notifications", "platform"),
    ("onboarding", "growth"),
    ("orders", "commerce"),
    ("partners", "growth"),
    ("payments", "finance"),
    ("pricing", "commerce"),
    ("recommendations", "data"),
    ("risk", "finance"),
    ("search", "commerce"),
    ("shipping", "logistics"),
    ("support", "customer"),
    ("tax", "finance"),
];

/// Service roles, from the top of a system (entry points) down.
const ROLES: [&str; 20] = [
    "gateway",
    "web",
    "bff",
    "admin",
    "orders",
    "search",
    "reports",
    "export",
    "notifier",
    "pricing",
    "profile",
    "catalog",
    "inventory",
    "ledger",
    "audit",
    "scheduler",
    "worker",
    "ingest",
    "sync",
    "auth",
];

/// Compliance tag sets a regulated system carries (sorted within each).
const COMPLIANCE: [&[&str]; 5] = [
    &["pci"],
    &["gdpr"],
    &["pci", "sox"],
    &["gdpr", "hipaa"],
    &["sox"],
];

const LANGUAGES: [&str; 6] = ["go", "java", "kotlin", "python", "rust", "typescript"];

const API_TYPES: [&str; 4] = ["openapi", "grpc", "graphql", "asyncapi"];

/// Resources an API is about: (plural path segment, singular type name).
const RESOURCES: [(&str, &str); 16] = [
    ("accounts", "Account"),
    ("carts", "Cart"),
    ("customers", "Customer"),
    ("invoices", "Invoice"),
    ("items", "Item"),
    ("ledgers", "Ledger"),
    ("messages", "Message"),
    ("offers", "Offer"),
    ("orders", "Order"),
    ("payments", "Payment"),
    ("prices", "Price"),
    ("products", "Product"),
    ("profiles", "Profile"),
    ("refunds", "Refund"),
    ("sessions", "Session"),
    ("shipments", "Shipment"),
];

const TOPIC_ENTITIES: [&str; 12] = [
    "order-events",
    "payment-events",
    "customer-events",
    "audit-log",
    "inventory-changes",
    "price-changes",
    "notifications",
    "clickstream",
    "shipment-events",
    "ledger-entries",
    "search-updates",
    "dead-letters",
];

const TOPIC_TYPES: [&str; 4] = ["kafka", "sqs", "rabbitmq", "nats"];

/// Datastore name suffixes and their engines.
const STORES: [(&str, &str); 10] = [
    ("db", "postgres"),
    ("cache", "redis"),
    ("search-index", "elasticsearch"),
    ("events", "dynamodb"),
    ("archive", "s3"),
    ("ledger-db", "postgres"),
    ("sessions", "redis"),
    ("reporting", "mysql"),
    ("files", "s3"),
    ("graph", "neo4j"),
];

const LIBRARIES: [&str; 20] = [
    "logging",
    "metrics",
    "tracing",
    "http-client",
    "auth-sdk",
    "config",
    "feature-flags",
    "ui-kit",
    "money",
    "i18n",
    "retry",
    "serialization",
    "validation",
    "db-pool",
    "cache-client",
    "testkit",
    "events-sdk",
    "crypto",
    "time",
    "errors",
];

const ECOSYSTEMS: [&str; 5] = ["cargo", "go", "maven", "npm", "pypi"];

const LIFECYCLES: [&str; 3] = ["production", "experimental", "deprecated"];

/// Mostly production, some experimental, a few deprecated.
fn lifecycle(rng: &mut Rng) -> u8 {
    let u = rng.unit();
    if u < 0.9 {
        0
    } else if u < 0.97 {
        1
    } else {
        2
    }
}

/// Shares of the dependencies that are not `provides`, by kind. `calls` are "a few".
const SHARES: [(DependencyKind, f64); 7] = [
    (DependencyKind::Consumes, 0.495),
    (DependencyKind::DependsOn, 0.22),
    (DependencyKind::Subscribes, 0.09),
    (DependencyKind::Reads, 0.08),
    (DependencyKind::Writes, 0.06),
    (DependencyKind::Calls, 0.03),
    (DependencyKind::Publishes, 0.025),
];

/// One mutual pair of `calls` (a small cycle) per this many `calls` edges.
const CALLS_PER_CYCLE: u64 = 50;

/// How far apart in depth the two services of a mutual `calls` pair are at most. Everything of a
/// depth between them may join their cycle, so the distance keeps cycles small.
const CYCLE_SPAN: usize = 4;

// ---------------------------------------------------------------------------------------------
// The organisation before it is written.

/// A semver version in the repository (also running in staging) and the one in production: same
/// major, production never ahead.
#[derive(Clone, Copy)]
struct Ver {
    major: u32,
    minor: u32,
    patch: u32,
    prod_minor: u32,
    prod_patch: u32,
}

impl Ver {
    fn random(rng: &mut Rng) -> Self {
        const MAJORS: [u32; 8] = [1, 1, 1, 1, 2, 2, 3, 4];
        let major = MAJORS[rng.below(MAJORS.len())];
        let minor = rng.below(15) as u32;
        let patch = rng.below(10) as u32;
        let (prod_minor, prod_patch) = if minor > 0 && rng.chance(0.35) {
            (
                minor - 1 - rng.below(minor.min(2) as usize) as u32,
                rng.below(10) as u32,
            )
        } else {
            (minor, patch.saturating_sub(rng.below(2) as u32))
        };
        Ver {
            major,
            minor,
            patch,
            prod_minor,
            prod_patch,
        }
    }
}

struct Node {
    kind: Kind,
    name: String,
    system: Option<u32>,
    team: u32,
    tier: Option<u8>,
    version: Option<Ver>,
    /// Index into the kind's table of sub-types (`API_TYPES`, `STORES`, ...).
    detail: u8,
    /// APIs: index into `RESOURCES`. Services: index into `ROLES`.
    extra: u8,
    /// APIs: the depth of the providing service. Topics: the depth of the anchoring publisher.
    anchor: u32,
    /// Index into `LIFECYCLES`.
    lifecycle: u8,
    /// Services and libraries: where the source lives (and the evidence file's directory).
    repository: Option<String>,
}

struct System {
    name: String,
    domain: &'static str,
    team: u32,
    compliance: Option<u8>,
}

struct Org {
    nodes: Vec<Node>,
    systems: Vec<System>,
    teams: Vec<String>,
    /// (from, to, kind) by node number.
    edges: Vec<(u32, u32, DependencyKind)>,
}

/// Node numbers: services first (in depth order), then APIs (in provider depth order), topics
/// (in publisher depth order), datastores, libraries (most basic first).
struct Layout {
    services: usize,
    apis: usize,
    topics: usize,
    stores: usize,
    libraries: usize,
}

impl Layout {
    fn of(components: usize) -> Self {
        let apis = components / 4;
        let topics = components / 10;
        let stores = components * 3 / 20;
        let libraries = components / 10;
        Layout {
            services: components - apis - topics - stores - libraries,
            apis,
            topics,
            stores,
            libraries,
        }
    }

    fn api0(&self) -> usize {
        self.services
    }

    fn topic0(&self) -> usize {
        self.api0() + self.apis
    }

    fn store0(&self) -> usize {
        self.topic0() + self.topics
    }

    fn lib0(&self) -> usize {
        self.store0() + self.stores
    }
}

/// Append `count` values of `0..n` that are not in `out` yet. A value is drawn from `local` with
/// probability `p_local`, otherwise Zipf-like (`zipf`) or uniformly from `0..n`; when draws keep
/// hitting values already taken (a saturated head), uniform draws and finally a scan take over,
/// so this always ends as long as `out.len() + count <= n`.
fn pick_distinct(
    rng: &mut Rng,
    count: usize,
    n: usize,
    local: &[u32],
    p_local: f64,
    zipf: bool,
    out: &mut Vec<u32>,
) {
    debug_assert!(out.len() + count <= n);
    for _ in 0..count {
        let mut found = None;
        for attempt in 0..24 {
            let c = if attempt >= 16 {
                rng.below(n) as u32
            } else if !local.is_empty() && rng.chance(p_local) {
                local[rng.below(local.len())]
            } else if zipf {
                rng.zipf(n) as u32
            } else {
                rng.below(n) as u32
            };
            if !out.contains(&c) {
                found = Some(c);
                break;
            }
        }
        let c = found.unwrap_or_else(|| {
            let start = rng.below(n);
            (0..n)
                .map(|i| ((start + i) % n) as u32)
                .find(|c| !out.contains(c))
                .expect("fewer candidates than the degree")
        });
        out.push(c);
    }
}

/// Spread `total` over sources with at most `caps[i]` each, in proportion to Pareto weights: most
/// sources get about the mean, a few several times more.
fn degrees(rng: &mut Rng, total: u64, caps: &[u32]) -> Vec<u32> {
    let n = caps.len();
    let mut deg = vec![0u32; n];
    if total == 0 {
        return deg;
    }
    let weights: Vec<f64> = caps
        .iter()
        .map(|&c| if c == 0 { 0.0 } else { rng.pareto() })
        .collect();
    let sum: f64 = weights.iter().sum();
    let mut left = total;
    for i in 0..n {
        let d = ((total as f64 * weights[i] / sum) as u64)
            .min(u64::from(caps[i]))
            .min(left);
        deg[i] = d as u32;
        left -= d;
    }
    // The rounding remainder (and what caps clipped) goes one by one to random sources with room...
    let mut tries = 0;
    while left > 0 && tries < 8 * n {
        let i = rng.below(n);
        if deg[i] < caps[i] {
            deg[i] += 1;
            left -= 1;
        }
        tries += 1;
    }
    // ...and if the caps are nearly full, to the first sources with room.
    for i in 0..n {
        if left == 0 {
            break;
        }
        let add = u64::from(caps[i] - deg[i]).min(left);
        deg[i] += add as u32;
        left -= add;
    }
    assert_eq!(left, 0, "caps too small for the degree total");
    deg
}

/// Split `rest` dependencies over the kinds of `SHARES`, keeping each kind within half its
/// capacity where possible (so the graph stays sparse and picking stays fast) and within its
/// capacity always.
fn allocate(rest: u64, caps: &[u64; 7], shape: &OrgShape) -> [u64; 7] {
    let mut totals = SHARES.map(|(_, share)| (rest as f64 * share) as u64);
    totals[0] += rest - totals.iter().sum::<u64>();
    let mut over = 0;
    for limits in [caps.map(|c| c / 2), *caps] {
        for (t, limit) in totals.iter_mut().zip(limits) {
            if *t > limit {
                over += *t - limit;
                *t = limit;
            }
        }
        for (t, limit) in totals.iter_mut().zip(limits) {
            let add = (limit - *t).min(over);
            *t += add;
            over -= add;
        }
    }
    assert!(
        over == 0,
        "an organisation of {} components cannot hold {} distinct dependencies",
        shape.components,
        shape.edges
    );
    totals
}

impl Org {
    fn generate(shape: &OrgShape) -> Org {
        let mut rng = Rng(shape.seed);
        let layout = Layout::of(shape.components);
        if shape.components == 0 {
            assert!(
                shape.edges == 0,
                "an empty organisation has no dependencies"
            );
            return Org {
                nodes: Vec::new(),
                systems: Vec::new(),
                teams: Vec::new(),
                edges: Vec::new(),
            };
        }
        let mut org = Org::components(&mut rng, &layout);
        org.dependencies(&mut rng, &layout, shape);
        org
    }

    fn components(rng: &mut Rng, layout: &Layout) -> Org {
        let n_svc = layout.services;
        let n_sys = n_svc.div_ceil(20).max(1);
        let n_team = n_sys.div_ceil(2);
        let systems: Vec<System> = (0..n_sys)
            .map(|i| {
                let (word, domain) = SYSTEMS[i % SYSTEMS.len()];
                let round = i / SYSTEMS.len();
                System {
                    name: if round == 0 {
                        word.to_owned()
                    } else {
                        format!("{word}{}", round + 1)
                    },
                    domain,
                    team: (i / 2) as u32,
                    compliance: rng.chance(0.2).then(|| rng.below(COMPLIANCE.len()) as u8),
                }
            })
            .collect();
        let teams: Vec<String> = (0..n_team)
            .map(|t| format!("team-{}", systems[2 * t].name))
            .collect();
        let mut nodes = Vec::with_capacity(layout.lib0() + layout.libraries);

        // Services: depth is the node number; systems are dealt out evenly and at random.
        let mut sys_of: Vec<u32> = (0..n_svc).map(|i| (i % n_sys) as u32).collect();
        rng.shuffle(&mut sys_of);
        let mut by_system: Vec<Vec<u32>> = vec![Vec::new(); n_sys];
        for (d, &s) in sys_of.iter().enumerate() {
            by_system[s as usize].push(d as u32);
        }
        // The deepest service of a system (the one that needs most) is its gateway.
        let mut role = vec![0usize; n_svc];
        for members in &by_system {
            for (j, &d) in members.iter().enumerate() {
                role[d as usize] = members.len() - 1 - j;
            }
        }
        for d in 0..n_svc {
            let system = &systems[sys_of[d] as usize];
            let r = role[d];
            let name = if r < ROLES.len() {
                format!("{}-{}", system.name, ROLES[r % ROLES.len()])
            } else {
                format!(
                    "{}-{}-{}",
                    system.name,
                    ROLES[r % ROLES.len()],
                    r / ROLES.len() + 1
                )
            };
            let u = rng.unit();
            let mut tier = if u < 0.04 {
                1
            } else if u < 0.25 {
                2
            } else if u < 0.65 {
                3
            } else {
                4
            };
            if d < n_svc / 20 && tier > 1 {
                tier -= 1;
            }
            let repository = format!("services/{}/{name}", system.name);
            nodes.push(Node {
                kind: Kind::Service,
                name,
                system: Some(sys_of[d]),
                team: system.team,
                tier: Some(tier),
                version: Some(Ver::random(rng)),
                detail: rng.below(LANGUAGES.len()) as u8,
                extra: (r % ROLES.len()) as u8,
                anchor: 0,
                lifecycle: lifecycle(rng),
                repository: Some(repository),
            });
        }

        // APIs: each provided by one service; numbered by provider depth.
        let mut providers: Vec<u32> = (0..layout.apis).map(|_| rng.below(n_svc) as u32).collect();
        providers.sort_unstable();
        let mut provided = vec![0u32; n_svc];
        for &p in &providers {
            let provider = &nodes[p as usize];
            let k = provided[p as usize];
            provided[p as usize] += 1;
            let name = if k == 0 {
                format!("{}-api", provider.name)
            } else {
                format!("{}-api-{}", provider.name, k + 1)
            };
            let u = rng.unit();
            let detail = if u < 0.6 {
                0
            } else if u < 0.85 {
                1
            } else if u < 0.92 {
                2
            } else {
                3
            };
            let api = Node {
                kind: Kind::Api,
                name,
                system: provider.system,
                team: provider.team,
                tier: provider.tier,
                version: Some(Ver::random(rng)),
                detail,
                extra: rng.below(RESOURCES.len()) as u8,
                anchor: p,
                lifecycle: lifecycle(rng),
                repository: provider.repository.clone(),
            };
            nodes.push(api);
        }

        // Topics: each anchored at a publishing service; numbered by that service's depth.
        let mut anchors: Vec<u32> = (0..layout.topics)
            .map(|_| rng.below(n_svc) as u32)
            .collect();
        anchors.sort_unstable();
        let mut per_system = vec![0usize; n_sys];
        for &a in &anchors {
            let s = sys_of[a as usize];
            let c = per_system[s as usize];
            per_system[s as usize] += 1;
            let entity = TOPIC_ENTITIES[c % TOPIC_ENTITIES.len()];
            let system = &systems[s as usize];
            let name = if c < TOPIC_ENTITIES.len() {
                format!("{}.{entity}", system.name)
            } else {
                format!("{}.{entity}-{}", system.name, c / TOPIC_ENTITIES.len() + 1)
            };
            let u = rng.unit();
            let detail = if u < 0.7 {
                0
            } else if u < 0.85 {
                1
            } else if u < 0.95 {
                2
            } else {
                3
            };
            nodes.push(Node {
                kind: Kind::Topic,
                name,
                system: Some(s),
                team: system.team,
                tier: None,
                version: None,
                detail,
                extra: 0,
                anchor: a,
                lifecycle: 0,
                repository: None,
            });
        }

        // Datastores: dealt out to systems like services.
        let mut store_sys: Vec<u32> = (0..layout.stores).map(|i| (i % n_sys) as u32).collect();
        rng.shuffle(&mut store_sys);
        let mut per_system = vec![0usize; n_sys];
        for &s in &store_sys {
            let c = per_system[s as usize];
            per_system[s as usize] += 1;
            let system = &systems[s as usize];
            let (suffix, _) = STORES[c % STORES.len()];
            let name = if c < STORES.len() {
                format!("{}-{suffix}", system.name)
            } else {
                format!("{}-{suffix}-{}", system.name, c / STORES.len() + 1)
            };
            nodes.push(Node {
                kind: Kind::Datastore,
                name,
                system: Some(s),
                team: system.team,
                tier: None,
                version: None,
                detail: (c % STORES.len()) as u8,
                extra: 0,
                anchor: 0,
                lifecycle: 0,
                repository: None,
            });
        }

        // Libraries: most basic first; no system, owned by any team.
        for r in 0..layout.libraries {
            let word = LIBRARIES[r % LIBRARIES.len()];
            let name = if r < LIBRARIES.len() {
                format!("lib-{word}")
            } else {
                format!("lib-{word}-{}", r / LIBRARIES.len() + 1)
            };
            let repository = format!("libraries/{name}");
            nodes.push(Node {
                kind: Kind::Library,
                name,
                system: None,
                team: rng.below(n_team) as u32,
                tier: None,
                version: Some(Ver::random(rng)),
                detail: rng.below(ECOSYSTEMS.len()) as u8,
                extra: 0,
                anchor: 0,
                lifecycle: lifecycle(rng),
                repository: Some(repository),
            });
        }

        Org {
            nodes,
            systems,
            teams,
            edges: Vec::new(),
        }
    }

    /// The system of service `d`.
    fn system_of(&self, d: usize) -> usize {
        self.nodes[d].system.expect("services have a system") as usize
    }

    fn dependencies(&mut self, rng: &mut Rng, layout: &Layout, shape: &OrgShape) {
        let n_svc = layout.services;
        let n_sys = self.systems.len();
        let (api0, topic0, store0, lib0) = (
            layout.api0(),
            layout.topic0(),
            layout.store0(),
            layout.lib0(),
        );
        // The depth each API and topic hangs below: its provider or anchoring publisher. Both are
        // sorted, so "everything below depth d" is a prefix.
        let providers: Vec<usize> = (0..layout.apis)
            .map(|k| self.nodes[api0 + k].anchor as usize)
            .collect();
        let anchors: Vec<usize> = (0..layout.topics)
            .map(|t| self.nodes[topic0 + t].anchor as usize)
            .collect();
        let sys_of: Vec<usize> = (0..n_svc).map(|d| self.system_of(d)).collect();
        let mut svc_by_sys: Vec<Vec<u32>> = vec![Vec::new(); n_sys];
        let mut api_by_sys: Vec<Vec<u32>> = vec![Vec::new(); n_sys];
        let mut topic_by_sys: Vec<Vec<u32>> = vec![Vec::new(); n_sys];
        let mut store_by_sys: Vec<Vec<u32>> = vec![Vec::new(); n_sys];
        for d in 0..n_svc {
            svc_by_sys[sys_of[d]].push(d as u32);
        }
        for (k, &p) in providers.iter().enumerate() {
            api_by_sys[sys_of[p]].push(k as u32);
        }
        for (t, &a) in anchors.iter().enumerate() {
            topic_by_sys[sys_of[a]].push(t as u32);
        }
        for i in 0..layout.stores {
            let s = self.nodes[store0 + i]
                .system
                .expect("datastores have a system");
            store_by_sys[s as usize].push(i as u32);
        }

        let provides = shape.edges.min(layout.apis);
        let rest = (shape.edges - provides) as u64;
        let mut edges = Vec::with_capacity(shape.edges);
        for (k, &p) in providers.iter().enumerate().take(provides) {
            edges.push((p as u32, (api0 + k) as u32, DependencyKind::Provides));
        }

        // Per-source capacities, in SHARES order.
        let consumes_caps: Vec<u32> = (0..n_svc)
            .map(|d| providers.partition_point(|&p| p < d) as u32)
            .collect();
        let subscribes_caps: Vec<u32> = (0..n_svc)
            .map(|d| anchors.partition_point(|&a| a < d) as u32)
            .collect();
        let publishes_caps: Vec<u32> = anchors.iter().map(|&a| a as u32 + 1).collect();
        let store_caps = vec![layout.stores as u32; n_svc];
        let depends_caps: Vec<u32> = std::iter::repeat_n(layout.libraries as u32, n_svc)
            .chain(0..layout.libraries as u32)
            .collect();
        let calls_caps: Vec<u32> = (0..n_svc as u32).collect();
        let sum = |caps: &[u32]| caps.iter().map(|&c| u64::from(c)).sum::<u64>();
        let caps = [
            sum(&consumes_caps),
            sum(&depends_caps),
            sum(&subscribes_caps),
            sum(&store_caps),
            sum(&store_caps),
            sum(&calls_caps),
            sum(&publishes_caps),
        ];
        let [
            consumes,
            depends,
            subscribes,
            reads,
            writes,
            calls,
            publishes,
        ] = allocate(rest, &caps, shape);
        let mut out: Vec<u32> = Vec::new();

        let deg = degrees(rng, consumes, &consumes_caps);
        for d in 0..n_svc {
            let local = &api_by_sys[sys_of[d]];
            let local = &local[..local.partition_point(|&k| providers[k as usize] < d)];
            out.clear();
            pick_distinct(
                rng,
                deg[d] as usize,
                consumes_caps[d] as usize,
                local,
                0.4,
                true,
                &mut out,
            );
            edges.extend(
                out.iter()
                    .map(|&k| (d as u32, api0 as u32 + k, DependencyKind::Consumes)),
            );
        }

        let deg = degrees(rng, depends, &depends_caps);
        for (i, &count) in deg.iter().enumerate() {
            out.clear();
            pick_distinct(
                rng,
                count as usize,
                depends_caps[i] as usize,
                &[],
                0.0,
                true,
                &mut out,
            );
            let from = if i < n_svc { i } else { lib0 + i - n_svc };
            edges.extend(
                out.iter()
                    .map(|&r| (from as u32, lib0 as u32 + r, DependencyKind::DependsOn)),
            );
        }

        let deg = degrees(rng, subscribes, &subscribes_caps);
        for d in 0..n_svc {
            let local = &topic_by_sys[sys_of[d]];
            let local = &local[..local.partition_point(|&t| anchors[t as usize] < d)];
            out.clear();
            pick_distinct(
                rng,
                deg[d] as usize,
                subscribes_caps[d] as usize,
                local,
                0.3,
                true,
                &mut out,
            );
            edges.extend(
                out.iter()
                    .map(|&t| (d as u32, topic0 as u32 + t, DependencyKind::Subscribes)),
            );
        }

        for (kind, total, p_local) in [
            (DependencyKind::Reads, reads, 0.7),
            (DependencyKind::Writes, writes, 0.9),
        ] {
            let deg = degrees(rng, total, &store_caps);
            for d in 0..n_svc {
                out.clear();
                let local = &store_by_sys[sys_of[d]];
                pick_distinct(
                    rng,
                    deg[d] as usize,
                    layout.stores,
                    local,
                    p_local,
                    true,
                    &mut out,
                );
                edges.extend(out.iter().map(|&i| (d as u32, store0 as u32 + i, kind)));
            }
        }

        // Calls: mostly down the depths; a few mutual pairs of nearby services make small cycles.
        let pairs = ((calls / CALLS_PER_CYCLE) as usize).min(n_svc.saturating_sub(1));
        let mut pair_of: Vec<Option<u32>> = vec![None; n_svc];
        if pairs > 0 {
            let mut callers: Vec<u32> = (1..n_svc as u32).collect();
            rng.shuffle(&mut callers);
            for &b in &callers[..pairs] {
                let b = b as usize;
                let a = b - 1 - rng.below(b.min(CYCLE_SPAN));
                pair_of[b] = Some(a as u32);
                edges.push((a as u32, b as u32, DependencyKind::Calls));
            }
        }
        let forward_caps: Vec<u32> = (0..n_svc)
            .map(|d| calls_caps[d] - u32::from(pair_of[d].is_some()))
            .collect();
        let deg = degrees(rng, calls - 2 * pairs as u64, &forward_caps);
        for d in 0..n_svc {
            out.clear();
            out.extend(pair_of[d]);
            let local = &svc_by_sys[sys_of[d]];
            let local = &local[..local.partition_point(|&s| (s as usize) < d)];
            pick_distinct(rng, deg[d] as usize, d, local, 0.6, true, &mut out);
            edges.extend(out.iter().map(|&s| (d as u32, s, DependencyKind::Calls)));
        }

        // Publishes, chosen per topic: its anchor first, then mostly services of its system.
        let deg = degrees(rng, publishes, &publishes_caps);
        for (t, &count) in deg.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let a = anchors[t];
            let local = &svc_by_sys[sys_of[a]];
            let local = &local[..local.partition_point(|&s| (s as usize) <= a)];
            out.clear();
            out.push(a as u32);
            pick_distinct(rng, count as usize - 1, a + 1, local, 0.8, false, &mut out);
            edges.extend(
                out.iter()
                    .map(|&s| (s, (topic0 + t) as u32, DependencyKind::Publishes)),
            );
        }
        debug_assert_eq!(edges.len(), shape.edges);
        self.edges = edges;
    }

    /// The fragment text: nodes by id, edges by (`from`, `to`, `kind`), one per line.
    fn to_json(&self, seed: u64) -> String {
        let n = self.nodes.len();
        let ids: Vec<String> = self
            .nodes
            .iter()
            .map(|node| component_id(node.kind, &node.name))
            .collect();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
        let mut rank = vec![0u32; n];
        for (r, &ix) in order.iter().enumerate() {
            rank[ix as usize] = r as u32;
        }
        // Ids are unique, so ranks order edges exactly as their ids do. Kinds compare in the
        // model's order, which is the order `ripple export --format json` writes.
        let mut edges: Vec<(u32, u32, DependencyKind)> = self
            .edges
            .iter()
            .map(|&(from, to, kind)| (rank[from as usize], rank[to as usize], kind))
            .collect();
        edges.sort_unstable();
        debug_assert!(edges.windows(2).all(|w| w[0] != w[1]));
        // Strings that repeat on many edges are made once: each source's manifest, each kind's
        // evidence rule, and the six operations of each (API type, resource).
        let manifests: Vec<String> = self
            .nodes
            .iter()
            .map(|node| format!("{}/ripple.yaml", node.repository.as_deref().unwrap_or("")))
            .collect();
        debug_assert!(
            DependencyKind::ALL
                .iter()
                .enumerate()
                .all(|(i, &k)| k as usize == i)
        );
        let rules = DependencyKind::ALL.map(|kind| format!("ripple-yaml.{}", kind.as_str()));
        let operations: Vec<Vec<[String; 6]>> = (0..API_TYPES.len() as u8)
            .map(|style| {
                RESOURCES
                    .iter()
                    .map(|&resource| std::array::from_fn(|i| operation(style, resource, i)))
                    .collect()
            })
            .collect();

        let fragment = WireFragment {
            ripple: FORMAT_VERSION,
            systems: self
                .systems
                .iter()
                .map(|system| {
                    let wire = WireSystem {
                        owner: &self.teams[system.team as usize],
                        domain: system.domain,
                        description: format!("Services of the {} system", system.name),
                    };
                    (system.name.as_str(), wire)
                })
                .collect(),
            nodes: Nodes {
                org: self,
                ids: &ids,
                order: &order,
            },
            edges: Edges {
                org: self,
                ids: &ids,
                order: &order,
                edges: &edges,
                seed,
                manifests: &manifests,
                rules: &rules,
                operations: &operations,
            },
        };
        let mut buf = Vec::with_capacity(n * 320 + edges.len() * 200 + 64);
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut buf, OnePerLine::default());
        fragment
            .serialize(&mut serializer)
            .expect("serialising into memory does not fail");
        buf.push(b'\n');
        String::from_utf8(buf).expect("serde_json writes UTF-8")
    }

    fn wire_node<'a>(&'a self, id: &'a str, node: &'a Node) -> WireNode<'a> {
        let system = node.system.map(|s| &self.systems[s as usize]);
        let compliance = match system.and_then(|s| s.compliance) {
            Some(set) if matches!(node.kind, Kind::Service | Kind::Datastore) => {
                COMPLIANCE[set as usize]
            }
            _ => &[],
        };
        let detail = node.detail as usize;
        let kind_detail = match node.kind {
            Kind::Service => match ROLES[node.extra as usize] {
                "gateway" => "gateway",
                "web" => "website",
                "bff" => "bff",
                "scheduler" | "worker" | "ingest" | "sync" => "worker",
                _ => "backend",
            },
            Kind::Api => API_TYPES[detail],
            Kind::Topic => TOPIC_TYPES[detail],
            Kind::Datastore => STORES[detail].1,
            Kind::Library => ECOSYSTEMS[detail],
        };
        WireNode {
            id,
            kind: node.kind,
            name: &node.name,
            owner: &self.teams[node.team as usize],
            system: system.map(|s| s.name.as_str()),
            tier: node.tier,
            compliance,
            // Gateways, web frontends and BFFs are what users reach.
            user_facing: (node.kind == Kind::Service && node.extra < 3).then_some(true),
            repository: node
                .repository
                .as_deref()
                .filter(|_| matches!(node.kind, Kind::Service | Kind::Library)),
            lifecycle: matches!(node.kind, Kind::Service | Kind::Api | Kind::Library)
                .then(|| LIFECYCLES[node.lifecycle as usize]),
            kind_detail,
            tags: if node.kind == Kind::Service {
                std::slice::from_ref(&LANGUAGES[detail])
            } else {
                &[]
            },
            version: node
                .version
                .map(|v| Shown(Version(v.major, v.minor, v.patch))),
            environments: node.version.map(|v| Environments {
                production: Shown(Version(v.major, v.prod_minor, v.prod_patch)),
                staging: Shown(Version(v.major, v.minor, v.patch)),
            }),
            definition: match (node.kind, &node.repository) {
                (Kind::Api, Some(repository)) => Some(Shown(Definition {
                    repository,
                    name: &node.name,
                    extension: match detail {
                        1 => ".proto",
                        2 => ".graphql",
                        _ => ".yaml",
                    },
                })),
                _ => None,
            },
        }
    }
}

impl Edges<'_> {
    /// Edge `i` of the sorted edges, its evidence on line `line` of the source's manifest.
    fn wire_edge(&self, i: usize, line: u32) -> WireEdge<'_> {
        let (from, to, kind) = self.edges[i];
        let (from, to) = (self.order[from as usize], self.order[to as usize]);
        let hash = mix(self.seed ^ (u64::from(from) << 32 | u64::from(to)) ^ kind as u64);
        let (from, to) = (from as usize, to as usize);
        let target = &self.org.nodes[to];
        let version = match target.version {
            Some(v) if matches!(kind, DependencyKind::Consumes | DependencyKind::DependsOn) => {
                // A floor at or below the production minor: production, staging and the
                // repository version all satisfy it.
                Some(Shown(Requirement {
                    major: v.major,
                    floor: (hash % u64::from(v.prod_minor + 1)) as u32,
                    caret: (hash >> 20) % 10 < 7,
                }))
            }
            _ => None,
        };
        // 1-3 of the API's six operations, a window starting anywhere, in sorted order.
        let uses = (kind == DependencyKind::Consumes).then(|| {
            let count = (1 + (hash >> 32) % 3) as usize;
            let start = ((hash >> 40) % 6) as u8;
            let mut ops = [0u8; 3];
            for (j, op) in ops.iter_mut().enumerate().take(count) {
                *op = (start + j as u8) % 6;
            }
            ops[..count].sort_unstable();
            Uses {
                operations: &self.operations[target.detail as usize][target.extra as usize],
                ops,
                count,
            }
        });
        WireEdge {
            from: &self.ids[from],
            to: &self.ids[to],
            kind,
            version,
            uses,
            evidence: [WireEvidence {
                file: &self.manifests[from],
                line,
                rule: &self.rules[kind as usize],
            }],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The fragment as the loader reads it (`ripple::load::fragment`), field by field in the order its
// own writer uses. Strings that are made of parts are written through `Display` (`Shown`), and the
// lists of nodes and edges are produced while they are written, so a million edges cost no
// intermediate strings or structs.

#[derive(Serialize)]
struct WireFragment<'a> {
    ripple: u32,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    systems: BTreeMap<&'a str, WireSystem<'a>>,
    nodes: Nodes<'a>,
    edges: Edges<'a>,
}

#[derive(Serialize)]
struct WireSystem<'a> {
    owner: &'a str,
    domain: &'static str,
    description: String,
}

#[derive(Serialize)]
struct WireNode<'a> {
    id: &'a str,
    kind: Kind,
    name: &'a str,
    owner: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<u8>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    compliance: &'static [&'static str],
    #[serde(skip_serializing_if = "Option::is_none")]
    user_facing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lifecycle: Option<&'static str>,
    #[serde(rename = "type")]
    kind_detail: &'static str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'static [&'static str],
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<Shown<Version>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environments: Option<Environments>,
    #[serde(skip_serializing_if = "Option::is_none")]
    definition: Option<Shown<Definition<'a>>>,
}

#[derive(Serialize)]
struct Environments {
    production: Shown<Version>,
    staging: Shown<Version>,
}

#[derive(Serialize)]
struct WireEdge<'a> {
    from: &'a str,
    to: &'a str,
    kind: DependencyKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<Shown<Requirement>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uses: Option<Uses<'a>>,
    evidence: [WireEvidence<'a>; 1],
}

#[derive(Serialize)]
struct WireEvidence<'a> {
    file: &'a str,
    line: u32,
    rule: &'a str,
}

/// The nodes, sorted by id.
struct Nodes<'a> {
    org: &'a Org,
    ids: &'a [String],
    order: &'a [u32],
}

impl Serialize for Nodes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.order.iter().map(|&ix| {
            let ix = ix as usize;
            self.org.wire_node(&self.ids[ix], &self.org.nodes[ix])
        }))
    }
}

/// The edges, as (rank of `from`, rank of `to`, kind), sorted.
struct Edges<'a> {
    org: &'a Org,
    ids: &'a [String],
    order: &'a [u32],
    edges: &'a [(u32, u32, DependencyKind)],
    seed: u64,
    /// By node number: `<repository>/ripple.yaml`.
    manifests: &'a [String],
    /// By `DependencyKind as usize`: `ripple-yaml.<kind>`.
    rules: &'a [String; 8],
    /// By API type and resource: the API's six operations.
    operations: &'a [Vec<[String; 6]>],
}

impl Serialize for Edges<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let edges = self.edges;
        serializer.collect_seq((0..edges.len()).scan(0, |line, i| {
            // Evidence lines count up through the source's ripple.yaml.
            *line = if i > 0 && edges[i - 1].0 == edges[i].0 {
                *line + 2
            } else {
                12
            };
            Some(self.wire_edge(i, *line))
        }))
    }
}

/// The operations a `consumes` edge uses: `ops[..count]`, numbers into the API's six.
struct Uses<'a> {
    operations: &'a [String; 6],
    ops: [u8; 3],
    count: usize,
}

impl Serialize for Uses<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.ops[..self.count]
                .iter()
                .map(|&i| &self.operations[i as usize]),
        )
    }
}

/// A value written as a JSON string through its `Display`, with no `String` in between.
struct Shown<T>(T);

impl<T: fmt::Display> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// `major.minor.patch`.
struct Version(u32, u32, u32);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// `^major.floor`, or `>=major.floor, <major+1`.
struct Requirement {
    major: u32,
    floor: u32,
    caret: bool,
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Requirement {
            major,
            floor,
            caret,
        } = *self;
        if caret {
            write!(f, "^{major}.{floor}")
        } else {
            write!(f, ">={major}.{floor}, <{}", major + 1)
        }
    }
}

/// Where an API's contract lives: `<repository>/api/<name><extension>`.
struct Definition<'a> {
    repository: &'a str,
    name: &'a str,
    extension: &'static str,
}

impl fmt::Display for Definition<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/api/{}{}", self.repository, self.name, self.extension)
    }
}

/// Operation `i` (0-5, in sorted order) of an API of type `API_TYPES[style]` about `resource`
/// (plural path segment, singular type name).
fn operation(style: u8, (plural, singular): (&str, &str), i: usize) -> String {
    match style {
        // grpc: `OrderService/GetOrder`.
        1 => {
            const RPCS: [(&str, &str); 6] = [
                ("Create", ""),
                ("Delete", ""),
                ("Get", ""),
                ("List", "s"),
                ("Update", ""),
                ("Watch", "s"),
            ];
            let (verb, suffix) = RPCS[i];
            format!("{singular}Service/{verb}{singular}{suffix}")
        }
        // graphql: `query orders`, `mutation createOrder`.
        2 => {
            const FIELDS: [(&str, bool, &str); 6] = [
                ("mutation create", true, ""),
                ("mutation delete", true, ""),
                ("mutation update", true, ""),
                ("query ", false, ""),
                ("query ", false, "ById"),
                ("subscription ", false, "Changed"),
            ];
            let (prefix, capital, suffix) = FIELDS[i];
            let noun = if capital { singular } else { plural };
            format!("{prefix}{noun}{suffix}")
        }
        // asyncapi: `receive orders.created`.
        3 => {
            const CHANNELS: [(&str, &str); 6] = [
                ("receive ", ".archived"),
                ("receive ", ".created"),
                ("receive ", ".deleted"),
                ("receive ", ".updated"),
                ("send ", ".commands"),
                ("send ", ".replies"),
            ];
            let (verb, event) = CHANNELS[i];
            format!("{verb}{plural}{event}")
        }
        // openapi: `GET /orders/{id}`.
        _ => {
            const ROUTES: [(&str, &str); 6] = [
                ("DELETE /", "/{id}"),
                ("GET /", ""),
                ("GET /", "/{id}"),
                ("PATCH /", "/{id}"),
                ("POST /", ""),
                ("POST /", "/search"),
            ];
            let (verb, rest) = ROUTES[i];
            format!("{verb}{plural}{rest}")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Layout: serde_json's compact output, except that each top-level key and each entry of a
// section (a system, a node, an edge) starts a line. A 270 MB fragment then stays readable with
// `grep` and `less`, and a loader message's line number points at one node or edge.

/// Containers this deep or shallower put their entries on lines of their own.
const BROKEN_DEPTH: usize = 2;

#[derive(Default)]
struct OnePerLine {
    depth: usize,
    /// Whether the innermost open container has an entry yet.
    has_value: bool,
}

impl OnePerLine {
    fn begin<W: ?Sized + io::Write>(&mut self, writer: &mut W, open: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(open)
    }

    fn end<W: ?Sized + io::Write>(&mut self, writer: &mut W, close: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.depth < BROKEN_DEPTH && self.has_value {
            self.newline(writer)?;
        }
        writer.write_all(close)
    }

    fn entry<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        if self.depth <= BROKEN_DEPTH {
            self.newline(writer)?;
        }
        Ok(())
    }

    fn newline<W: ?Sized + io::Write>(&self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b"\n")?;
        for _ in 0..self.depth {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl Formatter for OnePerLine {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.entry(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.entry(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(if self.depth == 1 { b": " } else { b":" })
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}
