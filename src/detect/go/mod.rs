//! The Go probe: go.mod or go.work, the programs it can build ranked by evidence, and for the chosen one its
//! binary name, ports, cgo and embedded front-end — each question in its own module.

mod bind;
mod buildfiles;
mod cgo;
mod constraints;
mod contract;
mod embed;
mod env;
mod execs;
mod lines;
mod mains;
pub(crate) mod modfile;
mod packages;
mod plan;
mod ports;
mod runfiles;
mod writes;

use std::collections::BTreeMap;
use std::path::{Component, Path};

use anyhow::{bail, Result};
use serde_json::json;

use super::lex;
use super::services;
use super::stack::{Example, Parser, Stack};
use super::{has_marker, join_rel, read_manifest, Candidate, Choice, ChoiceOption, Fact, Facts};
use modfile::GoMod;
use packages::Tree;

use crate::knowledge::go::go_minor;

pub(super) static STACK: Stack = Stack {
    name: "go",
    markers: &["go.mod", "go.work"],
    probe,
    decisive_facts: &[
        "app",
        "main_package",
        "binary_name",
        "module",
        "build_script",
        "go_version",
        "node_version",
        "package_manager",
        "package_manager_version",
        "cgo",
    ],
    internal_facts: &[
        "never_listens",
        "install_files",
        "module_files",
        "download_step",
        "lockfile",
        "workspace_root",
        "port_fixed",
        "corepack",
        "has_frontend",
        "frontend",
        "yarn_path",
        "embedded_paths",
    ],
    derive: plan::derive,
    plan_fields: plan::FIELDS,
    build_inputs: false,
    program_key: "main_package",
    image_name: |values| values.get("binary_name").and_then(|v| v.as_str()).map(String::from),
    examples: &[
        Example {
            preset: "go",
            folder: "go-http",
        },
        Example {
            preset: "go-distroless",
            folder: "go-http",
        },
    ],
    parsers: &[
        Parser {
            name: "go_mod",
            parse: fuzz_go_mod,
        },
        Parser {
            name: "go_source",
            parse: fuzz_source,
        },
    ],
    fuzz_paths: &[
        "go.mod",
        "go.work",
        "main.go",
        "cmd/api/main.go",
        "cmd/worker/w.go",
        "api/go.mod",
        "api/main.go",
        "vendor/modules.txt",
    ],
};

/// The language version go assumes for a module whose go.mod has no `go` directive.
const ASSUMED_WITHOUT_DIRECTIVE: &str = "1.16";

/// One Go module of the build: the root module, or one `use` entry of a workspace.
struct Module {
    /// Directory relative to the build root, "." for the root.
    dir: String,
    path: String,
    gomod: GoMod,
    has_go_sum: bool,
}

fn probe(root: &Path) -> Result<Option<Candidate>> {
    if has_marker(root, "go.work")? {
        probe_workspace(root).map(Some)
    } else if has_marker(root, "go.mod")? {
        probe_module(root).map(Some)
    } else {
        Ok(None)
    }
}

fn probe_module(root: &Path) -> Result<Candidate> {
    let module = read_module(root, ".")?;
    let mut candidate = new_candidate("go.mod");
    let go_version =
        version_fact(&module.gomod, "go.mod", &mut candidate.warnings).unwrap_or_else(|| without_directive("go.mod"));
    insert(&mut candidate.facts, "go_version", go_version);
    let module_line = module.gomod.module.as_ref().map_or(1, |m| m.1);
    insert(
        &mut candidate.facts,
        "module",
        Fact::new(module.path.clone(), format!("go.mod:{module_line}")),
    );
    insert(
        &mut candidate.facts,
        "workspace",
        Fact::new(false, "go.work").with_note("not present"),
    );
    if let Some(outer) = enclosing_workspace(root) {
        candidate.warnings.push(format!(
            "{} is outside the build context, so the image builds this module alone: modules it takes from \
             that workspace must be published or vendored (or run dockgen in the workspace root)",
            outer.display()
        ));
    }
    finish(root, &[module], &[], &mut candidate)?;
    Ok(candidate)
}

fn probe_workspace(root: &Path) -> Result<Candidate> {
    let work = modfile::parse_go_work(&read_manifest(root, "go.work")?).map_err(|e| anyhow::anyhow!("go.work:{e}"))?;
    let mut modules = Vec::new();
    for (dir, line) in &work.uses {
        let dir = normalise_use_dir(dir).ok_or_else(|| {
            anyhow::anyhow!(
                "go.work:{line}: `use {dir}` is outside the build context; run dockgen in the directory that holds every used module"
            )
        })?;
        let gomod_rel = join_rel(&dir, "go.mod");
        if !root.join(&gomod_rel).is_file() {
            bail!("go.work:{line}: `use {dir}` has no {gomod_rel}");
        }
        modules.push(read_module(root, &dir)?);
    }
    if modules.is_empty() {
        bail!("go.work has no `use` directive, so there is no module to build");
    }
    let mut candidate = new_candidate("go.work");
    let workspace_version = version_fact_from(
        work.go.as_ref(),
        work.toolchain.as_ref(),
        "go.work",
        &mut candidate.warnings,
    );
    let newest_module_version = modules
        .iter()
        .filter_map(|m| version_fact(&m.gomod, &join_rel(&m.dir, "go.mod"), &mut candidate.warnings))
        .max_by_key(|fact| go_minor(fact.value.as_str().unwrap_or_default()));
    let go_version = workspace_version
        .or(newest_module_version)
        .unwrap_or_else(|| without_directive("go.work"));
    insert(&mut candidate.facts, "go_version", go_version);
    let uses: Vec<&str> = modules.iter().map(|m| m.dir.as_str()).collect();
    let first_use = work.uses.first().map_or(1, |u| u.1);
    insert(
        &mut candidate.facts,
        "workspace",
        Fact::new(json!(uses), format!("go.work:{first_use}")),
    );
    finish(root, &modules, &work.replaced, &mut candidate)?;
    Ok(candidate)
}

/// The line for a build whose files have no `go` directive: go reads them as `go 1.16`, which every maintained
/// toolchain builds, so the oldest maintained line.
fn without_directive(file: &str) -> Fact {
    let (line, _) = lines::build_line(ASSUMED_WITHOUT_DIRECTIVE);
    Fact::new(line.clone(), file).with_note(format!(
        "no go directive, which go reads as go {ASSUMED_WITHOUT_DIRECTIVE}: built with the oldest maintained line \
         {line}; --set go_version=1.N picks another"
    ))
}

/// A go.work in a folder above the module, which go would use locally but a build of this folder cannot see.
fn enclosing_workspace(root: &Path) -> Option<std::path::PathBuf> {
    let absolute = std::fs::canonicalize(root).ok()?;
    absolute
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("go.work"))
        .find(|path| path.is_file())
}

fn new_candidate(evidence: &str) -> Candidate {
    Candidate {
        stack: "go",
        evidence: evidence.into(),
        facts: Facts::new(),
        choices: Vec::new(),
        warnings: Vec::new(),
        notes: Vec::new(),
    }
}

/// A fact listing paths (`config/app.yml`), each with its evidence (`main.go:12 reads config/app.yml`): the first
/// evidence's `file:line` is the source, all of it the note, then `why`. None when there are none.
fn paths_fact(paths: &BTreeMap<String, String>, why: &str) -> Option<Fact> {
    let (_, first) = paths.iter().next()?;
    let source = first.split_once(' ').map_or(first.as_str(), |(at, _)| at);
    let evidence: Vec<&str> = paths.values().map(String::as_str).collect();
    Some(Fact::new(json!(paths.keys().collect::<Vec<_>>()), source).with_note(format!("{}: {why}", evidence.join("; "))))
}

/// A dotenv file the program loads that git tracks and the project's own image shipped (`ADD .env .env`) holds
/// the project's settings, not a developer's secrets: it ships as it is (moved from `dotenv` to `read`), where
/// an empty stand-in would drop settings nothing else gives (a timeout the code defaults to zero).
fn shipped_dotenv(root: &Path, dotenv: &mut BTreeMap<String, String>, read: &mut BTreeMap<String, String>) {
    if dotenv.is_empty() {
        return;
    }
    let runtime = crate::detect::deploy::read(root, ".", &[], &|_, _| true);
    for (copied, source) in &runtime.copied_in {
        let Some((from, _)) = &copied.file else { continue };
        let file = from.trim_start_matches("./");
        if !dotenv.contains_key(file) || crate::detect::walk::is_gitignored(root, file) {
            continue;
        }
        if let Some(why) = dotenv.remove(file) {
            read.insert(file.to_string(), format!("{why}; the project's image shipped it ({source}) and git tracks it"));
        }
    }
}

fn insert(facts: &mut Facts, key: &str, fact: Fact) {
    facts.insert(key.to_string(), fact);
}

/// The facts every Go build shares (vendoring, module files), then the programs it can build: one is a fact,
/// several a choice whose options carry each program's own facts, with a default when one is clearly strongest.
fn finish(root: &Path, modules: &[Module], workspace_replaced: &[String], candidate: &mut Candidate) -> Result<()> {
    let workspace = candidate.evidence == "go.work";
    let build_files = buildfiles::read(root);
    let tree = Tree::read(root, modules, &[])?;
    candidate.warnings.extend(tree.cut.iter().cloned());
    candidate
        .warnings
        .extend(build_files.unreadable.iter().map(|why| format!("{why} (ignored)")));

    let vendored = root.join("vendor/modules.txt").is_file();
    if vendored {
        insert(&mut candidate.facts, "vendor", Fact::new(true, "vendor/modules.txt"));
    } else {
        if root.join("vendor").is_dir() {
            candidate
                .warnings
                .push("vendor/ has no modules.txt, so go ignores it; run `go mod vendor` to use it".into());
        }
        insert(
            &mut candidate.facts,
            "vendor",
            Fact::new(false, "vendor/modules.txt").with_note("not present"),
        );
    }
    insert(
        &mut candidate.facts,
        "module_files",
        module_files_fact(root, modules, workspace),
    );
    let download_step = if vendored {
        Fact::new(false, "vendor/modules.txt").with_note("dependencies are vendored")
    } else {
        download_step_fact(modules, workspace_replaced)
    };
    insert(&mut candidate.facts, "download_step", download_step);

    // The project is named by the root module (in a workspace, the module at the root, if any) and by the
    // repository's folder.
    let mut project_names: Vec<String> = modules
        .iter()
        .filter(|m| m.dir == ".")
        .map(|m| mains::module_binary_name(&m.path))
        .collect();
    if let Some(folder) = std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    {
        project_names.push(folder);
    }
    let (ranked, clear) = mains::ranked(&tree, modules, &build_files, &project_names);
    let (mut options, clues) = every_program(root, &tree, modules, &ranked, workspace);
    contract::apply(root, &mut options, candidate);
    for (option, clues) in options.iter_mut().zip(clues) {
        services::record(root, ".", clues, &mut option.facts);
        settle_required_env(&mut option.facts);
    }
    match options.len() {
        0 => {
            let nested = if tree.nested_modules.is_empty() {
                String::new()
            } else {
                let mut shown: Vec<&str> = tree.nested_modules.iter().map(String::as_str).take(5).collect();
                if tree.nested_modules.len() > 5 {
                    shown.push("...");
                }
                format!(
                    "; folders with their own go.mod, which this build does not include: {} (run dockgen in the one \
                     to build)",
                    shown.join(", ")
                )
            };
            candidate.warnings.push(format!(
                "no main package found in {} Go files{nested}: pass --set main_package=./path/to/cmd",
                tree.file_count
            ));
            let every_package: Vec<usize> = (0..tree.packages.len()).collect();
            let requires = required_modules(modules);
            insert(&mut candidate.facts, "cgo", cgo::cgo_fact(&tree, &every_package, &requires, None));
        }
        1 => {
            let only = options.remove(0);
            candidate.warnings.extend(only.warnings);
            candidate.notes.extend(only.notes);
            insert(&mut candidate.facts, "main_package", Fact::new(only.value, only.source).sole());
            candidate.facts.extend(only.facts);
        }
        _ => {
            let default = clear.then(|| options[0].value.clone());
            candidate.choices.push(Choice {
            alternative: None,
                key: "main_package".into(),
                options,
                default,
            });
        }
    }
    Ok(())
}

/// What one file of a program brings and does at run time: what it says about listening, the folders it
/// embeds, the places it writes, the programs it starts and the paths it reads, each with its line. Read
/// once per file however many programs import it.
#[derive(Default)]
struct RunTime {
    ports: ports::FileScan,
    binds: bind::Binds,
    embeds: Vec<embed::Embedded>,
    writes: Vec<writes::Write>,
    programs: Vec<(String, usize)>,
    reads: Vec<(String, usize)>,
    /// The fields whose value a read call is given (`http.Dir(config.Env().StaticDir)`), with their lines, and
    /// the strings the file sets fields to (`StaticDir: "./static"`): the graph's settings resolve them.
    field_reads: Vec<(String, usize)>,
    field_strings: Vec<(String, String)>,
    env: Vec<(String, usize)>,
    /// The variables the file stops the program without (`if os.Getenv("X") == "" { log.Fatal(…) }`).
    required_env: Vec<(String, usize)>,
    health: Vec<(String, usize)>,
}

impl RunTime {
    fn of(root: &Path, mut lexed: lex::Lexed, rel: &str) -> Self {
        let tokens = &lexed.tokens;
        let words = Words::of(tokens);
        // The probes of calls walk these; putting the local strings in keeps every token's place.
        let calls = lex::call_positions(tokens);
        let env = if words.env_lookup { env::file_env(tokens, &calls) } else { Vec::new() };
        let mut run_time = RunTime {
            ports: ports::FileScan::of(&lexed, rel, &words),
            binds: bind::file_binds(tokens),
            embeds: embed::file_embeds(root, rel, &lexed),
            required_env: if env.is_empty() { Vec::new() } else { env::file_required_env(tokens, &env) },
            health: if words.health_path { env::file_health_routes(tokens) } else { Vec::new() },
            env,
            ..RunTime::default()
        };
        // Paths and programs are often named once in a constant or a variable and used by that name: the probes
        // below read the tokens with each such name replaced by its literal.
        let writes::LocalStrings { uses, assigned } = writes::local_strings(tokens);
        let bound_files = runfiles::bound_files(root, &assigned);
        writes::put_local_strings(&mut lexed.tokens, uses);
        let named = &lexed.tokens;
        run_time.writes = writes::file_writes(named, &calls, rel);
        if words.exec {
            run_time.programs = execs::file_programs(named, &calls);
        }
        let mut reads = runfiles::file_reads(named, &calls);
        reads.extend(bound_files);
        if words.viper_config_name {
            reads.extend(runfiles::viper_config_reads(named, &calls));
        }
        run_time.reads = reads;
        run_time.field_reads = runfiles::field_reads(named, &calls);
        run_time.field_strings = runfiles::field_strings(named);
        run_time
    }
}

/// The words a file's tokens hold that some run-time probe needs: a probe whose every shape needs a word the
/// file lacks is not run over its tokens. One pass over the tokens, each word matched whole, sets them all
/// (a text search per word read the file again for each absent one).
#[derive(Default)]
#[allow(clippy::struct_excessive_bools)] // one flag per probe, set together
pub(super) struct Words {
    /// `const`: the file declares constants.
    pub(super) constant: bool,
    /// `Run`: `.Run()` with no address.
    pub(super) run: bool,
    /// A listener call (`ports::LISTENER_CALLS`).
    pub(super) listener: bool,
    /// cobra's `Use:`, kingpin's `.Command(`, urfave's `cli.Command{`.
    pub(super) command: bool,
    /// `os.Getenv` or `os.LookupEnv`.
    pub(super) env_lookup: bool,
    /// A string that may name a listen variable: every upper-case one holds `PORT`, `ADDR`, `LISTEN` or
    /// `BIND` (`configport::is_listen_flag_name`).
    pub(super) listen_variable: bool,
    /// `exec`, the package of `exec.Command`.
    pub(super) exec: bool,
    /// viper's `SetConfigName`.
    pub(super) viper_config_name: bool,
    /// A string that is a health route.
    pub(super) health_path: bool,
}

impl Words {
    fn of(tokens: &[(lex::Token<'_>, usize)]) -> Self {
        let mut words = Words::default();
        for (token, _) in tokens {
            match token {
                lex::Token::Ident(name) => match name.as_str() {
                    "const" => words.constant = true,
                    "Run" => words.run = true,
                    "Use" | "Command" => words.command = true,
                    "Getenv" | "LookupEnv" => words.env_lookup = true,
                    "exec" => words.exec = true,
                    "SetConfigName" => words.viper_config_name = true,
                    name if ports::LISTENER_CALLS.contains(&name) => words.listener = true,
                    _ => {}
                },
                lex::Token::Str(text) => {
                    words.health_path |= crate::knowledge::services::is_health_path(text);
                    words.listen_variable |= text.bytes().any(|b| b.is_ascii_uppercase())
                        && ["PORT", "ADDR", "LISTEN", "BIND"].iter().any(|word| text.contains(word));
                }
                _ => {}
            }
        }
        words
    }
}

/// Every ranked program's option, in rank order, with the service clients it imports. A program built with
/// custom tags is read as that build compiles it: the files its tags enable, without those they exclude
/// (`-tags noserver` drops the server of a CLI-only build). Each other set of tags reads the tree again; most
/// repositories have none.
fn every_program(
    root: &Path,
    tree: &Tree,
    modules: &[Module],
    ranked: &[mains::MainCandidate],
    workspace: bool,
) -> (Vec<ChoiceOption>, Vec<Vec<services::Clue>>) {
    let mut options: Vec<(usize, ChoiceOption, Vec<services::Clue>)> = Vec::new();
    let mut tag_sets: Vec<Vec<&str>> = ranked.iter().map(mains::MainCandidate::tags).collect();
    tag_sets.sort_unstable();
    tag_sets.dedup();
    for tags in tag_sets {
        let built: Vec<(usize, &mains::MainCandidate)> =
            ranked.iter().enumerate().filter(|(_, main)| main.tags() == tags).collect();
        if tags.is_empty() {
            options.extend(program_options(root, tree, modules, &built, workspace));
        } else {
            let tags: Vec<String> = tags.iter().map(|tag| (*tag).to_string()).collect();
            let tagged = tree.with_tags(modules, &tags);
            options.extend(program_options(root, &tagged, modules, &built, workspace));
        }
    }
    options.sort_by_key(|(rank, _, _)| *rank);
    options.into_iter().map(|(_, option, clues)| (option, clues)).unzip()
}

/// The options of these programs (with their ranks and the service clients they import), read from `tree`:
/// each file of their import graphs is lexed once, and scanned for ports once however many of them import it.
fn program_options(
    root: &Path,
    tree: &Tree,
    modules: &[Module],
    built: &[(usize, &mains::MainCandidate)],
    workspace: bool,
) -> Vec<(usize, ChoiceOption, Vec<services::Clue>)> {
    // A package is found by its folder: a tree read with other tags numbers its packages differently.
    let mains: Vec<(usize, mains::MainCandidate)> = built
        .iter()
        .filter_map(|(rank, main)| {
            let package = tree.package_in(&main.dir)?;
            let mut main = (*main).clone();
            main.package = package;
            Some((*rank, main))
        })
        .collect();
    let graphs: Vec<Vec<usize>> = mains.iter().map(|(_, main)| tree.graph(main.package)).collect();
    let every_graph_package: Vec<usize> = graphs.iter().flatten().copied().collect();
    let module_paths: Vec<&str> = modules.iter().map(|module| module.path.as_str()).collect();
    tree.lex_whole(&every_graph_package, &module_paths, |lexed, rel| RunTime::of(root, lexed, rel));
    let folded = ports::folded(tree, &graphs);
    mains
        .iter()
        .zip(&graphs)
        .zip(&folded)
        .map(|(((rank, main), graph), folded)| {
            let option = program_option(root, tree, folded, modules, main, graph, workspace);
            (*rank, option, service_clues(tree, graph))
        })
        .collect()
}

/// One program and everything that depends on which program is built.
fn program_option(
    root: &Path,
    tree: &Tree,
    folded: &ports::Folded,
    modules: &[Module],
    main: &mains::MainCandidate,
    graph: &[usize],
    workspace: bool,
) -> ChoiceOption {
    let mut facts = Facts::new();
    insert(&mut facts, "binary_name", main.binary_name.clone());
    if let Some(tags) = &main.build_tags {
        insert(&mut facts, "build_tags", tags.clone());
    }
    if workspace {
        // In a workspace the module depends on which program is built.
        let module = &modules[tree.packages[main.package].module];
        insert(
            &mut facts,
            "module",
            Fact::new(module.path.clone(), main.evidence.clone()),
        );
    }
    let listening = ports::listening(tree, graph, folded);
    let env_value = |name: &str| services::committed_env_value(root, name);
    for (key, fact) in ports::port_facts(&listening, &main.dir, env_value) {
        insert(&mut facts, key, fact);
    }
    if let Some((name, source)) = &listening.server_command {
        insert(
            &mut facts,
            "args",
            Fact::new(json!([name]), source.clone()).with_note(format!(
                "the server is the `{name}` subcommand, defined beside what listens: started with it"
            )),
        );
    }
    written_facts(&mut facts, &writes::writes(tree, graph));
    let mut read = runfiles::read_paths(root, tree, graph);
    let mut dotenv = runfiles::dotenv_loads(tree, graph);
    shipped_dotenv(root, &mut dotenv, &mut read);
    if let Some(fact) = paths_fact(&read, "shipped beside the binary, in its working directory") {
        insert(&mut facts, "shipped_paths", fact);
    }
    let stand_in = "empty in the image (the project's own holds secrets), so the load succeeds and the values come \
                    from the environment";
    if let Some(fact) = paths_fact(&dotenv, stand_in) {
        insert(&mut facts, "empty_files", fact);
    }
    crate::detect::runtime_programs(execs::programs(tree, graph).iter(), &mut facts);
    env_facts(tree, graph, &mut facts);
    let health = tree
        .graph_files(graph)
        .find_map(|file| file.run_time().health.first().map(|(path, line)| (path.clone(), format!("{}:{line}", file.rel))));
    services::health_route(health, &mut facts);
    let mut warnings = listening.loopback.clone();
    bind_facts(tree, graph, &mut facts, &mut warnings);
    warnings.extend(main.warnings.iter().cloned());
    // A listen call whose port nothing in the code says may take it from the config file the program reads.
    if !facts.contains_key("port") && listening.listener.is_some() {
        if let Some(port) = crate::detect::configport::config_port(root, read.keys(), &mut warnings) {
            insert(&mut facts, "port_fixed", Fact::new(port.source.clone(), port.source.clone()));
            insert(&mut facts, "port", port);
        }
    }
    let module = &modules[tree.packages[main.package].module];
    insert(
        &mut facts,
        "cgo",
        cgo::cgo_fact(tree, graph, &required_modules(std::slice::from_ref(module)), main.cgo.as_ref()),
    );
    let embeds = embed::embeds(root, tree, graph);
    if !embeds.present.is_empty() {
        insert(
            &mut facts,
            "embedded_paths",
            Fact::new(json!(embeds.present), main.evidence.clone())
                .with_note("embedded by //go:embed, so kept in the build context"),
        );
    }
    let embeds_frontend = !embeds.frontend.is_empty();
    for (key, fact) in embeds.frontend {
        insert(&mut facts, key, fact);
    }
    warnings.extend(embeds.warnings);
    let mut notes = main.notes.clone();
    if !embeds_frontend {
        served_frontend(root, tree, graph, &mut facts, &mut notes, &mut warnings);
    }
    ChoiceOption {
        value: package_arg(&main.dir),
        source: main.evidence.clone(),
        facts,
        why: main.why.clone(),
        warnings,
        notes,
    }
}

/// How the program binds beyond its port's own address: a host variable whose default is loopback
/// (`bind_env`, set to every interface by the image), and listen addresses built from a loopback host (said).
fn bind_facts(tree: &Tree, graph: &[usize], facts: &mut Facts, warnings: &mut Vec<String>) {
    for file in tree.graph_files(graph) {
        let binds = &file.run_time().binds;
        for (address, line) in &binds.loopback {
            warnings.push(format!(
                "{}:{line}: the program listens on {address}, a loopback address that a published port cannot \
                 reach; make it listen on every interface (\":PORT\") in the container",
                file.rel
            ));
        }
        if let Some((name, line)) = binds.host_variables.first() {
            facts.entry("bind_env".into()).or_insert_with(|| {
                Fact::new(name.clone(), format!("{}:{line}", file.rel)).with_note(crate::detect::BIND_ENV_NOTE)
            });
        }
    }
}

/// The variables the program reads by name (`env_reads`), and those it stops without (`required_env`, each
/// with where, settled against the deployment files' values once they are applied).
fn env_facts(tree: &Tree, graph: &[usize], facts: &mut Facts) {
    services::env_reads(first_places(tree, graph, |run_time| &run_time.env), facts);
    let required = first_places(tree, graph, |run_time| &run_time.required_env);
    if let Some((_, first)) = required.first() {
        // Each with where, settled against the deployment files' values once they are applied.
        let reads: Vec<_> = required.iter().map(|(name, at)| json!({ "name": name, "source": at })).collect();
        insert(facts, "required_env", Fact::new(json!(reads), first.clone()));
    }
}

/// Each name a run-time list of the program's files holds, once, with the first `file.go:line` that holds it.
fn first_places(tree: &Tree, graph: &[usize], list: impl Fn(&RunTime) -> &Vec<(String, usize)>) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for file in tree.graph_files(graph) {
        for (name, line) in list(file.run_time()) {
            if !found.iter().any(|(known, _)| known == name) {
                found.push((name.clone(), format!("{}:{line}", file.rel)));
            }
        }
    }
    found
}

/// The variables the program stops without, once the deployment files' values are known: those they set, and
/// the port's, leave the list; credentials join `secret_env`.
fn settle_required_env(facts: &mut Facts) {
    let Some(fact) = facts.shift_remove("required_env") else { return };
    let reads: Vec<(String, String)> = fact
        .value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|read| Some((read["name"].as_str()?.to_string(), read["source"].as_str()?.to_string())))
        .collect();
    services::required_env(&reads, "the program stops without it", facts);
}

/// The front-end the program serves from its working directory (`http.Dir("web/dist")`, gin's `Static`): a
/// folder the repository does not hold and a package.json builds, made in a stage of its own and copied beside
/// the binary (`frontend.served`), where an embedded one is copied into the build instead.
fn served_frontend(root: &Path, tree: &Tree, graph: &[usize], facts: &mut Facts, notes: &mut Vec<String>, warnings: &mut Vec<String>) {
    for (folder, source) in runfiles::unheld_reads(root, tree, graph) {
        match crate::detect::frontend::served(root, &folder, &source) {
            Ok(None) => continue,
            Ok(Some(served)) => {
                for (key, mut fact) in served.facts {
                    if let (true, Some(stage)) = (key == "frontend", fact.value.as_object_mut()) {
                        stage.insert("served".into(), json!(true));
                    }
                    insert(facts, key, fact);
                }
                notes.push(served.note);
            }
            Err(warning) => warnings.push(warning),
        }
        return;
    }
}

/// The folders the program writes (`written_dirs`, relative to its working directory or absolute); when one
/// lies above the working directory (`../gorm.db`), a deeper working directory (`workdir`) keeps it inside
/// the app's own folder.
fn written_facts(facts: &mut Facts, found: &[writes::Write]) {
    let Some(first) = found.first() else { return };
    let source = first.why.split_once(' ').map_or(first.why.as_str(), |(at, _)| at);
    let evidence: Vec<&str> = found.iter().map(|w| w.why.as_str()).collect();
    let depth = found
        .iter()
        .map(|w| w.folder.split('/').take_while(|p| *p == "..").count())
        .max()
        .unwrap_or(0);
    let dirs: Vec<&str> = found.iter().map(|w| w.folder.as_str()).collect();
    insert(
        facts,
        "written_dirs",
        Fact::new(json!(dirs), source).with_note(evidence.join("; ")),
    );
    if depth > 0 {
        let above = found.iter().find(|w| w.folder.starts_with("..")).map_or("", |w| w.why.as_str());
        insert(
            facts,
            "workdir",
            Fact::new(format!("/app{}", "/run".repeat(depth)), source).with_note(format!(
                "{above}, above the working directory: it runs {depth} folder(s) below /app, so that lands in /app"
            )),
        );
    }
}

/// The modules that `modules` require, with their `go.mod:line`.
fn required_modules(modules: &[Module]) -> Vec<(String, String)> {
    modules
        .iter()
        .flat_map(|m| {
            let file = if m.dir == "." { "go.mod".to_string() } else { format!("{}/go.mod", m.dir) };
            m.gomod
                .requires
                .iter()
                .map(move |(path, line)| (path.clone(), format!("{file}:{line}")))
        })
        .collect()
}

fn read_module(root: &Path, dir: &str) -> Result<Module> {
    let rel = join_rel(dir, "go.mod");
    let gomod = modfile::parse_go_mod(&read_manifest(root, &rel)?).map_err(|e| anyhow::anyhow!("{rel}:{e}"))?;
    let Some((path, _)) = gomod.module.clone() else {
        bail!("{rel} has no module directive");
    };
    let has_go_sum = root.join(join_rel(dir, "go.sum")).is_file();
    Ok(Module {
        dir: dir.to_string(),
        path,
        gomod,
        has_go_sum,
    })
}

/// The Go line to build with: the toolchain line (what `go` would download) unless it is older than the go
/// directive (go ignores it then), raised to a maintained line when older (`lines`).
fn version_fact(gomod: &GoMod, file: &str, warnings: &mut Vec<String>) -> Option<Fact> {
    version_fact_from(gomod.go.as_ref(), gomod.toolchain.as_ref(), file, warnings)
}

fn version_fact_from(
    go: Option<&(String, usize)>,
    toolchain: Option<&(String, usize)>,
    file: &str,
    warnings: &mut Vec<String>,
) -> Option<Fact> {
    let from_go =
        go.and_then(|(version, line)| Some((modfile::minor_version(version)?, *line, format!("go {version}"))));
    let from_toolchain =
        toolchain.and_then(|(name, line)| Some((modfile::toolchain_minor(name)?, *line, format!("toolchain {name}"))));
    let (asked, line, said) = match (from_go, from_toolchain) {
        (Some(go), Some(toolchain)) if go_minor(&toolchain.0) < go_minor(&go.0) => {
            warnings.push(format!(
                "{file}:{}: {} is older than {} (line {}), so go ignores it; dockgen does too",
                toolchain.1, toolchain.2, go.2, go.1
            ));
            go
        }
        (_, Some(toolchain)) => toolchain,
        (go, None) => go?,
    };
    let (line_used, raised) = lines::build_line(&asked);
    let note = match raised {
        Some(why) => Some(format!("from {said}; {why}")),
        None if said != format!("go {asked}") => Some(format!("from {said}")),
        None => None,
    };
    let fact = Fact::new(line_used, format!("{file}:{line}"));
    Some(match note {
        Some(note) => fact.with_note(note),
        None => fact,
    })
}

/// `./api/` → `api`; None when the path leaves the root or is absolute.
fn normalise_use_dir(dir: &str) -> Option<String> {
    let mut parts = Vec::new();
    for component in Path::new(dir).components() {
        match component {
            Component::CurDir => {}
            Component::Normal(part) => parts.push(part.to_str()?.to_string()),
            _ => return None,
        }
    }
    Some(if parts.is_empty() { ".".into() } else { parts.join("/") })
}

/// Whether `go mod download` can run on the module files alone. In a workspace, a module that requires
/// another workspace module without a `replace` builds fine, but `go mod download` tries to fetch that
/// module from the proxy and fails; such a build downloads during `go build` (still with a cache mount).
fn download_step_fact(modules: &[Module], workspace_replaced: &[String]) -> Fact {
    for module in modules {
        for (path, line) in &module.gomod.requires {
            let is_workspace_module = modules.iter().any(|m| m.path == *path);
            let replaced = module.gomod.replaced.contains(path) || workspace_replaced.contains(path);
            if is_workspace_module && !replaced {
                return Fact::new(false, format!("{}:{line}", join_rel(&module.dir, "go.mod"))).with_note(format!(
                    "requires workspace module {path} without a replace, which `go mod download` would fetch"
                ));
            }
        }
    }
    Fact::new(true, if modules.len() > 1 { "go.work" } else { "go.mod" })
}

/// The files that pin dependencies, grouped by the directory they are copied to before `go mod download`.
fn module_files_fact(root: &Path, modules: &[Module], workspace: bool) -> Fact {
    let mut groups = Vec::new();
    if workspace {
        let mut files = vec!["go.work".to_string()];
        if root.join("go.work.sum").is_file() {
            files.push("go.work.sum".into());
        }
        groups.push(json!({ "dir": ".", "files": files }));
    }
    for module in modules {
        let mut files = vec![join_rel(&module.dir, "go.mod")];
        if module.has_go_sum {
            files.push(join_rel(&module.dir, "go.sum"));
        }
        // Merge the root module's files into the workspace group so one COPY carries them.
        if module.dir == "." && workspace {
            if let Some(group_files) = groups[0]["files"].as_array_mut() {
                group_files.extend(files.into_iter().map(serde_json::Value::from));
            }
            continue;
        }
        groups.push(json!({ "dir": module.dir, "files": files }));
    }
    let source = if workspace { "go.work" } else { "go.mod" };
    Fact::new(json!(groups), source)
}

/// The package path `go build` takes from the build root: `.`, `./cmd/api`.
pub(super) fn package_arg(dir: &str) -> String {
    if dir == "." {
        ".".into()
    } else {
        format!("./{dir}")
    }
}

/// go.mod and go.work parsers and Go version strings on arbitrary text.
fn fuzz_go_mod(text: &str) -> usize {
    let parsed = modfile::parse_go_mod(text).map_or(0, |m| m.requires.len() + m.replaced.len());
    let work = modfile::parse_go_work(text).map_or(0, |w| w.uses.len());
    let versions = text.split_whitespace().filter_map(modfile::minor_version).count();
    parsed + work + versions
}

/// The source probes (package clause, build constraints, imports, embeds, ports), the build-file readers
/// (Makefile, justfile, Dockerfile, goreleaser, Taskfile, Procfile) and the runtime-contract readers on
/// arbitrary text.
fn fuzz_source(text: &str) -> usize {
    let lexed = lex::source(text);
    let header = lex::header(text);
    let package = lexed.package().map(|(name, _)| name.len()).unwrap_or_default();
    package
        + header.imports().len()
        + lexed.embeds.len()
        + usize::from(constraints::compiled_on_linux(
            "fuzz_linux.go",
            &header.build_constraints,
            &[],
        ))
        + ports::port_hits(&lexed.tokens, "fuzz.go").len()
        + buildfiles::fuzz_text(text)
        + super::deploy::fuzz_text(text)
}

/// The service clients the program's packages import (`github.com/jackc/pgx/v5/pgxpool`), the first import of
/// each kind.
fn service_clues(tree: &Tree, graph: &[usize]) -> Vec<services::Clue> {
    let mut clues: Vec<services::Clue> = Vec::new();
    for &index in graph {
        for (path, import) in tree.packages[index].imports() {
            if let Some(clue) = services::Clue::library("go", path, &import.source()) {
                if !clues.iter().any(|known| known.same_kind(&clue)) {
                    clues.push(clue);
                }
            }
        }
    }
    clues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_holds_the_words_its_probes_need_as_whole_tokens() {
        let words = Words::of(&lex::source("package p\n// const Run exec\nvar s = \"Use\"\nfunc f() { r.GET(\"/healthz\", ok); os.Getenv(\"HTTP_ADDR\") }\n").tokens);
        assert!(!words.constant && !words.run && !words.exec && !words.command, "comments and strings hold no names");
        assert!(words.health_path && words.env_lookup && words.listen_variable);
        assert!(!words.listener && !words.viper_config_name);
        let words = Words::of(&lex::source("package p\nconst a = 1\nfunc f() { http.ListenAndServe(a, nil); x.Run(); s := \"report\" }\n").tokens);
        assert!(words.constant && words.run && words.listener);
        assert!(!words.listen_variable, "lower-case text is no variable name");
    }

    #[test]
    fn use_dirs_stay_inside_the_root() {
        assert_eq!(normalise_use_dir("./api/").as_deref(), Some("api"));
        assert_eq!(normalise_use_dir(".").as_deref(), Some("."));
        assert_eq!(normalise_use_dir("../shared"), None);
        assert_eq!(normalise_use_dir("/abs"), None);
    }
}
