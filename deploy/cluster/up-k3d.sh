#!/usr/bin/env bash
# One command to a working Bernstein on a local k3d cluster: 1 server + 2 agents (3 nodes),
# NodePorts 30021/30042 on the host, k3s' own Traefik disabled (ours replaces it), images
# built from the root Dockerfile and imported into the nodes, CRDs then overlays/local applied,
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
  log "creating k3d cluster $BERNSTEIN_CLUSTER (1 server, 2 agents, without k3s' Traefik)"
  # k3s deploys its own Traefik, which would claim the IngressClass "traefik" and the
  # Ingresses beside ours: --disable=traefik on every server (node filter server:*,
  # https://k3d.io/stable/design/concepts/).
  k3d cluster create "$BERNSTEIN_CLUSTER" --servers 1 --agents 2 \
    -p "30021:30021@server:0" -p "30042:30042@server:0" \
    --k3s-arg "--disable=traefik@server:*" --wait
fi
# A reused cluster made without that flag still runs k3s' Traefik (kube-system): two
# controllers on one IngressClass. Stop before deploying anything.
if kc -n kube-system get deployment traefik >/dev/null 2>&1; then
  die "k3s' bundled Traefik runs in kube-system of $BERNSTEIN_CLUSTER (created without --disable=traefik): recreate the cluster with deploy/cluster/down.sh k3d, then run this again"
fi

build_images
log "importing the images into the nodes"
# shellcheck disable=SC2046 # one argument per image
k3d image import -c "$BERNSTEIN_CLUSTER" $(images)
prepare_data_node "k3d-$BERNSTEIN_CLUSTER-agent-0" "k3d-$BERNSTEIN_CLUSTER-agent-0"
# poll's cookie key and admin token are generated, never committed (overlays/local).
create_poll_secret default
apply_overlay local
wait_rollout
smoke_test
print_access k3d
