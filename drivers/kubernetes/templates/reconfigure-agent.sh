#!/bin/bash
# Run by the heat-container-agent when the node's Kubernetes version or CAs
# change: the deployment's inputs arrive as environment variables, and the
# work happens on the host, in its namespaces.
set -euo pipefail
exec nsenter --target 1 --mount --uts --ipc --net --pid -- /usr/local/bin/magnum-reconfigure
