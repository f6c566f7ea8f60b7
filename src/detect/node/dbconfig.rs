//! Database settings the image's `NODE_ENV=production` selects: sequelize-cli's `config/config.json` holds one
//! entry per environment, and the production one is what the server opens in the image. Its `SQLite` file is
//! written (its folder handed to the app user); a dialect whose driver no dependency installs stops the server
//! at start, which is said.

use super::js::config::{json_setting, Setting};
use super::App;

/// Where sequelize-cli keeps its settings by default (`.sequelizerc` may move it).
const SEQUELIZE_CONFIG: &str = "config/config.json";

/// Sequelize's dialects and the package each loads.
const DIALECT_DRIVERS: &[(&str, &str)] = &[
    ("mysql", "mysql2"),
    ("mariadb", "mariadb"),
    ("postgres", "pg"),
    ("mssql", "tedious"),
    ("sqlite", "sqlite3"),
    ("db2", "ibm_db"),
    ("oracle", "oracledb"),
    ("snowflake", "snowflake-sdk"),
];

/// What the production entry asks of the image.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Production {
    /// Its `SQLite` file (relative to the working directory) and the folder it is in, with why.
    pub(super) written: Option<(String, String, String)>,
    pub(super) warnings: Vec<String>,
}

/// The production entry of sequelize-cli's config, when the app uses Sequelize and has one.
pub(super) fn production(app: &App) -> Production {
    let mut found = Production::default();
    if app.dependency("sequelize").is_none() {
        return found;
    }
    let Some(text) = app.text(SEQUELIZE_CONFIG) else { return found };
    let file = app.file(SEQUELIZE_CONFIG);
    let Setting::Value { value: dialect, line } = json_setting(&text, &["production", "dialect"]) else {
        return found;
    };
    let at = format!("{file}:{line}");
    if let Some((_, driver)) = DIALECT_DRIVERS.iter().find(|(name, _)| *name == dialect) {
        if app.dependency(driver).is_none() {
            found.warnings.push(format!(
                "{at}: the image sets NODE_ENV=production, which selects this file's production entry, dialect \
                 {dialect}, whose driver ({driver}) no dependency installs: the server stops at start; add {driver} \
                 to the dependencies or make the production entry the database the app runs on"
            ));
        }
    }
    if dialect == "sqlite" {
        if let Setting::Value { value: storage, line } = json_setting(&text, &["production", "storage"]) {
            let storage = storage.trim_start_matches("./");
            let relative = !storage.is_empty() && !storage.starts_with('/') && !storage.contains("..") && storage != ":memory:";
            if relative {
                let folder = storage.rsplit_once('/').map_or(".", |(folder, _)| folder).to_string();
                found.written = Some((storage.to_string(), folder, format!("{file}:{line} writes {storage}")));
            }
        }
    }
    found
}
