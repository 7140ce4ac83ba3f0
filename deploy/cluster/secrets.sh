#!/usr/bin/env bash
# Creates the Secrets of one instance that no overlay commits, each with a random value,
# unless it exists already (nothing is ever overwritten; rotation: docs/operations.md,
# "Credentials"). For overlays/production (namespace bernstein) and overlays/instance-N
# (namespace bernstein-N); overlays/local needs only poll's (--poll-only; up-*.sh do that).
#
#   deploy/cluster/secrets.sh [--context <ctx>] --namespace <ns> [--poll-only]
#
# Redis' ACL file is rendered by the worker image (bernstein/worker:<version>, built by
# deploy/containers/build-images.sh or the up scripts), so docker must be able to run it.
# The Traefik dashboard's users (Secret kube-public/traefik-dashboard, production) are not
# made here: docs/operations.md, "Credentials", shows the one command.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

poll_only=0
script_option() {
  case "$1" in
    --poll-only) poll_only=1; used=1 ;;
  esac
}
instance_options "$@"
[ -n "$prefix" ] && die "--name-prefix is not used here: an instance's Secrets keep the base's names in its own namespace"
require_context
kc get namespace "$namespace" >/dev/null 2>&1 || kc create namespace "$namespace" >/dev/null

create_poll_secret "$namespace"
if [ "$poll_only" -eq 0 ]; then
  require_tools docker
  create_data_secrets "$namespace" "bernstein/worker:$(image_tag)"
fi
log "done: the Secrets of namespace $namespace exist"
