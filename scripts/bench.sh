#!/usr/bin/env bash
# Benchmark: claudit vs ripgrep on a corpus from ../shared/bench/gen_corpus.py.
#
#   scripts/bench.sh [--size-mb 500] [--repos 50] [--runs 5] [--seed 7] [--dir /tmp/claudit-bench] [--diff]
#
# --diff also commits the corpus to a git repository (once), changes one file on a branch, and
# compares a full scan with `--diff-base main` (the pull-request mode), JSON output.
#
# Prints, for each tool, the median wall time over --runs warm runs (the tools alternate),
# MB/s, and peak RSS (max over runs), then claudit/ripgrep ratios; also claudit's key recall against the
# corpus ground truth. Not part of CI: it takes minutes and needs a quiet machine.
# CLAUDIT_SHARED points at the shared folder when it is not beside the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
size=500 repos=50 runs=5 seed=7 dir=/tmp/claudit-bench threads="" diff=false
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mb) size=$2; shift 2 ;;
    --repos) repos=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --diff) diff=true; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
gen=${CLAUDIT_SHARED:-$here/../shared}/bench/gen_corpus.py
[ -f "$gen" ] || { echo "bench: $gen not found" >&2; exit 2; }
command -v rg >/dev/null || { echo "bench: installing ripgrep" >&2; apt-get install -y -qq ripgrep >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq ripgrep; }; }
[ -x /usr/bin/time ] || { apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }; }

corpus=$dir/corpus-$size-$repos-$seed
if [ ! -f "$corpus/corpus.json" ]; then
  echo "bench: generating $size MB corpus in $corpus" >&2
  python3 "$gen" "$corpus" --repos "$repos" --seed "$seed" --size-mb "$size" --force >/dev/null
fi
(cd "$here" && cargo build --release --locked -q)
claudit=${CARGO_TARGET_DIR:-$here/target}/release/claudit
bytes=$(du -sb --exclude=ground-truth.jsonl --exclude=corpus.json "$corpus" | cut -f1)
files=$(find "$corpus" -type f | wc -l)

# warm the page cache
find "$corpus" -type f -print0 | xargs -0 cat >/dev/null 2>&1 || true

rg_pattern='sk-ant-(?:api03|admin01|oat01|ort01)-[A-Za-z0-9_-]{93}AA(?:[^A-Za-z0-9_-]|$)'
claudit_cmd=("$claudit" scan "$corpus" --no-ignore --format json --output /dev/null --fail-on none --quiet)
[ -n "$threads" ] && claudit_cmd+=(--threads "$threads")
rg_cmd=(rg --hidden --no-ignore --text -c "$rg_pattern" "$corpus")

measure() { # prints "wall_seconds peak_kb" for one run
  /usr/bin/time -f '%e %M' -o /tmp/claudit-bench-time "$@" >/dev/null 2>&1 || true
  cat /tmp/claudit-bench-time
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# The runs alternate between the tools, so that both see the same machine: a
# VM's speed drifts by ±10% over minutes, which would otherwise land in the ratio.
declare -A wall rss walls
rss[claudit]=0 rss[rg]=0
for _ in $(seq "$runs"); do
  for tool in claudit rg; do
    if [ $tool = claudit ]; then out=$(measure "${claudit_cmd[@]}"); else out=$(measure "${rg_cmd[@]}"); fi
    walls[$tool]+="${out% *} "
    kb=${out#* }; [ "$kb" -gt "${rss[$tool]}" ] && rss[$tool]=$kb
  done
done
for tool in claudit rg; do
  wall[$tool]=$(printf '%s\n' ${walls[$tool]} | median)
done

mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1e6}')
printf '\ncorpus: %s (%s MB, %s files), %s runs each, %s cores\n' "$corpus" "$mb" "$files" "$runs" "$(nproc)"
printf '%-8s %10s %10s %12s\n' tool wall_s MB/s peak_RSS_MB
for tool in claudit rg; do
  printf '%-8s %10.3f %10.0f %12.1f\n' "$tool" "${wall[$tool]}" \
    "$(awk -v b="$bytes" -v w="${wall[$tool]}" 'BEGIN {print (w>0 ? b/1e6/w : 0)}')" \
    "$(awk -v k="${rss[$tool]}" 'BEGIN {print k/1024}')"
done
awk -v c="${wall[claudit]}" -v r="${wall[rg]}" -v cm="${rss[claudit]}" -v rm="${rss[rg]}" \
  'BEGIN {printf "ratio    wall %.2fx   peak RSS %.2fx\n", (r>0?c/r:0), (rm>0?cm/rm:0)}'

# Key recall against the ground truth (secrets the corpus expects to be flagged).
"$claudit" scan "$corpus" --no-ignore --format json --output /tmp/claudit-bench.json --fail-on none --quiet || true
python3 - "$corpus" /tmp/claudit-bench.json <<'PY'
import json, sys
corpus, report = sys.argv[1], sys.argv[2]
truth = [json.loads(l) for l in open(f"{corpus}/ground-truth.jsonl")]
secrets = [t for t in truth if t["kind"] in ("api-key", "admin-key", "oauth-token", "refresh-token") and t["expect"] == "flag"]
decoys = [t for t in truth if t["kind"].startswith("decoy-") and t.get("secret_prefix")]
findings = json.load(open(report))["findings"]
where = lambda f: (f["path"].split(corpus.rstrip("/") + "/", 1)[-1], f["line"])
found = {where(f) for f in findings}
# Decoys are secret look-alikes: only the credential rules (CLD1xx) count against them.
secret_found = {where(f) for f in findings if f["rule_id"].startswith("CLD1")}
hit = sum((t["file"], t["line"]) in found for t in secrets)
fp = sum((t["file"], t["line"]) in secret_found for t in decoys)
print(f"key recall {hit}/{len(secrets)} ({100*hit/max(1,len(secrets)):.1f} %), "
      f"decoy lines with a credential finding {fp}/{len(decoys)}")
PY

if [ "$diff" = true ]; then
  repo=$dir/git-$size-$repos-$seed
  if [ ! -d "$repo/.git" ]; then
    echo "bench: committing the corpus to $repo (once)" >&2
    rm -rf "$repo" && cp -r "$corpus" "$repo"
    git -C "$repo" init -q -b main
    git -C "$repo" -c user.email=bench@example.invalid -c user.name=bench add -A
    git -C "$repo" -c user.email=bench@example.invalid -c user.name=bench commit -qm corpus
    git -C "$repo" checkout -qb topic
    echo "changed" >>"$(find "$repo" -name '*.md' -not -path '*/.git/*' | sort | head -1)"
    git -C "$repo" -c user.email=bench@example.invalid -c user.name=bench commit -qam change
  fi
  full=() narrow=()
  for _ in $(seq "$runs"); do
    full+=("$(cd "$repo" && measure "$claudit" scan . --format json --output /dev/null --fail-on none --quiet | cut -d' ' -f1)")
    narrow+=("$(cd "$repo" && measure "$claudit" scan . --diff-base main --format json --output /dev/null --fail-on none --quiet | cut -d' ' -f1)")
  done
  f=$(printf '%s\n' "${full[@]}" | median) n=$(printf '%s\n' "${narrow[@]}" | median)
  printf '\ndiff mode on %s: full scan %.3f s, --diff-base main %.3f s (%.1fx faster)\n' "$repo" "$f" "$n" \
    "$(awk -v f="$f" -v n="$n" 'BEGIN {print (n>0 ? f/n : 0)}')"
fi
