#!/usr/bin/env bash
# One command to a working Bernstein on a local kind cluster: 1 control plane + 2 workers
# (kind.yaml), NodePorts 30021/30042 on the host, images built from
# the root Dockerfile and loaded into the nodes, CRDs then overlays/local applied, rollout waited
# for, one vote smoke-tested.
# Usage: deploy/cluster/up-kind.sh         (BERNSTEIN_CLUSTER=name to rename the cluster)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

require_tools docker kind kubectl curl
require_docker_daemon
KUBE_CONTEXT="kind-$BERNSTEIN_CLUSTER"

if kind get clusters 2>/dev/null | grep -qx "$BERNSTEIN_CLUSTER"; then
  log "kind cluster $BERNSTEIN_CLUSTER exists, reusing it"
else
  log "creating kind cluster $BERNSTEIN_CLUSTER (1 control plane, 2 workers)"
  kind create cluster --name "$BERNSTEIN_CLUSTER" --config "$lib_dir/kind.yaml" --wait 180s
fi
# The control plane keeps kubeadm's NoSchedule taint: this is the cluster the course targets
# (a tainted control plane + 2 workers), on which `bernstein check --cluster kind` proves that
# every replica schedules and every rollout and drain completes.

build_images
log "loading the images into the nodes"
# shellcheck disable=SC2046 # one argument per image
kind load docker-image --name "$BERNSTEIN_CLUSTER" $(images)
prepare_data_node "$BERNSTEIN_CLUSTER-worker" "$BERNSTEIN_CLUSTER-worker"
# poll's cookie key and admin token are generated, never committed (overlays/local).
create_poll_secret default
apply_overlay local
wait_rollout
smoke_test
print_access kind
