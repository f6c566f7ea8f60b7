//! compose.yaml: the app's service, built from the generated Dockerfile, and the backing services it talks to
//! (knowledge/services), planned from the run's resolved values. Pure: values in, the template's context out;
//! `templates/compose/compose.yaml.tera` prints it.

use serde_json::{json, Map, Value};

use crate::knowledge::services::Service;

/// Compose files, in the order Compose itself prefers them: an existing one is the file dockgen rewrites.
pub(crate) const FILES: &[&str] = &["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

/// The names of the services compose.yaml can run (`--services`).
pub(crate) fn runnable_services() -> Vec<&'static str> {
    crate::knowledge::services::all()
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
        if let Some(service) = crate::knowledge::services::named(&name).filter(|s| s.image.is_some()) {
            if !services.iter().any(|known| std::ptr::eq(*known, service)) {
                services.push(service);
            }
        }
    }
    services
}

/// What the compose file is planned from.
pub(crate) struct Request<'a> {
    /// The run's resolved values: answers, facts and the run's inputs.
    pub(crate) values: &'a Map<String, Value>,
    /// The image's name (`api`), which names the app's service.
    pub(crate) program: String,
    pub(crate) services: &'a [&'static Service],
    /// The build context, relative to the compose file's folder (`.`, `../..`).
    pub(crate) context: String,
    /// The Dockerfile, relative to the build context.
    pub(crate) dockerfile: String,
}

/// The template's context: `app` (its build, ports, environment, volumes, what it waits for), `services` (each
/// backing service's image, environment, volume and health check), the named `volumes`, the build `secrets`
/// and the `passwords` compose reads from `.env`.
pub(crate) fn plan(request: &Request) -> Value {
    let values = request.values;
    let app = service_name(&request.program, request.services);
    let strings = |key: &str| -> Vec<String> {
        values
            .get(key)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let numbers = |key: &str| -> Vec<u64> {
        values
            .get(key)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default()
    };

    let mut ports: Vec<String> = values.get("port").and_then(Value::as_u64).into_iter().chain(numbers("extra_ports")).map(|p| format!("{p}:{p}")).collect();
    ports.extend(numbers("udp_ports").into_iter().map(|p| format!("{p}:{p}/udp")));

    let mut environment: Vec<(String, String)> = Vec::new();
    let variables = values.get("service_variables").and_then(Value::as_array).cloned().unwrap_or_default();
    let spring = values.get("framework").and_then(Value::as_str) == Some("spring-boot");
    for service in request.services {
        let mut wired: Vec<(String, String)> = variables
            .iter()
            .filter(|v| v["category"] == service.category.as_str())
            .filter_map(|v| Some((v["name"].as_str()?.to_string(), v["role"].as_str()?.to_string())))
            .collect();
        if wired.is_empty() {
            wired = if spring && !service.spring.is_empty() {
                service.spring.iter().map(|(n, r)| (n.clone(), r.clone())).collect()
            } else {
                service.default_env.iter().map(|name| (name.clone(), "url".to_string())).collect()
            };
        }
        for (name, role) in wired {
            if let Some(value) = connection_value(service, &role) {
                if !environment.iter().any(|(known, _)| *known == name) {
                    environment.push((name, value));
                }
            }
        }
    }
    // The other variables the deployment files name without a value for the image: from the environment or
    // `.env` when compose runs.
    for name in strings("secret_env").into_iter().chain(strings("service_env")) {
        if !environment.iter().any(|(known, _)| *known == name) {
            let reference = format!("${{{name}}}");
            environment.push((name, reference));
        }
    }

    let mut volumes: Vec<String> = Vec::new();
    let mut app_volumes: Vec<Value> = Vec::new();
    let data: Vec<String> = strings("volumes").into_iter().chain(strings("written_dirs").into_iter().filter(|d| d.starts_with('/'))).collect();
    for path in data {
        if app_volumes.iter().any(|v| v["path"] == path.as_str()) {
            continue;
        }
        let base = path.trim_end_matches('/').rsplit('/').next().unwrap_or("data");
        let mut name = format!("{app}-{}", sanitize(base));
        let mut n = 2;
        while volumes.contains(&name) {
            name = format!("{app}-{}-{n}", sanitize(base));
            n += 1;
        }
        volumes.push(name.clone());
        app_volumes.push(json!({ "name": name, "path": path }));
    }

    let mut passwords: Vec<String> = Vec::new();
    let services: Vec<Value> = request
        .services
        .iter()
        .map(|service| {
            passwords.extend(service.password.clone());
            let volume = format!("{}-data", service.name);
            volumes.push(volume.clone());
            let environment: Vec<Value> = service
                .environment
                .iter()
                .map(|(name, value)| {
                    let value = if value == "password" {
                        required(service.password.as_deref().unwrap_or_default())
                    } else {
                        value.replace("{host}", &service.name)
                    };
                    json!({ "name": name, "value": value })
                })
                .collect();
            json!({
                "name": service.name,
                "image": service.image,
                "environment": environment,
                "volume": { "name": volume, "path": service.data },
                "healthcheck": service.healthcheck,
            })
        })
        .collect();

    let mut args: Vec<String> = strings("build_env");
    args.extend(strings("build_env_checked"));
    if let Some(given) = values.get("build_env_given").and_then(Value::as_array) {
        // A given variable without a value is read from the environment at build time, as `--build-arg NAME` does.
        let unset = given.iter().filter(|g| g["value"].as_str().is_some_and(str::is_empty));
        args.extend(unset.filter_map(|g| g["name"].as_str().map(str::to_string)));
    }
    args.dedup();
    let secrets = strings("build_secrets");
    json!({
        "app": {
            "name": app,
            "context": request.context,
            "dockerfile": request.dockerfile,
            "args": args,
            "secrets": secrets,
            "ports": ports,
            "environment": environment.iter().map(|(n, v)| json!({ "name": n, "value": v })).collect::<Vec<_>>(),
            "volumes": app_volumes,
            "depends_on": request.services.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        },
        "services": services,
        "volumes": volumes,
        "secrets": secrets,
        "passwords": passwords,
    })
}

/// The value a variable of `role` takes to reach `service` by its service name; None when the service has
/// no such part (a password for Redis).
fn connection_value(service: &Service, role: &str) -> Option<String> {
    let host = service.name.as_str();
    let password = service.password.as_deref().map(required);
    let filled = |template: &str| {
        template
            .replace("{host}", host)
            .replace("{password}", password.as_deref().unwrap_or_default())
    };
    match role {
        "url" => service.url.as_deref().map(filled),
        "jdbc" => service.jdbc.as_deref().map(filled),
        "host" => Some(host.to_string()),
        "port" => service.port.map(|p| p.to_string()),
        "address" => service.port.map(|p| format!("{host}:{p}")),
        "user" => service.user.clone(),
        "password" => password,
        "database" => service.database.clone(),
        _ => None,
    }
}

/// A compose reference to a variable that must be set: `docker compose up` stops and says where to set it.
fn required(name: &str) -> String {
    format!("${{{name}:?set {name} in .env or the environment}}")
}

/// The app's service name: its image's name as compose allows it, `app` when that would be empty or is a
/// backing service's name.
fn service_name(program: &str, services: &[&'static Service]) -> String {
    let name = sanitize(program);
    if name.is_empty() || services.iter().any(|s| s.name == name) {
        "app".to_string()
    } else {
        name
    }
}

/// Lower-case letters, digits and `-`, as service and volume names take them (`@acme/api` → `acme-api`).
fn sanitize(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    mapped.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::services::named;

    #[test]
    fn names_and_values() {
        assert_eq!(sanitize("@acme/api"), "acme-api");
        let postgres = named("postgres").unwrap();
        assert_eq!(service_name("postgres", &[postgres]), "app");
        assert_eq!(service_name("Web.App", &[postgres]), "web-app");
        assert_eq!(
            connection_value(postgres, "url").unwrap(),
            "postgres://app:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env or the environment}@postgres:5432/app"
        );
        assert_eq!(connection_value(named("redis").unwrap(), "password"), None);
        assert_eq!(connection_value(named("kafka").unwrap(), "address").unwrap(), "kafka:9092");
    }
}
