#!/usr/bin/env bash
# Step "Resolve the diff base": which ref narrows the gate. `auto` is the pull request's base branch.
# In a shallow checkout the base is fetched, with enough history for a merge base; when that is
# impossible the gate covers the whole tree and the log says how to fix it.
set -uo pipefail
base=""
case "${INPUT_DIFF_BASE:-auto}" in
  auto)
    case "${GITHUB_EVENT_NAME:-}" in
      pull_request | pull_request_target) base="${GITHUB_BASE_REF:-}" ;;
    esac
    ;;
  *) base="$INPUT_DIFF_BASE" ;;
esac
if [ -z "$base" ]; then
  echo "ref=" >>"$GITHUB_OUTPUT"
  exit 0
fi

resolve() { # prints a ref that names a commit, trying the remote-tracking branch second
  for candidate in "$base" "origin/$base"; do
    if git rev-parse --verify --quiet "$candidate^{commit}" >/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

ref=$(resolve) || {
  git fetch --no-tags --quiet origin "+refs/heads/$base:refs/remotes/origin/$base" 2>/dev/null
  ref=$(resolve)
} || ref=""
if [ -n "$ref" ] && ! git merge-base "$ref" HEAD >/dev/null 2>&1; then
  if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
    git fetch --no-tags --quiet --unshallow origin 2>/dev/null ||
      git fetch --no-tags --quiet --deepen=1000 origin 2>/dev/null
  fi
  git merge-base "$ref" HEAD >/dev/null 2>&1 || ref=""
fi
if [ -z "$ref" ]; then
  echo "::warning title=claudit::no merge base with '$base' (shallow checkout?): the gate covers the whole tree. Set fetch-depth: 0 on actions/checkout."
fi
echo "ref=$ref" >>"$GITHUB_OUTPUT"
