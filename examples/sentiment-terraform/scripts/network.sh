#!/bin/sh
# Run by hand and from the nightly job.
set -eu
cd network
terraform init
terraform apply -auto-approve -lock-timeout=300s
