#!/usr/bin/env bash
# Benchmark: `claudit fleet` on a fleet of small repositories generated at run time.
#
#   scripts/bench-fleet.sh [--repos 1000] [--jobs N] [--runs 3] [--dir /tmp/claudit-bench-fleet]
#
# Each generated repository has a README, eight source files and a workflow that passes
# ANTHROPIC_API_KEY from secrets; one in ten has a `.env` with a key (one in twenty the same
# shared key, so the roll-up shows secret reuse), one in seven a permissive `.claude/settings.json`.
# Keys are assembled at run time, never written into this script.
#
# Prints the median wall time over --runs warm runs, repositories per second and peak RSS (max
# over runs) of a full run, then of a `--resume` run with nothing changed. Not part of CI.
# CLAUDIT_BIN uses an already built binary.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repos=1000 jobs="" runs=3 dir=/tmp/claudit-bench-fleet
while [ $# -gt 0 ]; do
  case "$1" in
    --repos) repos=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bin=${CLAUDIT_BIN:-}
if [ -z "$bin" ]; then
  (cd "$here" && cargo build --release --quiet)
  bin=$here/target/release/claudit
fi
jobs=${jobs:-$(nproc)}

if [ ! -f "$dir/.generated-$repos" ]; then
  rm -rf "$dir" && mkdir -p "$dir/org"
  python3 - "$dir/org" "$repos" <<'PY'
import os, random, string, sys
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
alphabet = string.ascii_letters + string.digits
def key():
    return "-".join(["sk", "ant", "api03"]) + "-" + "".join(rnd.choice(alphabet) for _ in range(93)) + "AA"
shared = key()
def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
for i in range(n):
    d = os.path.join(root, f"repo-{i:04d}")
    write(os.path.join(d, "README.md"), f"# repo {i}\n" + "text\n" * 50)
    for j in range(8):
        write(os.path.join(d, "src", f"m{j}.py"), "def f():\n    return 1\n" * 40)
    write(os.path.join(d, ".github/workflows/ci.yml"),
          "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
          "        env:\n          ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}\n")
    if i % 10 == 0:
        write(os.path.join(d, ".env"), f"ANTHROPIC_API_KEY={shared if i % 20 == 0 else key()}\n")
    if i % 7 == 0:
        write(os.path.join(d, ".claude/settings.json"), '{"permissions": {"allow": ["Bash(*)"]}}\n')
PY
  touch "$dir/.generated-$repos"
fi
files=$(find "$dir/org" -type f | wc -l)
size=$(du -sm "$dir/org" | cut -f1)
cat "$dir"/org/*/README.md > /dev/null   # warm the page cache

measure() { # label, extra args...
  local label=$1; shift
  local walls=() rss=0
  for _ in $(seq "$runs"); do
    [ "$label" = full ] && rm -rf "$dir/out"
    /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$bin" fleet "$dir/org" --out "$dir/out" -j "$jobs" --quiet "$@"
    read -r wall kb < "$dir/time.txt"
    walls+=("$wall")
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  local median
  median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  awk -v l="$label" -v w="$median" -v n="$repos" -v r="$rss" \
    'BEGIN {printf "%-7s wall %6.2f s  %7.0f repos/s  peak RSS %4.0f MB\n", l, w, n / w, r / 1024}'
}
echo "fleet: $repos repositories, $files files, ${size} MB, -j $jobs, median of $runs"
measure full
measure resume --resume
