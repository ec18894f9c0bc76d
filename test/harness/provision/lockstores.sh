#!/usr/bin/env bash
# about: moto (S3 and DynamoDB lock stores), for tf-lock-check
# cold-build-seconds: 60
# Lock stores for Terraform/OpenTofu tests: moto's server (S3 + DynamoDB in one process) in a venv.
# moto answers 412 PreconditionFailed to a PutObject with `If-None-Match: *` on an existing key and
# ConditionalCheckFailedException to a conditional PutItem, so S3-native and DynamoDB locks contend for real.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_NAME=lockstores VENV_REQUIREMENTS="$here/python/lockstores-requirements.txt" exec bash "$here/provision/pyenv.sh"
