#!/usr/bin/env bash
# Builds a fresh virtual environment from binder/requirements.txt alone (as Binder would) and
# runs a notebook in it, so a broken Binder set-up fails CI. Usage: bash binder/check.sh [notebook]
set -euo pipefail
cd "$(dirname "$0")/.."
notebook="${1:-notebooks/00_start_here.ipynb}"
venv="$(mktemp -d)/binder-venv"
python -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r binder/requirements.txt
"$venv/bin/python" -c "import dlcourse, ipywidgets, jupyterlab, voila; print('binder env: dlcourse', dlcourse.__version__, '| ipywidgets', ipywidgets.__version__)"
out="$(mktemp -d)"
"$venv/bin/jupyter" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
    --output-dir "$out" "$notebook"
echo "binder env ran $notebook"
rm -rf "$(dirname "$venv")" "$out"
