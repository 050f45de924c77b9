#!/usr/bin/env bash
# Step "Decide on upload and annotations". `auto` uploads when code scanning is available for the
# repository (asked of the API with the job's token); annotations are the fallback when it is not.
set -uo pipefail
upload="${INPUT_UPLOAD_SARIF:-auto}"
if [ "$upload" = auto ]; then
  upload=false
  if [ -n "${CLAUDIT_TOKEN:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ] && command -v curl >/dev/null; then
    body=$(mktemp)
    code=$(curl -sS -o "$body" -w '%{http_code}' --max-time 20 \
      -H "Authorization: Bearer $CLAUDIT_TOKEN" -H "Accept: application/vnd.github+json" \
      "${GITHUB_API_URL:-https://api.github.com}/repos/$GITHUB_REPOSITORY/code-scanning/analyses?per_page=1" 2>/dev/null)
    # 200: analyses exist; 404 "no analysis found": enabled but empty. 403: not available.
    if [ "$code" = 200 ] || { [ "$code" = 404 ] && grep -qi "no analysis found" "$body"; }; then
      upload=true
    fi
    rm -f "$body"
  fi
  echo "claudit: code scanning available for upload: $upload"
fi
case "$upload" in true | false) ;; *)
  echo "::error title=claudit::upload-sarif must be auto, true or false (got '$upload')"
  exit 2
  ;;
esac
annotate="${INPUT_ANNOTATIONS:-auto}"
case "$annotate" in
  auto) annotate=$([ "$upload" = true ] && echo false || echo true) ;;
  true | false) ;;
  *)
    echo "::error title=claudit::annotations must be auto, true or false (got '$annotate')"
    exit 2
    ;;
esac
{
  echo "upload=$upload"
  echo "annotate=$annotate"
} >>"$GITHUB_OUTPUT"
