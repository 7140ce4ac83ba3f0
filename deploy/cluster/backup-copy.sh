#!/usr/bin/env bash
# Copies database dumps off the cluster onto this machine, so that losing the cluster (or
# the node holding the backups volume) does not lose the backups too. A short-lived pod
# mounts the instance's backups claim read-only, `kubectl cp` fetches the dumps this
# machine does not have yet, and the pod is deleted (it also stops by itself after an hour).
# Usage: deploy/cluster/backup-copy.sh [--context CONTEXT] [--namespace NAMESPACE]
#          [--name-prefix PREFIX] [--to DIRECTORY] [--all]
#   namespace and prefix as for restore.sh (production: -n bernstein; instance N:
#   -n bernstein-N --name-prefix bN-); --to defaults to ./bernstein-backups/<namespace>;
#   without --all only the newest dump is copied. Run it from cron on a machine outside the
#   cluster, or copy the directory on to object storage from there.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

to=""
all=0
script_option() {
  case "$1" in
    --to) to="${2:?--to needs a value}"; used=2 ;;
    --all) all=1; used=1 ;;
  esac
}
instance_options "$@"
to="${to:-bernstein-backups/$namespace}"
require_context

# The same image as the backups (so the same pin, and tar for kubectl cp).
image="$(kc -n "$namespace" get cronjob "${prefix}postgres-backup" -o jsonpath='{.spec.jobTemplate.spec.template.spec.containers[0].image}')" ||
  die "no backup CronJob ${prefix}postgres-backup in namespace $namespace (context $KUBE_CONTEXT)"
pod="${prefix}backup-copy"
mkdir -p "$to"

cleanup() { kc -n "$namespace" delete pod "$pod" --ignore-not-found --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT
log "starting $namespace/$pod with the claim ${prefix}postgres-backups mounted read-only"
kc -n "$namespace" apply -f - <<EOT
apiVersion: v1
kind: Pod
metadata:
  name: $pod
  namespace: $namespace
  labels:
    app: backup-copy
    app.kubernetes.io/name: backup-copy
    app.kubernetes.io/part-of: bernstein
spec:
  serviceAccountName: ${prefix}backup
  automountServiceAccountToken: false
  restartPolicy: Never
  activeDeadlineSeconds: 3600
  securityContext:
    runAsNonRoot: true
    runAsUser: 999
    runAsGroup: 999
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: copy
      image: $image
      command: ["sleep", "3600"]
      resources:
        requests: { cpu: 10m, memory: 32Mi }
        limits: { cpu: 500m, memory: 128Mi }
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      volumeMounts:
        - name: backups
          mountPath: /backups
          readOnly: true
  volumes:
    - name: backups
      persistentVolumeClaim:
        claimName: ${prefix}postgres-backups
        readOnly: true
EOT
kc -n "$namespace" wait --for=condition=Ready "pod/$pod" --timeout=180s

dumps=()
while IFS= read -r f; do dumps+=("$f"); done < <(
  kc -n "$namespace" exec "$pod" -c copy -- ls -1 /backups | grep '^bernstein-.*\.dump$' | sort)
[ ${#dumps[@]} -gt 0 ] || die "no dump in ${prefix}postgres-backups yet"
[ "$all" -eq 1 ] || dumps=("${dumps[${#dumps[@]}-1]}")

copied=0
for f in "${dumps[@]}"; do
  if [ -s "$to/$f" ]; then
    log "$to/$f is already here"
    continue
  fi
  log "copying $f to $to/"
  kc cp -c copy "$namespace/$pod:/backups/$f" "$to/.$f.partial"
  mv "$to/.$f.partial" "$to/$f"
  copied=$((copied + 1))
done
log "copied $copied dump(s) to $to"
