#!/usr/bin/env bash
# The system suites (Tests/system): the real `agora` binary driven from outside — schemathesis
# against openapi.yaml, fuzzing of content files and of HTTP requests, the README's nginx recipe in
# front of the server, and a browser walk.
# Each suite runs even when an earlier one failed; the script fails if any did.
set -uo pipefail
cd "$(dirname "$0")/../Tests/system"
export AGORA=${AGORA:-../../.build/debug/agora}
failed=()
for suite in contract fuzz_content fuzz_http connections nginx browser; do
  echo "== Tests/system/$suite.py"
  python3 "$suite.py" || failed+=("$suite")
done
if ((${#failed[@]})); then
  echo "System suites failed: ${failed[*]}" >&2
  exit 1
fi
echo "System suites passed: contract, fuzz_content, fuzz_http, connections, nginx, browser"
