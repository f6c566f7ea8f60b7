//! What dockgen knows about Node apps beyond their package.json, as data: what a server reads at run time besides
//! its imports (node/runtime.toml), the platforms whose builds are not Node apps (node/platforms.toml), and the
//! dependencies with native code (node/native.toml).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use globset::GlobSet;
use serde::Deserialize;

use super::{glob_set, table};

const RUNTIME_TOML: &str = include_str!("runtime.toml");
const PLATFORMS_TOML: &str = include_str!("platforms.toml");
const NATIVE_TOML: &str = include_str!("native.toml");
const REMOVED_TOML: &str = include_str!("removed.toml");
const FLOORS_TOML: &str = include_str!("floors.toml");
const CLIS_TOML: &str = include_str!("clis.toml");
const GENERATORS_TOML: &str = include_str!("generators.toml");
const OPENSSL_TOML: &str = include_str!("openssl.toml");
pub(crate) const LINES_TOML: &str = include_str!("lines.toml");

/// Node's lines: the newest LTS line, and every line with what its image holds.
#[derive(Deserialize, Default)]
pub(crate) struct NodeLines {
    pub(crate) current_lts: u64,
    pub(crate) oldest_maintained: u64,
    pub(crate) engines_limits_from: u64,
    pub(crate) line: Vec<NodeLine>,
}

#[derive(Deserialize)]
pub(crate) struct NodeLine {
    pub(crate) version: u64,
    pub(crate) codename: Option<String>,
    pub(crate) lts: bool,
    pub(crate) corepack: bool,
    pub(crate) yarn: bool,
    pub(crate) end_of_support: toml::value::Datetime,
    pub(crate) debian: String,
    pub(crate) npm: u64,
}


#[derive(Deserialize, Default)]
pub(crate) struct RuntimeFiles {
    /// Folders servers read by convention.
    pub(crate) folders: Vec<String>,
    /// Names never taken for a folder the server reads.
    pub(crate) not_runtime: Vec<String>,
    secrets: Vec<String>,
    /// Committed env templates, which match `secrets` but hold none.
    env_templates: Vec<String>,
    /// Dependency → the paths it reads at run time.
    pub(crate) dependencies: BTreeMap<String, Vec<String>>,
    /// Programs a start script pipes the server's logs into for a terminal.
    pub(crate) log_formatters: Vec<String>,
    /// Packages that load every module of a folder the code names (`@fastify/autoload`).
    pub(crate) folder_loaders: Vec<String>,
    /// Packages whose API builds front-end assets.
    pub(crate) build_apis: Vec<String>,
    /// Packages that make a file a server.
    pub(crate) servers: Vec<String>,
    pub(crate) writes: Writes,
    pub(crate) compile: Compile,
    pub(crate) next: NextServer,
}

/// What Next.js's server requires from `node_modules` at run time.
#[derive(Deserialize, Default)]
pub(crate) struct NextServer {
    /// Packages the app router's server code loads from `node_modules` instead of bundling them.
    pub(crate) external_packages: Vec<String>,
    /// The package `next start` needs to load a TypeScript config (`next.config.ts`).
    pub(crate) typescript_config_loader: String,
}

/// What compilers and build steps write into a server's output folder besides compiled code.
#[derive(Deserialize, Default)]
pub(crate) struct Compile {
    /// Compiler program → the flags that make it copy the sources' other files.
    pub(crate) transpilers: BTreeMap<String, Vec<String>>,
    pub(crate) bundlers: Vec<String>,
    pub(crate) copy_programs: Vec<String>,
    pub(crate) framework_builds: Vec<FrameworkBuild>,
}

/// A framework's build command and the folder it writes: its default, and the config (stem) and its top-level
/// setting that moves it, when one does.
#[derive(Deserialize)]
pub(crate) struct FrameworkBuild {
    pub(crate) command: String,
    pub(crate) folder: String,
    #[serde(default)]
    pub(crate) config: Option<(String, String)>,
}

/// The calls and settings that name what a server writes.
#[derive(Deserialize, Default)]
pub(crate) struct Writes {
    pub(crate) folder_calls: Vec<String>,
    pub(crate) file_calls: Vec<String>,
    pub(crate) file_constructors: Vec<String>,
    pub(crate) constructor_packages: Vec<String>,
    pub(crate) folder_keys: Vec<String>,
    pub(crate) file_keys: Vec<String>,
    pub(crate) file_extensions: Vec<String>,
    /// The keys a settings object names its database driver under, and the `SQLite` drivers.
    pub(crate) sqlite_driver_keys: Vec<String>,
    pub(crate) sqlite_drivers: Vec<String>,
    /// Packages that write in a folder of the working directory by default, by package.
    #[serde(default)]
    pub(crate) package_folders: std::collections::BTreeMap<String, String>,
}

/// The run-time files table, with its secret-file patterns compiled.
pub(crate) struct Runtime {
    pub(crate) files: RuntimeFiles,
    secrets: GlobSet,
}

impl Runtime {
    /// Whether a file of this name holds secrets and never ships (an env template does not).
    pub(crate) fn is_secret(&self, name: &str) -> bool {
        self.secrets.is_match(name) && !self.files.env_templates.iter().any(|t| t == name)
    }
}

pub(crate) fn runtime() -> &'static Runtime {
    static TABLE: OnceLock<Runtime> = OnceLock::new();
    TABLE.get_or_init(|| {
        let files: RuntimeFiles = table(RUNTIME_TOML);
        Runtime {
            secrets: glob_set(&files.secrets),
            files,
        }
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct Platforms {
    pub(crate) platform: Vec<Platform>,
    /// Packages that build the same app for Node: with one of them, the platform packages are not a refusal.
    pub(crate) node_adapters: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct Platform {
    pub(crate) name: String,
    pub(crate) packages: Vec<String>,
    /// The platform's CLI (`wrangler`): a start script running it serves the app on the platform's runtime.
    #[serde(default)]
    pub(crate) tools: Vec<String>,
}

pub(crate) fn platforms() -> &'static Platforms {
    static PLATFORMS: OnceLock<Platforms> = OnceLock::new();
    PLATFORMS.get_or_init(|| table(PLATFORMS_TOML))
}

#[derive(Deserialize, Default)]
struct Native {
    modules: Vec<String>,
    nan: Nan,
}

/// The newest Node line each release of nan compiles against (native.toml).
#[derive(Deserialize, Default)]
pub(crate) struct Nan {
    unbounded_from: String,
    release: Vec<NanRelease>,
}

#[derive(Deserialize)]
struct NanRelease {
    from: String,
    newest_node: u64,
}

impl Nan {
    /// The newest Node major an addon compiled through this nan `version` builds on; None when not limited
    /// (a release from `unbounded_from` on, or a version that does not parse).
    pub(crate) fn newest_node(&self, version: &str) -> Option<u64> {
        let parse = |v: &str| nodejs_semver::Version::parse(v).ok();
        let version = parse(version)?;
        if parse(&self.unbounded_from).is_some_and(|from| version >= from) {
            return None;
        }
        // The releases are in order: the last one at or below the version.
        self.release
            .iter()
            .rev()
            .find(|release| parse(&release.from).is_some_and(|from| version >= from))
            .map(|release| release.newest_node)
    }
}

fn native() -> &'static Native {
    static NATIVE: OnceLock<Native> = OnceLock::new();
    NATIVE.get_or_init(|| table(NATIVE_TOML))
}

/// Dependencies with native code, in the order they are looked for.
pub(crate) fn native_modules() -> &'static [String] {
    &native().modules
}

pub(crate) fn nan() -> &'static Nan {
    &native().nan
}

/// Packages whose releases fail from some Node line on, as it removed what they call (removed.toml).
#[derive(Deserialize, Default)]
struct Removed {
    package: Vec<RemovedFor>,
}

#[derive(Deserialize)]
pub(crate) struct RemovedFor {
    pub(crate) name: String,
    /// The releases affected, an npm range.
    pub(crate) versions: String,
    /// The newest Node line they run on.
    pub(crate) newest_node: u64,
    pub(crate) why: String,
}

impl RemovedFor {
    /// Whether this release of the package is one of those affected.
    pub(crate) fn affects(&self, version: &str) -> bool {
        let range = nodejs_semver::Range::parse(&self.versions).ok();
        let version = nodejs_semver::Version::parse(version).ok();
        matches!((range, version), (Some(range), Some(version)) if range.satisfies(&version))
    }
}

/// Packages whose releases fail from some Node line on, in the order they are looked for.
pub(crate) fn removed_for() -> &'static [RemovedFor] {
    static REMOVED: OnceLock<Removed> = OnceLock::new();
    &REMOVED.get_or_init(|| table(REMOVED_TOML)).package
}

#[derive(Deserialize, Default)]
struct Floors {
    package: Vec<Floor>,
}

/// The Node range (`>=18.17.0`) releases of a package (`next` `>=14.0.0 <15.0.0`) need (floors.toml).
#[derive(Deserialize)]
pub(crate) struct Floor {
    pub(crate) name: String,
    pub(crate) versions: String,
    pub(crate) node: String,
}

/// The Node range the oldest release a declared range (`^14.2.4`) allows needs, when floors.toml knows it.
pub(crate) fn floor_for(name: &str, declared: &str) -> Option<&'static Floor> {
    static FLOORS: OnceLock<Floors> = OnceLock::new();
    let oldest = nodejs_semver::Range::parse(declared).ok()?.min_version()?;
    FLOORS.get_or_init(|| table(FLOORS_TOML)).package.iter().find(|floor| {
        floor.name == name && nodejs_semver::Range::parse(&floor.versions).is_ok_and(|range| range.satisfies(&oldest))
    })
}

#[derive(Deserialize, Default)]
struct Md4Tools {
    tool: Vec<Md4Tool>,
}

/// A build tool that hashes with MD4 before release `fixed_in` (`5.0.0`, `4.47.0`; openssl.toml).
#[derive(Deserialize)]
pub(crate) struct Md4Tool {
    pub(crate) package: String,
    pub(crate) fixed_in: String,
}

/// The build tools that need OpenSSL's legacy provider on Node 17 and later, in the order they are looked for.
pub(crate) fn md4_tools() -> &'static [Md4Tool] {
    static TOOLS: OnceLock<Md4Tools> = OnceLock::new();
    &TOOLS.get_or_init(|| table(OPENSSL_TOML)).tool
}

#[derive(Deserialize, Default)]
struct Clis {
    cli: Vec<ServerCli>,
}

/// A dependency's command that starts the app's server (clis.toml).
#[derive(Deserialize)]
pub(crate) struct ServerCli {
    pub(crate) package: String,
    pub(crate) bin: String,
    pub(crate) subcommand: String,
    pub(crate) port: u16,
    /// The variable that moves its listen address off loopback.
    pub(crate) bind_env: Option<String>,
    pub(crate) port_options: Vec<String>,
    pub(crate) bind_options: Vec<String>,
    pub(crate) options_with_values: Vec<String>,
    pub(crate) dev_options: Vec<String>,
}

/// The server CLIs, in the order they are looked for.
pub(crate) fn server_clis() -> &'static [ServerCli] {
    static CLIS: OnceLock<Clis> = OnceLock::new();
    &CLIS.get_or_init(|| table(CLIS_TOML)).cli
}

#[derive(Deserialize, Default)]
struct Generators {
    generator: Vec<Generator>,
}

/// A static-site generator (generators.toml).
#[derive(Deserialize)]
pub(crate) struct Generator {
    pub(crate) name: String,
    pub(crate) package: String,
    pub(crate) programs: Vec<String>,
    pub(crate) subcommand: Option<String>,
    pub(crate) output: String,
    pub(crate) output_flag: Option<String>,
    pub(crate) config_stem: Option<String>,
    pub(crate) legacy_config: Option<String>,
    #[serde(default)]
    pub(crate) config_path: Vec<String>,
}

/// The static-site generators, in the order they are looked for.
pub(crate) fn generators() -> &'static [Generator] {
    static GENERATORS: OnceLock<Generators> = OnceLock::new();
    &GENERATORS.get_or_init(|| table(GENERATORS_TOML)).generator
}

/// Node's release lines (lines.toml).
pub(crate) fn lines() -> &'static NodeLines {
    static LINES: OnceLock<NodeLines> = OnceLock::new();
    LINES.get_or_init(|| table(LINES_TOML))
}

/// Whether the official image of Node `major` ships `tool` (`corepack`, `yarn`); false for a line dockgen does
/// not know, so the Dockerfile installs the tool with npm, which works on every image.
pub(crate) fn node_image_has(major: u64, tool: &str) -> bool {
    lines()
        .line
        .iter()
        .find(|l| l.version == major)
        .is_some_and(|l| match tool {
            "corepack" => l.corepack,
            "yarn" => l.yarn,
            _ => false,
        })
}

/// The line's record, when dockgen knows it (`22`, `22.11.0`: the major decides).
pub(crate) fn line_of(version: &str) -> Option<&'static NodeLine> {
    let major: u64 = version.trim_start_matches('v').split('.').next()?.parse().ok()?;
    lines().line.iter().find(|l| l.version == major)
}

#[cfg(test)]
mod tests {
    use globset::Glob;

    use super::*;

    #[test]
    fn framework_floors_by_the_oldest_release_a_range_allows() {
        let node = |name: &str, declared: &str| floor_for(name, declared).map(|f| f.node.as_str());
        assert_eq!(node("next", "^14.2.4"), Some(">=18.17.0"));
        assert_eq!(node("next", "14.x"), Some(">=18.17.0"));
        assert_eq!(node("next", "^13.5.0"), None);
        assert_eq!(node("next", ">=13 <15"), None);
        assert_eq!(node("vite", "^7.0.0"), Some("^20.19.0 || >=22.12.0"));
        assert_eq!(node("react", "^18.3.1"), None);
        assert_eq!(node("next", "latest"), None);
    }

    #[test]
    fn the_runtime_table_parses() {
        let parsed: RuntimeFiles = toml::from_str(RUNTIME_TOML).expect("node/runtime.toml parses");
        assert!(parsed.folders.iter().any(|f| f == "views"));
        assert!(parsed.not_runtime.iter().any(|f| f == "test"));
        assert_eq!(parsed.dependencies.get("config").map(Vec::len), Some(1));
        for pattern in &parsed.secrets {
            assert!(Glob::new(pattern).is_ok(), "{pattern}");
        }
        assert!(runtime().is_secret(".env.production"));
        assert!(!runtime().is_secret("environment.js"));
        assert!(!runtime().is_secret(".env.example"), "a committed template");
    }

    #[test]
    fn the_removed_api_table_parses_and_names_known_lines() {
        let table: Removed = toml::from_str(REMOVED_TOML).expect("node/removed.toml parses");
        for entry in &table.package {
            assert!(nodejs_semver::Range::parse(&entry.versions).is_ok(), "{}", entry.versions);
            assert!(lines().line.iter().any(|l| l.version == entry.newest_node && l.lts), "{}", entry.name);
        }
        let jwa = removed_for().iter().find(|e| e.name == "jwa").expect("jwa");
        assert!(jwa.affects("1.4.1") && jwa.affects("2.0.0"));
        assert!(!jwa.affects("1.4.2") && !jwa.affects("2.0.1") && !jwa.affects("not a version"));
    }

    #[test]
    fn the_platform_table_parses() {
        let table: Platforms = toml::from_str(PLATFORMS_TOML).expect("node/platforms.toml parses");
        assert!(table
            .platform
            .iter()
            .any(|p| p.packages.iter().any(|n| n == "@cloudflare/vite-plugin")));
        assert!(table.node_adapters.iter().any(|n| n == "@sveltejs/adapter-node"));
        assert!(
            table.platform.iter().all(|p| !p.tools.is_empty()),
            "every platform names its CLI"
        );
    }

    #[test]
    fn the_cli_table_parses_and_every_option_is_an_option() {
        let parsed: Clis = toml::from_str(CLIS_TOML).unwrap();
        assert!(parsed.cli.iter().any(|c| c.package == "fastify-cli" && c.bin == "fastify"));
        for cli in &parsed.cli {
            let options = cli.options_with_values.iter().chain(&cli.dev_options);
            assert!(options.clone().all(|o| o.starts_with('-')), "{}", cli.package);
            assert!(cli.port_options.iter().chain(&cli.bind_options).all(|o| cli.options_with_values.contains(o)));
        }
    }

    #[test]
    fn the_native_table_parses() {
        let parsed: Native = toml::from_str(NATIVE_TOML).unwrap();
        assert!(parsed.modules.iter().any(|m| m == "bcrypt"));
        assert_eq!(parsed.nan.newest_node("2.7.0"), Some(8));
        assert_eq!(parsed.nan.newest_node("2.13.2"), Some(11));
        assert_eq!(parsed.nan.newest_node("2.14.0"), Some(13));
        assert_eq!(parsed.nan.newest_node("2.3.5"), Some(7));
        assert_eq!(parsed.nan.newest_node("2.22.2"), None);
        assert_eq!(parsed.nan.newest_node("not a version"), None);
        assert!(parsed.nan.release.windows(2).all(|w| w[0].newest_node < w[1].newest_node));
    }

    #[test]
    fn the_node_table_parses_and_its_current_lts_is_an_lts_line() {
        let table: NodeLines = toml::from_str(LINES_TOML).unwrap();
        let current = table.line.iter().find(|l| l.version == table.current_lts).unwrap();
        assert!(current.lts);
        assert!(table.line.windows(2).all(|w| w[0].version < w[1].version));
        assert!(table.line.iter().all(|l| l.lts == (l.version % 2 == 0)));
    }

    #[test]
    fn images_of_node_25_and_later_have_no_corepack_and_26_no_yarn() {
        assert!(node_image_has(24, "corepack") && node_image_has(24, "yarn"));
        assert!(!node_image_has(25, "corepack") && node_image_has(25, "yarn"));
        assert!(!node_image_has(26, "corepack") && !node_image_has(26, "yarn"));
        assert!(!node_image_has(99, "corepack"));
    }
}
