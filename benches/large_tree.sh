#!/usr/bin/env bash
# Whole-process timing of `dockgen init --yes --stdout` on each bundled example and on a monorepo-sized tree:
# examples/go-http plus 200,000 files under node_modules/, vendor/ and .git/. Detection must not walk those
# folders, so the large tree must cost at most 1.2x the small one.
# Usage: benches/large_tree.sh [RUNS]   (default 30 runs each; prints medians and the ratio)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
files="${BENCH_FILES:-200000}"

cargo build --release --locked -q
bin="$PWD/target/release/dockgen"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp -r examples/go-http "$work/small"
cp -r examples/go-http "$work/large"
cp -r examples/java-maven "$work/java"
python3 - "$work/large" "$files" <<'PY'
import os, sys
root, total = sys.argv[1], int(sys.argv[2])
# Split like real trees: most files in node_modules/ packages, the rest as git objects.
split = {"node_modules": total * 8 // 10, ".git/objects": total // 10, "vendor/github.com": total - total * 9 // 10}
for top, count in split.items():
    per_dir = 100
    for d in range(0, count, per_dir):
        folder = os.path.join(root, top, f"pkg{d // per_dir:05d}")
        os.makedirs(folder, exist_ok=True)
        for i in range(min(per_dir, count - d)):
            with open(os.path.join(folder, f"f{i}.go" if i % 10 == 0 else f"f{i}.js"), "w") as f:
                f.write("package p\n" if i % 10 == 0 else "module.exports = 1\n")
PY
echo "large tree: $(find "$work/large" -type f | wc -l) files"

# Runs alternate between the two trees so that drift in machine load hits both alike.
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

"$bin" init "$work/small" --stdout --yes > /dev/null   # warm the page cache
"$bin" init "$work/large" --stdout --yes > /dev/null
"$bin" init "$work/java" --stdout --yes > /dev/null
: > "$work/small.times"
: > "$work/large.times"
: > "$work/java.times"
for _ in $(seq "$runs"); do
    elapsed_us "$work/small" >> "$work/small.times"
    elapsed_us "$work/large" >> "$work/large.times"
    elapsed_us "$work/java" >> "$work/java.times"
done
small=$(median_ms < "$work/small.times")
large=$(median_ms < "$work/large.times")
java=$(median_ms < "$work/java.times")
echo "median examples/java-maven: ${java} ms"
ratio=$(awk -v s="$small" -v l="$large" 'BEGIN {printf "%.2f", l / s}')
echo "median examples/go-http: ${small} ms"
echo "median go-http + 200,000 files: ${large} ms"
echo "ratio large/small: ${ratio} (budget 1.20)"
awk -v r="$ratio" 'BEGIN {exit !(r <= 1.2)}' || { echo "over budget" >&2; exit 1; }
