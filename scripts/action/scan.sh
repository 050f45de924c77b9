#!/usr/bin/env bash
# Step "Scan": one claudit run writes the whole-tree SARIF, the (diff-narrowed) summary,
# annotations and counts. The exit code is kept for the gate, which runs after the upload.
set -uo pipefail
sarif="${INPUT_SARIF_FILE:-claudit.sarif}"
reports="${RUNNER_TEMP:-/tmp}/claudit-reports"
mkdir -p "$reports"
args=(scan --fail-on "${INPUT_FAIL_ON:-warning}" --format sarif --output "$sarif"
  --sarif-category "${INPUT_CATEGORY:-claudit/}" --report "counts=$reports/counts")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
[ -n "${CLAUDIT_DIFF_BASE:-}" ] && args+=(--diff-base "$CLAUDIT_DIFF_BASE")
if [ "${INPUT_SUMMARY:-true}" = true ]; then
  args+=(--report "markdown=$reports/summary.md")
  if [ -n "${GITHUB_REPOSITORY:-}" ] && [ -n "${GITHUB_SHA:-}" ]; then
    args+=(--link-base "${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_REPOSITORY/blob/$GITHUB_SHA/")
  fi
fi
[ "${CLAUDIT_ANNOTATE:-false}" = true ] && args+=(--report "github=$reports/annotations")
for format in ${INPUT_FORMAT//,/ }; do
  case "$format" in
    json) ext=json ;;
    text) ext=txt ;;
    markdown) ext=md ;;
    github) ext=annotations.txt ;;
    *)
      echo "::error title=claudit::unknown format '$format' (json, text, markdown, github)"
      exit 2
      ;;
  esac
  args+=(--report "$format=${sarif%.sarif}.$ext")
done
read -ra paths <<<"${INPUT_PATHS:-.}"

rc=0
"$CLAUDIT_BIN" "${args[@]}" -- "${paths[@]}" || rc=$?
if [ "$rc" -ge 2 ]; then
  echo "::error title=claudit::the scan could not run (exit code $rc); see the log above"
  exit "$rc"
fi
[ -f "$reports/summary.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$reports/summary.md" >>"$GITHUB_STEP_SUMMARY"
[ -f "$reports/annotations" ] && cat "$reports/annotations"
{
  cat "$reports/counts"
  echo "sarif-file=$sarif"
  echo "exit-code=$rc"
} >>"$GITHUB_OUTPUT"
