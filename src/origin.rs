//! Where an answer came from: a flag, a `DOCKGEN_*` variable, `dockgen.toml`, a fact's evidence, a preset's
//! default or the terminal. Kept as a value, not text, so the rules that depend on it (a bad flag is a usage
//! error, `--save` records what was given or typed) never parse a message; shown as text it names the source
//! as the user would find it.

use serde::Serialize;

/// The file `init --save` writes and every later `init` reads.
pub const ANSWERS_FILE: &str = "dockgen.toml";

/// The origin of one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A named flag (`--port`).
    Flag(&'static str),
    /// The variable behind a named flag (`DOCKGEN_PORT`).
    Env(&'static str),
    /// `--set KEY=VALUE`.
    SetFlag(String),
    /// `DOCKGEN_SET=KEY=VALUE,...`.
    SetEnv(String),
    /// `answers.KEY` in `dockgen.toml`.
    AnswersFile(String),
    /// A detected fact, by its evidence (`go.mod:3`).
    Detected(String),
    /// The default of the named preset.
    PresetDefault(String),
    /// The clearly strongest option of a choice, taken without a terminal.
    StrongestCandidate,
    /// Typed at a terminal.
    Typed,
    /// Picked from a list at a terminal.
    Picked,
}

impl Origin {
    /// Given on the command line: a flag or a `DOCKGEN_*` variable (a bad value there is a usage error).
    pub fn is_command_line(&self) -> bool {
        matches!(
            self,
            Origin::Flag(_) | Origin::Env(_) | Origin::SetFlag(_) | Origin::SetEnv(_)
        )
    }

    /// Set by the user before the run: the command line or `dockgen.toml`.
    pub fn is_given(&self) -> bool {
        self.is_command_line() || matches!(self, Origin::AnswersFile(_))
    }

    /// Typed or picked at a terminal during the run.
    pub fn is_prompted(&self) -> bool {
        matches!(self, Origin::Typed | Origin::Picked)
    }

    /// Whether the text names the key with a trailing `=` (`--set app=`), so a value can follow it.
    pub fn ends_with_key(&self) -> bool {
        matches!(self, Origin::SetFlag(_) | Origin::SetEnv(_))
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag(name) | Origin::Env(name) => f.write_str(name),
            Origin::SetFlag(key) => write!(f, "--set {key}="),
            Origin::SetEnv(key) => write!(f, "DOCKGEN_SET {key}="),
            Origin::AnswersFile(key) => write!(f, "{ANSWERS_FILE} answers.{key}"),
            Origin::Detected(source) => f.write_str(source),
            Origin::PresetDefault(preset) => write!(f, "default of preset {preset}"),
            Origin::StrongestCandidate => f.write_str("the strongest candidate"),
            Origin::Typed => f.write_str("answered at the prompt"),
            Origin::Picked => f.write_str("chosen at the prompt"),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A value given by the user, before parsing: its text and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub text: String,
    pub origin: Origin,
}
