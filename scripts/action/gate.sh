#!/usr/bin/env bash
# Step "Gate on fail-on": runs after the SARIF upload, so a failing pull request still shows its alerts.
set -uo pipefail
case "${CLAUDIT_EXIT:-}" in
  0) echo "claudit: no finding at or above fail-on" ;;
  1)
    echo "::error title=claudit::findings at or above fail-on; see the job summary and code scanning alerts"
    exit 1
    ;;
  *)
    echo "::error title=claudit::the scan did not complete (exit code '${CLAUDIT_EXIT:-}')"
    exit 2
    ;;
esac
