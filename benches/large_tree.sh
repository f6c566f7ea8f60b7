#!/usr/bin/env bash
# Whole-process timing of `dockgen init --yes --stdout` on each bundled example and on monorepo-sized trees:
# examples/go-http and examples/node-server, each plus 200,000 files under node_modules/, vendor/ and .git/.
# Detection must not walk those folders, so a large tree must cost at most 1.2x its example alone.
# Usage: benches/large_tree.sh [RUNS]   (default 30 runs each; prints medians and the ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
files="${BENCH_FILES:-200000}"

cargo build --release --locked -q
bin="$PWD/target/release/dockgen"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

trees=()
for example in examples/*/; do
    name=$(basename "$example")
    cp -r "$example" "$work/$name"
    trees+=("$name")
done
for base in go-http node-server; do
    cp -r "examples/$base" "$work/$base+large"
    trees+=("$base+large")
    python3 - "$work/$base+large" "$files" <<'PY'
import os, sys
root, total = sys.argv[1], int(sys.argv[2])
# Split like real trees: most files in node_modules/ packages, the rest as git objects and vendored code.
split = {"node_modules": total * 8 // 10, ".git/objects": total // 10, "vendor/github.com": total - total * 9 // 10}
for top, count in split.items():
    per_dir = 100
    for d in range(0, count, per_dir):
        folder = os.path.join(root, top, f"pkg{d // per_dir:05d}")
        os.makedirs(folder, exist_ok=True)
        # A package.json per folder, and sources a walk that entered the folder would parse.
        with open(os.path.join(folder, "package.json"), "w") as f:
            f.write('{"name": "p", "main": "f1.js"}\n')
        for i in range(min(per_dir, count - d) - 1):
            with open(os.path.join(folder, f"f{i}.go" if i % 10 == 0 else f"f{i}.js"), "w") as f:
                f.write("package p\n" if i % 10 == 0 else "require('http').createServer().listen(9999)\n")
PY
    echo "$base+large: $(find "$work/$base+large" -type f | wc -l) files"
done

# A big Go module: 520 packages of ~15 KB each (over 7 MB of Go), one program importing six of them. Only the
# program's import graph is read past the imports, so it must cost at most 12x go-http and 50 ms.
mkdir -p "$work/go-big"
trees+=("go-big")
python3 - "$work/go-big" <<'PY'
import os, sys
root = sys.argv[1]
open(os.path.join(root, "go.mod"), "w").write("module example.com/big\n\ngo 1.26\n")
body = ""
for f in range(40):
    body += (f'// Handle{f} answers request kind {f}; it mentions ListenAndServe(":9{f:03}") only in a comment.\n'
             f'func Handle{f}(input string) (string, error) {{\n\tif input == "" {{\n'
             f'\t\treturn "", fmt.Errorf("kind {f}: empty input at %s", "handler")\n\t}}\n'
             f'\tparts := strings.Split(input, ",")\n\tfor i, p := range parts {{\n'
             f'\t\tparts[i] = strings.TrimSpace(p) + "-{f}"\n\t}}\n\treturn strings.Join(parts, ";"), nil\n}}\n\n')
for p in range(520):
    folder = os.path.join(root, "internal", f"p{p:03}")
    os.makedirs(folder)
    header = f'package p{p:03}\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\n'
    open(os.path.join(folder, "handlers.go"), "w").write(header + body)
os.makedirs(os.path.join(root, "cmd", "big"))
imports = "".join(f'\t_ "example.com/big/internal/p{p:03}"\n' for p in range(6))
open(os.path.join(root, "cmd", "big", "main.go"), "w").write(
    f'package main\n\nimport (\n\t"net/http"\n{imports})\n\nfunc main() {{ _ = http.ListenAndServe(":8080", nil) }}\n')
PY
echo "go-big: $(find "$work/go-big" -name '*.go' | wc -l) Go files, $(du -sb "$work/go-big" | cut -f1) bytes"

# Runs alternate between the trees so that drift in machine load hits them alike.
elapsed_us() {
    local start end
    start=$(date +%s%N)
    "$bin" init "$1" --stdout --yes > /dev/null 2>&1
    end=$(date +%s%N)
    echo $(( (end - start) / 1000 ))
}
median_ms() {
    sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f\n", m/1000}'
}

for tree in "${trees[@]}"; do
    "$bin" init "$work/$tree" --stdout --yes > /dev/null 2>&1   # warm the page cache
    : > "$work/$tree.times"
done
for _ in $(seq "$runs"); do
    for tree in "${trees[@]}"; do
        elapsed_us "$work/$tree" >> "$work/$tree.times"
    done
done
declare -A median
for tree in "${trees[@]}"; do
    median[$tree]=$(median_ms < "$work/$tree.times")
    echo "median $tree: ${median[$tree]} ms"
done
status=0
for base in go-http node-server; do
    ratio=$(awk -v s="${median[$base]}" -v l="${median[$base+large]}" 'BEGIN {printf "%.2f", l / s}')
    echo "ratio $base+large / $base: $ratio (budget 1.20)"
    awk -v r="$ratio" 'BEGIN {exit !(r <= 1.2)}' || { echo "$base: over budget" >&2; status=1; }
done
ratio=$(awk -v s="${median[go-http]}" -v l="${median[go-big]}" 'BEGIN {printf "%.2f", l / s}')
echo "ratio go-big / go-http: $ratio (budget 12), go-big ${median[go-big]} ms (budget 50)"
awk -v r="$ratio" -v m="${median[go-big]}" 'BEGIN {exit !(r <= 12 && m <= 50)}' || { echo "go-big: over budget" >&2; status=1; }
exit $status
