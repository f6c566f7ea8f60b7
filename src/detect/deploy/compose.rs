//! Compose files: the service built from the app's folder, as a runtime contract (ports, command,
//! environment, named volumes), and which service builds a folder at all.

use super::record::{add_env, add_service_env, Link, Runtime};
use super::syntax::{command_words_of, line_of, through_shell};
use crate::validate;

/// Compose files, in the order Compose itself prefers them.
pub(super) const COMPOSE_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The commands of the services of a compose file that publish ports (`command: ["/server"]` beside `ports:
/// ["8080:8080"]`), each with its line: the programs it serves, where one image holds several. Whether a command
/// is one of the repository's programs is for the caller to match.
pub(super) fn served_commands(text: &str, file: &str) -> Vec<(Vec<String>, String)> {
    let Ok(doc) = marked_yaml::parse_yaml(0, text) else {
        return Vec::new();
    };
    let Some(services) = doc.as_mapping().and_then(|d| d.get_mapping("services")) else {
        return Vec::new();
    };
    services
        .iter()
        .filter_map(|(_, service)| service.as_mapping())
        .filter(|service| service.get_sequence("ports").is_some_and(|ports| !ports.is_empty()))
        .filter_map(|service| {
            let node = service.get_node("command").or_else(|| service.get_node("entrypoint"))?;
            let (words, _) = through_shell(command_words_of(node)?);
            (!words.is_empty()).then(|| (words, format!("{file}:{}", line_of(node))))
        })
        .collect()
}

/// Whether a file name is a production compose file: `docker-compose.prod.yml`, `compose-production.yaml`,
/// `docker-compose_prod.yml`.
pub(super) fn is_production_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower.strip_suffix(".yml").or_else(|| lower.strip_suffix(".yaml")) else {
        return false;
    };
    let Some(rest) = stem
        .strip_prefix("docker-compose")
        .or_else(|| stem.strip_prefix("compose"))
    else {
        return false;
    };
    rest.strip_prefix(['.', '-', '_'])
        .is_some_and(|env| matches!(env, "prod" | "production"))
}

/// The compose service built from the folder `wanted` (relative to the compose file: `build: .`,
/// `build: {context: ./api}`).
pub(super) fn compose_service(text: &str, file: &str, wanted: &str) -> Option<Runtime> {
    let doc = marked_yaml::parse_yaml(0, text).ok()?;
    let (name, service, _) = built_service(&doc, wanted)?;
    let others: Vec<&str> = doc
        .as_mapping()
        .and_then(|d| d.get_mapping("services"))
        .map(|services| {
            services
                .iter()
                .filter(|(_, other)| !other.as_mapping().is_some_and(|m| std::ptr::eq(m, service)))
                .map(|(name, _)| name.as_str())
                .collect()
        })
        .unwrap_or_default();
    let mut found = Runtime {
        service_name: Some((name.to_string(), file.to_string())),
        ..Runtime::default()
    };
    let at = |node: &marked_yaml::Node| format!("{file}:{}", line_of(node));
    let mut variables: Vec<(String, Option<String>, String)> = Vec::new();
    if let Some(ports) = service.get_sequence("ports") {
        for entry in ports.iter() {
            let target = match entry {
                marked_yaml::Node::Scalar(s) => compose_port(s.as_str()),
                marked_yaml::Node::Mapping(m) => m.get_scalar("target").and_then(|t| {
                    let protocol = m.get_scalar("protocol").map_or("tcp", |p| p.as_str());
                    Some((t.as_str().parse().ok()?, protocol.to_string()))
                }),
                marked_yaml::Node::Sequence(_) => None,
            };
            // A development tool's port (Vite's HMR websocket) is never where the built app answers.
            if let Some((port, protocol)) =
                target.filter(|(port, _)| !crate::knowledge::services::is_dev_tool_port(*port))
            {
                found.add_port(port, &protocol, &at(entry));
            }
        }
    }
    if let Some(node) = service.get_node("command") {
        found.command = command_words_of(node).map(|words| {
            let words = words.iter().map(|word| with_defaults(word)).collect();
            let (words, steps) = through_shell(words);
            found.steps_before = steps;
            (words, at(node))
        });
    }
    match service.get_node("environment") {
        Some(marked_yaml::Node::Mapping(map)) => {
            for (name, node) in map.iter() {
                let value = node.as_scalar().map(|v| v.as_str().to_string());
                variables.push((name.as_str().to_string(), value, at(node)));
            }
        }
        Some(marked_yaml::Node::Sequence(list)) => {
            for entry in list.iter() {
                let Some(text) = entry.as_scalar() else { continue };
                let (name, value) = match text.as_str().split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (text.as_str().to_string(), None),
                };
                variables.push((name, value, at(entry)));
            }
        }
        _ => {}
    }
    found.links = linked_services(&doc, service, &variables, &others, file);
    for (name, value, source) in variables {
        add_variable(&mut found, name, value, &source, &others);
    }
    if let Some(volumes) = service.get_sequence("volumes") {
        // Named and anonymous volumes hold data; a bind mount of a host folder (`./src:/app`) is a development
        // convenience, not part of how the image runs, and so is an anonymous volume inside one or any volume on
        // node_modules (`/app/node_modules`: it keeps the mounted sources from hiding the container's packages).
        let binds: Vec<String> = volumes
            .iter()
            .filter_map(volume_mount)
            .filter_map(|mount| mount.bind.then_some(mount.target))
            .collect();
        let under_bind = |path: &str| binds.iter().any(|bind| crate::detect::inside(path, bind).is_some());
        for entry in volumes.iter() {
            let Some(mount) = volume_mount(entry).filter(|m| !m.bind) else {
                continue;
            };
            let packages = mount.target.rsplit('/').next() == Some("node_modules");
            let trick = packages || (mount.anonymous && under_bind(&mount.target));
            if mount.target.starts_with('/') && !mount.target.contains('$') && !trick {
                found.volumes.push((mount.target, at(entry)));
            }
        }
    }
    // `working_dir` is left out: in a compose file it goes with a bind mount of the sources, for development.
    Some(found)
}

/// A service's volume entry: where it is mounted in the container, and whether it binds a host folder or is an
/// anonymous volume (no source).
struct Mount {
    target: String,
    bind: bool,
    anonymous: bool,
}

fn volume_mount(entry: &marked_yaml::Node) -> Option<Mount> {
    let mount = |target: &str, bind, anonymous| {
        Some(Mount {
            target: target.to_string(),
            bind,
            anonymous,
        })
    };
    match entry {
        marked_yaml::Node::Scalar(s) => match s.as_str().split(':').collect::<Vec<_>>().as_slice() {
            [only] => mount(only, false, true),
            [source, target, ..] => mount(target, source.starts_with(['.', '/', '~', '$']), false),
            [] => None,
        },
        marked_yaml::Node::Mapping(m) => {
            let target = m.get_scalar("target")?.as_str();
            match m.get_scalar("type").map_or("volume", |t| t.as_str()) {
                "volume" => mount(target, false, m.get_scalar("source").is_none()),
                "bind" => mount(target, true, false),
                _ => None,
            }
        }
        marked_yaml::Node::Sequence(_) => None,
    }
}

/// The other services of the file the app's service talks to, by image: those it `depends_on`, and those a
/// variable's value names (`MONGODB_URL=mongodb://mongodb:27017`), with that variable.
fn linked_services(
    doc: &marked_yaml::Node,
    service: &marked_yaml::types::MarkedMappingNode,
    variables: &[(String, Option<String>, String)],
    others: &[&str],
    file: &str,
) -> Vec<(Link, String)> {
    let image_of = |name: &str| -> Option<String> {
        let services = doc.as_mapping()?.get_mapping("services")?;
        let image = services.get_mapping(name)?.get_scalar("image")?;
        Some(image.as_str().to_string())
    };
    let at = |node: &marked_yaml::Node| format!("{file}:{}", line_of(node));
    let mut links: Vec<(Link, String)> = Vec::new();
    let mut link = |image: Option<String>, variable: Option<(String, bool)>, source: String| {
        if let Some(image) = image {
            let link = Link { image, variable };
            if !links.iter().any(|(known, _)| *known == link) {
                links.push((link, source));
            }
        }
    };
    match service.get_node("depends_on") {
        Some(marked_yaml::Node::Sequence(list)) => {
            for entry in list.iter() {
                if let Some(name) = entry.as_scalar() {
                    link(image_of(name.as_str()), None, at(entry));
                }
            }
        }
        Some(marked_yaml::Node::Mapping(map)) => {
            for (name, node) in map.iter() {
                link(image_of(name.as_str()), None, at(node));
            }
        }
        _ => {}
    }
    for (name, value, source) in variables {
        if let Some(host) = value.as_deref().and_then(host_of).filter(|host| others.contains(host)) {
            let is_url = value.as_deref().is_some_and(|v| v.contains("://"));
            link(image_of(host), Some((name.clone(), is_url)), source.clone());
        }
    }
    links
}

/// A variable of the service: one whose value names another service of the file (as a URL's host or
/// `host:port`) is kept by name only, for run time; the others as `add_env` keeps them, credentials (by name or
/// a password in the URL) among them.
fn add_variable(found: &mut Runtime, name: String, value: Option<String>, source: &str, others: &[&str]) {
    let credential = validate::looks_secret(&name) || value.as_deref().is_some_and(validate::holds_password);
    let elsewhere = value
        .as_deref()
        .is_some_and(|v| host_of(v).is_some_and(|host| others.contains(&host)) || network_only_host(&name, v));
    if !credential && elsewhere {
        add_service_env(found, name, source);
        return;
    }
    add_env(found, name, value, source);
}

/// Whether a value addresses a host by a bare name that only a container network resolves (`redis`, `mongo`: a
/// service of another compose file or of the cluster): a URL's host or `host:port` without a dot, or the whole
/// value of a `…HOST` variable. `localhost` is the container itself (`names_loopback_service`).
fn network_only_host(name: &str, value: &str) -> bool {
    let Some(host) = host_of(value) else { return false };
    let bare = host != "localhost"
        && host.starts_with(|c: char| c.is_ascii_alphabetic())
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let addressed = value.contains("://")
        || value
            .strip_prefix(host)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|port| !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()))
        || (value == host && name.to_ascii_uppercase().ends_with("HOST"));
    bare && addressed
}

/// The host a value names: `mongodb://user:pw@mongodb:27017/app` → `mongodb`, `redis:6379` → `redis`, `db`
/// → `db`.
pub(super) fn host_of(value: &str) -> Option<&str> {
    let rest = value.split_once("://").map_or(value, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let host = rest.split([':', '/', '?', '#', ',']).next()?;
    (!host.is_empty()).then_some(host)
}

/// The compose service that builds the folder `wanted`: its build context, or the folder of the Dockerfile it
/// builds with (`context: .` + `dockerfile: apps/api/Dockerfile`, the usual shape in a workspace); its name,
/// and its `build` node.
pub(super) fn built_service<'a>(
    doc: &'a marked_yaml::Node,
    wanted: &str,
) -> Option<(
    &'a str,
    &'a marked_yaml::types::MarkedMappingNode,
    &'a marked_yaml::Node,
)> {
    let services = doc.as_mapping()?.get_mapping("services")?;
    services
        .iter()
        .filter_map(|(name, service)| Some((name.as_str(), service.as_mapping()?)))
        .filter_map(|(name, service)| {
            let build = service.get_node("build")?;
            let (context, dockerfile) = match build {
                marked_yaml::Node::Scalar(s) => (s.as_str(), None),
                marked_yaml::Node::Mapping(m) => (
                    m.get_scalar("context").map_or(".", |s| s.as_str()),
                    m.get_scalar("dockerfile")
                        .map(marked_yaml::types::MarkedScalarNode::as_str),
                ),
                marked_yaml::Node::Sequence(_) => return None,
            };
            let dockerfile_dir = dockerfile
                .and_then(|file| file.rsplit_once('/'))
                .map(|(dir, _)| format!("{}/{dir}", context.trim_end_matches('/')));
            let builds = same_folder(context, wanted) && dockerfile_dir.is_none()
                || dockerfile_dir.is_some_and(|dir| same_folder(&dir, wanted));
            builds.then(|| (dockerfile_rank(name, dockerfile), name, service, build))
        })
        .min_by_key(|(rank, ..)| *rank)
        .map(|(_, name, service, build)| (name, service, build))
}

/// The stage of its Dockerfile that the service built from `wanted` builds (`build: {target: production}`),
/// with that Dockerfile's file name when the service names one.
pub(super) fn build_target(text: &str, wanted: &str) -> Option<(Option<String>, String)> {
    let doc = marked_yaml::parse_yaml(0, text).ok()?;
    let (_, _, marked_yaml::Node::Mapping(build)) = built_service(&doc, wanted)? else {
        return None;
    };
    let target = build.get_scalar("target")?.as_str().to_string();
    let file = build
        .get_scalar("dockerfile")
        .map(|f| f.as_str().rsplit('/').next().unwrap_or_default().to_string());
    Some((file, target))
}

/// How surely a service building the app's folder builds the app itself: the folder's own Dockerfile first
/// (none named, `Dockerfile`, `Containerfile`), a variant next (`Dockerfile.prod`), and last one named after
/// the service (`maildev.Dockerfile` for `maildev`): a helper image built from the same folder.
fn dockerfile_rank(service: &str, dockerfile: Option<&str>) -> u8 {
    let Some(file) = dockerfile else { return 0 };
    let name = file.rsplit('/').next().unwrap_or(file).to_ascii_lowercase();
    if name == "dockerfile" || name == "containerfile" {
        return 0;
    }
    let service = service.to_ascii_lowercase();
    let stem = name
        .strip_suffix(".dockerfile")
        .or_else(|| name.strip_prefix("dockerfile."))
        .unwrap_or(&name);
    if stem == service {
        2
    } else {
        1
    }
}

/// Whether two relative folder names are the same folder (`./api/` and `api`, `.` and `./`).
fn same_folder(a: &str, b: &str) -> bool {
    let normal = |s: &str| {
        let s = s.trim_end_matches('/');
        let s = s.strip_prefix("./").unwrap_or(s);
        if s.is_empty() {
            ".".to_string()
        } else {
            s.to_string()
        }
    };
    normal(a) == normal(b)
}

/// The container port of a compose `ports` entry and its protocol: `"8080"`, `"80:8080"`,
/// `"127.0.0.1:80:8080/tcp"`, `"53:53/udp"`.
/// A word with compose's interpolation of the variables that have a default (`${CONFIG-gunicorn.conf.py}`,
/// `${WORKERS:-4}`) done as compose does it where they are unset; other variables are left as written.
fn with_defaults(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}').map(|e| start + e) else {
            break;
        };
        let inner = &rest[start + 2..end];
        let (name, default) = inner
            .split_once(":-")
            .or_else(|| inner.split_once('-'))
            .unwrap_or((inner, ""));
        let plain = crate::validate::is_env_name(name) && !default.contains(['$', '{']);
        out.push_str(&rest[..start]);
        if plain && inner.len() > name.len() {
            out.push_str(default);
        } else {
            out.push_str(&rest[start..=end]);
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn compose_port(entry: &str) -> Option<(u16, String)> {
    let (ports, protocol) = entry.split_once('/').unwrap_or((entry, "tcp"));
    Some((ports.rsplit(':').next()?.parse().ok()?, protocol.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_helper_image_built_from_the_same_folder_is_not_the_app() {
        let text = "services:\n  maildev:\n    build:\n      context: .\n      dockerfile: maildev.Dockerfile\n    \
                    ports: [\"1080:1080\"]\n  api:\n    build:\n      context: .\n      dockerfile: Dockerfile\n    \
                    ports: [\"3001:3001\"]\n";
        let found = compose_service(text, "compose.yaml", ".").unwrap();
        assert_eq!(found.ports.iter().map(|(p, _)| *p).collect::<Vec<_>>(), [3001]);
    }

    #[test]
    fn a_development_tools_port_is_not_the_apps() {
        let text = "services:\n  app:\n    build: .\n    ports:\n      - \"3000:3000\"\n      - \"24678:24678\" # for Vite HMR\n      \
                    - \"9229:9229\"\n";
        let found = compose_service(text, "docker-compose.yml", ".").unwrap();
        assert_eq!(found.ports.iter().map(|(p, _)| *p).collect::<Vec<_>>(), [3000]);
    }

    #[test]
    fn values_naming_another_service_are_kept_for_run_time() {
        let text = "services:\n  app:\n    build: .\n    environment:\n      MONGODB_URL: mongodb://mongodb:27017/app\n      \
                    CACHE: redis:6379\n      DB: postgres://u:pw@db/x\n      LOG_LEVEL: info\n      PUBLIC_URL: https://example.com\n  mongodb:\n    image: mongo:7\n  \
                    redis:\n    image: redis:7\n  db:\n    image: postgres:16\n";
        let found = compose_service(text, "compose.yaml", ".").unwrap();
        let wired: Vec<&str> = found.service_env.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(wired, vec!["MONGODB_URL", "CACHE"]);
        let plain: Vec<&str> = found.env.iter().map(|((n, _), _)| n.as_str()).collect();
        assert_eq!(plain, vec!["LOG_LEVEL", "PUBLIC_URL"]);
        let secret: Vec<&str> = found.secret_env.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(secret, vec!["DB"], "a password in the URL keeps it a credential");
        assert_eq!(host_of("postgres://u:p@db:5432/x"), Some("db"));
        assert_eq!(host_of("db"), Some("db"));
    }

    #[test]
    fn values_naming_a_host_only_a_container_network_resolves_are_kept_for_run_time() {
        // The services are not in this file (another compose file, a cluster): the bare host names say so.
        let text = "services:\n  app:\n    build: .\n    environment:\n      - REDIS_QUEUE_HOST=redis\n      \
                    - MONGOOSE_URL=mongodb://mongo:27017/app\n      - SEARCH=search-node:9200\n      - NODE_ENV=production\n      \
                    - HOST=0.0.0.0\n      - API_URL=https://api.example.com\n      - SELF=http://localhost:3000\n      \
                    - MODE=cluster\n      - database.host=quarkus-postgres\n";
        let found = compose_service(text, "compose.yaml", ".").unwrap();
        let wired: Vec<&str> = found.service_env.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(wired, vec!["REDIS_QUEUE_HOST", "MONGOOSE_URL", "SEARCH"]);
        let plain: Vec<&str> = found.env.iter().map(|((n, _), _)| n.as_str()).collect();
        assert_eq!(plain, vec!["NODE_ENV", "HOST", "API_URL", "SELF", "MODE"]);
        // A name no shell can export (a Java property) is no variable, wherever its value points.
        assert!(!found
            .service_env
            .iter()
            .chain(&found.secret_env)
            .any(|(n, _)| n.contains('.')));
    }

    #[test]
    fn the_compose_service_built_here() {
        let text = "services:\n  db:\n    image: postgres\n    ports: [\"5432:5432\"]\n  api:\n    build: .\n    \
            ports:\n      - \"8081:8080\"\n      - target: 9090\n    command: [\"serve\", \"--debug\"]\n    environment:\n      \
            LOG_LEVEL: info\n      API_TOKEN: x\n      COMPOSE_PROFILES: prod\n    volumes:\n      - data:/var/lib/app\n      - ./conf:/etc/app:ro\n      - .:/srv\n      - /srv/node_modules\n      - \
            type: volume\n        target: /srv/.next\n      - uploads:/srv/uploads\n      - modules:/opt/node_modules\n";
        let found = compose_service(text, "compose.yaml", ".").unwrap();
        assert_eq!(
            found.ports.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
            vec![8080, 9090]
        );
        assert_eq!(found.ports[0].1, "compose.yaml:8");
        assert_eq!(found.command.unwrap().0, vec!["serve", "--debug"]);
        assert_eq!(
            found.env,
            vec![(("LOG_LEVEL".into(), "info".into()), "compose.yaml:12".into())]
        );
        assert_eq!(found.secret_env[0].0, "API_TOKEN");
        let volumes: Vec<&str> = found.volumes.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(
            volumes,
            vec!["/var/lib/app", "/srv/uploads"],
            "a bind mount of a host folder is not a volume, nor an anonymous volume inside one or one on node_modules"
        );
    }

    #[test]
    fn variables_with_defaults_are_interpolated_as_compose_does() {
        assert_eq!(
            with_defaults("--config=${CONFIG-gunicorn.conf.py}"),
            "--config=gunicorn.conf.py"
        );
        assert_eq!(with_defaults("${WORKERS:-4}x${HOST}"), "4x${HOST}");
        assert_eq!(with_defaults("${PORT}"), "${PORT}");
        assert_eq!(with_defaults("${A-${B}}"), "${A-${B}}");
        assert_eq!(with_defaults("${unclosed"), "${unclosed");
    }

    #[test]
    fn compose_ports_by_protocol() {
        assert_eq!(compose_port("127.0.0.1:5353:53/udp"), Some((53, "udp".into())));
        assert_eq!(compose_port("8080"), Some((8080, "tcp".into())));
    }
}
