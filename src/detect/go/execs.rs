//! The programs the chosen program starts (`exec.Command("git", …)`, `exec.CommandContext(ctx, "ffmpeg", …)`,
//! `exec.LookPath("git")`) that runtime images lack (knowledge/programs), read in its own import graph.

use std::collections::BTreeMap;

use super::super::lex::Token;
use super::packages::Tree;
use super::writes::string_arguments;

/// Each program the graph's packages start, with the first `file.go:line` that does.
pub(super) fn programs(tree: &Tree, graph: &[usize]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for file in tree.graph_files(graph) {
        for (program, line) in &file.run_time().programs {
            found.entry(program.clone()).or_insert_with(|| format!("{}:{line}", file.rel));
        }
    }
    found
}

pub(super) fn file_programs(tokens: &[(Token, usize)], calls: &[usize]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for &i in calls.iter().filter(|&&i| i >= 2) {
        let (Token::Ident(call), line) = &tokens[i] else { continue };
        let from_exec = matches!(
            (&tokens[i - 2].0, &tokens[i - 1].0),
            (Token::Ident(package), Token::Punct('.')) if package == "exec"
        );
        let program_at = match call.as_str() {
            "Command" | "LookPath" => 0,
            "CommandContext" => 1,
            _ => continue,
        };
        if !from_exec || tokens.get(i + 1).map(|t| &t.0) != Some(&Token::Punct('(')) {
            continue;
        }
        let Some(Some(program)) = string_arguments(tokens, i + 1).into_iter().nth(program_at) else {
            continue;
        };
        let program = program.rsplit('/').next().unwrap_or(&program).to_string();
        if crate::knowledge::programs::is_known(&program) {
            found.push((program, *line));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_started_with_os_exec() {
        let tokens = crate::detect::lex::source(
            "package main\nfunc v() {\n\tout, _ := exec.Command(\"git\", \"rev-parse\", \"HEAD\").Output()\n\
             \texec.CommandContext(ctx, \"/usr/bin/ffmpeg\", args...)\n\texec.Command(\"ls\")\n\texec.Command(tool)\n}\n",
        )
        .tokens;
        assert_eq!(file_programs(&tokens, &crate::detect::lex::call_positions(&tokens)), [("git".to_string(), 3), ("ffmpeg".to_string(), 4)]);
    }
}
