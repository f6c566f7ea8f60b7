//! What the chosen program reads from its working directory at run time, so the image ships it beside the
//! binary: folders it serves (`http.Dir("./assets/")`, gin/echo/fiber `Static("/", "public")`), templates it
//! parses (`template.ParseGlob("templates/*.html")`, gin's `LoadHTMLGlob`) and files it opens by a literal
//! relative path (`os.ReadFile("config.yml")`) — read in its own import graph, and shipped only when the
//! repository has them (a path the program writes or that users mount is not there).

use std::collections::BTreeMap;
use std::path::Path;

use super::super::lex::Token;
use super::packages::Tree;
use super::writes::string_arguments;

/// Calls whose string arguments are paths read at run time, and which argument: `None` for every one.
const READ_CALLS: &[(&str, Option<usize>)] = &[
    ("Dir", Some(0)),
    ("ParseGlob", Some(0)),
    ("ParseFiles", None),
    ("LoadHTMLGlob", Some(0)),
    ("LoadHTMLFiles", None),
    ("Static", Some(1)),
    ("StaticFile", Some(1)),
    ("ReadFile", Some(0)),
    ("Open", Some(0)),
];

/// Each file or folder the program reads (relative to its working directory, the build context's
/// root), with the first `file.go:line` that reads it.
pub(super) fn read_paths(root: &Path, tree: &Tree, graph: &[usize]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for file in tree.graph_files(graph) {
        for (path, line) in &file.run_time.reads {
            let Some(part) = static_part(path) else { continue };
            if root.join(&part).exists() {
                found.entry(part).or_insert_with(|| format!("{}:{line} reads {path}", file.rel));
            }
        }
    }
    found
}

pub(super) fn file_reads(tokens: &[(Token, usize)]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for i in 2..tokens.len() {
        let (Token::Ident(call), line) = &tokens[i] else { continue };
        if tokens[i - 1].0 != Token::Punct('.') || tokens.get(i + 1).map(|t| &t.0) != Some(&Token::Punct('(')) {
            continue;
        }
        let Some((_, which)) = READ_CALLS.iter().find(|(name, _)| name == call) else {
            continue;
        };
        // `os.Open` and `os.ReadFile` read files; `Open` of anything else (a database, a zip) is not a path.
        let receiver = match &tokens[i - 2].0 {
            Token::Ident(r) => r.as_str(),
            _ => "",
        };
        if matches!(call.as_str(), "Open" | "ReadFile") && !matches!(receiver, "os" | "ioutil") {
            continue;
        }
        let args = string_arguments(tokens, i + 1);
        let paths: Vec<String> = match which {
            Some(n) => args.into_iter().nth(*n).flatten().into_iter().collect(),
            None => args.into_iter().flatten().collect(),
        };
        found.extend(paths.into_iter().map(|p| (p, *line)));
    }
    found
}

/// The part of a relative path before any glob (`./templates/*.html` → `templates`, `web/dist/` →
/// `web/dist`); none for absolute paths, paths above the working directory, hidden or odd names.
fn static_part(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let plain = |p: &&str| p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .take_while(plain)
        .collect();
    let hidden = parts.iter().any(|p| p.starts_with('.'));
    (!parts.is_empty() && !hidden).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_the_program_reads() {
        let tokens = crate::detect::lex::source(
            "package main\nfunc main() {\n\tfs := http.FileServer(http.Dir(\"./assets/\"))\n\
             \ttmpl := template.Must(template.ParseGlob(\"templates/*.html\"))\n\tr.Static(\"/static\", \"./public\")\n\
             \tcfg, _ := os.ReadFile(\"config.yml\")\n\tdb, _ := bolt.Open(\"my.db\", 0600, nil)\n\
             \ttemplate.ParseFiles(\"views/a.html\", \"views/b.html\")\n}\n",
        )
        .tokens;
        let paths: Vec<String> = file_reads(&tokens).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            ["./assets/", "templates/*.html", "./public", "config.yml", "views/a.html", "views/b.html"]
        );
        assert_eq!(static_part("./templates/*.html").as_deref(), Some("templates"));
        assert_eq!(static_part("web/dist/").as_deref(), Some("web/dist"));
        assert_eq!(static_part("../x"), None);
        assert_eq!(static_part("/etc/app.yml"), None);
    }
}
