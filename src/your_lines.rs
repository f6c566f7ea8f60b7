//! The places in a generated Dockerfile that belong to the user: marked blocks (`# >>> your lines: build
//! stage >>>` … `# <<< your lines: build stage <<<`) that every template leaves empty. A re-run keeps what
//! the user wrote in them byte for byte, so `--check` compares only dockgen's part; the marker lines
//! themselves are dockgen's, and an edit anywhere else is still drift.

use anyhow::{bail, Result};

const BEGIN: &str = "# >>> your lines: ";
const BEGIN_TAIL: &str = " >>>";
const END: &str = "# <<< your lines: ";
const END_TAIL: &str = " <<<";

/// One block: its name and the lines between its markers (each with its line ending), and its 1-based line.
struct Block<'a> {
    name: &'a str,
    line: usize,
    begin: usize,
    end: usize,
    lines: &'a [&'a str],
}

/// The name a begin marker opens: `build stage` in `# >>> your lines: build stage >>> …`.
fn opened(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(BEGIN)?;
    rest.find(BEGIN_TAIL).map(|end| rest[..end].trim())
}

fn closed(line: &str) -> Option<&str> {
    let rest = line.trim_end().strip_prefix(END)?;
    rest.strip_suffix(END_TAIL).map(str::trim)
}

fn blocks<'a>(name: &str, lines: &'a [&'a str]) -> Result<Vec<Block<'a>>> {
    let mut found: Vec<Block<'a>> = Vec::new();
    let mut open: Option<(usize, &'a str)> = None;
    for (index, line) in lines.iter().enumerate() {
        if let Some(block) = opened(line) {
            if let Some((at, other)) = open {
                bail!(
                    "{name}:{}: the block `your lines: {other}` begins here but never ends; restore its \
                     `{END}{other}{END_TAIL}` line",
                    at + 1
                );
            }
            if found.iter().any(|b| b.name == block) {
                bail!(
                    "{name}:{}: a second block `your lines: {block}`; merge the two",
                    index + 1
                );
            }
            open = Some((index, block));
        } else if let Some(block) = closed(line) {
            match open.take() {
                Some((at, opened_name)) if opened_name == block => found.push(Block {
                    name: block,
                    line: at + 1,
                    begin: at,
                    end: index,
                    lines: &lines[at + 1..index],
                }),
                _ => bail!(
                    "{name}:{}: `{END}{block}{END_TAIL}` ends a block that does not begin above it",
                    index + 1
                ),
            }
        }
    }
    if let Some((at, other)) = open {
        bail!(
            "{name}:{}: the block `your lines: {other}` begins here but never ends; restore its \
             `{END}{other}{END_TAIL}` line",
            at + 1
        );
    }
    Ok(found)
}

/// `rendered` with the user's lines of `existing` (the Dockerfile there now, named `name` in errors) put back
/// into the blocks of the same name. A block with lines that the new Dockerfile has no place for is an error:
/// nothing the user wrote is dropped silently.
pub(crate) fn keep(existing: Option<&str>, name: &str, rendered: &str) -> Result<String> {
    let Some(existing) = existing else {
        return Ok(rendered.to_string());
    };
    let old_lines: Vec<&str> = existing.split_inclusive('\n').collect();
    let theirs = blocks(name, &old_lines)?;
    if theirs.iter().all(|block| block.lines.is_empty()) {
        return Ok(rendered.to_string());
    }
    let new_lines: Vec<&str> = rendered.split_inclusive('\n').collect();
    let ours = blocks("the rendered Dockerfile", &new_lines)?;
    for block in theirs.iter().filter(|b| !b.lines.is_empty()) {
        if !ours.iter().any(|o| o.name == block.name) {
            let places: Vec<&str> = ours.iter().map(|o| o.name).collect();
            bail!(
                "{name}:{}: the new Dockerfile has no block `your lines: {}` (it has {}); move its lines into \
                 one of those, or delete them",
                block.line,
                block.name,
                if places.is_empty() {
                    "none".to_string()
                } else {
                    places.join(", ")
                }
            );
        }
    }
    let mut merged = String::with_capacity(rendered.len() + existing.len());
    let mut at = 0;
    for block in &ours {
        merged.extend(new_lines[at..=block.begin].iter().copied());
        if let Some(kept) = theirs.iter().find(|t| t.name == block.name) {
            // Each kept line ends with its newline: the end marker follows it.
            merged.extend(kept.lines.iter().copied());
        }
        at = block.end;
    }
    merged.extend(new_lines[at..].iter().copied());
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::keep;

    const RENDERED: &str = "FROM a AS build\nRUN make\n# >>> your lines: build stage >>> kept\n# <<< your lines: build stage <<<\n\nFROM b\n# >>> your lines: runtime stage >>> kept\n# <<< your lines: runtime stage <<<\nUSER 1\n";

    #[test]
    fn lines_in_blocks_are_kept_byte_for_byte_and_the_rest_is_rendered() {
        let existing = RENDERED
            .replace("RUN make", "RUN make all")
            .replace(
                "stage >>> kept\n# <<< your lines: runtime",
                "stage >>> kept\nHEALTHCHECK CMD true  \r\n# <<< your lines: runtime",
            )
            .replace(
                "build stage >>> kept\n",
                "build stage >>> edited marker\nRUN apk add git\n",
            );
        let merged = keep(Some(&existing), "Dockerfile", RENDERED).unwrap();
        assert_eq!(
            merged,
            "FROM a AS build\nRUN make\n# >>> your lines: build stage >>> kept\nRUN apk add git\n# <<< your lines: build stage <<<\n\nFROM b\n# >>> your lines: runtime stage >>> kept\nHEALTHCHECK CMD true  \r\n# <<< your lines: runtime stage <<<\nUSER 1\n"
        );
        assert_eq!(keep(Some(&merged), "Dockerfile", RENDERED).unwrap(), merged);
    }

    #[test]
    fn no_file_or_empty_blocks_leave_the_render_as_it_is() {
        assert_eq!(keep(None, "Dockerfile", RENDERED).unwrap(), RENDERED);
        assert_eq!(keep(Some("FROM x\n"), "Dockerfile", RENDERED).unwrap(), RENDERED);
        assert_eq!(keep(Some(RENDERED), "Dockerfile", RENDERED).unwrap(), RENDERED);
    }

    #[test]
    fn a_file_ending_without_newline_is_read_as_well() {
        let existing = "# >>> your lines: runtime stage >>>\nRUN true\n# <<< your lines: runtime stage <<<";
        let merged = keep(Some(existing), "Dockerfile", RENDERED).unwrap();
        assert!(
            merged.contains(">>> kept\nRUN true\n# <<< your lines: runtime stage <<<\nUSER 1\n"),
            "{merged}"
        );
    }

    #[test]
    fn broken_or_homeless_blocks_are_errors_naming_the_line() {
        let error = |existing: &str| keep(Some(existing), "Dockerfile", RENDERED).unwrap_err().to_string();
        assert_eq!(
            error("x\n# <<< your lines: build stage <<<\n"),
            "Dockerfile:2: `# <<< your lines: build stage <<<` ends a block that does not begin above it"
        );
        assert!(error("# >>> your lines: a >>>\n# >>> your lines: b >>>\n")
            .starts_with("Dockerfile:1: the block `your lines: a` begins here but never ends"));
        assert_eq!(
            error(
                "# >>> your lines: a >>>\n# <<< your lines: a <<<\n# >>> your lines: a >>>\n# <<< your lines: a <<<\n"
            ),
            "Dockerfile:3: a second block `your lines: a`; merge the two"
        );
        assert_eq!(
            error("# >>> your lines: test stage >>>\nRUN go test\n# <<< your lines: test stage <<<\n"),
            "Dockerfile:1: the new Dockerfile has no block `your lines: test stage` (it has build stage, runtime \
             stage); move its lines into one of those, or delete them"
        );
        // An empty block with no place is simply gone.
        assert!(keep(
            Some("# >>> your lines: x >>>\n# <<< your lines: x <<<\n"),
            "Dockerfile",
            RENDERED
        )
        .is_ok());
    }
}
