#!/usr/bin/env bash
# Restores one instance's database from a dump of its backup CronJob (docs/operations.md,
# "Backup and restore"): renders deploy/kubernetes/ops/postgres-restore for the instance's
# namespace and name prefix, so the Job uses that instance's ConfigMap, Secret, backups
# claim and ServiceAccount; creates it, waits until it succeeds or fails, and prints its log.
# Usage: deploy/cluster/restore.sh [--context CONTEXT] [--namespace NAMESPACE]
#          [--name-prefix PREFIX] [--dump FILE|latest] [--print]
#   base and local overlay: no options (namespace "default", no prefix); production:
#   -n bernstein; instance N: -n bernstein-N --name-prefix bN-. --dump defaults to latest.
#   --print writes the rendered Job to stdout and changes nothing (no cluster needed).
# Stop worker and result first (see the guide); a finished restore Job is deleted by hand.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

dump=latest
print=0
script_option() {
  case "$1" in
    --dump) dump="${2:?--dump needs a value}"; used=2 ;;
    --print) print=1; used=1 ;;
  esac
}
instance_options "$@"
[[ "$dump" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "not a dump file name: $dump"
require_tools kubectl

job="${prefix}postgres-restore"
render_job() {
  local work
  work="$(mktemp -d)"
  # kustomize reads files only below the kustomization's directory: work on a copy.
  cp "$kubernetes_dir/ops/postgres-restore/job.yaml" "$work/job.yaml"
  cat >"$work/kustomization.yaml" <<EOT
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $namespace
namePrefix: "$prefix"
resources:
  - job.yaml
patches:
  # The instance's objects carry its prefix; kustomize renames only references to objects
  # of the same build, so these are set here. The owner's Secret keeps the base's name in
  # every namespace (instances create their Secrets out of band under those names).
  - target:
      kind: Job
      name: postgres-restore
    patch: |-
      - op: replace
        path: /spec/template/spec/serviceAccountName
        value: ${prefix}backup
      - op: replace
        path: /spec/template/spec/containers/0/envFrom/0/configMapRef/name
        value: ${prefix}postgres
      - op: replace
        path: /spec/template/spec/containers/0/envFrom/1/secretRef/name
        value: postgres-owner
      - op: replace
        path: /spec/template/spec/volumes/0/persistentVolumeClaim/claimName
        value: ${prefix}postgres-backups
      - op: replace
        path: /spec/template/spec/containers/0/env/0/value
        value: "$dump"
EOT
  kubectl kustomize "$work" || { rm -rf "$work"; die "cannot render the restore Job"; }
  rm -rf "$work"
}

if [ "$print" -eq 1 ]; then
  render_job
  exit 0
fi
require_context

if kc -n "$namespace" get job "$job" >/dev/null 2>&1; then
  die "job $namespace/$job exists (a previous restore): read its log, then kubectl -n $namespace delete job $job"
fi
log "restoring $dump into the database of namespace $namespace (Job $job, context $KUBE_CONTEXT)"
render_job | kc -n "$namespace" create -f -
for _ in $(seq 1 720); do
  state="$(kc -n "$namespace" get job "$job" -o jsonpath='{.status.succeeded}/{.status.failed}')"
  case "$state" in
    1/*) kc -n "$namespace" logs "job/$job"; log "restore succeeded"; exit 0 ;;
    */[1-9]*) kc -n "$namespace" logs "job/$job" >&2 || true; die "restore failed: the database is unchanged (see the log above)" ;;
  esac
  sleep 5
done
die "the restore Job $namespace/$job did not finish within an hour"
