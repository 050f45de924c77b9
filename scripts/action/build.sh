#!/usr/bin/env bash
# Step "Build claudit": only when the cache missed. Builds from the action's own source.
set -euo pipefail
if [ -x "$CLAUDIT_ROOT/bin/claudit" ]; then
  echo "claudit: using the cached build in $CLAUDIT_ROOT"
  exit 0
fi
if ! command -v cargo >/dev/null; then
  echo "::error title=claudit::claudit is built from source and needs cargo on the runner (GitHub-hosted runners have it)"
  exit 1
fi
start=$(date +%s)
cargo install --locked --quiet --path "$GITHUB_ACTION_PATH" --root "$CLAUDIT_ROOT"
echo "claudit: built in $(($(date +%s) - start)) s"
