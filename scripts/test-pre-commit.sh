#!/usr/bin/env bash
# Tests the pre-commit hook the way users run it: `pre-commit try-repo` against this repository on a
# throwaway git repository. A staged clean file passes; a staged file holding a key is blocked.
# Keys are assembled at run time. Uses CARGO_TARGET_DIR when set, so CI builds claudit once.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv=${CLAUDIT_CI_VENV:-$here/target/ci-venv}
if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'pre-commit==4.3.0'
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q
git config user.email ci@example.invalid
git config user.name ci
export PRE_COMMIT_HOME="$venv/pre-commit-home"

echo "hello" >README.md
git add README.md
if ! "$venv/bin/pre-commit" try-repo "$here" claudit >"$work/clean.log" 2>&1; then
  cat "$work/clean.log"
  echo "pre-commit test: a clean commit was blocked" >&2
  exit 1
fi
git commit -qm clean

body=$(head -c 4096 /dev/urandom | tr -dc 'A-Za-z0-9_-' | head -c 93)
printf 'ANTHROPIC_API_KEY=%s%s%sAA\n' "sk-ant-" "api03-" "$body" >.env
git add .env
if "$venv/bin/pre-commit" try-repo "$here" claudit >"$work/key.log" 2>&1; then
  cat "$work/key.log"
  echo "pre-commit test: a commit adding a key was not blocked" >&2
  exit 1
fi
grep -q "CLD101" "$work/key.log" || { cat "$work/key.log"; echo "pre-commit test: no CLD101 in the hook output" >&2; exit 1; }
if grep -q "$body" "$work/key.log"; then
  echo "pre-commit test: the hook printed the key" >&2
  exit 1
fi
echo "pre-commit test: passed (clean commit allowed, key blocked)"
