//! `pom.xml` read with a real XML parser: coordinates, parent, properties, modules, dependencies and plugin
//! configuration, each value with its line. Property references are resolved by `Props`.

use anyhow::{anyhow, Result};
use indexmap::IndexMap;
use roxmltree::{Document, Node};

/// A value and the 1-based line it was read from.
pub(crate) type Located<T> = (T, usize);

#[derive(Debug, Default, Clone)]
pub(crate) struct Pom {
    pub(crate) group_id: Option<Located<String>>,
    pub(crate) artifact_id: Option<Located<String>>,
    pub(crate) version: Option<Located<String>>,
    pub(crate) packaging: Option<Located<String>>,
    pub(crate) parent: Option<Parent>,
    pub(crate) properties: IndexMap<String, Located<String>>,
    pub(crate) final_name: Option<Located<String>>,
    pub(crate) modules: Vec<Located<String>>,
    pub(crate) dependencies: Vec<Dependency>,
    /// `dependencyManagement` imports and entries, used to find a Spring Boot BOM version.
    pub(crate) managed: Vec<Dependency>,
    pub(crate) plugins: Vec<Plugin>,
    pub(crate) profiles: Vec<Profile>,
}

/// A `<profile>`: what it adds to the build and when Maven activates it without being asked.
#[derive(Debug, Default, Clone)]
pub(crate) struct Profile {
    pub(crate) id: String,
    pub(crate) active_by_default: bool,
    /// `<activation><jdk>`: a version prefix (`17`, `1.8`), a negated one (`!1.8`) or a range (`[17,)`).
    pub(crate) jdk: Option<String>,
    pub(crate) properties: IndexMap<String, Located<String>>,
    pub(crate) modules: Vec<Located<String>>,
    pub(crate) dependencies: Vec<Dependency>,
    pub(crate) plugins: Vec<Plugin>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Parent {
    pub(crate) group_id: String,
    pub(crate) artifact_id: String,
    pub(crate) version: String,
    pub(crate) relative_path: Option<String>,
    pub(crate) line: usize,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Dependency {
    pub(crate) group_id: String,
    pub(crate) artifact_id: String,
    pub(crate) version: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) optional: bool,
    pub(crate) line: usize,
}

/// A build plugin with every text value under it, keyed by its element path below the plugin
/// (`configuration/archive/manifest/mainClass`); attributes appear as `path@name`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Plugin {
    pub(crate) group_id: String,
    pub(crate) artifact_id: String,
    pub(crate) version: Option<String>,
    pub(crate) line: usize,
    /// `<extensions>true</extensions>`: the plugin may contribute packagings and lifecycles.
    pub(crate) extensions: bool,
    pub(crate) values: Vec<(String, String, usize)>,
}

impl Plugin {
    /// The first value whose path ends with `suffix` (so it matches inside `executions/execution/` too).
    pub(crate) fn value(&self, suffix: &str) -> Option<(&str, usize)> {
        self.values
            .iter()
            .find(|(path, _, _)| path == suffix || path.ends_with(&format!("/{suffix}")))
            .map(|(_, value, line)| (value.as_str(), *line))
    }
}

/// Parses pom.xml text; errors carry `line:column` from the XML parser.
pub(crate) fn parse(text: &str) -> Result<Pom> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| {
        // roxmltree ends its messages with " at line:column"; lead with the position instead.
        let position = e.pos();
        let message = e.to_string();
        anyhow!(
            "{position}: {}",
            message.strip_suffix(&format!(" at {position}")).unwrap_or(&message)
        )
    })?;
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        return Err(anyhow!(
            "{}: the root element is <{}>, not <project>",
            line_of(&doc, project),
            project.tag_name().name()
        ));
    }
    let mut pom = Pom {
        group_id: located_child(&doc, project, "groupId"),
        artifact_id: located_child(&doc, project, "artifactId"),
        version: located_child(&doc, project, "version"),
        packaging: located_child(&doc, project, "packaging"),
        ..Pom::default()
    };
    if let Some(parent) = child(project, "parent") {
        pom.parent = Some(Parent {
            group_id: child_text(parent, "groupId").unwrap_or_default(),
            artifact_id: child_text(parent, "artifactId").unwrap_or_default(),
            version: child_text(parent, "version").unwrap_or_default(),
            relative_path: child(parent, "relativePath").map(|n| n.text().unwrap_or("").trim().to_string()),
            line: line_of(&doc, parent),
        });
    }
    pom.properties = properties(&doc, project);
    pom.modules = modules(&doc, project);
    pom.dependencies = dependencies(&doc, child(project, "dependencies"));
    pom.managed = dependencies(
        &doc,
        child(project, "dependencyManagement").and_then(|n| child(n, "dependencies")),
    );
    if let Some(build) = child(project, "build") {
        pom.final_name = located_child(&doc, build, "finalName");
        pom.plugins = build_plugins(&doc, build);
    }
    if let Some(profiles) = child(project, "profiles") {
        pom.profiles = profiles
            .children()
            .filter(|n| n.has_tag_name("profile"))
            .map(|n| {
                let activation = child(n, "activation");
                Profile {
                    id: child_text(n, "id").unwrap_or_default(),
                    active_by_default: activation
                        .and_then(|a| child_text(a, "activeByDefault"))
                        .is_some_and(|v| v == "true"),
                    jdk: activation.and_then(|a| child_text(a, "jdk")),
                    properties: properties(&doc, n),
                    modules: modules(&doc, n),
                    dependencies: dependencies(&doc, child(n, "dependencies")),
                    plugins: child(n, "build").map(|b| build_plugins(&doc, b)).unwrap_or_default(),
                }
            })
            .collect();
    }
    Ok(pom)
}

fn properties(doc: &Document, section: Node) -> IndexMap<String, Located<String>> {
    let Some(properties) = child(section, "properties") else {
        return IndexMap::new();
    };
    properties
        .children()
        .filter(Node::is_element)
        .map(|p| {
            let value = p.text().unwrap_or("").trim().to_string();
            (p.tag_name().name().to_string(), (value, line_of(doc, p)))
        })
        .collect()
}

fn modules(doc: &Document, section: Node) -> Vec<Located<String>> {
    child(section, "modules").map_or_else(Vec::new, |modules| {
        modules
            .children()
            .filter(|n| n.has_tag_name("module"))
            .map(|n| (n.text().unwrap_or("").trim().to_string(), line_of(doc, n)))
            .collect()
    })
}

/// `<build><plugins>`, each with the configuration its `pluginManagement` entry gives it.
fn build_plugins(doc: &Document, build: Node) -> Vec<Plugin> {
    let mut declared = plugins(doc, child(build, "plugins"));
    // Plugins configured only under pluginManagement still shape the build when declared without config.
    let managed = plugins(doc, child(build, "pluginManagement").and_then(|n| child(n, "plugins")));
    for plugin in &mut declared {
        if let Some(template) = managed.iter().find(|m| m.artifact_id == plugin.artifact_id) {
            plugin.values.extend(template.values.iter().cloned());
            if plugin.version.is_none() {
                plugin.version.clone_from(&template.version);
            }
            plugin.extensions |= template.extensions;
        }
    }
    declared
}

fn dependencies(doc: &Document, list: Option<Node>) -> Vec<Dependency> {
    let Some(list) = list else { return Vec::new() };
    list.children()
        .filter(|n| n.has_tag_name("dependency"))
        .map(|n| Dependency {
            group_id: child_text(n, "groupId").unwrap_or_default(),
            artifact_id: child_text(n, "artifactId").unwrap_or_default(),
            version: child_text(n, "version"),
            scope: child_text(n, "scope"),
            optional: child_text(n, "optional").as_deref() == Some("true"),
            line: line_of(doc, n),
        })
        .collect()
}

fn plugins(doc: &Document, list: Option<Node>) -> Vec<Plugin> {
    let Some(list) = list else { return Vec::new() };
    list.children()
        .filter(|n| n.has_tag_name("plugin"))
        .map(|n| {
            let mut plugin = Plugin {
                group_id: child_text(n, "groupId").unwrap_or_else(|| "org.apache.maven.plugins".into()),
                artifact_id: child_text(n, "artifactId").unwrap_or_default(),
                version: child_text(n, "version"),
                line: line_of(doc, n),
                extensions: child_text(n, "extensions").is_some_and(|v| v == "true"),
                values: Vec::new(),
            };
            for section in n
                .children()
                .filter(|c| c.has_tag_name("configuration") || c.has_tag_name("executions"))
            {
                collect_values(doc, section, section.tag_name().name(), &mut plugin.values);
            }
            plugin
        })
        .collect()
}

fn collect_values(doc: &Document, node: Node, path: &str, out: &mut Vec<(String, String, usize)>) {
    for attribute in node.attributes() {
        out.push((
            format!("{path}@{}", attribute.name()),
            attribute.value().to_string(),
            line_of(doc, node),
        ));
    }
    let elements: Vec<Node> = node.children().filter(Node::is_element).collect();
    if elements.is_empty() {
        if let Some(text) = node.text() {
            out.push((path.to_string(), text.trim().to_string(), line_of(doc, node)));
        }
    }
    for element in elements {
        collect_values(doc, element, &format!("{path}/{}", element.tag_name().name()), out);
    }
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|n| n.has_tag_name(name))
}

fn child_text(node: Node, name: &str) -> Option<String> {
    child(node, name).map(|n| n.text().unwrap_or("").trim().to_string())
}

fn located_child(doc: &Document, node: Node, name: &str) -> Option<Located<String>> {
    child(node, name).map(|n| (n.text().unwrap_or("").trim().to_string(), line_of(doc, n)))
}

fn line_of(doc: &Document, node: Node) -> usize {
    doc.text_pos_at(node.range().start).row as usize
}

/// Property values for `${...}` resolution, each with the file and line that set it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Props {
    values: IndexMap<String, (String, String)>,
}

impl Props {
    pub(crate) fn set(&mut self, name: &str, value: &str, source: String) {
        self.values.insert(name.to_string(), (value.to_string(), source));
    }

    pub(crate) fn get(&self, name: &str) -> Option<(&str, &str)> {
        self.values.get(name).map(|(v, s)| (v.as_str(), s.as_str()))
    }

    /// Replaces every `${name}` (recursively, for properties that reference properties); an undefined or
    /// circular reference is an error naming it, and so is an expansion that grows past `MAX_RESOLVED` bytes
    /// (properties that each refer to the next several times grow exponentially within the depth guard), or
    /// that takes more than `MAX_SUBSTITUTIONS` steps (the same with empty values).
    pub(crate) fn resolve(&self, text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut steps = 0;
        self.resolve_into(text, &mut Vec::new(), &mut out, &mut steps)?;
        Ok(out)
    }

    /// `expanding` holds the properties being expanded, outermost first: a name already among them is a cycle.
    fn resolve_into(
        &self,
        text: &str,
        expanding: &mut Vec<String>,
        out: &mut String,
        steps: &mut usize,
    ) -> Result<(), String> {
        if let Some(innermost) = expanding.last().filter(|_| expanding.len() > MAX_NESTING) {
            return Err(format!(
                "${{{}}} is reached through more than {MAX_NESTING} nested property references",
                excerpt(innermost)
            ));
        }
        *steps += 1;
        if *steps > MAX_SUBSTITUTIONS {
            let outermost = expanding.first().map_or_else(
                || format!("`{}`", excerpt(text)),
                |name| format!("${{{}}}", excerpt(name)),
            );
            return Err(format!(
                "{outermost} takes more than {MAX_SUBSTITUTIONS} substitutions to expand"
            ));
        }
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            push_bounded(out, &rest[..start], text)?;
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("`{}` has an unclosed ${{", excerpt(text)))?;
            let name = &after[..end];
            if let Some(at) = expanding.iter().position(|n| n == name) {
                let cycle: Vec<String> = expanding[at..]
                    .iter()
                    .chain(std::iter::once(&name.to_string()))
                    .map(|n| format!("${{{}}}", excerpt(n)))
                    .collect();
                return Err(format!(
                    "${{{}}} refers to itself ({})",
                    excerpt(name),
                    cycle.join(" → ")
                ));
            }
            let (value, _) = self
                .get(name)
                .ok_or_else(|| format!("${{{}}} is not defined", excerpt(name)))?;
            expanding.push(name.to_string());
            self.resolve_into(value, expanding, out, steps)?;
            expanding.pop();
            rest = &after[end + 1..];
        }
        push_bounded(out, rest, text)
    }
}

/// How deep properties may refer to properties: far beyond any real chain.
const MAX_NESTING: usize = 16;
/// The most a resolved value may hold: far beyond any real version, name or path.
const MAX_RESOLVED: usize = 16 * 1024;
/// The most property references one value may expand through.
const MAX_SUBSTITUTIONS: usize = 4096;

fn push_bounded(out: &mut String, piece: &str, text: &str) -> Result<(), String> {
    if out.len() + piece.len() > MAX_RESOLVED {
        return Err(format!(
            "`{}` expands to more than {} KB",
            excerpt(text),
            MAX_RESOLVED / 1024
        ));
    }
    out.push_str(piece);
    Ok(())
}

/// At most 60 characters of a value, for messages.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.3.2</version>
    <relativePath/>
  </parent>
  <artifactId>demo</artifactId>
  <version>1.0</version>
  <properties>
    <java.version>21</java.version>
  </properties>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><scope>test</scope></dependency>
  </dependencies>
  <build>
    <finalName>app</finalName>
    <plugins>
      <plugin>
        <artifactId>maven-shade-plugin</artifactId>
        <executions><execution><configuration><transformers>
          <transformer implementation="org.apache.maven.plugins.shade.resource.ManifestResourceTransformer">
            <mainClass>com.example.Main</mainClass>
          </transformer>
        </transformers></configuration></execution></executions>
      </plugin>
    </plugins>
  </build>
</project>
"#;

    #[test]
    fn reads_coordinates_parent_properties_and_plugin_values() {
        let pom = parse(POM).unwrap();
        assert_eq!(pom.artifact_id, Some(("demo".into(), 10)));
        let parent = pom.parent.unwrap();
        assert_eq!(
            (parent.artifact_id.as_str(), parent.version.as_str(), parent.line),
            ("spring-boot-starter-parent", "3.3.2", 4)
        );
        assert_eq!(parent.relative_path.as_deref(), Some(""));
        assert_eq!(pom.properties["java.version"], ("21".into(), 13));
        assert_eq!(pom.final_name, Some(("app".into(), 20)));
        assert_eq!(pom.dependencies[1].scope.as_deref(), Some("test"));
        let shade = &pom.plugins[0];
        assert_eq!(shade.value("transformer/mainClass"), Some(("com.example.Main", 26)));
        assert!(shade
            .value("transformer@implementation")
            .unwrap()
            .0
            .ends_with("ManifestResourceTransformer"));
    }

    #[test]
    fn malformed_xml_reports_line_and_column() {
        let err = parse("<project>\n  <artifactId>x</artifact>\n</project>")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("2:"), "{err}");
        assert!(parse("<html/>").unwrap_err().to_string().contains("not <project>"));
    }

    #[test]
    fn properties_resolve_recursively_and_report_what_is_missing() {
        let mut props = Props::default();
        props.set("a", "${b}-x", "pom.xml:1".into());
        props.set("b", "1.${c}", "pom.xml:2".into());
        props.set("c", "8", "pom.xml:3".into());
        props.set("loop", "${loop}", "pom.xml:4".into());
        assert_eq!(props.resolve("v${a}").unwrap(), "v1.8-x");
        assert_eq!(props.resolve("${nope}").unwrap_err(), "${nope} is not defined");
        assert!(props.resolve("${loop}").is_err());
    }

    #[test]
    fn expansion_is_bounded_by_size_not_only_depth() {
        // Each level doubles the text: 2^15 copies stay under the depth guard but not under the size cap.
        let mut props = Props::default();
        props.set("p0", "xxxxxxxxxxxxxxxx", "pom.xml:1".into());
        for level in 1..16 {
            props.set(
                &format!("p{level}"),
                &format!("${{p{0}}}${{p{0}}}", level - 1),
                "pom.xml:2".into(),
            );
        }
        let err = props.resolve("${p15}").unwrap_err();
        assert!(err.contains("expands to more than"), "{err}");
        assert_eq!(props.resolve("${p3}").unwrap().len(), 128);
        props.set("p0", "", "pom.xml:1".into());
        let err = props.resolve("${p15}").unwrap_err();
        assert!(err.contains("substitutions"), "{err}");
    }
}
