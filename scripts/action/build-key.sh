#!/usr/bin/env bash
# Step "Locate the claudit build": where the build lives and its cache key. The key hashes the
# action's own sources, so every action commit gets its own build and a warm cache is reused.
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
hash=$(find Cargo.toml Cargo.lock build.rs src rules -type f -print0 | LC_ALL=C sort -z |
  xargs -0 sha256sum | sha256sum | cut -c1-20)
dir="${RUNNER_TEMP:-/tmp}/claudit-$hash"
{
  echo "dir=$dir"
  echo "key=claudit-${RUNNER_OS:-Linux}-${RUNNER_ARCH:-X64}-$hash"
} >>"$GITHUB_OUTPUT"
