//! Synthetic organisations shaped like real ones, for benches, tests and demos.
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
//! This module only produces text: it does not build a [`Graph`](crate::model::Graph) itself (load
//! the text with [`load_text`](crate::load::load_text), so the loader is exercised too) and it must
//! never read files, the clock or any unseeded randomness.

use crate::model::{DependencyKind, Kind, component_id};

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
    pub fn with_seed(self, seed: u64) -> Self {
        OrgShape { seed, ..self }
    }
}

/// Fragment JSON text (the format in `docs/formats.md`, `"ripple": 1`) for an organisation of
/// `shape`, ready for [`load_text`](crate::load::load_text) under a `.json` name. Nodes are sorted
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
// Vocabulary. Every name is made of these and digits, so no JSON escaping is ever needed.

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

        let mut buf = String::with_capacity(n * 320 + edges.len() * 200 + 64);
        buf.push_str("{\n  \"ripple\": 1,\n");
        if !self.systems.is_empty() {
            let mut systems: Vec<&System> = self.systems.iter().collect();
            systems.sort_unstable_by(|a, b| a.name.cmp(&b.name));
            buf.push_str("  \"systems\": {");
            for (i, system) in systems.iter().enumerate() {
                buf.push_str(if i == 0 { "\n    \"" } else { ",\n    \"" });
                buf.push_str(&system.name);
                buf.push_str("\": {\"owner\": \"");
                buf.push_str(&self.teams[system.team as usize]);
                buf.push_str("\", \"domain\": \"");
                buf.push_str(system.domain);
                buf.push_str("\", \"description\": \"Services of the ");
                buf.push_str(&system.name);
                buf.push_str(" system\"}");
            }
            buf.push_str("\n  },\n");
        }
        buf.push_str("  \"nodes\": [");
        for (i, &ix) in order.iter().enumerate() {
            buf.push_str(if i == 0 { "\n    " } else { ",\n    " });
            self.push_node(&mut buf, &ids[ix as usize], &self.nodes[ix as usize]);
        }
        buf.push_str("\n  ],\n  \"edges\": [");
        let mut line = 0;
        for (i, &(from, to, kind)) in edges.iter().enumerate() {
            buf.push_str(if i == 0 { "\n    " } else { ",\n    " });
            // Evidence lines count up through the source's ripple.yaml.
            line = if i > 0 && edges[i - 1].0 == from {
                line + 2
            } else {
                12
            };
            let (from, to) = (order[from as usize], order[to as usize]);
            let hash = mix(seed ^ (u64::from(from) << 32 | u64::from(to)) ^ kind as u64);
            self.push_edge(
                &mut buf,
                (&ids[from as usize], &ids[to as usize]),
                (&self.nodes[from as usize], &self.nodes[to as usize]),
                kind,
                line,
                hash,
            );
        }
        buf.push_str("\n  ]\n}\n");
        buf
    }

    fn push_node(&self, buf: &mut String, id: &str, node: &Node) {
        buf.push_str("{\"id\":\"");
        buf.push_str(id);
        buf.push_str("\",\"kind\":\"");
        buf.push_str(node.kind.as_str());
        buf.push_str("\",\"name\":\"");
        buf.push_str(&node.name);
        buf.push('"');
        push_field(buf, "owner", &self.teams[node.team as usize]);
        let system = node.system.map(|s| &self.systems[s as usize]);
        if let Some(system) = system {
            push_field(buf, "system", &system.name);
        }
        if let Some(tier) = node.tier {
            buf.push_str(",\"tier\":");
            push_u32(buf, u32::from(tier));
        }
        let compliance = system.and_then(|s| s.compliance);
        if let Some(set) = compliance
            && matches!(node.kind, Kind::Service | Kind::Datastore)
        {
            push_list(buf, "compliance", COMPLIANCE[set as usize].iter().copied());
        }
        // Gateways, web frontends and BFFs are what users reach.
        if node.kind == Kind::Service && node.extra < 3 {
            buf.push_str(",\"user_facing\":true");
        }
        if matches!(node.kind, Kind::Service | Kind::Library)
            && let Some(repository) = &node.repository
        {
            push_field(buf, "repository", repository);
        }
        if matches!(node.kind, Kind::Service | Kind::Api | Kind::Library) {
            push_field(buf, "lifecycle", LIFECYCLES[node.lifecycle as usize]);
        }
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
        push_field(buf, "type", kind_detail);
        if node.kind == Kind::Service {
            push_list(buf, "tags", std::iter::once(LANGUAGES[detail]));
        }
        if let Some(v) = node.version {
            buf.push_str(",\"version\":\"");
            push_version(buf, v.major, v.minor, v.patch);
            buf.push_str("\",\"environments\":{\"production\":\"");
            push_version(buf, v.major, v.prod_minor, v.prod_patch);
            buf.push_str("\",\"staging\":\"");
            push_version(buf, v.major, v.minor, v.patch);
            buf.push_str("\"}");
        }
        if node.kind == Kind::Api
            && let Some(repository) = &node.repository
        {
            buf.push_str(",\"definition\":\"");
            buf.push_str(repository);
            buf.push_str("/api/");
            buf.push_str(&node.name);
            buf.push_str(match detail {
                1 => ".proto",
                2 => ".graphql",
                _ => ".yaml",
            });
            buf.push('"');
        }
        buf.push('}');
    }

    fn push_edge(
        &self,
        buf: &mut String,
        (from_id, to_id): (&str, &str),
        (from, to): (&Node, &Node),
        kind: DependencyKind,
        line: u32,
        hash: u64,
    ) {
        buf.push_str("{\"from\":\"");
        buf.push_str(from_id);
        buf.push_str("\",\"to\":\"");
        buf.push_str(to_id);
        buf.push_str("\",\"kind\":\"");
        buf.push_str(kind.as_str());
        buf.push('"');
        if matches!(kind, DependencyKind::Consumes | DependencyKind::DependsOn)
            && let Some(v) = to.version
        {
            // A floor at or below the production minor: production, staging and the repository
            // version all satisfy it.
            let floor = (hash % u64::from(v.prod_minor + 1)) as u32;
            buf.push_str(",\"version\":\"");
            if (hash >> 20) % 10 < 7 {
                buf.push('^');
                push_u32(buf, v.major);
                buf.push('.');
                push_u32(buf, floor);
            } else {
                buf.push_str(">=");
                push_u32(buf, v.major);
                buf.push('.');
                push_u32(buf, floor);
                buf.push_str(", <");
                push_u32(buf, v.major + 1);
            }
            buf.push('"');
        }
        if kind == DependencyKind::Consumes {
            // 1-3 of the API's six operations, a window starting anywhere, in sorted order.
            let count = 1 + (hash >> 32) % 3;
            let start = (hash >> 40) % 6;
            let mut ops: Vec<u64> = (0..count).map(|j| (start + j) % 6).collect();
            ops.sort_unstable();
            buf.push_str(",\"uses\":[");
            for (i, &op) in ops.iter().enumerate() {
                if i > 0 {
                    buf.push(',');
                }
                buf.push('"');
                push_operation(buf, to.detail, RESOURCES[to.extra as usize], op as usize);
                buf.push('"');
            }
            buf.push(']');
        }
        buf.push_str(",\"evidence\":[{\"file\":\"");
        buf.push_str(from.repository.as_deref().unwrap_or(""));
        buf.push_str("/ripple.yaml\",\"line\":");
        push_u32(buf, line);
        buf.push_str(",\"rule\":\"ripple-yaml.");
        buf.push_str(kind.as_str());
        buf.push_str("\"}]}");
    }
}

fn push_field(buf: &mut String, key: &str, value: &str) {
    buf.push_str(",\"");
    buf.push_str(key);
    buf.push_str("\":\"");
    buf.push_str(value);
    buf.push('"');
}

fn push_list<'a>(buf: &mut String, key: &str, values: impl Iterator<Item = &'a str>) {
    buf.push_str(",\"");
    buf.push_str(key);
    buf.push_str("\":[");
    for (i, value) in values.enumerate() {
        if i > 0 {
            buf.push(',');
        }
        buf.push('"');
        buf.push_str(value);
        buf.push('"');
    }
    buf.push(']');
}

fn push_u32(buf: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        buf.push(char::from(d));
    }
}

fn push_version(buf: &mut String, major: u32, minor: u32, patch: u32) {
    push_u32(buf, major);
    buf.push('.');
    push_u32(buf, minor);
    buf.push('.');
    push_u32(buf, patch);
}

/// Operation `i` (0-5, in sorted order) of an API of type `API_TYPES[style]` about `resource`.
fn push_operation(buf: &mut String, style: u8, (plural, singular): (&str, &str), i: usize) {
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
            buf.push_str(singular);
            buf.push_str("Service/");
            buf.push_str(verb);
            buf.push_str(singular);
            buf.push_str(suffix);
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
            buf.push_str(prefix);
            buf.push_str(if capital { singular } else { plural });
            buf.push_str(suffix);
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
            buf.push_str(verb);
            buf.push_str(plural);
            buf.push_str(event);
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
            buf.push_str(verb);
            buf.push_str(plural);
            buf.push_str(rest);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::model::DependencyDirection;

    use super::*;
    use crate::load::load_text;

    fn small() -> OrgShape {
        OrgShape::new(500, 4000)
    }

    #[test]
    fn a_small_organisation_loads_cleanly_with_the_shape_asked_for() {
        let shape = small();
        let loaded = load_text("org.ripple.json", &fragment_json(&shape)).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let graph = &loaded.graph;
        assert_eq!(graph.component_count(), shape.components);
        assert_eq!(graph.dependency_count(), shape.edges);
        let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
        for (_, c) in graph.components() {
            *by_kind.entry(c.kind).or_default() += 1;
        }
        assert_eq!(by_kind[&Kind::Service], 200);
        assert_eq!(by_kind[&Kind::Api], 125);
        assert_eq!(by_kind[&Kind::Topic], 50);
        assert_eq!(by_kind[&Kind::Datastore], 75);
        assert_eq!(by_kind[&Kind::Library], 50);
    }

    #[test]
    fn every_api_has_exactly_one_provider() {
        let loaded = load_text("org.ripple.json", &fragment_json(&small())).unwrap();
        let graph = &loaded.graph;
        for (ix, c) in graph.components().filter(|(_, c)| c.kind == Kind::Api) {
            let providers = graph
                .dependencies_of(ix, DependencyDirection::Reverse)
                .filter(|d| d.dependency().kind == DependencyKind::Provides)
                .count();
            assert_eq!(providers, 1, "{}", c.id);
        }
    }

    #[test]
    fn consumers_accept_what_providers_run_and_a_few_apis_are_hubs() {
        let loaded = load_text(
            "org.ripple.json",
            &fragment_json(&OrgShape::new(2000, 15000)),
        )
        .unwrap();
        let graph = &loaded.graph;
        let mut fan_in = Vec::new();
        for (ix, api) in graph.components().filter(|(_, c)| c.kind == Kind::Api) {
            let mut consumers = 0;
            for dep in graph.dependencies_of(ix, DependencyDirection::Reverse) {
                let d = dep.dependency();
                assert_eq!(d.evidence.len(), 1);
                if d.kind != DependencyKind::Consumes {
                    continue;
                }
                consumers += 1;
                let req = d.version.as_ref().expect("consumers state a requirement");
                assert!(
                    req.matches(api.attrs.version.as_ref().unwrap()),
                    "{req} {}",
                    api.id
                );
                for v in api.attrs.environments.values() {
                    assert!(req.matches(v), "{req} {v} {}", api.id);
                }
                assert!((1..=3).contains(&d.uses.len()));
            }
            fan_in.push(consumers);
        }
        fan_in.sort_unstable();
        let median = fan_in[fan_in.len() / 2];
        let top = fan_in[fan_in.len() - 1];
        assert!(top >= 10 * median.max(1), "top {top}, median {median}");
        // Only the deliberate mutual calls make cycles, and they stay small.
        let cycles = graph.cycles();
        assert!(!cycles.is_empty());
        assert!(cycles.iter().all(|c| c.len() <= 12), "{cycles:?}");
    }

    #[test]
    fn output_depends_on_the_seed_only() {
        let shape = small();
        assert_eq!(fragment_json(&shape), fragment_json(&shape));
        assert_ne!(fragment_json(&shape), fragment_json(&shape.with_seed(7)));
    }

    #[test]
    fn tiny_and_edge_starved_shapes_still_load() {
        for (components, edges) in [(0, 0), (1, 0), (7, 3), (40, 200), (100, 10)] {
            let text = fragment_json(&OrgShape::new(components, edges));
            let loaded = load_text("org.ripple.json", &text).unwrap();
            assert_eq!(loaded.graph.component_count(), components);
            assert_eq!(loaded.graph.dependency_count(), edges);
        }
    }

    #[test]
    #[should_panic(expected = "cannot hold")]
    fn impossible_density_is_refused() {
        fragment_json(&OrgShape::new(10, 10_000));
    }
}
