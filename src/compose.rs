//! compose.yaml: the app's service, built from the generated Dockerfile, and the backing services it talks to
//! (knowledge/services), planned from the run's resolved values. Pure: values in, the template's context out;
//! `templates/compose/compose.yaml.tera` prints it.

use serde_json::{json, Map, Value};

use crate::knowledge::services::{self as known, Service};

/// A variable of the app's service: its value, and why it is there when the repository did not say.
struct Variable {
    name: String,
    value: String,
    note: Option<String>,
    /// Written by its common name: no file says the app reads it.
    guessed: bool,
}

/// Compose files, in the order Compose itself prefers them: an existing one is the file dockgen rewrites.
pub(crate) const FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// The names of the services compose.yaml can run (`--services`).
pub(crate) fn runnable_services() -> Vec<&'static str> {
    known::all()
        .iter()
        .filter(|s| s.image.is_some())
        .map(|s| s.name.as_str())
        .collect()
}

/// The services to run: `--services` (`none` for none) when given, else the detected `backing_services`.
pub(crate) fn services(given: Option<&[String]>, values: &Map<String, Value>) -> Vec<&'static Service> {
    let names: Vec<String> = match given {
        Some(names) => names.iter().filter(|n| *n != "none").cloned().collect(),
        None => values
            .get("backing_services")
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
    };
    let mut services: Vec<&'static Service> = Vec::new();
    for name in names {
        if let Some(service) = known::named(&name).filter(|s| s.image.is_some()) {
            if !services.iter().any(|known| std::ptr::eq(*known, service)) {
                services.push(service);
            }
        }
    }
    services
}

/// One app of the compose file: built from its Dockerfile, with the services it talks to.
pub(crate) struct App<'a> {
    /// The app's resolved values: answers, facts and the run's inputs.
    pub(crate) values: &'a Map<String, Value>,
    /// The image's name (`api`), which names the app's service.
    pub(crate) image: String,
    /// The preset's stack (`go`): which connection string form its drivers take.
    pub(crate) stack: &'a str,
    /// The backing services it talks to.
    pub(crate) services: Vec<&'static Service>,
    /// The build context, relative to the compose file's folder (`.`, `../..`).
    pub(crate) context: String,
    /// The Dockerfile, relative to the build context.
    pub(crate) dockerfile: String,
}

/// What the compose file is planned from: the apps (one, or every app of a repository with `--all`) and what
/// the project's compose file that is rewritten already says.
pub(crate) struct Request<'a> {
    pub(crate) apps: Vec<App<'a>>,
    pub(crate) existing: Existing,
}

/// What a project's compose file says that a rewrite keeps or loses.
#[derive(Debug, Default)]
pub(crate) struct Existing {
    /// The service that builds the app: its name, which override files extend.
    pub(crate) app: Option<String>,
    /// The app service's `env_file`s, kept (as optional files).
    pub(crate) env_files: Vec<String>,
    /// The other services, neither the app nor the first of a backing service's kind dockgen runs: lost by the
    /// rewrite.
    pub(crate) dropped: Vec<String>,
    /// What the file says of the backing services dockgen keeps (their names, users, databases, init scripts):
    /// the rewrite keeps that, as the project's env files, overrides and init scripts rely on it.
    pub(crate) identities: Vec<Identity>,
    /// The file is there but dockgen cannot read its services (YAML anchors and merge keys, a syntax error):
    /// what a rewrite loses cannot be said.
    pub(crate) unreadable: bool,
}

/// Reads a project's compose file (`text`): the app's service (`app`, the name detection found building the
/// app, else the first that builds), its env files, and the services a rewrite drops: every other service but
/// those of a kind in `kept` (the backing services the new file runs). A file without readable services is
/// `unreadable`.
pub(crate) fn existing(text: &str, app: Option<&str>, kept: &[&'static Service]) -> Existing {
    let mut found = Existing::default();
    let doc = marked_yaml::parse_yaml(0, text).ok();
    let Some(services) = doc.as_ref().and_then(|d| d.as_mapping()?.get_mapping("services")) else {
        found.unreadable = true;
        return found;
    };
    let app = app
        .filter(|name| services.get_mapping(name).is_some())
        .map(str::to_string)
        .or_else(|| {
            services
                .iter()
                .find(|(_, s)| s.as_mapping().is_some_and(|s| s.get_node("build").is_some()))
                .map(|(name, _)| name.as_str().to_string())
        });
    let mut kinds_seen: Vec<String> = Vec::new();
    for (name, service) in services.iter() {
        let Some(service) = service.as_mapping() else { continue };
        let name = name.as_str().to_string();
        if Some(&name) == app.as_ref() {
            match service.get_node("env_file") {
                Some(marked_yaml::Node::Scalar(file)) => found.env_files.push(file.as_str().to_string()),
                Some(marked_yaml::Node::Sequence(files)) => found.env_files.extend(files.iter().filter_map(|f| {
                    let path = f.as_scalar().or_else(|| f.as_mapping()?.get_scalar("path"))?;
                    Some(path.as_str().to_string())
                })),
                _ => {}
            }
            found
                .env_files
                .retain(|f| crate::validate::context_path(f.trim_start_matches("./")).is_ok());
            continue;
        }
        let kept_kind = service
            .get_scalar("image")
            .and_then(|image| known::by_image(image.as_str()))
            .filter(|kind| kept.iter().any(|k| std::ptr::eq(*k, *kind)));
        match kept_kind {
            Some(kind) => {
                // The new file runs one service of a kind: another one (a replica, an arbiter) is dropped.
                if kinds_seen.contains(&kind.name) {
                    found.dropped.push(name);
                    continue;
                }
                kinds_seen.push(kind.name.clone());
                let clashes = kept.iter().any(|k| k.name == name && !std::ptr::eq(*k, kind));
                let environment = environment_of(service);
                // The user and database the project created it with (`POSTGRES_USER: notes`): plain names
                // only, and never MySQL's root, which its image keeps for itself.
                let configured = |placeholder: &str| {
                    let (variable, _) = kind.environment.iter().find(|(_, value)| *value == placeholder)?;
                    let (_, value) = environment.iter().find(|(name, _)| name == variable)?;
                    let plain = !value.is_empty()
                        && value.len() <= 63
                        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    (plain && value != "root").then(|| value.clone())
                };
                found.identities.push(Identity {
                    kind: kind.name.clone(),
                    name: (sanitize(&name) == name && !clashes).then(|| name.clone()),
                    user: configured("{user}"),
                    database: configured("{database}"),
                    init_mounts: init_mounts(service, kind),
                });
            }
            None => found.dropped.push(name),
        }
    }
    found.app = app.filter(|n| n.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
    found
}

/// A compose service's `environment`, as a mapping or as a list of `NAME=value`.
fn environment_of(service: &marked_yaml::types::MarkedMappingNode) -> Vec<(String, String)> {
    match service.get_node("environment") {
        Some(marked_yaml::Node::Mapping(pairs)) => pairs
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_string(), value.as_scalar()?.as_str().to_string())))
            .collect(),
        Some(marked_yaml::Node::Sequence(items)) => items
            .iter()
            .filter_map(|item| {
                let (name, value) = item.as_scalar()?.as_str().split_once('=')?;
                Some((name.to_string(), value.to_string()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The bind mounts of a project's service into its kind's init folder (`./article.sql:/docker-entrypoint-
/// initdb.d/init.sql`, short or long syntax), read-only: files of the repository, named by a relative path.
fn init_mounts(service: &marked_yaml::types::MarkedMappingNode, kind: &Service) -> Vec<String> {
    let Some(folder) = kind.init.as_deref() else {
        return Vec::new();
    };
    let Some(volumes) = service.get_sequence("volumes") else {
        return Vec::new();
    };
    volumes
        .iter()
        .filter_map(|volume| {
            let (source, target) = match volume {
                marked_yaml::Node::Scalar(short) => {
                    let mut parts = short.as_str().split(':');
                    (parts.next()?.to_string(), parts.next()?.to_string())
                }
                marked_yaml::Node::Mapping(long) => (
                    long.get_scalar("source")?.as_str().to_string(),
                    long.get_scalar("target")?.as_str().to_string(),
                ),
                marked_yaml::Node::Sequence(_) => return None,
            };
            let in_folder = target.trim_end_matches('/') == folder
                || target.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'));
            let relative = source.starts_with("./") || source.starts_with("../");
            let plain = |path: &str| path.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
            (in_folder && relative && plain(&source) && plain(&target)).then(|| format!("{source}:{target}:ro"))
        })
        .collect()
}

/// A backing service as the project's compose file ran it: the service name (`db`), user and database it gave
/// it and the init scripts it mounted (`./schema.sql:/docker-entrypoint-initdb.d/schema.sql:ro`), each kept by
/// the rewrite.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Identity {
    pub(crate) kind: String,
    pub(crate) name: Option<String>,
    pub(crate) user: Option<String>,
    pub(crate) database: Option<String>,
    pub(crate) init_mounts: Vec<String>,
}

/// How this file runs each backing service: as the project's compose file did, else as its kind does.
struct Identities<'a>(&'a [Identity]);

impl<'a> Identities<'a> {
    fn of(&self, service: &Service) -> Option<&'a Identity> {
        self.0.iter().find(|identity| identity.kind == service.name)
    }

    /// The service's name in the file, which is its host name for the app.
    fn host(&self, service: &'a Service) -> &'a str {
        self.of(service)
            .and_then(|identity| identity.name.as_deref())
            .unwrap_or(&service.name)
    }

    /// The user it runs with: the project's, else its kind's; none for a kind without users (Redis).
    fn user(&self, service: &'a Service) -> Option<&'a str> {
        self.kept_or_default(service, service.user.as_deref(), |identity| identity.user.as_deref())
    }

    /// Its database: the project's, else its kind's; none for a kind without databases.
    fn database(&self, service: &'a Service) -> Option<&'a str> {
        self.kept_or_default(service, service.database.as_deref(), |identity| {
            identity.database.as_deref()
        })
    }

    /// What the project's file gave the service, else the kind's `default`; none when the kind has no default.
    fn kept_or_default(
        &self,
        service: &Service,
        default: Option<&'a str>,
        kept: impl Fn(&'a Identity) -> Option<&'a str>,
    ) -> Option<&'a str> {
        default.map(|default| self.of(service).and_then(kept).unwrap_or(default))
    }

    /// The init scripts the project mounted into it.
    fn init_mounts(&self, service: &'a Service) -> &'a [String] {
        self.of(service).map_or(&[], |identity| identity.init_mounts.as_slice())
    }

    /// A value of the service's table with its `{host}`, `{user}` and `{database}` filled in.
    fn fill(&self, service: &'a Service, template: &str) -> String {
        template
            .replace("{host}", self.host(service))
            .replace("{user}", self.user(service).unwrap_or_default())
            .replace("{database}", self.database(service).unwrap_or_default())
    }
}

/// The template's context: `apps` (each one's build, ports, environment, volumes, what it waits for),
/// `services` (each backing service's image, environment, volume and health check), the named `volumes`, the
/// build `secrets` and the `passwords` compose reads from `.env`.
pub(crate) fn plan(request: &Request) -> Value {
    let mut services: Vec<&'static Service> = Vec::new();
    for service in request.apps.iter().flat_map(|app| app.services.iter()) {
        if !services.iter().any(|known| std::ptr::eq(*known, *service)) {
            services.push(service);
        }
    }
    let identities = Identities(&request.existing.identities);
    let mut names: Vec<String> = Vec::new();
    let mut published: Vec<u64> = Vec::new();
    let mut volumes: Vec<String> = Vec::new();
    let mut secrets: Vec<String> = Vec::new();
    let mut apps: Vec<Value> = Vec::new();
    for app in &request.apps {
        let values = app.values;
        // The project's compose file names the one app's service (its override files extend that name).
        let existing = request.existing.app.clone().filter(|_| request.apps.len() == 1);
        let mut name = existing.unwrap_or_else(|| service_name(&app.image, &services, &identities));
        if names.contains(&name) {
            name = format!("{name}-{}", names.len() + 1);
        }
        names.push(name.clone());
        let mut env_files = request.existing.env_files.clone();
        if values.get("env_example").is_some() && !env_files.iter().any(|f| f == ".env") {
            env_files.push(".env".into());
        }
        let app_volumes = data_volumes(values, &name);
        volumes.extend(app_volumes.iter().map(|(name, _)| name.clone()));
        let app_secrets = strings(values, "build_secrets");
        secrets.extend(
            app_secrets
                .iter()
                .filter(|s| !secrets.contains(s))
                .cloned()
                .collect::<Vec<_>>(),
        );
        apps.push(json!({
            "name": name,
            "context": app.context,
            "dockerfile": app.dockerfile,
            "args": build_args(values),
            "secrets": app_secrets,
            "ports": host_ports(values, &mut published),
            "env_example": values.get("env_example").and_then(Value::as_str),
            "env_files": env_files,
            // A program that serves is kept running; one that does its work and exits is restarted only when it
            // fails.
            "restart": if values.get("port").is_some_and(|p| !p.is_null()) { "unless-stopped" } else { "on-failure" },
            "environment": pinned(values, app.stack, !env_files.is_empty())
                .into_iter()
                .chain(app_environment(values, &app.services, app.stack, &identities))
                .map(|v| json!({ "name": v.name, "value": v.value, "note": v.note, "guessed": v.guessed }))
                .collect::<Vec<_>>(),
            "volumes": app_volumes.iter().map(|(name, path)| json!({ "name": name, "path": path })).collect::<Vec<_>>(),
            "depends_on": app.services.iter().map(|s| identities.host(s)).collect::<Vec<_>>(),
            "healthcheck": health_check(values, app.stack),
            "config_files": if app.services.is_empty() { Vec::new() } else { config_files(values) },
        }));
    }
    let links: Vec<Value> = request
        .apps
        .iter()
        .flat_map(|app| list(app.values, "compose_links"))
        .collect();
    let backing: Vec<Value> = services
        .iter()
        .map(|service| {
            volumes.push(format!("{}-data", identities.host(service)));
            backing_service(service, &identities, &links)
        })
        .collect();
    let passwords: Vec<&String> = services.iter().filter_map(|s| s.password.as_ref()).collect();
    json!({
        "apps": apps,
        "services": backing,
        "volumes": volumes,
        "secrets": secrets,
        "passwords": passwords,
    })
}

/// The image's own run-time settings that an `env_file` would override (compose gives it precedence over the
/// Dockerfile's `ENV`): a developer's `.env` copied from an example with `PORT=9000` or `NODE_ENV=development`
/// would move the port off the one published, or run a production build in development mode. Set again in
/// `environment`, which wins over `env_file`; nothing when the app has no env file.
fn pinned(values: &Map<String, Value>, stack: &str, has_env_file: bool) -> Vec<Variable> {
    if !has_env_file {
        return Vec::new();
    }
    let mut pins: Vec<(String, String)> = Vec::new();
    if stack == "node" {
        pins.push(("NODE_ENV".into(), "production".into()));
    }
    let port_variable = values
        .get("port_env")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| (stack == "node").then(|| "PORT".to_string()));
    if let (Some(name), Some(port)) = (port_variable, values.get("port").and_then(Value::as_u64)) {
        // As the image's ENV writes it: `:8080` for a variable that holds an address.
        let address = values.get("port_env_address").and_then(Value::as_bool) == Some(true);
        pins.push((name, format!("{}{port}", if address { ":" } else { "" })));
    }
    if let Some(name) = values.get("bind_env").and_then(Value::as_str) {
        pins.push((name.to_string(), "0.0.0.0".into()));
    }
    pins.into_iter()
        .enumerate()
        .map(|(i, (name, value))| Variable {
            name,
            value,
            note: (i == 0).then(|| "as the image sets them: the env file must not override these".to_string()),
            guessed: false,
        })
        .collect()
}

/// Extensions of the files a program takes its settings from.
const CONFIG_EXTENSIONS: &[&str] = &["yml", "yaml", "ini", "toml", "json", "conf", "env", "properties"];

/// The config files the image ships for the program to read (`config/local.yml`): its service addresses may be
/// written there rather than read from the variables compose sets.
fn config_files(values: &Map<String, Value>) -> Vec<String> {
    ["shipped_paths", "runtime_files"]
        .iter()
        .flat_map(|key| strings(values, key))
        .filter(|path| {
            path.rsplit_once('.')
                .is_some_and(|(_, ext)| CONFIG_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
        })
        .filter(|path| path != "package.json" && path != "go.mod")
        .collect()
}

/// The app's health check, when its code registers a health endpoint and its runtime image has something to
/// call it with: Node's own `fetch` in a Node runtime, `wget` (`BusyBox`'s) on alpine. Elsewhere (distroless, scratch,
/// slim Debian, a JRE) there is no client in the image, and no check is written.
fn health_check(values: &Map<String, Value>, stack: &str) -> Option<Vec<String>> {
    let path = values.get("health_path")?.as_str()?;
    let port = values.get("port")?.as_u64()?;
    let url = format!("http://127.0.0.1:{port}{path}");
    let node_runtime = stack == "node" && values.get("kind").and_then(Value::as_str) == Some("server");
    if node_runtime {
        let script = format!("fetch('{url}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))");
        return Some(vec!["CMD".into(), "node".into(), "-e".into(), script]);
    }
    (values.get("runtime_family").and_then(Value::as_str) == Some("alpine")).then(|| {
        ["CMD", "wget", "-q", "-O", "/dev/null", &url]
            .map(String::from)
            .to_vec()
    })
}

/// The app's published ports, `HOST:CONTAINER`: the same number on the host unless an earlier app of the file
/// took it (then the next free one).
fn host_ports(values: &Map<String, Value>, published: &mut Vec<u64>) -> Vec<String> {
    let mut host = |port: u64| {
        let mut chosen = port;
        while published.contains(&chosen) && chosen < 65_535 {
            chosen += 1;
        }
        published.push(chosen);
        chosen
    };
    let tcp = values
        .get("port")
        .and_then(Value::as_u64)
        .into_iter()
        .chain(numbers(values, "extra_ports"));
    let mut ports: Vec<String> = tcp.map(|p| format!("{}:{p}", host(p))).collect();
    ports.extend(numbers(values, "udp_ports").into_iter().map(|p| format!("{p}:{p}/udp")));
    ports
}

fn list(values: &Map<String, Value>, key: &str) -> Vec<Value> {
    values.get(key).and_then(Value::as_array).cloned().unwrap_or_default()
}

fn strings(values: &Map<String, Value>, key: &str) -> Vec<String> {
    list(values, key)
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn numbers(values: &Map<String, Value>, key: &str) -> Vec<u64> {
    list(values, key).iter().filter_map(Value::as_u64).collect()
}

/// The app's variables: those that reach each backing service (the ones Spring Boot binds for a Spring Boot
/// app, else the ones the repository names for its category, else the common name, said so), then the credentials and other services'
/// addresses the deployment files name, from the environment or `.env` when compose runs.
fn app_environment(
    values: &Map<String, Value>,
    services: &[&'static Service],
    stack: &str,
    identities: &Identities,
) -> Vec<Variable> {
    let mut environment: Vec<Variable> = Vec::new();
    let variables = list(values, "service_variables");
    let spring = values.get("framework").and_then(Value::as_str) == Some("spring-boot");
    for service in services {
        let mut wired: Vec<(String, String, Option<String>)> = variables
            .iter()
            .filter(|v| v["category"] == service.category.as_str())
            .filter_map(|v| {
                let query = v["query"].as_str().map(str::to_string);
                Some((v["name"].as_str()?.to_string(), v["role"].as_str()?.to_string(), query))
            })
            .collect();
        let mut note = None;
        if spring && !service.spring.is_empty() {
            // Spring Boot binds these to its settings whatever application.properties says, placeholders or not.
            wired = service
                .spring
                .iter()
                .map(|(n, r)| (n.clone(), r.clone(), None))
                .collect();
        } else if wired.is_empty() {
            wired = service
                .default_env
                .iter()
                .map(|name| (name.clone(), "url".into(), None))
                .collect();
            note = Some(format!(
                "the common name: no file says which variable the app reads for {}",
                service.name
            ));
        }
        for (name, role, query) in wired {
            // Go's MySQL driver takes its own connection string, not a URL.
            let role = if role == "url" && stack == "go" && service.dsn.is_some() {
                "dsn".into()
            } else {
                role
            };
            if let Some(mut value) = connection_value(service, identities, &role) {
                if let Some(query) = query.filter(|_| role == "url") {
                    // After the host: the password's `${…:?…}` reference holds a `?` of its own.
                    let has_query = value.rsplit('@').next().unwrap_or(&value).contains('?');
                    value.push(if has_query { '&' } else { '?' });
                    value.push_str(&query);
                }
                if !environment.iter().any(|v| v.name == name) {
                    let note = note.clone();
                    let guessed = note.is_some();
                    environment.push(Variable {
                        name,
                        value,
                        note,
                        guessed,
                    });
                }
            }
        }
    }
    for name in strings(values, "secret_env")
        .into_iter()
        .chain(strings(values, "service_env"))
    {
        if !environment.iter().any(|v| v.name == name) {
            let value = format!("${{{name}}}");
            environment.push(Variable {
                name,
                value,
                note: None,
                guessed: false,
            });
        }
    }
    environment
}

/// Named volumes for the folders the program keeps data in (declared volumes, absolute written folders), each
/// named after the app and the folder: `(name, path)`.
fn data_volumes(values: &Map<String, Value>, app: &str) -> Vec<(String, String)> {
    let mut volumes: Vec<(String, String)> = Vec::new();
    let written = strings(values, "written_dirs")
        .into_iter()
        .filter(|d| d.starts_with('/'));
    for path in strings(values, "volumes").into_iter().chain(written) {
        if volumes.iter().any(|(_, known)| *known == path) {
            continue;
        }
        let base = sanitize(path.trim_end_matches('/').rsplit('/').next().unwrap_or_default());
        let mut name = format!("{app}-{base}");
        let mut n = 2;
        while volumes.iter().any(|(known, _)| *known == name) {
            name = format!("{app}-{base}-{n}");
            n += 1;
        }
        volumes.push((name, path));
    }
    volumes
}

/// A backing service as the template prints it; `replaces` names the image the project's own compose file ran
/// for it, when there was one.
fn backing_service(service: &'static Service, identities: &Identities, links: &[Value]) -> Value {
    let host = identities.host(service);
    let environment: Vec<Value> = service
        .environment
        .iter()
        .map(|(name, value)| {
            let value = if value == "password" {
                required(service.password.as_deref().unwrap_or_default())
            } else {
                identities.fill(service, value)
            };
            json!({ "name": name, "value": value })
        })
        .collect();
    let replaces = links
        .iter()
        .filter_map(|link| Some((link["image"].as_str()?, link["source"].as_str()?)))
        .find(|(image, _)| known::by_image(image).is_some_and(|s| std::ptr::eq(s, service)))
        .map(|(image, source)| format!("{image} ({source})"));
    json!({
        "name": host,
        "image": service.image,
        "replaces": replaces,
        "environment": environment,
        "volume": { "name": format!("{host}-data"), "path": service.data },
        "init": identities.init_mounts(service),
        "healthcheck": service.healthcheck.iter().map(|word| identities.fill(service, word)).collect::<Vec<_>>(),
    })
}

/// The build variables the Dockerfile declares without a value, which compose passes from its environment
/// (as `--build-arg NAME` does).
fn build_args(values: &Map<String, Value>) -> Vec<String> {
    let mut args: Vec<String> = strings(values, "build_env");
    args.extend(strings(values, "build_env_checked"));
    let unset = list(values, "build_env_given")
        .into_iter()
        .filter(|g| g["value"].as_str().is_some_and(str::is_empty))
        .filter_map(|g| g["name"].as_str().map(str::to_string));
    args.extend(unset);
    args.dedup();
    args
}

/// The value a variable of `role` takes to reach `service` as this file runs it (`identities`: by its service name,
/// user and database); None when the service has no such part (a password for Redis).
fn connection_value(service: &'static Service, identities: &Identities, role: &str) -> Option<String> {
    let host = identities.host(service);
    let password = service.password.as_deref().map(required);
    let filled = |template: &str| {
        identities
            .fill(service, template)
            .replace("{password}", password.as_deref().unwrap_or_default())
    };
    match role {
        "url" => service.url.as_deref().map(filled),
        "jdbc" => service.jdbc.as_deref().map(filled),
        "dsn" => service.dsn.as_deref().map(filled),
        "host" => Some(host.to_string()),
        "port" => service.port.map(|p| p.to_string()),
        "address" => service.port.map(|p| format!("{host}:{p}")),
        "user" => identities.user(service).map(str::to_string),
        "password" => password,
        "database" => identities.database(service).map(str::to_string),
        _ => None,
    }
}

/// A compose reference to a variable that must be set: `docker compose up` stops and says where to set it.
fn required(name: &str) -> String {
    format!("${{{name}:?set {name} in .env or the environment}}")
}

/// The app's service name: its image's name as compose allows it, `app` when that would be empty or is a
/// backing service's name.
fn service_name(program: &str, services: &[&'static Service], identities: &Identities) -> String {
    let name = sanitize(program);
    if name.is_empty() || services.iter().any(|s| identities.host(s) == name) {
        "app".to_string()
    } else {
        name
    }
}

/// Lower-case letters, digits and `-`, as service and volume names take them (`@acme/api` → `acme-api`).
fn sanitize(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    mapped
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::services::named;

    #[test]
    fn an_existing_file_keeps_its_app_name_and_env_files_and_names_what_is_dropped() {
        let text = "services:\n  web:\n    build: .\n    env_file: [.env, ../secret.env]\n  db:\n    image: \
                    postgres:16\n  nats:\n    image: nats:2\n  jaeger:\n    image: jaegertracing/all-in-one\n";
        let postgres = named("postgres").unwrap();
        let found = existing(text, None, &[postgres]);
        assert_eq!(found.app.as_deref(), Some("web"));
        assert_eq!(found.env_files, [".env"]);
        assert_eq!(found.dropped, ["nats", "jaeger"]);
        let db = Identity {
            kind: "postgres".into(),
            name: Some("db".into()),
            ..Identity::default()
        };
        assert_eq!(found.identities, [db]);
        let replicas = "services:\n  mongo-primary:\n    image: bitnami/mongodb:4.4\n  mongo-secondary:\n    image: \
                        bitnami/mongodb:4.4\n";
        let found = existing(replicas, None, &[named("mongodb").unwrap()]);
        assert_eq!(found.identities[0].name.as_deref(), Some("mongo-primary"));
        assert_eq!(found.dropped, ["mongo-secondary"]);
        // The service detection found building the app wins over the first that builds; a database the new
        // file does not run is dropped too.
        let two = "services:\n  mail:\n    build: {dockerfile: mail.Dockerfile}\n  api:\n    build: .\n  db:\n    \
                   image: mysql:8\n";
        let found = existing(two, Some("api"), &[postgres]);
        assert_eq!(found.app.as_deref(), Some("api"));
        assert_eq!(found.dropped, ["mail", "db"]);
        assert!(existing("not: [yaml", None, &[]).unreadable);
    }

    #[test]
    fn the_user_and_database_the_project_gave_a_kept_service_are_kept() {
        let list = "services:\n  pg:\n    image: postgres:16\n    environment:\n      - POSTGRES_USER=notes\n      - \
                    POSTGRES_DB=notes_db\n      - POSTGRES_PASSWORD=secret\n";
        let found = existing(list, None, &[named("postgres").unwrap()]);
        let expected = Identity {
            kind: "postgres".into(),
            name: Some("pg".into()),
            user: Some("notes".into()),
            database: Some("notes_db".into()),
            init_mounts: Vec::new(),
        };
        assert_eq!(found.identities, [expected]);
        // MySQL's root is its image's own; a value that is not a plain name is not copied.
        let mapping = "services:\n  mysql:\n    image: mysql:8\n    environment:\n      MYSQL_USER: root\n      \
                       MYSQL_DATABASE: \"${DB_NAME}\"\n";
        let found = existing(mapping, None, &[named("mysql").unwrap()]);
        assert_eq!(
            (
                found.identities[0].user.as_deref(),
                found.identities[0].database.as_deref()
            ),
            (None, None)
        );
    }

    #[test]
    fn init_scripts_mounted_into_a_kept_service_are_kept_read_only() {
        let text = "services:\n  db:\n    image: mysql:8.0\n    volumes:\n      - data:/var/lib/mysql\n      - \
                    ./article.sql:/docker-entrypoint-initdb.d/init.sql\n      - ./sql:/docker-entrypoint-initdb.d\n      \
                    - /etc/identities:/docker-entrypoint-initdb.d/h.sql\n      - ./conf:/etc/mysql/conf.d\n      - type: \
                    bind\n        source: ../seed.sql\n        target: /docker-entrypoint-initdb.d/2.sql\n  cache:\n    \
                    image: redis:7\n    volumes: [./x:/docker-entrypoint-initdb.d]\n";
        let (mysql, redis) = (named("mysql").unwrap(), named("redis").unwrap());
        let found = existing(text, None, &[mysql, redis]);
        let mysql_identity = found.identities.iter().find(|i| i.kind == "mysql").unwrap();
        assert_eq!(
            mysql_identity.init_mounts,
            [
                "./article.sql:/docker-entrypoint-initdb.d/init.sql:ro",
                "./sql:/docker-entrypoint-initdb.d:ro",
                "../seed.sql:/docker-entrypoint-initdb.d/2.sql:ro"
            ]
        );
        // A service that is not kept keeps nothing.
        assert!(existing(text, None, &[redis])
            .identities
            .iter()
            .all(|i| i.init_mounts.is_empty()));
    }

    #[test]
    fn a_url_keeps_the_options_the_repository_gives_it() {
        let values: Map<String, Value> = serde_json::from_value(json!({
            "port": 8080,
            "service_variables": [{ "name": "DB_SOURCE", "category": "sql", "role": "url", "query": "sslmode=disable" }],
        }))
        .unwrap();
        let postgres = named("postgres").unwrap();
        let environment = app_environment(&values, &[postgres], "go", &Identities(&[]));
        assert!(
            environment[0].value.ends_with("@postgres:5432/app?sslmode=disable"),
            "{}",
            environment[0].value
        );
        let mysql = named("mysql").unwrap();
        let values: Map<String, Value> = serde_json::from_value(json!({
            "service_variables": [{ "name": "DSN", "category": "sql", "role": "url" }],
        }))
        .unwrap();
        let environment = app_environment(&values, &[mysql], "go", &Identities(&[]));
        assert!(
            environment[0].value.starts_with("app:${MYSQL_PASSWORD"),
            "{}",
            environment[0].value
        );
        assert!(
            environment[0].value.ends_with("@tcp(mysql:3306)/app"),
            "{}",
            environment[0].value
        );
    }

    #[test]
    fn names_and_values() {
        assert_eq!(sanitize("@acme/api"), "acme-api");
        let postgres = named("postgres").unwrap();
        let kept = [Identity {
            kind: "postgres".into(),
            name: Some("db".into()),
            user: Some("notes".into()),
            ..Identity::default()
        }];
        let none = Identities(&[]);
        assert_eq!(service_name("postgres", &[postgres], &none), "app");
        assert_eq!(service_name("db", &[postgres], &Identities(&kept)), "app");
        assert_eq!(service_name("Web.App", &[postgres], &none), "web-app");
        assert_eq!(
            connection_value(postgres, &Identities(&kept), "url").unwrap(),
            "postgres://notes:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env or the environment}@db:5432/app"
        );
        let redis = named("redis").unwrap();
        assert_eq!(connection_value(redis, &none, "password"), None);
        // A kind without a user has none, whatever the project's file said.
        let odd = [Identity {
            kind: "redis".into(),
            user: Some("x".into()),
            ..Identity::default()
        }];
        assert_eq!(connection_value(redis, &Identities(&odd), "user"), None);
        assert_eq!(
            connection_value(named("kafka").unwrap(), &none, "address").unwrap(),
            "kafka:9092"
        );
    }
}
