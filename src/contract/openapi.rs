//! OpenAPI 3.0/3.1 and Swagger 2.0: operations, parameters, bodies, responses, schemas, security.
//!
//! Both versions are read into one normalised view (an operation has parameters, an optional
//! request body and responses, each body a schema per media type), then compared. Schemas are
//! compared in a direction (`super::schema`): a request schema may widen but not narrow (old
//! clients still send what they sent), a response schema may narrow but not widen (old clients
//! still understand what they get). That one idea decides most classifications, as in oasdiff.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::doc::{At, Docs};
use super::schema::{self, Comparison, Direction, RuleIds, show};
use super::{Change, Class, ContractErrors, Diff, Format, Rule};

use super::rules::declare as rule;

use Class::{Breaking as B, Deprecation as D, NonBreaking as N};

/// OpenAPI rules, sorted by id.
pub const RULES: &[Rule] = &[
    rule("openapi.operation.added", N, "a new operation"),
    rule(
        "openapi.operation.deprecated",
        D,
        "an operation became deprecated (with its x-sunset date when given)",
    ),
    rule(
        "openapi.operation.removed",
        B,
        "an operation was removed from a path that remains; its callers fail",
    ),
    rule(
        "openapi.operation.removed-before-sunset",
        B,
        "an operation was removed before the x-sunset date it announced",
    ),
    rule(
        "openapi.parameter.deprecated",
        D,
        "a parameter became deprecated",
    ),
    rule("openapi.path.added", N, "a new path"),
    rule(
        "openapi.path.removed",
        B,
        "a path was removed or renamed; every caller of its operations fails",
    ),
    rule(
        "openapi.property.deprecated",
        D,
        "a schema property became deprecated",
    ),
    rule(
        "openapi.request.body.added-required",
        B,
        "a required request body was added; old clients send none",
    ),
    rule(
        "openapi.request.body.became-required",
        B,
        "the request body became required; old clients may send none",
    ),
    rule(
        "openapi.request.constraint.narrowed",
        B,
        "a request value accepts less than before (max, min, length, pattern, items, additionalProperties, alternatives)",
    ),
    rule(
        "openapi.request.constraint.widened",
        N,
        "a request value accepts more than before",
    ),
    rule(
        "openapi.request.enum.value-added",
        N,
        "a request enum accepts a new value",
    ),
    rule(
        "openapi.request.enum.value-removed",
        B,
        "a request enum no longer accepts a value old clients may send",
    ),
    rule(
        "openapi.request.format.changed",
        B,
        "a request value's format changed (int64 to int32, date-time to date); old clients send the old format",
    ),
    rule(
        "openapi.request.media-type.removed",
        B,
        "a request media type is no longer accepted",
    ),
    rule(
        "openapi.request.nullable.removed",
        B,
        "a request value no longer accepts null",
    ),
    rule(
        "openapi.request.parameter.added-optional",
        N,
        "a new optional parameter",
    ),
    rule(
        "openapi.request.parameter.added-required",
        B,
        "a new required parameter; old clients do not send it",
    ),
    rule(
        "openapi.request.parameter.became-optional",
        N,
        "a parameter became optional",
    ),
    rule(
        "openapi.request.parameter.became-required",
        B,
        "a parameter became required; old clients may omit it",
    ),
    rule(
        "openapi.request.parameter.removed",
        N,
        "a parameter was removed; servers ignore what old clients still send",
    ),
    rule(
        "openapi.request.property.added-optional",
        N,
        "a new optional request property",
    ),
    rule(
        "openapi.request.property.added-required",
        B,
        "a new required request property; old clients do not send it",
    ),
    rule(
        "openapi.request.property.became-optional",
        N,
        "a request property became optional",
    ),
    rule(
        "openapi.request.property.became-required",
        B,
        "a request property became required; old clients may omit it",
    ),
    rule(
        "openapi.request.property.removed",
        N,
        "a request property was removed; servers ignore what old clients still send",
    ),
    rule(
        "openapi.request.type.changed",
        B,
        "a request value's type changed so that what old clients send is refused",
    ),
    rule(
        "openapi.response.constraint.narrowed",
        N,
        "a response value is more constrained than before",
    ),
    rule(
        "openapi.response.constraint.widened",
        B,
        "a response value may exceed what old clients expect (max, min, length, pattern, items, alternatives)",
    ),
    rule(
        "openapi.response.enum.value-added",
        B,
        "a response enum has a new value old clients do not handle",
    ),
    rule(
        "openapi.response.enum.value-removed",
        N,
        "a response enum value is no longer returned",
    ),
    rule(
        "openapi.response.format.changed",
        B,
        "a response value's format changed; old clients parse the old format",
    ),
    rule(
        "openapi.response.header.removed",
        B,
        "a response header is no longer sent",
    ),
    rule(
        "openapi.response.media-type.removed",
        B,
        "a response media type is no longer produced",
    ),
    rule(
        "openapi.response.nullable.added",
        B,
        "a response value may now be null",
    ),
    rule(
        "openapi.response.property.added",
        N,
        "a new response property",
    ),
    rule(
        "openapi.response.property.became-optional",
        B,
        "a response property is no longer always present",
    ),
    rule(
        "openapi.response.property.became-required",
        N,
        "a response property is now always present",
    ),
    rule(
        "openapi.response.property.removed",
        B,
        "a response property was removed; old clients reading it fail",
    ),
    rule("openapi.response.status.added", N, "a new response status"),
    rule(
        "openapi.response.status.removed",
        B,
        "a success response status was removed; old clients expecting it fail",
    ),
    rule(
        "openapi.response.type.changed",
        B,
        "a response value's type changed so that old clients cannot read it",
    ),
    rule(
        "openapi.security.requirement.added",
        B,
        "an operation requires credentials or scopes old clients do not present",
    ),
    rule(
        "openapi.security.requirement.relaxed",
        N,
        "an operation accepts more ways to authenticate",
    ),
    rule(
        "openapi.security.scheme.changed",
        B,
        "a security scheme changed type, location or flow",
    ),
    rule(
        "openapi.security.scheme.removed",
        B,
        "a security scheme was removed",
    ),
];

/// The rules of schema changes: requests must accept what old clients send, responses must
/// produce only what old clients read.
const SCHEMA_RULES: schema::Rules = schema::Rules {
    accept: RuleIds {
        type_changed: "openapi.request.type.changed",
        nullable: "openapi.request.nullable.removed",
        format_changed: "openapi.request.format.changed",
        enum_value_added: "openapi.request.enum.value-added",
        enum_value_removed: "openapi.request.enum.value-removed",
        constraint_narrowed: "openapi.request.constraint.narrowed",
        constraint_widened: "openapi.request.constraint.widened",
        property_removed: "openapi.request.property.removed",
        property_added_required: "openapi.request.property.added-required",
        property_added_optional: "openapi.request.property.added-optional",
        property_became_required: "openapi.request.property.became-required",
        property_became_optional: "openapi.request.property.became-optional",
        property_deprecated: "openapi.property.deprecated",
    },
    produce: RuleIds {
        type_changed: "openapi.response.type.changed",
        nullable: "openapi.response.nullable.added",
        format_changed: "openapi.response.format.changed",
        enum_value_added: "openapi.response.enum.value-added",
        enum_value_removed: "openapi.response.enum.value-removed",
        constraint_narrowed: "openapi.response.constraint.narrowed",
        constraint_widened: "openapi.response.constraint.widened",
        property_removed: "openapi.response.property.removed",
        property_added_required: "openapi.response.property.added",
        property_added_optional: "openapi.response.property.added",
        property_became_required: "openapi.response.property.became-required",
        property_became_optional: "openapi.response.property.became-optional",
        property_deprecated: "openapi.property.deprecated",
    },
};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Compare two OpenAPI or Swagger contracts (files, or directories of split specs).
pub fn diff_paths(old: &Path, new: &Path) -> Result<Diff, ContractErrors> {
    let keys = ["openapi", "swagger"];
    let old_docs = Docs::load(old, &keys);
    let new_docs = Docs::load(new, &keys);
    let (old_docs, new_docs) = super::both(old_docs, new_docs)?;
    let old_api = Api::read(&old_docs);
    let new_api = Api::read(&new_docs);
    let mut cx = Cx {
        old: &old_docs,
        new: &new_docs,
        changes: Vec::new(),
        schemas: Comparison::new(&old_docs, &new_docs, &SCHEMA_RULES),
        today: crate::model::today(),
    };
    cx.compare(&old_api, &new_api);
    let mut changes = cx.changes;
    super::sort(&mut changes);
    Ok(Diff {
        format: Format::Openapi,
        old: old_docs.name().to_string(),
        new: new_docs.name().to_string(),
        old_version: old_api.version.map(str::to_owned),
        new_version: new_api.version.map(str::to_owned),
        changes,
    })
}

/// The normalised view of one contract.
struct Api<'d> {
    version: Option<&'d str>,
    /// (path, method) → operation.
    operations: BTreeMap<(&'d str, &'d str), Operation<'d>>,
    paths: BTreeMap<&'d str, At<'d>>,
    schemes: BTreeMap<&'d str, At<'d>>,
}

struct Operation<'d> {
    at: At<'d>,
    id: Option<&'d str>,
    deprecated: bool,
    sunset: Option<&'d str>,
    /// (in, name) → parameter.
    parameters: BTreeMap<(&'d str, &'d str), At<'d>>,
    body: Option<Body<'d>>,
    responses: BTreeMap<&'d str, Body<'d>>,
    /// Alternatives, each a set of (scheme, scopes).
    security: Vec<BTreeMap<&'d str, BTreeSet<&'d str>>>,
}

/// A request body or a response: where it is, whether required, a schema per media type, headers.
struct Body<'d> {
    at: At<'d>,
    required: bool,
    media: BTreeMap<&'d str, Option<At<'d>>>,
    headers: BTreeMap<&'d str, At<'d>>,
}

impl<'d> Api<'d> {
    fn read(docs: &'d Docs) -> Api<'d> {
        let root = docs.root();
        let swagger = root.get("swagger").is_some();
        let info = docs.get(root, "info");
        let version = info.and_then(|i| i.str("version"));
        let global_security = root.get("security").map(|s| security(s));
        let consumes: Vec<&str> = root
            .get("consumes")
            .map(|c| c.items().filter_map(|i| i.node.as_str()).collect())
            .unwrap_or_default();
        let produces: Vec<&str> = root
            .get("produces")
            .map(|c| c.items().filter_map(|i| i.node.as_str()).collect())
            .unwrap_or_default();
        let mut api = Api {
            version,
            operations: BTreeMap::new(),
            paths: BTreeMap::new(),
            schemes: BTreeMap::new(),
        };
        let schemes = if swagger {
            docs.get(root, "securityDefinitions")
        } else {
            docs.get(root, "components")
                .and_then(|c| docs.get(c, "securitySchemes"))
        };
        if let Some(schemes) = schemes {
            for (name, at) in schemes.entries() {
                api.schemes.insert(name, docs.resolve(at));
            }
        }
        let Some(paths) = docs.get(root, "paths") else {
            return api;
        };
        for (path, item) in paths.entries() {
            if !path.starts_with('/') {
                continue; // `x-` extensions
            }
            let item = docs.resolve(item);
            api.paths.insert(path, item);
            let shared = item.get("parameters");
            for (method, op) in item.entries() {
                if !METHODS.contains(&method) {
                    continue;
                }
                let op = docs.resolve(op);
                let mut parameters = BTreeMap::new();
                let mut body = None;
                for list in [shared, op.get("parameters")].into_iter().flatten() {
                    for p in list.items() {
                        let p = docs.resolve(p);
                        let (Some(loc), Some(name)) = (p.str("in"), p.str("name")) else {
                            continue;
                        };
                        if swagger && loc == "body" {
                            let media = op
                                .get("consumes")
                                .map(|c| c.items().filter_map(|i| i.node.as_str()).collect())
                                .unwrap_or_else(|| consumes.clone());
                            body =
                                Some(swagger_body(p, p.get("schema"), p.flag("required"), &media));
                            continue;
                        }
                        parameters.insert((loc, name), p);
                    }
                }
                if !swagger && let Some(rb) = docs.get(op, "requestBody") {
                    body = Some(Body {
                        at: rb,
                        required: rb.flag("required"),
                        media: media(docs, rb),
                        headers: BTreeMap::new(),
                    });
                }
                let mut responses = BTreeMap::new();
                if let Some(rs) = docs.get(op, "responses") {
                    for (status, r) in rs.entries() {
                        if status.starts_with("x-") {
                            continue;
                        }
                        let r = docs.resolve(r);
                        let response = if swagger {
                            let media = op
                                .get("produces")
                                .map(|c| c.items().filter_map(|i| i.node.as_str()).collect())
                                .unwrap_or_else(|| produces.clone());
                            let mut b = swagger_body(r, r.get("schema"), false, &media);
                            b.headers = headers(docs, r);
                            b
                        } else {
                            Body {
                                at: r,
                                required: false,
                                media: media(docs, r),
                                headers: headers(docs, r),
                            }
                        };
                        responses.insert(status, response);
                    }
                }
                let op_security = op.get("security").map(|s| security(s));
                api.operations.insert(
                    (path, method),
                    Operation {
                        at: op,
                        id: op.str("operationId"),
                        deprecated: op.flag("deprecated"),
                        sunset: op.str("x-sunset"),
                        parameters,
                        body,
                        responses,
                        security: op_security
                            .or_else(|| global_security.clone())
                            .unwrap_or_default(),
                    },
                );
            }
        }
        api
    }
}

fn swagger_body<'d>(
    at: At<'d>,
    schema: Option<At<'d>>,
    required: bool,
    media: &[&'d str],
) -> Body<'d> {
    let media: BTreeMap<&str, Option<At>> = if schema.is_none() {
        BTreeMap::new()
    } else if media.is_empty() {
        BTreeMap::from([("application/json", schema)])
    } else {
        media.iter().map(|m| (*m, schema)).collect()
    };
    Body {
        at,
        required,
        media,
        headers: BTreeMap::new(),
    }
}

fn media<'d>(docs: &'d Docs, body: At<'d>) -> BTreeMap<&'d str, Option<At<'d>>> {
    docs.get(body, "content")
        .map(|c| {
            c.entries()
                .map(|(m, at)| (m, docs.get(docs.resolve(at), "schema")))
                .collect()
        })
        .unwrap_or_default()
}

fn headers<'d>(docs: &'d Docs, response: At<'d>) -> BTreeMap<&'d str, At<'d>> {
    docs.get(response, "headers")
        .map(|h| h.entries().map(|(n, at)| (n, docs.resolve(at))).collect())
        .unwrap_or_default()
}

/// The operation of `api` at `path` (or at the same URL with renamed template variables) and
/// `method`, with the path as `api` spells it.
fn same_operation<'a, 'd>(
    api: &'a Api<'d>,
    path: &'d str,
    method: &'d str,
) -> Option<(&'d str, &'a Operation<'d>)> {
    if let Some((key, op)) = api.operations.get_key_value(&(path, method)) {
        return Some((key.0, op));
    }
    let wanted = super::normalize_template(path);
    api.operations
        .iter()
        .find(|((p, m), _)| *m == method && super::normalize_template(p) == wanted)
        .map(|((p, _), op)| (*p, op))
}

/// Old template variable → new one, by position: `/cards/{id}` → `/cards/{cardId}`.
fn parameter_renames<'d>(old: &'d str, new: &'d str) -> BTreeMap<&'d str, &'d str> {
    fn names(path: &str) -> Vec<&str> {
        path.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }
    names(old)
        .into_iter()
        .zip(names(new))
        .filter(|(a, b)| a != b)
        .collect()
}

/// `oauth[orders:read] + apiKey`, or `anonymous` for an alternative that asks for nothing.
fn describe_alternative(alt: &BTreeMap<&str, BTreeSet<&str>>) -> String {
    if alt.is_empty() {
        return "anonymous".to_owned();
    }
    alt.iter()
        .map(|(s, scopes)| {
            if scopes.is_empty() {
                s.to_string()
            } else {
                format!(
                    "{s}[{}]",
                    scopes.iter().copied().collect::<Vec<_>>().join(" ")
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// What changed in a security scheme that clients configured for the old one would trip over:
/// its type, where the credential goes, the HTTP scheme, and for OAuth 2 / OpenID Connect the
/// flows and their endpoints (Swagger 2 keeps one flow at the top level, OpenAPI 3 several under
/// `flows`).
fn scheme_changes(old: At<'_>, new: At<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for key in [
        "type",
        "in",
        "name",
        "scheme",
        "bearerFormat",
        "flow",
        "tokenUrl",
        "authorizationUrl",
        "openIdConnectUrl",
    ] {
        let (a, b) = (old.str(key), new.str(key));
        if a != b {
            out.push(format!("`{key}` changed from {} to {}", show(a), show(b)));
        }
    }
    let flows = |at: At<'_>| -> BTreeMap<String, (Option<String>, Option<String>)> {
        at.get("flows")
            .map(|f| {
                f.entries()
                    .map(|(name, flow)| {
                        (
                            name.to_owned(),
                            (
                                flow.str("authorizationUrl").map(str::to_owned),
                                flow.str("tokenUrl").map(str::to_owned),
                            ),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (a, b) = (flows(old), flows(new));
    for (name, (auth, token)) in &a {
        match b.get(name) {
            None => out.push(format!("OAuth flow `{name}` removed")),
            Some((new_auth, new_token)) => {
                if auth != new_auth {
                    out.push(format!("flow `{name}`: authorizationUrl changed"));
                }
                if token != new_token {
                    out.push(format!("flow `{name}`: tokenUrl changed"));
                }
            }
        }
    }
    out
}

fn security(list: At<'_>) -> Vec<BTreeMap<&str, BTreeSet<&str>>> {
    list.items()
        .map(|alt| {
            alt.entries()
                .map(|(scheme, scopes)| {
                    (
                        scheme,
                        scopes.items().filter_map(|s| s.node.as_str()).collect(),
                    )
                })
                .collect()
        })
        .collect()
}

struct Cx<'d> {
    old: &'d Docs,
    new: &'d Docs,
    changes: Vec<Change>,
    schemas: Comparison<'d>,
    today: jiff::civil::Date,
}

impl<'d> Cx<'d> {
    fn push(
        &mut self,
        rule: &'static str,
        element: &str,
        message: String,
        old: Option<At<'_>>,
        new: Option<At<'_>>,
    ) {
        let old = old.map(|a| self.old.location(a));
        let new = new.map(|a| self.new.location(a));
        self.changes
            .push(Change::new(rule, element, message, old, new));
    }

    fn compare(&mut self, old: &Api<'d>, new: &Api<'d>) {
        for ((path, method), op) in &old.operations {
            let element = element(path, method);
            match same_operation(new, path, method) {
                Some((new_path, new_op)) => {
                    let renames = parameter_renames(path, new_path);
                    self.operation(&element, op, new_op, &renames)
                }
                None => {
                    let moved = op.id.and_then(|id| {
                        new.operations
                            .iter()
                            .find(|(_, o)| o.id == Some(id))
                            .map(|((p, m), _)| element_of(p, m))
                    });
                    let mut message = if new.paths.contains_key(path) {
                        format!("operation {element} removed")
                    } else {
                        format!("path {path} removed, and with it {element}")
                    };
                    if let Some(moved) = moved {
                        message.push_str(&format!(" (its operationId now belongs to {moved})"));
                    }
                    if !op.deprecated {
                        message.push_str(" without being deprecated first");
                    }
                    let rule = match op.sunset {
                        Some(sunset) if sunset_after(sunset, &self.today) => {
                            message.push_str(&format!(", before its announced sunset {sunset}"));
                            "openapi.operation.removed-before-sunset"
                        }
                        _ if new.paths.contains_key(path) => "openapi.operation.removed",
                        _ => "openapi.path.removed",
                    };
                    let at = new.paths.get(path).copied();
                    self.push(rule, &element, message, Some(op.at), at);
                }
            }
        }
        for ((path, method), op) in &new.operations {
            if same_operation(old, path, method).is_some() {
                continue;
            }
            let element = element(path, method);
            if old.paths.contains_key(path) {
                self.push(
                    "openapi.operation.added",
                    &element,
                    format!("operation {element} added"),
                    None,
                    Some(op.at),
                );
            } else {
                self.push(
                    "openapi.path.added",
                    &element,
                    format!("path {path} added with {element}"),
                    None,
                    Some(op.at),
                );
            }
        }
        for (name, scheme) in &old.schemes {
            match new.schemes.get(name) {
                None => self.push(
                    "openapi.security.scheme.removed",
                    &format!("security {name}"),
                    format!("security scheme `{name}` removed"),
                    Some(*scheme),
                    None,
                ),
                Some(new_scheme) => {
                    let changed = scheme_changes(*scheme, *new_scheme);
                    if !changed.is_empty() {
                        self.push(
                            "openapi.security.scheme.changed",
                            &format!("security {name}"),
                            format!("security scheme `{name}`: {}", changed.join("; ")),
                            Some(*scheme),
                            Some(*new_scheme),
                        );
                    }
                }
            }
        }
    }

    /// Compare an operation; `renames` maps old path-parameter names to new ones (a renamed
    /// template variable is the same URL).
    fn operation(
        &mut self,
        element: &str,
        old: &Operation<'d>,
        new: &Operation<'d>,
        renames: &BTreeMap<&'d str, &'d str>,
    ) {
        if !old.deprecated && new.deprecated {
            let mut message = format!("operation {element} deprecated");
            if let Some(sunset) = new.sunset {
                message.push_str(&format!(", sunset {sunset}"));
            }
            self.push(
                "openapi.operation.deprecated",
                element,
                message,
                Some(old.at),
                Some(new.at),
            );
        }
        self.security(element, old, new);
        // Parameters.
        let renamed = |(loc, name): (&'d str, &'d str)| -> (&'d str, &'d str) {
            match (loc, renames.get(name)) {
                ("path", Some(new_name)) => (loc, *new_name),
                _ => (loc, name),
            }
        };
        for ((loc, name), p) in &old.parameters {
            match new.parameters.get(&renamed((loc, name))) {
                None => self.push(
                    "openapi.request.parameter.removed",
                    element,
                    format!("{loc} parameter `{name}` removed"),
                    Some(*p),
                    Some(new.at),
                ),
                Some(np) => {
                    let (was, is) = (
                        p.flag("required") || *loc == "path",
                        np.flag("required") || *loc == "path",
                    );
                    if !was && is {
                        self.push(
                            "openapi.request.parameter.became-required",
                            element,
                            format!("{loc} parameter `{name}` became required"),
                            Some(*p),
                            Some(*np),
                        );
                    } else if was && !is {
                        self.push(
                            "openapi.request.parameter.became-optional",
                            element,
                            format!("{loc} parameter `{name}` became optional"),
                            Some(*p),
                            Some(*np),
                        );
                    }
                    if !p.flag("deprecated") && np.flag("deprecated") {
                        self.push(
                            "openapi.parameter.deprecated",
                            element,
                            format!("{loc} parameter `{name}` deprecated"),
                            Some(*p),
                            Some(*np),
                        );
                    }
                    // OpenAPI 3 puts the type under `schema`, Swagger 2 on the parameter itself.
                    let os = self.old.get(*p, "schema").unwrap_or(*p);
                    let ns = self.new.get(*np, "schema").unwrap_or(*np);
                    let place = format!("{loc} parameter `{name}`");
                    self.schema(Direction::Accept, element, &place, "", os, ns);
                }
            }
        }
        for (key @ (loc, name), np) in &new.parameters {
            if old.parameters.keys().any(|k| renamed(*k) == *key) {
                continue;
            }
            if np.flag("required") || *loc == "path" {
                self.push(
                    "openapi.request.parameter.added-required",
                    element,
                    format!("required {loc} parameter `{name}` added"),
                    Some(old.at),
                    Some(*np),
                );
            } else {
                self.push(
                    "openapi.request.parameter.added-optional",
                    element,
                    format!("optional {loc} parameter `{name}` added"),
                    Some(old.at),
                    Some(*np),
                );
            }
        }
        // Request body.
        match (&old.body, &new.body) {
            (None, Some(b)) if b.required => self.push(
                "openapi.request.body.added-required",
                element,
                "required request body added".to_owned(),
                Some(old.at),
                Some(b.at),
            ),
            (Some(a), Some(b)) => {
                if !a.required && b.required {
                    self.push(
                        "openapi.request.body.became-required",
                        element,
                        "request body became required".to_owned(),
                        Some(a.at),
                        Some(b.at),
                    );
                }
                self.bodies(Direction::Accept, element, "request body", a, b);
            }
            _ => {}
        }
        // Responses.
        for (status, a) in &old.responses {
            match new.responses.get(status) {
                Some(b) => {
                    let place = format!("response {status}");
                    self.bodies(Direction::Produce, element, &place, a, b);
                    for (header, h) in &a.headers {
                        if !b.headers.contains_key(header) {
                            self.push(
                                "openapi.response.header.removed",
                                element,
                                format!("response {status}: header `{header}` removed"),
                                Some(*h),
                                Some(b.at),
                            );
                        }
                    }
                }
                None if is_success(status) => self.push(
                    "openapi.response.status.removed",
                    element,
                    format!("response {status} removed"),
                    Some(a.at),
                    Some(new.at),
                ),
                None => {}
            }
        }
        for (status, b) in &new.responses {
            if !old.responses.contains_key(status) {
                self.push(
                    "openapi.response.status.added",
                    element,
                    format!("response {status} added"),
                    Some(old.at),
                    Some(b.at),
                );
            }
        }
    }

    fn security(&mut self, element: &str, old: &Operation<'d>, new: &Operation<'d>) {
        // No requirement is one alternative that asks for nothing (anonymous access).
        let alternatives = |op: &Operation<'d>| -> Vec<BTreeMap<&'d str, BTreeSet<&'d str>>> {
            if op.security.is_empty() {
                vec![BTreeMap::new()]
            } else {
                op.security.clone()
            }
        };
        let (a, b) = (alternatives(old), alternatives(new));
        // A new alternative serves a client of an old one if it asks for no scheme or scope that
        // the client did not already present.
        let serves = |new: &BTreeMap<&str, BTreeSet<&str>>,
                      old: &BTreeMap<&str, BTreeSet<&str>>| {
            new.iter()
                .all(|(scheme, scopes)| old.get(scheme).is_some_and(|had| scopes.is_subset(had)))
        };
        let lost: Vec<String> = a
            .iter()
            .filter(|old_alt| !b.iter().any(|new_alt| serves(new_alt, old_alt)))
            .map(|alt| describe_alternative(alt))
            .collect();
        let now = b
            .iter()
            .map(|alt| describe_alternative(alt))
            .collect::<Vec<_>>()
            .join(" or ");
        if !lost.is_empty() {
            self.push(
                "openapi.security.requirement.added",
                element,
                format!(
                    "security changed: {} no longer accepted (now {now})",
                    lost.join(", ")
                ),
                Some(old.at),
                Some(new.at),
            );
        } else if b.iter().any(|new_alt| !a.contains(new_alt)) {
            let was = a
                .iter()
                .map(|alt| describe_alternative(alt))
                .collect::<Vec<_>>()
                .join(" or ");
            self.push(
                "openapi.security.requirement.relaxed",
                element,
                format!("security relaxed: was {was}, now {now}"),
                Some(old.at),
                Some(new.at),
            );
        }
    }

    fn bodies(&mut self, dir: Direction, element: &str, place: &str, a: &Body<'d>, b: &Body<'d>) {
        for (media, schema) in &a.media {
            match b.media.get(media) {
                None => {
                    let rule = match dir {
                        Direction::Accept => "openapi.request.media-type.removed",
                        Direction::Produce => "openapi.response.media-type.removed",
                    };
                    self.push(
                        rule,
                        element,
                        format!("{place}: media type {media} removed"),
                        Some(a.at),
                        Some(b.at),
                    );
                }
                Some(new_schema) => {
                    if let (Some(os), Some(ns)) = (schema, new_schema) {
                        let place = if a.media.len() > 1 {
                            format!("{place} {media}")
                        } else {
                            place.to_owned()
                        };
                        self.schema(dir, element, &place, "", *os, *ns);
                    }
                }
            }
        }
    }

    /// Compare two schemas in a direction (requests accept, responses produce). `place` names
    /// where the schema is, for messages; `path` the property inside it.
    fn schema(
        &mut self,
        dir: Direction,
        element: &str,
        place: &str,
        path: &str,
        old: At<'d>,
        new: At<'d>,
    ) {
        for found in self.schemas.compare(dir, place, path, old, new) {
            self.changes.push(Change::new(
                found.rule,
                element,
                found.message,
                Some(found.old),
                Some(found.new),
            ));
        }
    }
}

fn is_success(status: &str) -> bool {
    status == "default" || status.starts_with('2') || status.starts_with('3')
}

/// An `x-sunset` date still in the future (dates compare as `YYYY-MM-DD` text; a date-time's
/// date part is used).
fn sunset_after(sunset: &str, today: &jiff::civil::Date) -> bool {
    crate::model::parse_date(sunset).is_ok_and(|day| day > *today)
}

/// The element a consumer names in `uses`: `GET /orders/{id}`.
pub fn element(path: &str, method: &str) -> String {
    element_of(path, method)
}

fn element_of(path: &str, method: &str) -> String {
    format!("{} {path}", method.to_ascii_uppercase())
}
