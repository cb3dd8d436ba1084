#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image (Ubuntu base image). It
# installs Python >= 3.11 and the grader from /autograder/source (this zip's contents) into
# /autograder/venv. Grading reads the committed answer key; torch's CPU build is installed too,
# because error carried forward recomputes a student's later values with it (without it such
# answers would only be flagged for review, and points would differ from `grader grade`).
set -euo pipefail

TORCH_VERSION="${TORCH_VERSION:-2.13.0}"

export DEBIAN_FRONTEND=noninteractive
apt-get update
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    apt-get install -y python3-venv
    PYTHON=python3
else
    # Ubuntu 22.04 ships Python 3.10; its python3.11 package is enough.
    apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11
fi
"$PYTHON" -m venv /autograder/venv
# From torch's CPU index first: a plain `pip install torch` resolves a CUDA build of several GB.
/autograder/venv/bin/pip install --disable-pip-version-check --no-cache-dir "torch==$TORCH_VERSION" \
    --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/pip install --disable-pip-version-check --no-cache-dir /autograder/source
# Homework packages of the instructor's own, put into the zip by build_zip.py --with.
for package in /autograder/source/extra/*/; do
    if [ -f "$package/pyproject.toml" ]; then
        /autograder/venv/bin/pip install --disable-pip-version-check --no-cache-dir "$package"
    fi
done
/autograder/venv/bin/grader list
