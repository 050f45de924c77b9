#!/usr/bin/env bash
# Benchmark: `claudit scan --history` vs `git log -p` (the way gitleaks reads history)
# on a repository generated at run time.
#
#   scripts/bench-history.sh [--commits 5000] [--files 400] [--runs 3] [--seed 7] [--dir /tmp/claudit-bench-history]
#
# The generated repository has --files files of 1-20 KB of source-like text; each commit
# edits one to four of them (3-30 lines inserted, deleted or rewritten), and one commit in
# 500 adds a key that a later commit removes. Keys are assembled at run time, never written into this script.
# The repository is packed (`git gc`), as real ones are.
#
# Prints the median wall time over --runs warm runs of
#   git log -p -U0 --full-history --all --diff-filter=tuxdb --no-ext-diff   (gitleaks' command;
#       gitleaks then still parses and scans the patch text, which is not counted here)
#   claudit scan --history                                                   (reads every unique blob
#       once and runs all rules on it)
# and the ratio, plus claudit's recall of the planted keys. Not part of CI.
# CLAUDIT_BIN uses an already built binary (must have the `history` feature).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
commits=5000 files=400 runs=3 seed=7 dir=/tmp/claudit-bench-history
while [ $# -gt 0 ]; do
  case "$1" in
    --commits) commits=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

repo=$dir/repo2-$commits-$files-$seed
if [ ! -f "$repo/.bench-done" ]; then
  echo "bench: generating $commits commits in $repo" >&2
  rm -rf "$repo" && mkdir -p "$repo"
  git -C "$repo" init -q -b main
  python3 - "$commits" "$files" "$seed" "$repo/.bench-planted" <<'PY' | git -C "$repo" fast-import --quiet
import random, sys
commits, nfiles, seed = (int(a) for a in sys.argv[1:4])
rng = random.Random(seed)
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
words = "let mut self fn return match value config client request response error ok some none".split()

def line():
    return "    " + " ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) + ";\n"

def key():
    # Assembled here so that no key-shaped literal exists in any file.
    return "sk-" + "ant-" + "api03-" + "".join(rng.choice(alphabet) for _ in range(93)) + "AA"

paths = [f"src/mod{i % 20}/file{i}.rs" for i in range(nfiles)]
content = {p: [line() for _ in range(rng.randint(20, 400))] for p in paths}
out = sys.stdout.buffer
planted = 0
leaky = None
def blob(path):
    data = "".join(content[path]).encode()
    out.write(b"M 100644 inline " + path.encode() + b"\ndata %d\n" % len(data) + data + b"\n")

for n in range(commits):
    msg = f"commit {n}\n".encode()
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@example.invalid> %d +0000\n" % (1600000000 + n * 60))
    out.write(b"data %d\n" % len(msg) + msg)
    if n == 0:
        for p in paths:
            blob(p)
        continue
    changed = rng.sample(paths, rng.randint(1, 4))
    if n % 500 == 260 and leaky and leaky not in changed:
        changed.append(leaky)  # the key leaves HEAD, but stays in history
    for p in changed:
        lines = content[p]
        for _ in range(rng.randint(3, 30)):  # insert, delete or rewrite a line
            at = rng.randrange(len(lines) + 1)
            op = rng.random()
            if op < 0.5 or at == len(lines):
                lines.insert(at, line())
            elif op < 0.7 and len(lines) > 10:
                del lines[at]
            else:
                lines[at] = line()
        if p == leaky and n % 500 == 260:
            content[p] = [l for l in lines if "sk-" + "ant-" not in l]
            leaky = None
        elif n % 500 == 250 and p == changed[0]:
            lines.insert(rng.randrange(len(lines) + 1), f'    let key = "{key()}";\n')
            planted += 1
            leaky = p
        blob(p)
open(sys.argv[4], "w").write(f"{planted}\n")
PY
  git -C "$repo" gc -q
  touch "$repo/.bench-done"
fi
planted=$(cat "$repo/.bench-planted")

if [ -n "${CLAUDIT_BIN:-}" ]; then
  claudit=$CLAUDIT_BIN
else
  (cd "$here" && cargo build --release --locked -q --features history)
  claudit=$here/target/release/claudit
fi

git_cmd=(git -C "$repo" log -p -U0 --full-history --all --diff-filter=tuxdb --no-ext-diff)
claudit_cmd=("$claudit" scan --history "$repo" --format json --fail-on none --quiet)

# warm the page cache
cat "$repo"/.git/objects/pack/* >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_of() { # wall seconds of one run, output discarded
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  awk -v e="$end" -v s="$start" 'BEGIN {printf "%.6f\n", e - s}'
}

git_walls=() claudit_walls=()
for _ in $(seq "$runs"); do
  git_walls+=("$(time_of "${git_cmd[@]}")")
  claudit_walls+=("$(time_of "${claudit_cmd[@]}")")
done
git_med=$(printf '%s\n' "${git_walls[@]}" | median)
claudit_med=$(printf '%s\n' "${claudit_walls[@]}" | median)

blobs=$(git -C "$repo" cat-file --batch-all-objects --batch-check | awk '$2 == "blob" {n++; b += $3} END {printf "%d blobs, %.1f MB", n, b / 1e6}')
patch_mb=$("${git_cmd[@]}" | wc -c | awk '{printf "%.1f", $1 / 1e6}')
found=$("${claudit_cmd[@]}" | python3 -c 'import json,sys; print(sum(1 for f in json.load(sys.stdin)["findings"] if f["rule_id"] == "CLD101"))')

echo "repository: $commits commits, $blobs; git log -p output $patch_mb MB"
printf 'git log -p -U0 --all     %6.2f s (median of %d)\n' "$git_med" "$runs"
printf 'claudit scan --history   %6.2f s (median of %d)\n' "$claudit_med" "$runs"
printf 'speed-up                 %6.1fx\n' "$(awk -v g="$git_med" -v c="$claudit_med" 'BEGIN {print (c > 0 ? g / c : 0)}')"
echo "keys planted: $planted, found: $found"
