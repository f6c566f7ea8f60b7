#!/usr/bin/env bash
# Run dockgen against the real public repositories listed in scripts/real-world-repos.txt and
# print one markdown table row per repository (see docs/real-world.md for what to expect).
#
# It only RUNS dockgen (detect + init --stdout) on a temporary extraction of each pinned commit:
# it never builds an image, never runs go/npm/docker, and never writes into the mirrors.
#
# Environment:
#   DOCKGEN_BIN      dockgen binary (default: <repo>/target/release/dockgen)
#   DOCKGEN_MIRRORS  folder holding bare mirrors named owner+name* (default: /work/.mirror)
#   DOCKGEN_REPOS    list file (default: <repo>/scripts/real-world-repos.txt)
#   DOCKGEN_OUT      if set, keep NAME.Dockerfile / NAME.detect.json / NAME.stderr there
# Arguments: optional owner/name filters (only those repositories are run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${DOCKGEN_BIN:-$ROOT/target/release/dockgen}"
MIRRORS="${DOCKGEN_MIRRORS:-/work/.mirror}"
REPOS="${DOCKGEN_REPOS:-$ROOT/scripts/real-world-repos.txt}"
OUT="${DOCKGEN_OUT:-}"

if [[ ! -x "$BIN" ]]; then
  echo "real-world.sh: dockgen binary not found or not executable: $BIN (set DOCKGEN_BIN)" >&2
  exit 2
fi
[[ -f "$REPOS" ]] || { echo "real-world.sh: no list file $REPOS" >&2; exit 2; }
command -v python3 >/dev/null || { echo "real-world.sh: python3 is needed to read the JSON" >&2; exit 2; }
[[ -n "$OUT" ]] && mkdir -p "$OUT"

TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout 300)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dockgen-real-world.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# Find the bare git directory of a mirror: the glob match itself or a child holding HEAD (e.g. repo/).
find_git_dir() {
  local base="$1" cand
  for cand in "$base" "$base"/*/ "$base"/*/*/; do
    cand="${cand%/}"
    [[ -d "$cand" ]] || continue
    if git --git-dir="$cand" rev-parse --git-dir >/dev/null 2>&1; then
      printf '%s\n' "$cand"
      return 0
    fi
  done
  return 1
}

# Extract every blob of COMMIT that the mirror holds into DIR; prints how many were absent.
extract_present() {
  python3 "$ROOT/scripts/extract_commit.py" "$@"
}

# Summarise one run as a markdown row (python3 reads the JSON and the Dockerfile).
summarise() {
  python3 - "$@" <<'PY'
import json, re, sys

label, detect_path, df_path, err_path, init_rc, detect_rc = sys.argv[1:7]

def cell(s):
    s = str(s).replace("|", "\\|").replace("\n", " ").strip()
    return s if s else "-"

try:
    detect = json.load(open(detect_path))
except Exception:
    detect = {}
facts = detect.get("facts") or {}

def fact(key):
    f = facts.get(key)
    if isinstance(f, dict) and "value" in f:
        v = f["value"]
        return v if not isinstance(v, list) else ",".join(map(str, v))
    return None

try:
    dockerfile = open(df_path).read()
except Exception:
    dockerfile = ""
try:
    err_lines = [l for l in open(err_path).read().splitlines() if l.strip()]
except Exception:
    err_lines = []

lines = dockerfile.splitlines()
# ARG defaults, so that FROM ${NODE_IMAGE} resolves to the image it names.
args = {}
for l in lines:
    m = re.match(r"\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)", l)
    if m:
        args.setdefault(m.group(1), m.group(2).strip("\"'"))

def resolve(tok):
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: args.get(m.group(1), m.group(0)), tok)

frontend = False
for l in lines:
    m = re.match(r"\s*FROM\s+(?:--\S+\s+)*(\S+)", l, re.I)
    if m:
        image = resolve(m.group(1)).lower()
        name = image.split("@")[0].split(":")[0].rsplit("/", 1)[-1]
        if name in ("node", "bun", "deno") or name.startswith("node"):
            frontend = True

exposes = [l.split(None, 1)[1].strip() for l in lines if re.match(r"\s*EXPOSE\s+\S", l, re.I)]
ports = ", ".join(exposes) if exposes else ("none" if dockerfile else "-")

cgo = None
m = re.findall(r"CGO_ENABLED=([01])", dockerfile)
if m:
    cgo = "yes" if "1" in m else "no"
elif fact("cgo") is not None:
    cgo = ("yes" if fact("cgo") else "no") + " (detect)"

# The program: Go's main package, Maven's module or a Node workspace's app; a choice shows its default (taken
# by `init --yes` with a note) or the tie.
stack = detect.get("stack")
program_key = {"maven": "module", "node": "app"}.get(stack, "module" if fact("pom_files") else "main_package")
program = fact(program_key)
chosen_facts = {}
if program is None:
    for c in detect.get("choices") or []:
        if c.get("key") != program_key:
            continue
        options = c.get("options", [])
        default = c.get("default")
        if default:
            program = f"{default} (of {len(options)})"
            chosen = next((o for o in options if o.get("value") == default), {})
            chosen_facts = {k: (v or {}).get("value") for k, v in chosen.get("facts", {}).items()}
        else:
            program = "tie: " + " / ".join(o.get("value", "?") for o in options)

def chosen(key):
    value = fact(key)
    return value if value is not None else chosen_facts.get(key)

if program_key == "module":
    artifact = chosen("artifact")
    artifact = artifact.rsplit("/", 1)[-1] if isinstance(artifact, str) else None
    runtime = args.get("RUNTIME_IMAGE", "-")
    launch = chosen("launch")
    details = f"{chosen('framework') or '-'}, launch {launch or '-'}, runs on {runtime}"
    if "./mvnw" in dockerfile:
        details += ", ./mvnw" + ("" if re.search(r"mvnw -B -ntp", dockerfile) else " without -ntp")
elif program_key == "app":
    # What runs: the start command of a server, the output folder of a static site.
    artifact = chosen("start_command") or (f"static {chosen('output_dir')}/" if chosen("output_dir") else None)
    manager = chosen("package_manager") or "-"
    version = chosen("package_manager_version")
    builder = args.get("BUILDER_IMAGE", "-")
    details = f"{chosen('framework') or '-'}, {manager}{'@' + str(version) if version else ''}, builds on {builder}"
    if chosen("dev_hooks"):
        details += ", drops dev install hooks"
else:
    artifact = chosen("binary_name")
    details = f"cgo {cgo or '-'}, front-end stage {'yes' if frontend else 'no'}"

if init_rc == "0":
    status = "0"
else:
    first = err_lines[0] if err_lines else "(no stderr)"
    status = f"{init_rc}: {first[:200] + '…' if len(first) > 200 else first}"
if detect_rc != "0":
    status += f" (detect exit {detect_rc})"

row = [label, detect.get("preset") or "-", program or "-", artifact or "-", ports, details, status]
print("| " + " | ".join(cell(c) for c in row) + " |")
PY
}

declare -a FILTERS=("$@")
wanted() {
  local r="$1" f
  [[ ${#FILTERS[@]} -eq 0 ]] && return 0
  for f in "${FILTERS[@]}"; do [[ "$f" == "$r" ]] && return 0; done
  return 1
}

echo "| repository@commit | preset | program | artifact | port(s) | details | exit |"
echo "|---|---|---|---|---|---|---|"

while IFS=$'\t' read -r repo commit stack shape || [[ -n "${repo:-}" ]]; do
  [[ -z "${repo// /}" || "$repo" == \#* ]] && continue
  wanted "$repo" || continue
  owner="${repo%%/*}"; name="${repo#*/}"; short="${commit:0:7}"
  label="$repo@$short"

  gitdir=""
  for base in "$MIRRORS/$owner+$name"*; do
    [[ -e "$base" ]] || continue
    gitdir="$(find_git_dir "$base")" && break
    gitdir=""
  done
  if [[ -z "$gitdir" ]]; then
    echo "| $label | skipped: no mirror $MIRRORS/$owner+$name* |  |  |  |  |  |"
    continue
  fi
  if ! git --git-dir="$gitdir" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "| $label | skipped: commit not in $gitdir |  |  |  |  |  |"
    continue
  fi

  slug="$owner+$name"
  tree="$WORK/$slug"
  rm -rf "$tree"; mkdir -p "$tree"
  if ! git --git-dir="$gitdir" archive --format=tar "$commit" 2>/dev/null | tar -x -C "$tree" 2>/dev/null; then
    # The mirror lacks some large blobs (stored snapshots may leave them out): extract what is there.
    rm -rf "$tree"; mkdir -p "$tree"
    missing="$(extract_present "$gitdir" "$commit" "$tree")"
    label="$label (snapshot lacks $missing files)"
  fi

  # A workspace app: `app=DIR` among the shape words runs dockgen on that folder (`app=.` on the root).
  target="$tree"
  for word in $shape; do
    if [[ "$word" == app=* && "${word#app=}" != "." ]]; then
      target="$tree/${word#app=}"
      label="$repo@$short (${word#app=})"
      slug="$slug+${word#app=}"; slug="${slug//\//+}"
    fi
  done

  res="$WORK/$slug.out"; mkdir -p "$res"
  set +e
  "${TIMEOUT[@]}" "$BIN" detect "$target" --json >"$res/detect.json" 2>"$res/detect.stderr"
  detect_rc=$?
  "${TIMEOUT[@]}" "$BIN" init "$target" --yes --stdout >"$res/Dockerfile" 2>"$res/stderr"
  init_rc=$?
  set -e

  summarise "$label" "$res/detect.json" "$res/Dockerfile" "$res/stderr" "$init_rc" "$detect_rc"

  if [[ -n "$OUT" ]]; then
    cp "$res/detect.json" "$OUT/$slug.detect.json"
    cp "$res/Dockerfile" "$OUT/$slug.Dockerfile"
    cp "$res/stderr" "$OUT/$slug.stderr"
  fi
  rm -rf "$tree" "$res"
done <"$REPOS"
