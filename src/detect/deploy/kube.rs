//! Kubernetes manifests in the repository (`k8s/`, `deploy/`, `manifests/`, …): the container of a workload
//! that runs the program — `containerPort`s, `command`/`args`, `env` values (a `secretKeyRef` is a credential,
//! named only), `workingDir`, and the mount paths of persistent volume claims. Helm templates are not
//! manifests (their `{{ }}` is not YAML) and are skipped.

use std::path::Path;

use marked_yaml::types::{MarkedMappingNode, MarkedSequenceNode};
use marked_yaml::Node;

use super::record::{add_env, Runtime};
use super::syntax::{command_words_of, line_of};
use crate::detect::read_small_text;

/// Folders that conventionally hold a project's manifests, read to this depth below them.
const MANIFEST_DIRS: &[&str] = &[
    "k8s",
    "kubernetes",
    "kube",
    ".k8s",
    "manifests",
    "deploy",
    "deployment",
    "deployments",
];
const MAX_DEPTH: usize = 3;
/// Bounds on what a repository can make this read: files, and documents per file.
const MAX_FILES: usize = 64;
const MAX_DOCUMENTS: usize = 256;

/// One container of a workload, as the contract it describes.
struct Container {
    name: String,
    image: String,
    runtime: Runtime,
}

/// The contract of the one container that runs the program: the container or image named like one of
/// `names` (`ghcr.io/acme/relay:1.4` → `relay`), or the only container of the repository's workloads.
pub(super) fn read(root: &Path, names: &[String]) -> Option<Runtime> {
    let mut containers = Vec::new();
    for file in manifest_files(root) {
        let Some(text) = read_small_text(&root.join(&file)) else {
            continue;
        };
        if text.contains("{{") {
            continue;
        }
        containers.extend(documents(&text).flat_map(|(offset, doc)| workload_containers(&doc, &file, offset)));
    }
    let matching: Vec<&Container> = containers
        .iter()
        .filter(|c| names.iter().any(|n| *n == c.name || *n == image_name(&c.image)))
        .collect();
    match (matching.as_slice(), containers.as_slice()) {
        ([one], _) => Some(one.runtime.clone()),
        ([], [only]) => Some(only.runtime.clone()),
        _ => None,
    }
}

/// `ghcr.io/acme/relay:1.4@sha256:…` → `relay`.
fn image_name(image: &str) -> &str {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split(':').next().unwrap_or(last)
}

/// The YAML files under the manifest folders, in a stable order, never following links.
fn manifest_files(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut queue: Vec<(String, usize)> = MANIFEST_DIRS.iter().map(|d| ((*d).to_string(), 0)).collect();
    while let Some((dir, depth)) = queue.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        let mut entries: Vec<(String, bool)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let kind = e.file_type().ok()?;
                let name = e.file_name().to_str()?.to_string();
                (kind.is_file() || kind.is_dir()).then_some((name, kind.is_dir()))
            })
            .collect();
        entries.sort();
        for (name, is_dir) in entries {
            let rel = format!("{dir}/{name}");
            if is_dir && depth < MAX_DEPTH && !name.starts_with('.') {
                queue.push((rel, depth + 1));
            } else if !is_dir
                && Path::new(&name)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
            {
                found.push(rel);
            }
        }
    }
    found.sort();
    found.truncate(MAX_FILES);
    found
}

/// The documents of a multi-document YAML file (split at `---` lines), each with the number of lines before
/// it; empty or unparsable ones are skipped.
fn documents(text: &str) -> impl Iterator<Item = (usize, Node)> + '_ {
    // (lines before, first byte, end byte) of each document.
    let mut parts = Vec::new();
    let (mut line, mut byte, mut start) = (0, 0, (0, 0));
    for text_line in text.split_inclusive('\n') {
        line += 1;
        byte += text_line.len();
        if text_line.trim_end() == "---" {
            parts.push((start.0, start.1, byte - text_line.len()));
            start = (line, byte);
        }
    }
    parts.push((start.0, start.1, text.len()));
    parts
        .into_iter()
        .take(MAX_DOCUMENTS)
        .filter_map(move |(before, from, to)| Some((before, marked_yaml::parse_yaml(0, &text[from..to]).ok()?)))
}

/// The containers of a workload document (`Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`, `Job`,
/// `CronJob`, `Pod`).
fn workload_containers(doc: &Node, file: &str, offset: usize) -> Vec<Container> {
    let Some(top) = doc.as_mapping() else { return Vec::new() };
    let kind = top
        .get_scalar("kind")
        .map(|k| k.as_str().to_string())
        .unwrap_or_default();
    let pod = match kind.as_str() {
        "Pod" => top.get_mapping("spec"),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => top
            .get_mapping("spec")
            .and_then(|s| s.get_mapping("template"))
            .and_then(|t| t.get_mapping("spec")),
        "CronJob" => top
            .get_mapping("spec")
            .and_then(|s| s.get_mapping("jobTemplate"))
            .and_then(|j| j.get_mapping("spec"))
            .and_then(|s| s.get_mapping("template"))
            .and_then(|t| t.get_mapping("spec")),
        _ => None,
    };
    let Some(pod) = pod else { return Vec::new() };
    let claims = claim_volumes(pod, top);
    let at = |node: &Node| format!("{file}:{}", offset + line_of(node));
    pod.get_sequence("containers")
        .map(|list| {
            list.iter()
                .filter_map(Node::as_mapping)
                .map(|c| container(c, &claims, &at))
                .collect()
        })
        .unwrap_or_default()
}

/// Names of the pod's volumes that persist data: persistent volume claims, and a `StatefulSet`'s claim
/// templates.
fn claim_volumes(pod: &MarkedMappingNode, top: &MarkedMappingNode) -> Vec<String> {
    let mut names: Vec<String> = items(pod.get_sequence("volumes"))
        .filter_map(Node::as_mapping)
        .filter(|v| v.get_node("persistentVolumeClaim").is_some())
        .filter_map(|v| v.get_scalar("name").map(|n| n.as_str().to_string()))
        .collect();
    names.extend(
        items(
            top.get_mapping("spec")
                .and_then(|s| s.get_sequence("volumeClaimTemplates")),
        )
        .filter_map(Node::as_mapping)
        .filter_map(|t| {
            t.get_mapping("metadata")?
                .get_scalar("name")
                .map(|n| n.as_str().to_string())
        }),
    );
    names
}

fn container(node: &MarkedMappingNode, claims: &[String], at: &dyn Fn(&Node) -> String) -> Container {
    let text = |key: &str| node.get_scalar(key).map(|s| s.as_str().to_string()).unwrap_or_default();
    let mut runtime = Runtime::default();
    let words = |key: &str| -> Option<(Vec<String>, String)> {
        let list = node.get_node(key)?;
        Some((command_words_of(list)?, at(list)))
    };
    match (words("command"), words("args")) {
        (Some((mut command, source)), args) => {
            command.extend(args.map(|(a, _)| a).unwrap_or_default());
            runtime.command = Some((command, source));
        }
        (None, Some(args)) => runtime.entry_args = Some(args),
        (None, None) => {}
    }
    for port in items(node.get_sequence("ports")) {
        let Some(entry) = port.as_mapping() else { continue };
        let number = entry
            .get_scalar("containerPort")
            .and_then(|p| p.as_str().parse::<u16>().ok());
        let protocol = entry.get_scalar("protocol").map_or("TCP", |p| p.as_str());
        if let Some(number) = number {
            runtime.add_port(number, protocol, &at(port));
        }
    }
    for entry in items(node.get_sequence("env")) {
        let Some(pair) = entry.as_mapping() else { continue };
        let Some(name) = pair.get_scalar("name").map(|n| n.as_str().to_string()) else {
            continue;
        };
        let secret = pair
            .get_mapping("valueFrom")
            .is_some_and(|from| from.get_node("secretKeyRef").is_some());
        if secret {
            if crate::validate::is_env_name(&name) {
                runtime.secret_env.push((name, at(entry)));
            }
        } else if let Some(value) = pair.get_scalar("value") {
            add_env(&mut runtime, name, Some(value.as_str().to_string()), &at(entry));
        }
    }
    for mount in items(node.get_sequence("volumeMounts")) {
        let Some(mount_map) = mount.as_mapping() else { continue };
        let persistent = mount_map
            .get_scalar("name")
            .is_some_and(|n| claims.iter().any(|c| c == n.as_str()));
        if let Some(path) = mount_map.get_scalar("mountPath").filter(|_| persistent) {
            if path.as_str().starts_with('/') {
                runtime.volumes.push((path.as_str().to_string(), at(mount)));
            }
        }
    }
    if let Some(dir) = node.get_node("workingDir") {
        let value = dir.as_scalar().map(|s| s.as_str().trim_end_matches('/').to_string());
        runtime.workdir = value.filter(|d| crate::validate::is_app_dir(d)).map(|d| (d, at(dir)));
    }
    Container {
        name: text("name"),
        image: text("image"),
        runtime,
    }
}

/// The entries of an optional YAML list.
fn items(list: Option<&MarkedSequenceNode>) -> impl Iterator<Item = &Node> {
    list.into_iter().flat_map(|l| l.iter())
}

/// Every reader on arbitrary text, for the fuzz target.
pub(crate) fn fuzz_text(text: &str) -> usize {
    documents(text)
        .flat_map(|(offset, doc)| workload_containers(&doc, "k8s/app.yaml", offset))
        .map(|c| c.runtime.ports.len() + c.runtime.env.len() + c.name.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: relay\n---\napiVersion: apps/v1\n\
kind: StatefulSet\nmetadata:\n  name: relay\nspec:\n  template:\n    spec:\n      containers:\n        \
- name: relay\n          image: ghcr.io/acme/relay:1.4\n          args: [\"serve\", \"--debug\"]\n          \
ports:\n            - containerPort: 3592\n            - containerPort: 3593\n          env:\n            \
- name: RELAY_MODE\n              value: edge\n            - name: RELAY_DB\n              valueFrom:\n                \
secretKeyRef: {name: db, key: url}\n          volumeMounts:\n            - name: data\n              \
mountPath: /var/lib/relay\n            - name: config\n              mountPath: /etc/relay\n      volumes:\n        \
- name: config\n          configMap: {name: relay}\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n";

    #[test]
    fn a_workloads_container_is_its_contract() {
        let containers: Vec<Container> = documents(MANIFEST)
            .flat_map(|(offset, doc)| workload_containers(&doc, "k8s/relay.yaml", offset))
            .collect();
        assert_eq!(containers.len(), 1);
        let relay = &containers[0].runtime;
        assert_eq!(image_name(&containers[0].image), "relay");
        assert_eq!(
            relay.ports,
            vec![(3592, "k8s/relay.yaml:18".into()), (3593, "k8s/relay.yaml:19".into())]
        );
        assert_eq!(
            relay.entry_args,
            Some((vec!["serve".into(), "--debug".into()], "k8s/relay.yaml:16".into()))
        );
        assert_eq!(
            relay.env,
            vec![(("RELAY_MODE".into(), "edge".into()), "k8s/relay.yaml:21".into())]
        );
        assert_eq!(relay.secret_env, vec![("RELAY_DB".into(), "k8s/relay.yaml:23".into())]);
        assert_eq!(
            relay.volumes,
            vec![("/var/lib/relay".into(), "k8s/relay.yaml:27".into())],
            "a config map mount is configuration, not data"
        );
    }

    #[test]
    fn separators_and_bounds() {
        let workloads = |text: &str| {
            documents(text)
                .flat_map(|(offset, doc)| workload_containers(&doc, "k.yaml", offset))
                .count()
        };
        assert_eq!(workloads("---\n---\n"), 0);
        let many = "kind: Pod\nspec:\n  containers: [{name: a}]\n---\n".repeat(MAX_DOCUMENTS * 4);
        assert_eq!(workloads(&many), MAX_DOCUMENTS);
        assert_eq!(image_name("registry:5000/a/b:1@sha256:00"), "b");
    }
}
