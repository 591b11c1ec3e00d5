//! OpenAPI 3.0/3.1 and Swagger 2.0: operations, parameters, bodies, responses, schemas, security.
//!
//! Both versions are read into one normalised view (an operation has parameters, an optional
//! request body and responses, each body a schema per media type), then compared. Schemas are
//! compared in a direction (`super::schema`): a request schema may widen but not narrow (old
//! clients still send what they sent), a response schema may narrow but not widen (old clients
//! still understand what they get). That one idea decides most classifications, as in oasdiff.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::doc::{ContractDocuments, NodeRef};
use super::schema::{self, Comparison, Direction, SchemaRules, show};
use super::{Change, ContractErrors, ContractFormat, Rule};
use crate::source::boundary::Boundary;
use crate::source::diagnostic::{Diagnostic, Location};

/// OpenAPI and Swagger rules: one constant per rule, emitted by constant so that a mistyped rule
/// cannot compile, and [`RULES`], the table of all of them sorted by id.
pub mod rules {
    crate::contract::rules::declare_rules! {
        OPERATION_ADDED = "openapi.operation.added", NonBreaking, "a new operation";
        OPERATION_DEPRECATED = "openapi.operation.deprecated", Deprecation, "an operation became deprecated (with its x-sunset date when given)";
        OPERATION_REMOVED = "openapi.operation.removed", Breaking, "an operation was removed from a path that remains; its callers fail";
        OPERATION_REMOVED_BEFORE_SUNSET = "openapi.operation.removed-before-sunset", Breaking, "an operation was removed before the x-sunset date it announced";
        PARAMETER_DEPRECATED = "openapi.parameter.deprecated", Deprecation, "a parameter became deprecated";
        PATH_ADDED = "openapi.path.added", NonBreaking, "a new path";
        PATH_REMOVED = "openapi.path.removed", Breaking, "a path was removed or renamed; every caller of its operations fails";
        PROPERTY_DEPRECATED = "openapi.property.deprecated", Deprecation, "a schema property became deprecated";
        REQUEST_BODY_ADDED_REQUIRED = "openapi.request.body.added-required", Breaking, "a required request body was added; old clients send none";
        REQUEST_BODY_BECAME_REQUIRED = "openapi.request.body.became-required", Breaking, "the request body became required; old clients may send none";
        REQUEST_CONSTRAINT_NARROWED = "openapi.request.constraint.narrowed", Breaking, "a request value accepts less than before (max, min, length, pattern, items, additionalProperties, alternatives)";
        REQUEST_CONSTRAINT_WIDENED = "openapi.request.constraint.widened", NonBreaking, "a request value accepts more than before";
        REQUEST_ENUM_VALUE_ADDED = "openapi.request.enum.value-added", NonBreaking, "a request enum accepts a new value";
        REQUEST_ENUM_VALUE_REMOVED = "openapi.request.enum.value-removed", Breaking, "a request enum no longer accepts a value old clients may send";
        REQUEST_FORMAT_CHANGED = "openapi.request.format.changed", Breaking, "a request value's format changed (int64 to int32, date-time to date); old clients send the old format";
        REQUEST_MEDIA_TYPE_REMOVED = "openapi.request.media-type.removed", Breaking, "a request media type is no longer accepted";
        REQUEST_NULLABLE_REMOVED = "openapi.request.nullable.removed", Breaking, "a request value no longer accepts null";
        REQUEST_PARAMETER_ADDED_OPTIONAL = "openapi.request.parameter.added-optional", NonBreaking, "a new optional parameter";
        REQUEST_PARAMETER_ADDED_REQUIRED = "openapi.request.parameter.added-required", Breaking, "a new required parameter; old clients do not send it";
        REQUEST_PARAMETER_BECAME_OPTIONAL = "openapi.request.parameter.became-optional", NonBreaking, "a parameter became optional";
        REQUEST_PARAMETER_BECAME_REQUIRED = "openapi.request.parameter.became-required", Breaking, "a parameter became required; old clients may omit it";
        REQUEST_PARAMETER_REMOVED = "openapi.request.parameter.removed", NonBreaking, "a parameter was removed; servers ignore what old clients still send";
        REQUEST_PROPERTY_ADDED_OPTIONAL = "openapi.request.property.added-optional", NonBreaking, "a new optional request property";
        REQUEST_PROPERTY_ADDED_REQUIRED = "openapi.request.property.added-required", Breaking, "a new required request property; old clients do not send it";
        REQUEST_PROPERTY_BECAME_OPTIONAL = "openapi.request.property.became-optional", NonBreaking, "a request property became optional";
        REQUEST_PROPERTY_BECAME_REQUIRED = "openapi.request.property.became-required", Breaking, "a request property became required; old clients may omit it";
        REQUEST_PROPERTY_REMOVED = "openapi.request.property.removed", NonBreaking, "a request property was removed; servers ignore what old clients still send";
        REQUEST_TYPE_CHANGED = "openapi.request.type.changed", Breaking, "a request value's type changed so that what old clients send is refused";
        RESPONSE_CONSTRAINT_NARROWED = "openapi.response.constraint.narrowed", NonBreaking, "a response value is more constrained than before";
        RESPONSE_CONSTRAINT_WIDENED = "openapi.response.constraint.widened", Breaking, "a response value may exceed what old clients expect (max, min, length, pattern, items, alternatives)";
        RESPONSE_ENUM_VALUE_ADDED = "openapi.response.enum.value-added", Breaking, "a response enum has a new value old clients do not handle";
        RESPONSE_ENUM_VALUE_REMOVED = "openapi.response.enum.value-removed", NonBreaking, "a response enum value is no longer returned";
        RESPONSE_FORMAT_CHANGED = "openapi.response.format.changed", Breaking, "a response value's format changed; old clients parse the old format";
        RESPONSE_HEADER_REMOVED = "openapi.response.header.removed", Breaking, "a response header is no longer sent";
        RESPONSE_MEDIA_TYPE_REMOVED = "openapi.response.media-type.removed", Breaking, "a response media type is no longer produced";
        RESPONSE_NULLABLE_ADDED = "openapi.response.nullable.added", Breaking, "a response value may now be null";
        RESPONSE_PROPERTY_ADDED = "openapi.response.property.added", NonBreaking, "a new response property";
        RESPONSE_PROPERTY_BECAME_OPTIONAL = "openapi.response.property.became-optional", Breaking, "a response property is no longer always present";
        RESPONSE_PROPERTY_BECAME_REQUIRED = "openapi.response.property.became-required", NonBreaking, "a response property is now always present";
        RESPONSE_PROPERTY_REMOVED = "openapi.response.property.removed", Breaking, "a response property was removed; old clients reading it fail";
        RESPONSE_STATUS_ADDED = "openapi.response.status.added", NonBreaking, "a new response status";
        RESPONSE_STATUS_REMOVED = "openapi.response.status.removed", Breaking, "a success response status was removed; old clients expecting it fail";
        RESPONSE_TYPE_CHANGED = "openapi.response.type.changed", Breaking, "a response value's type changed so that old clients cannot read it";
        SECURITY_REQUIREMENT_ADDED = "openapi.security.requirement.added", Breaking, "an operation requires credentials or scopes old clients do not present";
        SECURITY_REQUIREMENT_RELAXED = "openapi.security.requirement.relaxed", NonBreaking, "an operation accepts more ways to authenticate";
        SECURITY_SCHEME_CHANGED = "openapi.security.scheme.changed", Breaking, "a security scheme changed type, location or flow";
        SECURITY_SCHEME_REMOVED = "openapi.security.scheme.removed", Breaking, "a security scheme was removed";
    }
}

pub use rules::RULES;

/// The rules of schema changes: requests must accept what old clients send, responses must
/// produce only what old clients read.
const SCHEMA_RULES: schema::Rules = schema::Rules {
    accept: SchemaRules {
        type_changed: rules::REQUEST_TYPE_CHANGED,
        nullable: rules::REQUEST_NULLABLE_REMOVED,
        format_changed: rules::REQUEST_FORMAT_CHANGED,
        enum_value_added: rules::REQUEST_ENUM_VALUE_ADDED,
        enum_value_removed: rules::REQUEST_ENUM_VALUE_REMOVED,
        constraint_narrowed: rules::REQUEST_CONSTRAINT_NARROWED,
        constraint_widened: rules::REQUEST_CONSTRAINT_WIDENED,
        property_removed: rules::REQUEST_PROPERTY_REMOVED,
        property_added_required: rules::REQUEST_PROPERTY_ADDED_REQUIRED,
        property_added_optional: rules::REQUEST_PROPERTY_ADDED_OPTIONAL,
        property_became_required: rules::REQUEST_PROPERTY_BECAME_REQUIRED,
        property_became_optional: rules::REQUEST_PROPERTY_BECAME_OPTIONAL,
        property_deprecated: rules::PROPERTY_DEPRECATED,
    },
    produce: SchemaRules {
        type_changed: rules::RESPONSE_TYPE_CHANGED,
        nullable: rules::RESPONSE_NULLABLE_ADDED,
        format_changed: rules::RESPONSE_FORMAT_CHANGED,
        enum_value_added: rules::RESPONSE_ENUM_VALUE_ADDED,
        enum_value_removed: rules::RESPONSE_ENUM_VALUE_REMOVED,
        constraint_narrowed: rules::RESPONSE_CONSTRAINT_NARROWED,
        constraint_widened: rules::RESPONSE_CONSTRAINT_WIDENED,
        property_removed: rules::RESPONSE_PROPERTY_REMOVED,
        property_added_required: rules::RESPONSE_PROPERTY_ADDED,
        property_added_optional: rules::RESPONSE_PROPERTY_ADDED,
        property_became_required: rules::RESPONSE_PROPERTY_BECAME_REQUIRED,
        property_became_optional: rules::RESPONSE_PROPERTY_BECAME_OPTIONAL,
        property_deprecated: rules::PROPERTY_DEPRECATED,
    },
};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// OpenAPI 3.0/3.1 and Swagger 2.0 documents, files or split specs.
pub struct OpenApi;

impl super::Differ for OpenApi {
    const FORMAT: ContractFormat = ContractFormat::Openapi;
    type Contract = ContractDocuments;

    fn load(
        path: &Path,
        options: &super::DiffOptions,
    ) -> Result<ContractDocuments, ContractErrors> {
        ContractDocuments::load(path, ROOT_KEYS, &options.boundary)
    }

    fn version(docs: &ContractDocuments) -> Option<String> {
        docs.info_version()
    }

    fn warnings(docs: &ContractDocuments) -> Vec<Diagnostic> {
        docs.warnings().to_vec()
    }

    fn compare(
        old_docs: &ContractDocuments,
        new_docs: &ContractDocuments,
        options: &super::DiffOptions,
    ) -> Result<Vec<Change>, ContractErrors> {
        let old_api = Api::read(old_docs);
        let new_api = Api::read(new_docs);
        let mut comparison = OpenApiComparison {
            old: old_docs,
            new: new_docs,
            changes: Vec::new(),
            schemas: Comparison::new(old_docs, new_docs, &SCHEMA_RULES),
            roots: Vec::new(),
            root_numbers: HashMap::new(),
            today: options.today,
        };
        comparison.compare(&old_api, &new_api);
        comparison.finish()
    }
}

/// The top-level keys that make a document an OpenAPI or Swagger one.
const ROOT_KEYS: &[&str] = &["openapi", "swagger"];

/// An operation of an OpenAPI or Swagger document marked `deprecated`, with the dates it
/// announces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeprecatedOperation {
    /// The element consumers name: `GET /orders/{id}`.
    pub element: String,
    /// `x-sunset`, when it is a date.
    pub sunset: Option<jiff::civil::Date>,
    /// `x-deprecated-since`, when it is a date.
    pub since: Option<jiff::civil::Date>,
    /// Where the operation is.
    pub location: Location,
}

/// The deprecated operations of an OpenAPI or Swagger document (a file or a split spec), in
/// document order. File `$ref`s are read only where `boundary` allows.
pub fn deprecated_operations(
    path: &Path,
    boundary: &Boundary,
) -> Result<Vec<DeprecatedOperation>, ContractErrors> {
    let docs = ContractDocuments::load(path, ROOT_KEYS, boundary)?;
    let mut out = Vec::new();
    let Some(paths) = docs.get(docs.root(), "paths") else {
        return Ok(out);
    };
    for (route, item) in paths.entries() {
        let item = docs.resolve(item);
        for (method, op) in item.entries() {
            if !METHODS.contains(&method) {
                continue;
            }
            let op = docs.resolve(op);
            if !op.flag("deprecated") {
                continue;
            }
            let date = |key: &str| op.str(key).and_then(|d| crate::model::parse_date(d).ok());
            out.push(DeprecatedOperation {
                element: element(route, method),
                sunset: date("x-sunset"),
                since: date("x-deprecated-since"),
                location: docs.location(op),
            });
        }
    }
    Ok(out)
}

/// The normalised view of one contract.
struct Api<'d> {
    /// (path, method) → operation.
    operations: BTreeMap<(&'d str, &'d str), Operation<'d>>,
    paths: BTreeMap<&'d str, NodeRef<'d>>,
    schemes: BTreeMap<&'d str, NodeRef<'d>>,
}

struct Operation<'d> {
    at: NodeRef<'d>,
    id: Option<&'d str>,
    deprecated: bool,
    sunset: Option<&'d str>,
    /// (in, name) → parameter.
    parameters: BTreeMap<(&'d str, &'d str), NodeRef<'d>>,
    body: Option<Body<'d>>,
    responses: BTreeMap<&'d str, Body<'d>>,
    /// Alternatives, each a set of (scheme, scopes).
    security: Vec<BTreeMap<&'d str, BTreeSet<&'d str>>>,
}

/// A request body or a response: where it is, whether required, a schema per media type, headers.
struct Body<'d> {
    at: NodeRef<'d>,
    required: bool,
    media: BTreeMap<&'d str, Option<NodeRef<'d>>>,
    headers: BTreeMap<&'d str, NodeRef<'d>>,
}

impl<'d> Api<'d> {
    fn read(docs: &'d ContractDocuments) -> Api<'d> {
        let root = docs.root();
        let swagger = root.get("swagger").is_some();
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
    at: NodeRef<'d>,
    schema: Option<NodeRef<'d>>,
    required: bool,
    media: &[&'d str],
) -> Body<'d> {
    let media: BTreeMap<&str, Option<NodeRef>> = if schema.is_none() {
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

/// Each media type's schema, as written (a `$ref` stays one, so that a shared schema is
/// compared once).
fn media<'d>(
    docs: &'d ContractDocuments,
    body: NodeRef<'d>,
) -> BTreeMap<&'d str, Option<NodeRef<'d>>> {
    docs.get(body, "content")
        .map(|c| {
            c.entries()
                .map(|(m, at)| (m, docs.resolve(at).get("schema")))
                .collect()
        })
        .unwrap_or_default()
}

fn headers<'d>(
    docs: &'d ContractDocuments,
    response: NodeRef<'d>,
) -> BTreeMap<&'d str, NodeRef<'d>> {
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
fn scheme_changes(old: NodeRef<'_>, new: NodeRef<'_>) -> Vec<String> {
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
    let flows = |at: NodeRef<'_>| -> BTreeMap<String, (Option<String>, Option<String>)> {
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

fn security(list: NodeRef<'_>) -> Vec<BTreeMap<&str, BTreeSet<&str>>> {
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

/// The comparison of two OpenAPI contracts: the changes found so far, and the schema comparison
/// with the places (operation, body) each schema comparison started from.
struct OpenApiComparison<'d> {
    old: &'d ContractDocuments,
    new: &'d ContractDocuments,
    changes: Vec<Change>,
    schemas: Comparison<'d>,
    /// (operation element, place) of each schema comparison started, by its root number.
    roots: Vec<(String, String)>,
    root_numbers: HashMap<(String, String), usize>,
    today: jiff::civil::Date,
}

impl<'d> OpenApiComparison<'d> {
    fn push(
        &mut self,
        rule: &'static Rule,
        element: &str,
        message: String,
        old: Option<NodeRef<'_>>,
        new: Option<NodeRef<'_>>,
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
                            message.push_str(&format!(
                                ", before its announced sunset {sunset} (as of {})",
                                self.today
                            ));
                            rules::OPERATION_REMOVED_BEFORE_SUNSET
                        }
                        _ if new.paths.contains_key(path) => rules::OPERATION_REMOVED,
                        _ => rules::PATH_REMOVED,
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
                    rules::OPERATION_ADDED,
                    &element,
                    format!("operation {element} added"),
                    None,
                    Some(op.at),
                );
            } else {
                self.push(
                    rules::PATH_ADDED,
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
                    rules::SECURITY_SCHEME_REMOVED,
                    &format!("security {name}"),
                    format!("security scheme `{name}` removed"),
                    Some(*scheme),
                    None,
                ),
                Some(new_scheme) => {
                    let changed = scheme_changes(*scheme, *new_scheme);
                    if !changed.is_empty() {
                        self.push(
                            rules::SECURITY_SCHEME_CHANGED,
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
                rules::OPERATION_DEPRECATED,
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
                    rules::REQUEST_PARAMETER_REMOVED,
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
                            rules::REQUEST_PARAMETER_BECAME_REQUIRED,
                            element,
                            format!("{loc} parameter `{name}` became required"),
                            Some(*p),
                            Some(*np),
                        );
                    } else if was && !is {
                        self.push(
                            rules::REQUEST_PARAMETER_BECAME_OPTIONAL,
                            element,
                            format!("{loc} parameter `{name}` became optional"),
                            Some(*p),
                            Some(*np),
                        );
                    }
                    if !p.flag("deprecated") && np.flag("deprecated") {
                        self.push(
                            rules::PARAMETER_DEPRECATED,
                            element,
                            format!("{loc} parameter `{name}` deprecated"),
                            Some(*p),
                            Some(*np),
                        );
                    }
                    // OpenAPI 3 puts the type under `schema`, Swagger 2 on the parameter itself.
                    let os = p.get("schema").unwrap_or(*p);
                    let ns = np.get("schema").unwrap_or(*np);
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
                    rules::REQUEST_PARAMETER_ADDED_REQUIRED,
                    element,
                    format!("required {loc} parameter `{name}` added"),
                    Some(old.at),
                    Some(*np),
                );
            } else {
                self.push(
                    rules::REQUEST_PARAMETER_ADDED_OPTIONAL,
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
                rules::REQUEST_BODY_ADDED_REQUIRED,
                element,
                "required request body added".to_owned(),
                Some(old.at),
                Some(b.at),
            ),
            (Some(a), Some(b)) => {
                if !a.required && b.required {
                    self.push(
                        rules::REQUEST_BODY_BECAME_REQUIRED,
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
                                rules::RESPONSE_HEADER_REMOVED,
                                element,
                                format!("response {status}: header `{header}` removed"),
                                Some(*h),
                                Some(b.at),
                            );
                        }
                    }
                }
                None if is_success(status) => self.push(
                    rules::RESPONSE_STATUS_REMOVED,
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
                    rules::RESPONSE_STATUS_ADDED,
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
                rules::SECURITY_REQUIREMENT_ADDED,
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
                rules::SECURITY_REQUIREMENT_RELAXED,
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
                        Direction::Accept => rules::REQUEST_MEDIA_TYPE_REMOVED,
                        Direction::Produce => rules::RESPONSE_MEDIA_TYPE_REMOVED,
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
        old: NodeRef<'d>,
        new: NodeRef<'d>,
    ) {
        let key = (element.to_owned(), place.to_owned());
        let root = *self.root_numbers.entry(key.clone()).or_insert_with(|| {
            self.roots.push(key);
            self.roots.len() - 1
        });
        for found in self.schemas.compare(dir, root, place, path, old, new) {
            self.changes.push(Change::new(
                found.rule,
                element,
                found.message,
                Some(found.old),
                Some(found.new),
            ));
        }
    }

    /// The changes, with those of schemas shared through `$ref` reported once each: under the
    /// one operation that reaches the schema, or under the schema (`schema Order`) with every
    /// operation it reaches in [`Change::affects`].
    fn finish(self) -> Result<Vec<Change>, ContractErrors> {
        let OpenApiComparison {
            mut changes,
            schemas,
            roots,
            ..
        } = self;
        let (shared, errors) = schemas.finish();
        if !errors.is_empty() {
            return Err(ContractErrors { errors });
        }
        for schema in shared {
            let reached: Vec<&(String, String)> =
                schema.reached_from.iter().map(|r| &roots[*r]).collect();
            let operations: BTreeSet<&str> = reached.iter().map(|(e, _)| e.as_str()).collect();
            for found in schema.findings {
                let mut change = match (operations.len(), reached.as_slice()) {
                    (1, [(element, place)]) => Change::new(
                        found.rule,
                        element.as_str(),
                        format!("{place}, {}", found.message),
                        Some(found.old),
                        Some(found.new),
                    ),
                    (1, _) => Change::new(
                        found.rule,
                        reached[0].0.as_str(),
                        found.message,
                        Some(found.old),
                        Some(found.new),
                    ),
                    _ => {
                        let mut change = Change::new(
                            found.rule,
                            schema.element.as_str(),
                            format!("{} (in {} operations)", found.message, operations.len()),
                            Some(found.old),
                            Some(found.new),
                        );
                        change.affects = operations.iter().map(|o| (*o).to_owned()).collect();
                        change
                    }
                };
                change.affects.sort();
                changes.push(change);
            }
        }
        Ok(changes)
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
