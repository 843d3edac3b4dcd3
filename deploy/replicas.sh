#!/usr/bin/env bash
# N app replicas sharing one Chroma server, on this machine: starts `chroma run`, builds the index
# once if it is empty, then starts the replicas on consecutive ports, and stops them all on Ctrl-C
# or SIGTERM. Put a reverse proxy in front (nginx.conf or Caddyfile here).
#
#   REPLICAS=2 BASE_PORT=7861 CHROMA_PORT=8765 bash deploy/replicas.sh
#
# Settings (environment): REPLICAS (2), BASE_PORT (7861), CHROMA_PORT (8765), CHROMA_PATH
# (./chroma-data), QA_CORPUS_DIR (./corpus, shared by all replicas), QA_ADMIN_TOKEN, PYTHON
# (.venv/bin/python); any other QA_* setting is passed to every replica.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
CHROMA="${CHROMA:-$(dirname "$PYTHON")/chroma}"
REPLICAS="${REPLICAS:-2}"
BASE_PORT="${BASE_PORT:-7861}"
CHROMA_PORT="${CHROMA_PORT:-8765}"
CHROMA_PATH="${CHROMA_PATH:-$ROOT/chroma-data}"
export QA_CORPUS_DIR="${QA_CORPUS_DIR:-$ROOT/corpus}"
export QA_CHROMA_URL="http://127.0.0.1:$CHROMA_PORT"
# the reverse proxy in front (nginx.conf, Caddyfile) names the client; nobody else may
export QA_TRUSTED_PROXIES="${QA_TRUSTED_PROXIES:-127.0.0.1}"
export ANONYMIZED_TELEMETRY=False

pids=()
stop() {
  trap - TERM INT EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop TERM INT EXIT

"$CHROMA" run --path "$CHROMA_PATH" --host 127.0.0.1 --port "$CHROMA_PORT" >"${LOG_DIR:-/tmp}/legco-qa-chroma.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  if "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1', $CHROMA_PORT), 1)" 2>/dev/null; then break; fi
  sleep 0.2
done

# one writer builds (or brings up to date) the index before any replica serves
"$PYTHON" -m qa.cli index -q

for i in $(seq 0 $((REPLICAS - 1))); do
  port=$((BASE_PORT + i))
  QA_PORT="$port" "$PYTHON" "$ROOT/app.py" >"${LOG_DIR:-/tmp}/legco-qa-$port.log" 2>&1 &
  pids+=($!)
  echo "replica $i on http://127.0.0.1:$port (pid $!)"
done
wait -n "${pids[@]}"  # one of them stopped: stop the rest
