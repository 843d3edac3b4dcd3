#!/usr/bin/env bash
# Sets up .venv, builds the index from corpus/ if there is none, and starts the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python app.py
