//! Prisma: the client `@prisma/client` imports is generated from the schema by the `prisma` CLI, into
//! `node_modules/.prisma` unless the schema's generator names an `output`. The build must generate it and the
//! runtime must get it, with the schema folder (migrations run from it).

use serde_json::json;

use super::js::eval::join;
use super::{read_small_text, App, Fact, Facts};

/// Adds the `prisma` fact (schema, whether dockgen generates the client, where the client is written) when the
/// app uses `@prisma/client`, or has the prisma CLI and a schema (Prisma 7's `prisma-client` generator writes
/// the whole client into its `output`, with no `@prisma/client` dependency); the schema folder joins the
/// runtime files of a server that ships only some.
pub(super) fn prisma(app: &App, facts: &mut Facts, warnings: &mut Vec<String>) {
    let client = match app.dependency("@prisma/client") {
        Some(client) => client,
        None => match app.dependency("prisma") {
            Some(cli) if schema_path(app).is_some() => cli,
            _ => return,
        },
    };
    let Some(schema) = schema_path(app) else {
        warnings.push(format!(
            "{}: @prisma/client is used but no schema was found (prisma/schema.prisma, prisma/schema/ or \
             package.json prisma.schema): the client cannot be generated",
            client.source
        ));
        return;
    };
    let runs_generate = |names: &[&str]| {
        names
            .iter()
            .filter_map(|name| app.script(name))
            .any(|(text, _)| text.contains("prisma generate"))
    };
    let install_generates = runs_generate(&["preinstall", "install", "postinstall", "prepare"]);
    let scripts_generate = install_generates || runs_generate(&["build"]);
    let has_cli = app.dependency("prisma").is_some();
    if !has_cli && !scripts_generate {
        warnings.push(format!(
            "{}: the prisma CLI is not a dependency, so the build cannot generate the client: add prisma to \
             devDependencies",
            app.file("package.json")
        ));
    }
    let output = generator_output(app, &schema);
    let pnpm = app.context.manager() == "pnpm";
    // With pnpm's own layout the default client (node_modules/.prisma) is generated inside pnpm's store, out of
    // the runtime's reach: both installs use the hoisted layout, where it lands in node_modules/.prisma as with npm.
    let hoisted = output.is_none() && pnpm;
    let mut fact = json!({
        "schema": schema,
        "generate": !scripts_generate && has_cli,
        "default_output": output.is_none(),
        "hoisted": hoisted,
    });
    if let Some(output) = &output {
        fact["output"] = json!(output);
    }
    if let Some((config, required)) = config_env(app, &schema) {
        let names: Vec<&str> = required.iter().map(|pair| pair["name"].as_str().unwrap_or_default()).collect();
        warnings.push(format!(
            "{config}: the Prisma config reads {} with env(), which stops `prisma generate` when unset: the build \
             stages get placeholders (the image's runtime does not); the server needs the real values at run time",
            names.join(", ")
        ));
        fact["config_env"] = json!(required);
    }
    if install_generates {
        // An install hook generates the client: the schema must be there before the install, with the manifests.
        let is_dir = app.path(&schema).is_dir();
        let from_context = super::join_rel(&app.dir, &schema);
        fact["install_input"] = json!(if is_dir {
            format!("{from_context}/")
        } else {
            from_context
        });
    }
    let note = match &output {
        Some(output) => format!("client generated into {output} (the schema's generator output)"),
        None => "client generated into node_modules/.prisma, copied into the runtime".to_string(),
    };
    facts.insert("prisma".into(), Fact::new(fact, client.source).with_note(note));
    if let Some((folder, why)) = sqlite_folder(app, &schema) {
        written_folder(facts, &folder, &why);
    }
    // The schema folder (with its migrations) runs with the server: `prisma migrate deploy` reads it; a client
    // generated into the app's folders must ship where the code imports it from.
    let mut shipped = vec![schema.split('/').next().unwrap_or(&schema).to_string()];
    if let Some(output) = &output {
        let schema_dir = schema.rsplit_once('/').map_or("", |(dir, _)| dir);
        let generated = join(schema_dir, output);
        match generated.split('/').next() {
            None | Some("" | "..") => warnings.push(format!(
                "{schema}: the generator's output `{output}` is outside the app's folder, which is all the image \
                 holds: generate the client inside it"
            )),
            Some("node_modules") => warnings.push(format!(
                "{schema}: the generator's output `{output}` is inside node_modules, which the runtime takes from \
                 the production install (without it): give it an output outside node_modules"
            )),
            Some(_) => shipped.push(generated),
        }
    }
    if let Some(files) = facts.get_mut("runtime_files").and_then(|f| f.value.as_array_mut()) {
        for path in shipped {
            let covered = files
                .iter()
                .filter_map(|f| f.as_str())
                .any(|f| path == f || path.starts_with(&format!("{f}/")));
            if !covered {
                files.push(json!(path));
            }
        }
    }
}

/// Prisma's config files, as the CLI looks for them at the app's top.
const CONFIG_FILES: &[&str] = &[
    "prisma.config.ts",
    "prisma.config.mts",
    "prisma.config.cts",
    "prisma.config.js",
    "prisma.config.mjs",
    "prisma.config.cjs",
];

/// The variables the Prisma config requires through prisma/config's `env("NAME")` (Prisma 7 reads the
/// datasource URL there), each with a placeholder of the schema's database kind: `prisma generate` loads the
/// config and stops on an unset one, though it never connects. With the config as the user sees it.
fn config_env(app: &App, schema: &str) -> Option<(String, Vec<serde_json::Value>)> {
    let file = CONFIG_FILES.iter().find(|name| app.path(name).is_file())?;
    let text = app.text(file)?;
    let reads = super::js::env::env_reads(&text, file)?;
    if reads.required_by_prisma_config.is_empty() {
        return None;
    }
    let provider = read_small_text(&app.path(schema))
        .and_then(|text| block_value(&text, "datasource ", "provider", "\"").map(|(provider, _)| provider));
    let placeholder = match provider.as_deref() {
        Some("mysql") => "mysql://build:build@localhost:3306/build",
        Some("sqlite") => "file:./build.db",
        Some("sqlserver") => "sqlserver://localhost:1433;database=build",
        Some("mongodb") => "mongodb://localhost:27017/build",
        _ => "postgresql://build:build@localhost:5432/build",
    };
    let mut required: Vec<serde_json::Value> = Vec::new();
    for (name, _) in reads.required_by_prisma_config {
        if !required.iter().any(|pair| pair["name"] == name.as_str()) {
            required.push(json!({ "name": name, "value": placeholder }));
        }
    }
    Some((app.file(file), required))
}

/// The folder of the schema's `SQLite` database, which the server writes (the file and its journal), with why:
/// the datasource's `file:` URL, written in the schema or given its variable by the repository's env files
/// (`DATABASE_URL=file:/data/app.db` in .env.example; Prisma 7 reads `DATABASE_URL` in its config). A relative
/// path is the schema folder's when the schema names the URL, else the app's. None for other databases, or a
/// folder outside the app.
fn sqlite_folder(app: &App, schema: &str) -> Option<(String, String)> {
    let text = read_small_text(&app.path(schema))?;
    let (provider, _) = block_value(&text, "datasource ", "provider", "\"")?;
    if provider != "sqlite" {
        return None;
    }
    let at = |line: usize| format!("{}:{line}", app.file(schema));
    let schema_dir = schema.rsplit_once('/').map_or("", |(dir, _)| dir);
    let (url, source, base) = if let Some((url, line)) = block_value(&text, "datasource ", "url", "\"") {
        (url, at(line), schema_dir)
    } else {
        let named = block_value(&text, "datasource ", "url", "env(\"");
        let base = if named.is_some() { schema_dir } else { "" };
        let name = named.map_or_else(|| "DATABASE_URL".to_string(), |(name, _)| name);
        let (url, source) = crate::detect::services::committed_env_value(&app.path(""), &name)?;
        (url, app.file(&source), base)
    };
    // (An env file's value may run on into a comment: `file:/data/app.db   # on the volume`.)
    let file = url.strip_prefix("file:")?.split_whitespace().next()?.split('?').next()?.to_string();
    let path = if file.starts_with('/') { file } else { join(base, &file) };
    let folder = match path.rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((folder, _)) => folder.to_string(),
        None => ".".to_string(),
    };
    let inside = folder.starts_with('/') || !(folder.starts_with("..") || folder.starts_with("node_modules"));
    (inside && folder != "/").then(|| (folder, format!("{source} puts the SQLite database at {path}")))
}

/// Adds `folder` to the folders the program writes (`written_dirs`), with why.
fn written_folder(facts: &mut Facts, folder: &str, why: &str) {
    if let Some(fact) = facts.get_mut("written_dirs") {
        let Some(dirs) = fact.value.as_array_mut() else { return };
        if !dirs.iter().any(|dir| dir == folder) {
            dirs.push(json!(folder));
            let note = fact.note.take().map_or_else(|| why.to_string(), |note| format!("{note}; {why}"));
            fact.note = Some(note);
        }
    } else {
        let source = why.split_once(' ').map_or(why, |(at, _)| at).to_string();
        facts.insert("written_dirs".into(), Fact::new(json!([folder]), source).with_note(why));
    }
}

/// The schema: package.json `prisma.schema`, else prisma/schema.prisma, else the prisma/schema/ folder of a
/// multi-file schema, else schema.prisma; relative to the app, and only a safe relative path.
fn schema_path(app: &App) -> Option<String> {
    if let Some(given) = app.package.str("prisma.schema") {
        let given = given.trim_start_matches("./").trim_end_matches('/');
        return crate::validate::context_path(given).is_ok().then(|| given.to_string());
    }
    ["prisma/schema.prisma", "prisma/schema", "schema.prisma"]
        .into_iter()
        .find(|candidate| app.path(candidate).exists())
        .map(str::to_string)
}

/// The `output` of the schema's `generator` block, relative to the schema's folder as written (None: the
/// default, `node_modules/.prisma`). Only the schema file itself is read (a schema folder keeps the default).
fn generator_output(app: &App, schema: &str) -> Option<String> {
    let text = read_small_text(&app.path(schema))?;
    block_value(&text, "generator ", "output", "\"").map(|(value, _)| value)
}

/// A value with its `file:line`.
type Sourced = (String, String);

/// The schema's `datasource`: its provider (`postgresql`) with its `file:line`, and the variable its `url =
/// env("DATABASE_URL")` reads, with its; when the schema is one file.
pub(super) fn datasource(app: &App) -> Option<(Sourced, Option<Sourced>)> {
    app.dependency("@prisma/client")?;
    let schema = schema_path(app)?;
    let text = read_small_text(&app.path(&schema))?;
    let at = |line: usize| format!("{}:{line}", app.file(&schema));
    let (provider, line) = block_value(&text, "datasource ", "provider", "\"")?;
    let variable = block_value(&text, "datasource ", "url", "env(\"").map(|(name, line)| (name, at(line)));
    Some(((provider, at(line)), variable))
}

/// The value of `key = OPENING..."` inside the first block whose line starts with `block` (`"` for a string,
/// `env("` for a variable), with its line.
fn block_value(text: &str, block: &str, key: &str, opening: &str) -> Option<(String, usize)> {
    let mut inside = false;
    for (index, line) in text.lines().map(str::trim).enumerate() {
        if line.starts_with(block) {
            inside = true;
        } else if line.starts_with('}') {
            inside = false;
        } else if let Some((name, value)) = line.split_once('=').filter(|_| inside) {
            if name.trim() == key {
                let value = value.trim().strip_prefix(opening)?.split('"').next()?;
                return Some((value.to_string(), index + 1));
            }
        }
    }
    None
}
