#!/usr/bin/env bash
# Run `dockgen init --yes --compose` on the real repositories of scripts/real-world-compose-repos.txt and print one
# markdown row per repository: the backing services compose.yaml runs, the variables it points at them, and
# what dockgen said (ties, dropped services). It only RUNS dockgen on a temporary extraction of each pinned commit:
# it never builds or starts anything and never writes into the mirrors.
#
# Environment: DOCKGEN_BIN (default target/release/dockgen), DOCKGEN_MIRRORS (default /work/.mirror), DOCKGEN_REPOS
# (the list, default scripts/real-world-compose-repos.txt),
# DOCKGEN_OUT (if set, each repository's compose file and stderr are kept there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${DOCKGEN_BIN:-$ROOT/target/release/dockgen}"
MIRRORS="${DOCKGEN_MIRRORS:-/work/.mirror}"
REPOS="${DOCKGEN_REPOS:-$ROOT/scripts/real-world-compose-repos.txt}"
OUT="${DOCKGEN_OUT:-}"
[[ -x "$BIN" ]] || { echo "real-world-compose.sh: no dockgen at $BIN (set DOCKGEN_BIN)" >&2; exit 2; }
[[ -n "$OUT" ]] && mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dockgen-real-world-compose.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "| repository@commit | app | services compose.yaml runs | variables pointed at them | evidence (detect) | dockgen said |"
echo "| --- | --- | --- | --- | --- | --- |"
grep -v '^#' "$REPOS" | while IFS=$'\t' read -r repo commit dir seen; do
  [[ -n "$repo" ]] || continue
  key="${repo/\//+}"
  git_dir="$MIRRORS/$key/repo"
  [[ -d "$git_dir" ]] || git_dir="$MIRRORS/$key"
  if ! git --git-dir="$git_dir" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "| $repo@${commit:0:12} | $dir | (no mirror) | | | |"
    continue
  fi
  tree="$WORK/$key"
  python3 "$ROOT/scripts/extract_commit.py" "$git_dir" "$commit" "$tree" > /dev/null
  # The evidence is read before init rewrites the project's own compose file.
  "$BIN" detect --json "$tree/$dir" > "$WORK/$key.json" 2> /dev/null || echo '{}' > "$WORK/$key.json"
  rc=0
  "$BIN" init --yes --compose --force "$tree/$dir" > /dev/null 2> "$WORK/$key.stderr" || rc=$?
  compose=""
  for name in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
    [[ -f "$tree/$dir/$name" ]] && { compose="$tree/$dir/$name"; break; }
  done
  if [[ -n "$OUT" ]]; then
    cp "$WORK/$key.stderr" "$OUT/$key.stderr"
    [[ -n "$compose" ]] && cp "$compose" "$OUT/$key.$(basename "$compose")"
  fi
  python3 - "$repo@${commit:0:12}" "$dir" "$seen" "$rc" "$compose" "$WORK/$key.stderr" "$tree/" "$WORK/$key.json" <<'PY'
import json, sys, yaml
label, folder, seen, rc, compose, stderr, tree, detected = sys.argv[1:]
found = json.load(open(detected))
fact = found.get("facts", {}).get("backing_services")
# A choice left open (several programs) carries each option's own facts: --yes takes the first.
for choice in found.get("choices") or []:
    fact = fact or (choice["options"][0].get("facts") or {}).get("backing_services")
fact = fact or {}
evidence = str(fact.get("note") or fact.get("source") or "-").split("; compose.yaml (--compose)")[0].replace("|", "\\|")
lines = open(stderr).read().replace(tree, "").splitlines()
said = [l for l in lines if "database" in l or "drops" in l or l.startswith("dockgen:")]
said = "; ".join(s.replace("|", "\\|")[:220] for s in said) or "-"
tag = "" if seen == "seen" else " (unseen)"
if rc != "0" or not compose:
    print(f"| {label}{tag} | {folder} | init failed ({rc}) | | {evidence} | {said} |")
    sys.exit()
doc = yaml.safe_load(open(compose))
services = doc.get("services") or {}
app = next((s for s in services.values() if "build" in s), {})
others = [f"{n} ({s.get('image')})" for n, s in services.items() if "build" not in s]
env = list((app.get("environment") or {}).keys())
print(f"| {label}{tag} | {folder} | {', '.join(others) or 'none'} | {', '.join(env) or '-'} | {evidence} | {said} |")
PY
done
