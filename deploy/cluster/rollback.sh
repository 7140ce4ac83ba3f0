#!/usr/bin/env bash
# The 1-click rollback: every Bernstein Deployment of the app's namespace (and Traefik in
# kube-public) goes back to its previous revision, then waits until all are rolled out.
# Deployments that have no previous revision are left alone and reported.
# Usage: deploy/cluster/rollback.sh [--context CONTEXT] [--namespace NAMESPACE] [--app-only]
#   --namespace defaults to "default" (the base and local overlay; production: bernstein);
#   --app-only leaves Traefik as it is.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

namespace=default
edge=1
KUBE_CONTEXT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --context) KUBE_CONTEXT="${2:?--context needs a value}"; shift 2 ;;
    --namespace | -n) namespace="${2:?--namespace needs a value}"; shift 2 ;;
    --app-only) edge=0; shift ;;
    -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
require_tools kubectl
[ -n "$KUBE_CONTEXT" ] || KUBE_CONTEXT="$(kubectl config current-context 2>/dev/null)" ||
  die "no kubectl context: pass --context"

targets=()
while IFS= read -r d; do [ -n "$d" ] && targets+=("$namespace/$d"); done < <(
  kc -n "$namespace" get deployments -l app.kubernetes.io/part-of=bernstein -o name | sed 's#^deployment.apps/##')
[ "$edge" -eq 0 ] || targets+=("kube-public/traefik")
[ ${#targets[@]} -gt 0 ] || die "no Bernstein deployments in namespace $namespace (context $KUBE_CONTEXT)"

rolled=()
for t in "${targets[@]}"; do
  ns="${t%%/*}" name="${t#*/}"
  revision="$(kc -n "$ns" get deployment "$name" -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')"
  if [ "${revision:-1}" -le 1 ]; then
    log "$t has no previous revision, left as is"
    continue
  fi
  log "rolling back $t (revision $revision)"
  kc -n "$ns" rollout undo "deployment/$name"
  rolled+=("$t")
done
for t in ${rolled[@]+"${rolled[@]}"}; do
  kc -n "${t%%/*}" rollout status "deployment/${t#*/}" --timeout=300s
done
log "rolled back ${#rolled[@]} deployment(s)"
