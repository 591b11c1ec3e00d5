//! Pact contract files: what a consumer's tests say it uses of a provider.
//!
//! A pact (specification v1 to v4) names a consumer and a provider and lists the interactions the
//! consumer's tests exercised. It becomes a `calls` dependency from the consumer service to the
//! provider service whose `uses` are the interactions (`GET /orders/42`): contract diffs match a
//! concrete path against the provider's templates (`GET /orders/{orderId}`), so a breaking change
//! reaches exactly the consumers whose pacts exercise it. Message pacts (v3 `messages`, v4
//! asynchronous interactions) record the message descriptions.

use std::sync::Arc;

use serde::Deserialize;

use super::{EdgeDecl, Fragment, JsonItem, JsonPath, NodeDecl, Origin, Sources};
use crate::model::{
    Component, Dependency, DependencyKind, Evidence, Kind, check_name, component_id,
};
use crate::source::diagnostic::{Code, Diagnostic, Location};

#[derive(Deserialize)]
struct Pact {
    consumer: Party,
    provider: Party,
    #[serde(default)]
    interactions: Vec<Interaction>,
    #[serde(default)]
    messages: Vec<Interaction>,
}

#[derive(Deserialize)]
struct Party {
    name: String,
}

#[derive(Deserialize)]
struct Interaction {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    request: Option<Request>,
    /// v4: `Synchronous/HTTP`, `Asynchronous/Messages`, `Synchronous/Messages`.
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Request {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<serde_json::Value>,
}

/// Whether JSON text looks like a pact: a consumer, a provider, interactions or messages.
pub(crate) fn is_pact(text: &str) -> bool {
    // The first 4 KiB, cut at a character boundary (a byte index may fall inside one).
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    head.contains("\"consumer\"")
        && head.contains("\"provider\"")
        && (text.contains("\"interactions\"") || text.contains("\"messages\""))
}

/// A pact's names become service names as written, lower-cased with spaces as dashes (pact
/// names are free text: `Order Service`).
fn service_name(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '_'], "-")
}

pub(crate) fn read(
    sources: &Sources,
    file: u32,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Fragment {
    let name = sources.name(file);
    let pact: Pact = match serde_json::from_str(text) {
        Ok(p) => p,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                Code::Syntax,
                Location::new(name, e.line() as u32, e.column() as u32),
                format!("not a pact file: {e}"),
            ));
            return Fragment::default();
        }
    };
    let mut fragment = Fragment::default();
    let consumer = service_name(&pact.consumer.name);
    let provider = service_name(&pact.provider.name);
    for (party, field) in [(&consumer, "consumer"), (&provider, "provider")] {
        let path = JsonPath {
            section: field,
            item: JsonItem::Key("name".into()),
            field: None,
            key: None,
        };
        if let Err(e) = check_name(party) {
            let location = sources.locate_in(file, text, &path);
            diagnostics.push(Diagnostic::error(
                Code::InvalidValue,
                location,
                e.to_string(),
            ));
            return Fragment::default();
        }
        fragment.nodes.push(NodeDecl::new(
            Component::new(Kind::Service, party),
            Origin::Json { file, path },
        ));
    }
    let rule: Arc<str> = "pact.interaction".into();
    let mut dependency = Dependency::new(DependencyKind::Calls);
    for interaction in pact.interactions.iter().chain(&pact.messages) {
        let is_message = interaction
            .kind
            .as_deref()
            .is_some_and(|k| k.contains("Messages"))
            || interaction.request.is_none();
        let used = match (&interaction.request, is_message) {
            (Some(request), false) => {
                let method = request
                    .method
                    .as_deref()
                    .unwrap_or("GET")
                    .to_ascii_uppercase();
                match &request.path {
                    Some(serde_json::Value::String(path)) => Some(format!("{method} {path}")),
                    // v4 matchers: {"value": "/orders/1", "pactum:matcher": ...}
                    Some(serde_json::Value::Object(o)) => o
                        .get("value")
                        .and_then(|v| v.as_str())
                        .map(|path| format!("{method} {path}")),
                    _ => None,
                }
            }
            _ => interaction.description.clone(),
        };
        if let Some(used) = used {
            dependency.uses.insert(used);
        }
    }
    dependency.evidence.push(Evidence {
        file: name,
        line: 1,
        rule,
    });
    fragment.edges.push(EdgeDecl {
        from: component_id(Kind::Service, &consumer),
        to: component_id(Kind::Service, &provider),
        dependency,
        origin: Origin::Json {
            file,
            path: JsonPath {
                section: "provider",
                item: JsonItem::Key("name".into()),
                field: None,
                key: None,
            },
        },
    });
    fragment
}
