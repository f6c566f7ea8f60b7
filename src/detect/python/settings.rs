//! The variables a pydantic-settings class reads (`class Settings(BaseSettings): database_url: str`): one per
//! field, named by its alias or by the class's `env_prefix` and the field's name, and whether the program
//! stops without it (a field with no default, or `Field(...)`).

use super::source::{Class, FieldDefault, Literal, Summary};

/// The base a settings class derives from, by its last name.
const SETTINGS_BASE: &str = "BaseSettings";

/// One variable a settings class reads.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct SettingsRead {
    pub(super) name: String,
    /// No default: the settings object fails to build without it.
    pub(super) required: bool,
    pub(super) line: usize,
}

/// The variables every settings class of a module reads (a class deriving from `BaseSettings`, or from such a
/// class of the same module).
pub(super) fn reads(summary: &Summary) -> Vec<SettingsRead> {
    let classes = &summary.classes;
    let is_settings = |class: &Class| {
        class.bases.iter().any(|base| {
            base == SETTINGS_BASE
                || classes.iter().any(|c| c.name == *base && c.bases.iter().any(|b| b == SETTINGS_BASE))
        })
    };
    let mut found = Vec::new();
    for class in classes.iter().filter(|c| is_settings(c)) {
        // A subclass keeps its base's prefix unless it sets its own.
        let prefix = setting(class, "env_prefix")
            .or_else(|| {
                let base = classes.iter().find(|c| class.bases.contains(&c.name))?;
                setting(base, "env_prefix")
            })
            .unwrap_or_default();
        for field in &class.fields {
            // A nested model (`db: DatabaseSettings`) is read through a delimiter dockgen does not follow.
            let nested = classes.iter().any(|c| c.name == field.annotation);
            if nested || field.name.starts_with('_') || field.name == "model_config" {
                continue;
            }
            let (alias, required) = match &field.default {
                FieldDefault::Missing => (None, true),
                FieldDefault::Value(_) => (None, false),
                FieldDefault::Call(call) => {
                    let alias = ["validation_alias", "alias", "env"]
                        .iter()
                        .find_map(|k| call.keyword(k).and_then(Literal::as_str).map(String::from));
                    let is_field = call.callee.rsplit('.').next() == Some("Field");
                    let defaulted = call.keyword("default").is_some()
                        || call.keyword("default_factory").is_some()
                        || call.args.first().is_some_and(|a| *a != Literal::Ellipsis);
                    (alias, is_field && !defaulted)
                }
            };
            // `Optional[str]`, `str | None`: a missing variable is None, not an error (pydantic v1).
            let optional = field.annotation.contains("Optional") || field.annotation.contains("None");
            let name = alias.unwrap_or_else(|| format!("{prefix}{}", field.name)).to_ascii_uppercase();
            found.push(SettingsRead {
                name,
                required: required && !optional,
                line: field.line,
            });
        }
    }
    found
}

/// A literal setting of the class; one that names another of its settings (`env_prefix=_env_prefix`) is that
/// one's value.
fn setting(class: &Class, key: &str) -> Option<String> {
    let value = |key: &str| class.settings.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v);
    match value(key)? {
        Literal::Name(name) => value(name)?.as_str().map(String::from),
        other => other.as_str().map(String::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::python::source::summarise;

    #[test]
    fn settings_fields_are_variables() {
        let text = "from pydantic_settings import BaseSettings\n\
                    class Pg(BaseSettings):\n    _prefix: ClassVar[str] = 'PG_'\n\
                    \x20   model_config: ClassVar[SettingsConfigDict] = SettingsConfigDict(env_prefix=_prefix)\n\
                    \x20   port: str\n\
                    class Base(BaseSettings):\n    class Config:\n        env_prefix = 'app_'\n\
                    \x20   postgres_dsn: PostgresDsn\n    salt: str = Field(...)\n    debug: bool = False\n\
                    \x20   token: str = Field(default='x')\n    redis: Optional[str]\n    key: str = Field(alias='SECRET')\n\
                    \x20   db: Db\n\
                    class Db(BaseModel):\n    host: str\n\
                    class Settings(Base):\n    extra: int\n\
                    class Plain:\n    other: str\n";
        let reads = reads(&summarise(text, &|_| false));
        let names: Vec<(&str, bool)> = reads.iter().map(|r| (r.name.as_str(), r.required)).collect();
        assert_eq!(
            names,
            vec![
                ("PG_PORT", true),
                ("APP_POSTGRES_DSN", true),
                ("APP_SALT", true),
                ("APP_DEBUG", false),
                ("APP_TOKEN", false),
                ("APP_REDIS", false),
                ("SECRET", true),
                ("APP_EXTRA", true),
            ]
        );
    }
}
