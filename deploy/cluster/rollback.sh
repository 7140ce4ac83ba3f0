#!/usr/bin/env bash
# The 1-click rollback: the app's own Deployments (poll, worker, result) in one namespace go
# back to their previous revision, then it waits until all are rolled out. Nothing else is
# touched: not Redis or PostgreSQL (a database image downgrade can break its data: a major
# version cannot open a newer data directory), not the Traefik shared by every instance,
# not the canary (shift its weights instead). Deployments without a previous revision are
# left alone and reported.
# Usage: deploy/cluster/rollback.sh [--context CONTEXT] [--namespace NAMESPACE]
#   --namespace defaults to "default" (base and local overlay); production: bernstein,
#   instance N: bernstein-N.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

# Only poll, result (component frontend) and worker (component backend) carry these labels;
# the candidate poll-canary is a frontend too but is labelled track=canary.
# tests/manifests/test/rollback.test.ts checks this selector against every render.
app_selector='app.kubernetes.io/part-of=bernstein,app.kubernetes.io/component in (frontend,backend),track!=canary'

instance_options "$@"
require_context

targets=()
while IFS= read -r d; do [ -n "$d" ] && targets+=("$d"); done < <(
  kc -n "$namespace" get deployments -l "$app_selector" -o name | sed 's#^deployment.apps/##')
[ ${#targets[@]} -gt 0 ] || die "no Bernstein app deployments in namespace $namespace (context $KUBE_CONTEXT)"

rolled=()
for name in "${targets[@]}"; do
  revision="$(kc -n "$namespace" get deployment "$name" -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')"
  if [ "${revision:-1}" -le 1 ]; then
    log "$namespace/$name has no previous revision, left as is"
    continue
  fi
  log "rolling back $namespace/$name (revision $revision)"
  kc -n "$namespace" rollout undo "deployment/$name"
  rolled+=("$name")
done
for name in ${rolled[@]+"${rolled[@]}"}; do
  kc -n "$namespace" rollout status "deployment/$name" --timeout=300s
done
log "rolled back ${#rolled[@]} deployment(s) in $namespace"
