#!/usr/bin/env bash
# Deletes the local cluster made by up-k3d.sh or up-kind.sh, with everything in it
# (including the PostgreSQL and Redis data: take a backup first if you need it).
# Usage: deploy/cluster/down.sh k3d|kind   (BERNSTEIN_CLUSTER=name if you renamed it)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

case "${1:-}" in
  k3d)
    require_tools docker k3d
    require_docker_daemon
    log "deleting k3d cluster $BERNSTEIN_CLUSTER"
    k3d cluster delete "$BERNSTEIN_CLUSTER"
    ;;
  kind)
    require_tools docker kind
    require_docker_daemon
    log "deleting kind cluster $BERNSTEIN_CLUSTER"
    kind delete cluster --name "$BERNSTEIN_CLUSTER"
    ;;
  *) die "usage: down.sh k3d|kind" ;;
esac
