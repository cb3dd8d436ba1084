#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image (Ubuntu base image). It
# installs Python >= 3.11 and the grader from /autograder/source (this zip's contents) into
# /autograder/venv. torch is not installed: grading reads the committed answer key. Without it, an
# answer that may follow from a wrong earlier answer (error carried forward) is flagged for review.
set -euo pipefail

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
/autograder/venv/bin/pip install --disable-pip-version-check --no-cache-dir /autograder/source
/autograder/venv/bin/grader list
