//! The backing services an app may need beside it (services.toml): how each is recognised in a repository and
//! how compose.yaml runs it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::table;

const SERVICES_TOML: &str = include_str!("services.toml");

#[derive(Deserialize, Default)]
struct Table {
    dev_tool_ports: Vec<u16>,
    route_groups: RouteGroups,
    health_paths: Vec<String>,
    service: Vec<Service>,
}

fn services_table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| table(SERVICES_TOML))
}

#[derive(Deserialize, Default)]
struct RouteGroups {
    calls: Vec<String>,
    types: Vec<String>,
}

/// Whether a port is a development tool's (Vite's HMR websocket, Node's inspector), never the built app's.
pub(crate) fn is_dev_tool_port(port: u16) -> bool {
    services_table().dev_tool_ports.contains(&port)
}

/// Whether a call makes a route group (`r.Group("/api")`, `express.Router()`).
pub(crate) fn makes_route_group(call: &str) -> bool {
    services_table().route_groups.calls.iter().any(|known| known == call)
}

/// Whether a type is a route group's (`gin.RouterGroup`, `echo.Group`).
pub(crate) fn is_route_group_type(name: &str) -> bool {
    services_table().route_groups.types.iter().any(|known| known == name)
}

/// Whether a route path is a health endpoint's (`/healthz`), also with its method (`GET /healthz`).
/// The routes a health check is served on (`/healthz`, `/ping`, ...).
pub(crate) fn is_health_path(route: &str) -> bool {
    let path = route.strip_prefix("GET ").unwrap_or(route).trim();
    services_table().health_paths.iter().any(|known| known == path)
}

/// One kind of service (`postgres`); `image` is None for a file database, which needs no service. (Its line's
/// `end_of_support` is checked by tests/integration/lines.rs.)
#[derive(Debug, Deserialize, Default)]
pub(crate) struct Service {
    pub(crate) name: String,
    pub(crate) category: String,
    pub(crate) image: Option<String>,
    pub(crate) port: Option<u16>,
    pub(crate) data: Option<String>,
    /// The folder whose scripts the image runs on its first start (`/docker-entrypoint-initdb.d`).
    pub(crate) init: Option<String>,
    #[serde(default)]
    pub(crate) healthcheck: Vec<String>,
    pub(crate) user: Option<String>,
    pub(crate) database: Option<String>,
    /// The variable holding its password (`POSTGRES_PASSWORD`), read by compose from the environment or `.env`.
    pub(crate) password: Option<String>,
    /// How the service is started; `password` as a value stands for the password variable, `{host}` for its
    /// service name, `{user}` and `{database}` for the names it is started with (`user`, `database`).
    #[serde(default)]
    pub(crate) environment: BTreeMap<String, String>,
    /// The connection URL, with `{password}`, `{host}`, `{user}` and `{database}`.
    pub(crate) url: Option<String>,
    pub(crate) jdbc: Option<String>,
    /// The Go driver's connection string, where it is not a URL.
    pub(crate) dsn: Option<String>,
    #[serde(default)]
    pub(crate) schemes: Vec<String>,
    #[serde(default)]
    pub(crate) images: Vec<String>,
    /// Words of the variables that configure it (`REDIS` in `REDIS_HOST`).
    #[serde(default)]
    pub(crate) words: Vec<String>,
    /// The variable wired when the repository names none.
    pub(crate) default_env: Option<String>,
    #[serde(default)]
    pub(crate) spring: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) npm: Vec<String>,
    #[serde(default)]
    pub(crate) go: Vec<String>,
    #[serde(default)]
    pub(crate) pypi: Vec<String>,
    #[serde(default)]
    pub(crate) maven: Vec<String>,
    #[serde(default)]
    pub(crate) prisma: Vec<String>,
}

/// Every service kind, in the table's order.
pub(crate) fn all() -> &'static [Service] {
    &services_table().service
}

/// The service kind named `name`.
pub(crate) fn named(name: &str) -> Option<&'static Service> {
    all().iter().find(|service| service.name == name)
}

/// The service a package of this registry (`npm`, `go`, `maven`) is a client of; for Go, an import path
/// inside a listed module (`github.com/jackc/pgx/v5/pgxpool`).
pub(crate) fn by_package(registry: &str, package: &str) -> Option<&'static Service> {
    all().iter().find(|service| match registry {
        "npm" => service.npm.iter().any(|known| known == package),
        "maven" => service.maven.iter().any(|known| known == package),
        "pypi" => service.pypi.iter().any(|known| known == package),
        "go" => service.go.iter().any(|module| {
            package
                .strip_prefix(module.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        }),
        _ => false,
    })
}

/// The service a connection URL's scheme names (`postgres://…`, `jdbc:mysql://…`).
pub(crate) fn by_url(url: &str) -> Option<&'static Service> {
    let (scheme, _) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    all().iter().find(|service| service.schemes.contains(&scheme))
}

/// The service an image runs (`postgres:16`, `docker.io/bitnami/redis:7`).
pub(crate) fn by_image(reference: &str) -> Option<&'static Service> {
    let without_tag = reference.split('@').next().unwrap_or(reference);
    let name = match without_tag.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => without_tag,
    };
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    all().iter().find(|service| service.images.iter().any(|known| known == name))
}

/// The service a Prisma datasource `provider` names.
pub(crate) fn by_prisma_provider(provider: &str) -> Option<&'static Service> {
    all().iter().find(|service| service.prisma.iter().any(|known| known == provider))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_each_runnable_service_is_complete() {
        let parsed: Table = toml::from_str(SERVICES_TOML).unwrap();
        assert!(parsed.service.len() >= 7);
        for service in parsed.service.iter().filter(|s| s.image.is_some()) {
            let name = &service.name;
            assert!(service.port.is_some() && service.data.is_some(), "{name}: port and data folder");
            assert!(!service.healthcheck.is_empty(), "{name} has no health check");
            assert!(service.url.is_some() && service.default_env.is_some(), "{name}: url and default_env");
            // A password is a variable, never a literal in the table.
            for value in service.environment.values() {
                assert!(!value.to_ascii_lowercase().contains("secret"), "{name}: {value}");
            }
            assert_eq!(service.password.is_some(), service.environment.values().any(|v| v == "password"), "{name}");
        }
        assert_eq!(by_package("npm", "ioredis").unwrap().name, "redis");
        assert_eq!(by_package("pypi", "psycopg2-binary").unwrap().name, "postgres");
        assert_eq!(by_package("go", "github.com/jackc/pgx/v5/pgxpool").unwrap().name, "postgres");
        assert!(by_package("go", "github.com/lib/pqx").is_none());
        assert_eq!(by_package("go", "github.com/jinzhu/gorm/dialects/mysql").unwrap().name, "mysql");
        assert_eq!(by_url("jdbc:postgresql://db:5432/app").unwrap().name, "postgres");
        assert!(by_url("https://example.com").is_none());
        assert_eq!(by_url("postgresql://u:p@db/app").unwrap().name, "postgres");
        assert_eq!(by_image("docker.io/library/postgres:16-alpine").unwrap().name, "postgres");
        assert_eq!(by_image("bitnami/redis:7.2").unwrap().name, "redis");
        assert_eq!(by_image("mongo").unwrap().name, "mongodb");
        assert_eq!(by_image("localhost:5000/mongo:7").map(|s| s.name.as_str()), None);
        assert_eq!(by_prisma_provider("postgresql").unwrap().name, "postgres");
        assert!(is_health_path("/healthz") && is_health_path("GET /health") && !is_health_path("/api/users"));
    }
}
