//! `ripple.yaml`: ripple's own manifest, for one service or a whole system.
//!
//! Strict by design: an unknown key is an error, because a typo (`owners:`) must not silently drop
//! a fact that release decisions rest on. See `docs/formats.md` for the format.

use std::sync::Arc;

use super::{EdgeDecl, Fragment, NodeDecl, Origin, Sources, SystemDecl};
use crate::model::{
    Component, Dependency, DependencyKind, Evidence, Kind, SystemInfo, check_name, component_id,
    parse_id, parse_requirement, parse_version,
};
use crate::source::diagnostic::{Code, Diagnostic};
use crate::source::yaml::{Node, Pos, Value, parse_bool};
use crate::source::yaml_reader::YamlReader;

const TOP_KEYS: &[&str] = &[
    "ripple",
    "system",
    "owner",
    "systems",
    "services",
    "apis",
    "topics",
    "datastores",
    "libraries",
    "policies",
];

const POLICY_KEYS: &[&str] = &["deprecation-window-days"];

const COMPONENT_KEYS: &[&str] = &[
    "description",
    "owner",
    "system",
    "tier",
    "compliance",
    "user-facing",
    "repository",
    "lifecycle",
    "type",
    "tags",
    "version",
    "environments",
    "definition",
    "sunset",
    "deprecated-since",
    "provides",
    "consumes",
    "publishes",
    "subscribes",
    "reads",
    "writes",
    "depends-on",
    "calls",
];

const SYSTEM_KEYS: &[&str] = &["owner", "domain", "description"];

const DEPENDENCY_KEYS: &[&str] = &[
    "service",
    "api",
    "topic",
    "datastore",
    "library",
    "id",
    "version",
    "uses",
];

pub(crate) fn read(
    sources: &Sources,
    file: u32,
    documents: &[Node],
    diagnostics: &mut Vec<Diagnostic>,
) -> Fragment {
    let mut reader = Reader {
        file,
        rules: DependencyKind::ALL.map(|k| Arc::from(format!("ripple-yaml.{k}"))),
        yaml: YamlReader::new(sources.name(file), diagnostics),
        fragment: Fragment::default(),
    };
    match documents {
        [] => {}
        [doc] => reader.document(doc),
        [_, second, ..] => reader.yaml.error(
            second.pos,
            Code::InvalidValue,
            "a ripple manifest holds one YAML document; split systems into separate files",
        ),
    }
    reader.fragment
}

struct Reader<'d> {
    file: u32,
    rules: [Arc<str>; 8],
    yaml: YamlReader<'d>,
    fragment: Fragment,
}

/// File-level defaults applied to every component that does not set them.
struct Defaults {
    system: Option<(String, Pos)>,
    owner: Option<(String, Pos)>,
}

impl Reader<'_> {
    fn origin(&self, pos: Pos) -> Origin {
        Origin::Yaml {
            file: self.file,
            pos,
        }
    }

    fn document(&mut self, doc: &Node) {
        if doc.is_null() {
            return;
        }
        let entries = self.yaml.entries(doc, "the manifest", Some(TOP_KEYS));
        let mut defaults = Defaults {
            system: None,
            owner: None,
        };
        for &(key, _, value) in &entries {
            match key {
                "ripple" if value.as_str() != Some("1") => self.yaml.error(
                    value.pos,
                    Code::InvalidValue,
                    "unsupported manifest version: expected `ripple: 1`",
                ),
                "system" => {
                    defaults.system = self.yaml.string(value, "`system`").map(|s| (s, value.pos))
                }
                "owner" => {
                    defaults.owner = self.yaml.string(value, "`owner`").map(|s| (s, value.pos))
                }
                _ => {}
            }
        }
        for &(key, _, value) in &entries {
            match key {
                "systems" => self.systems(value),
                "policies" => self.policies(value),
                "services" => self.section(Kind::Service, value, &defaults),
                "apis" => self.section(Kind::Api, value, &defaults),
                "topics" => self.section(Kind::Topic, value, &defaults),
                "datastores" => self.section(Kind::Datastore, value, &defaults),
                "libraries" => self.section(Kind::Library, value, &defaults),
                _ => {}
            }
        }
    }

    fn policies(&mut self, node: &Node) {
        let mut policies = crate::model::Policies::default();
        for (key, _, value) in self.yaml.entries(node, "`policies`", Some(POLICY_KEYS)) {
            let text = self.yaml.string(value, &format!("`{key}`"));
            match text.as_deref().map(str::parse::<u32>) {
                Some(Ok(days)) => policies.deprecation_window_days = Some(days),
                Some(Err(_)) => self.yaml.error(
                    value.pos,
                    Code::InvalidValue,
                    format!("`{key}` must be a number of days"),
                ),
                None => {}
            }
        }
        let origin = self.origin(node.pos);
        self.fragment.policies.push((policies, origin));
    }

    fn systems(&mut self, node: &Node) {
        for (name, pos, body) in self.yaml.entries(node, "`systems`", None) {
            if !super::fragment::valid_system_name(name) {
                self.yaml.error(
                    pos,
                    Code::InvalidValue,
                    format!("`{name}` is not a valid system name"),
                );
                continue;
            }
            let mut info = SystemInfo::default();
            for (key, _, value) in
                self.yaml
                    .entries(body, &format!("system `{name}`"), Some(SYSTEM_KEYS))
            {
                let text = self.yaml.string(value, &format!("`{key}`"));
                match key {
                    "owner" => info.owner = text,
                    "domain" => info.domain = text,
                    _ => info.description = text,
                }
            }
            let origin = self.origin(pos);
            self.fragment.systems.push(SystemDecl {
                name: name.to_owned(),
                info,
                origin,
            });
        }
    }

    fn section(&mut self, kind: Kind, node: &Node, defaults: &Defaults) {
        for (name, pos, body) in self
            .yaml
            .entries(node, &format!("`{}`", kind.section()), None)
        {
            if let Err(e) = check_name(name) {
                self.yaml.error(pos, Code::InvalidValue, e.to_string());
                continue;
            }
            self.component(kind, name, pos, body, defaults);
        }
    }

    fn component(&mut self, kind: Kind, name: &str, pos: Pos, body: &Node, defaults: &Defaults) {
        let id = component_id(kind, name);
        let mut decl = NodeDecl::new(Component::new(kind, name), self.origin(pos));
        let entries = self
            .yaml
            .entries(body, &format!("`{id}`"), Some(COMPONENT_KEYS));
        for &(key, key_pos, value) in &entries {
            if !value.is_null() {
                decl.field_pos.push((key.into(), value.pos));
            } else {
                decl.field_pos.push((key.into(), key_pos));
            }
            let what = format!("`{key}` of {id}");
            let attrs = &mut decl.component.attrs;
            match key {
                "description" => attrs.description = self.yaml.string(value, &what),
                "owner" => attrs.owner = self.yaml.string(value, &what),
                "system" => attrs.system = self.yaml.string(value, &what),
                "repository" => attrs.repository = self.yaml.string(value, &what),
                "lifecycle" => attrs.lifecycle = self.yaml.string(value, &what),
                "type" => attrs.kind_detail = self.yaml.string(value, &what),
                "sunset" | "deprecated-since" => {
                    if let Some(text) = self.yaml.string(value, &what) {
                        match crate::model::parse_date(&text) {
                            Ok(date) if key == "sunset" => decl.component.attrs.sunset = Some(date),
                            Ok(date) => decl.component.attrs.deprecated_since = Some(date),
                            Err(_) => self.yaml.error(
                                value.pos,
                                Code::InvalidValue,
                                format!("{what} must be a date YYYY-MM-DD, not `{text}`"),
                            ),
                        }
                    }
                }
                "definition" => {
                    attrs.definition = self
                        .yaml
                        .string(value, &what)
                        .map(|d| crate::source::path::relative_to_file(&self.yaml.file, &d))
                }
                "compliance" => {
                    attrs.compliance = self.yaml.strings(value, &what).into_iter().collect()
                }
                "tags" => attrs.tags = self.yaml.strings(value, &what).into_iter().collect(),
                "tier" => {
                    let tier = self.yaml.string(value, &what);
                    match tier.as_deref().map(str::parse::<u8>) {
                        None => {}
                        Some(Ok(t @ 1..=4)) => decl.component.attrs.tier = Some(t),
                        Some(_) => self.yaml.error(
                            value.pos,
                            Code::InvalidValue,
                            format!(
                                "tier `{}` of {id} is out of range: expected 1 (most critical) to 4",
                                tier.unwrap_or_default()
                            ),
                        ),
                    }
                }
                "user-facing" => {
                    let text = self.yaml.string(value, &what);
                    match text.as_deref().map(parse_bool) {
                        None => {}
                        Some(Some(b)) => decl.component.attrs.user_facing = Some(b),
                        Some(None) => self.yaml.error(
                            value.pos,
                            Code::InvalidValue,
                            format!("expected true or false for {what}"),
                        ),
                    }
                }
                "version" => {
                    if let Some(text) = self.yaml.string(value, &what) {
                        match parse_version(&text) {
                            Ok(v) => decl.component.attrs.version = Some(v),
                            Err(e) => self.yaml.error(
                                value.pos,
                                Code::InvalidSemver,
                                format!("version `{text}` of {id} is not semver: {e}"),
                            ),
                        }
                    }
                }
                "environments" => {
                    for (env, env_pos, v) in self.yaml.entries(value, &what, None) {
                        let Some(text) =
                            self.yaml.string(v, &format!("environment `{env}` of {id}"))
                        else {
                            continue;
                        };
                        decl.field_pos
                            .push((format!("environments.{env}").into(), v.pos.max(env_pos)));
                        match parse_version(&text) {
                            Ok(version) => {
                                decl.component
                                    .attrs
                                    .environments
                                    .insert(env.to_owned(), version);
                            }
                            Err(e) => self.yaml.error(
                                v.pos,
                                Code::InvalidSemver,
                                format!(
                                    "version `{text}` of {id} in environment `{env}` is not semver: {e}"
                                ),
                            ),
                        }
                    }
                }
                dependency => {
                    let kind: DependencyKind = dependency
                        .parse()
                        .expect("COMPONENT_KEYS lists only dependency kinds beyond attributes");
                    self.dependencies(&id, kind, value);
                }
            }
        }
        for (default, field) in [(&defaults.system, "system"), (&defaults.owner, "owner")] {
            let Some((value, pos)) = default else {
                continue;
            };
            let attrs = &mut decl.component.attrs;
            let slot = if field == "system" {
                &mut attrs.system
            } else {
                &mut attrs.owner
            };
            if slot.is_none() {
                *slot = Some(value.clone());
                decl.field_pos.push((field.into(), *pos));
            }
        }
        self.fragment.nodes.push(decl);
    }

    fn dependencies(&mut self, from: &str, kind: DependencyKind, node: &Node) {
        let items: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => vec![node],
        };
        for item in items {
            if let Some((to, dependency)) = self.dependency(from, kind, item) {
                let origin = self.origin(item.pos);
                self.fragment.edges.push(EdgeDecl {
                    from: from.to_owned(),
                    to,
                    dependency,
                    origin,
                });
            }
        }
    }

    fn dependency(
        &mut self,
        from: &str,
        kind: DependencyKind,
        item: &Node,
    ) -> Option<(String, Dependency)> {
        let mut dependency = Dependency::new(kind);
        dependency.evidence.push(Evidence {
            file: self.yaml.file.clone(),
            line: item.pos.line,
            rule: self.rules[kind as usize].clone(),
        });
        let what = format!("`{kind}` of {from}");
        let target = match &item.value {
            Value::Scalar(text, _) => self.target(text, kind.default_target(), item.pos)?,
            Value::Map(_) => {
                let mut target = None;
                for (key, _, value) in
                    self.yaml
                        .entries(item, &format!("an entry of {what}"), Some(DEPENDENCY_KEYS))
                {
                    if key == "uses" {
                        dependency.uses = self.yaml.strings(value, &what).into_iter().collect();
                        continue;
                    }
                    let text = self.yaml.string(value, &format!("`{key}` in {what}"));
                    match (key, text) {
                        (_, None) => {}
                        ("version", Some(text)) => match parse_requirement(&text) {
                            Ok(req) => dependency.version = Some(req),
                            Err(e) => self.yaml.error(
                                value.pos,
                                Code::InvalidSemver,
                                format!(
                                    "version requirement `{text}` in {what} is not semver: {e}"
                                ),
                            ),
                        },
                        ("id", Some(text)) => {
                            if text.contains(':') {
                                target = self.target(&text, kind.default_target(), value.pos);
                            } else {
                                self.yaml.error(
                                    value.pos,
                                    Code::InvalidValue,
                                    format!("`id: {text}` in {what} is not a component id: expected `kind:name`"),
                                );
                            }
                        }
                        (kind_key, Some(text)) => {
                            let target_kind: Kind = kind_key.parse().expect("DEPENDENCY_KEYS");
                            target = self
                                .name_of(&text, value.pos)
                                .map(|n| component_id(target_kind, n));
                        }
                    }
                }
                if target.is_none()
                    && item.as_map().is_some_and(|m| {
                        !m.iter().any(|(k, _)| {
                            k.as_str().is_some_and(|k| !matches!(k, "version" | "uses"))
                        })
                    })
                {
                    self.yaml.error(
                        item.pos,
                        Code::InvalidValue,
                        format!("an entry of {what} names no target: expected one of `service`, `api`, `topic`, `datastore`, `library` or `id`"),
                    );
                }
                target?
            }
            _ => {
                self.yaml.error(
                    item.pos,
                    Code::InvalidValue,
                    format!(
                        "expected a name or a mapping in {what}, found {}",
                        item.describe()
                    ),
                );
                return None;
            }
        };
        Some((target, dependency))
    }

    /// `name` (of the default kind) or `kind:name`.
    fn target(&mut self, text: &str, default: Kind, pos: Pos) -> Option<String> {
        if text.contains(':') {
            match parse_id(text) {
                Ok((kind, name)) => Some(component_id(kind, name)),
                Err(e) => {
                    let code = match e {
                        crate::model::IdError::UnknownKind(_) => Code::UnknownKind,
                        _ => Code::InvalidValue,
                    };
                    self.yaml.error(pos, code, e.to_string());
                    None
                }
            }
        } else {
            self.name_of(text, pos).map(|n| component_id(default, n))
        }
    }

    fn name_of<'t>(&mut self, text: &'t str, pos: Pos) -> Option<&'t str> {
        match check_name(text) {
            Ok(()) => Some(text),
            Err(e) => {
                self.yaml.error(pos, Code::InvalidValue, e.to_string());
                None
            }
        }
    }
}
