#!/usr/bin/env bash
# One command to a working Bernstein on a local k3d cluster: 1 server + 2 agents (3 nodes),
# NodePorts 30021/30042 on the host, k3s' own Traefik disabled (ours replaces it), images
# built from services/*/Dockerfile and imported into the nodes, overlays/local applied,
# rollout waited for, one vote smoke-tested.
# Usage: deploy/cluster/up-k3d.sh          (BERNSTEIN_CLUSTER=name to rename the cluster)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

require_tools docker k3d kubectl curl
require_docker_daemon
KUBE_CONTEXT="k3d-$BERNSTEIN_CLUSTER"

if k3d cluster get "$BERNSTEIN_CLUSTER" >/dev/null 2>&1; then
  log "k3d cluster $BERNSTEIN_CLUSTER exists, reusing it"
else
  log "creating k3d cluster $BERNSTEIN_CLUSTER (1 server, 2 agents)"
  k3d cluster create "$BERNSTEIN_CLUSTER" --servers 1 --agents 2 \
    -p "30021:30021@server:0" -p "30042:30042@server:0" \
    --k3s-arg "--disable=traefik@server:0" --wait
fi

build_images
log "importing the images into the nodes"
# shellcheck disable=SC2046 # one argument per image
k3d image import -c "$BERNSTEIN_CLUSTER" $(images)
prepare_data_node "k3d-$BERNSTEIN_CLUSTER-agent-0" "k3d-$BERNSTEIN_CLUSTER-agent-0"
apply_overlay local
wait_rollout
smoke_test
print_access k3d
