# shellcheck shell=bash
# Shared by the cluster scripts: messages, tool checks, image build and load, data node,
# apply, rollout wait and smoke test. Sourced, never run.

BERNSTEIN_CLUSTER="${BERNSTEIN_CLUSTER:-bernstein}"
lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$lib_dir/../.." && pwd)"
kubernetes_dir="$repo_dir/deploy/kubernetes"

log() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

install_hint() {
  case "$1" in
    docker) echo "install Docker: https://docs.docker.com/engine/install/" ;;
    k3d) echo "install k3d: https://k3d.io/#installation" ;;
    kind) echo "install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation" ;;
    kubectl) echo "install kubectl (1.27 or newer): https://kubernetes.io/docs/tasks/tools/" ;;
    curl) echo "install curl with your package manager" ;;
    *) echo "install it and put it on PATH" ;;
  esac
}

# Fails with one clear line per missing tool, before anything is changed.
require_tools() {
  local tool missing=0
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      printf 'error: %s is required but was not found on PATH; %s\n' "$tool" "$(install_hint "$tool")" >&2
      missing=1
    fi
  done
  [ "$missing" -eq 0 ] || exit 1
}

require_docker_daemon() {
  docker info >/dev/null 2>&1 ||
    die "docker is installed but its daemon does not answer: start Docker (or check that this user may use it: docker info)"
}

# The tag the manifests pin (bernstein/<service>:<version>) is the repository's version.
image_tag() {
  sed -n 's/^  "version": "\([^"]*\)",$/\1/p' "$repo_dir/package.json" | head -n 1
}

build_images() {
  local tag revision s
  tag="$(image_tag)"
  [ -n "$tag" ] || die "cannot read the version from $repo_dir/package.json"
  revision="$(git -C "$repo_dir" rev-parse HEAD 2>/dev/null || echo unknown)"
  # One Dockerfile at the repository's root, a build target per service.
  [ -f "$repo_dir/Dockerfile" ] || die "the Dockerfile is missing at $repo_dir/Dockerfile"
  for s in poll worker result; do
    grep -q "^FROM .* AS $s\$" "$repo_dir/Dockerfile" || die "the Dockerfile has no build target $s"
    log "building bernstein/$s:$tag"
    docker build --build-arg "VERSION=$tag" --build-arg "REVISION=$revision" \
      --target "$s" -f "$repo_dir/Dockerfile" -t "bernstein/$s:$tag" "$repo_dir"
  done
}

images() {
  local tag
  tag="$(image_tag)"
  printf 'bernstein/%s:%s\n' poll "$tag" worker "$tag" result "$tag"
}

kc() { kubectl --context "$KUBE_CONTEXT" "$@"; }

# The options of the scripts that act on one running instance (rollback, restore,
# backup-copy): --context, --namespace/-n, --name-prefix and --help, validated, since they
# end up in YAML and object names. Any other argument goes to the script's own
# `script_option "$@"`, which sets what it knows and sets `used` to the words it took
# (0: not an option of that script). Sets namespace, prefix and KUBE_CONTEXT (maybe empty).
instance_options() {
  namespace=default prefix="" KUBE_CONTEXT=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --context) KUBE_CONTEXT="${2:?--context needs a value}"; shift 2 ;;
      --namespace | -n) namespace="${2:?--namespace needs a value}"; shift 2 ;;
      --name-prefix) prefix="${2?--name-prefix needs a value}"; shift 2 ;;
      -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
      *)
        used=0
        if declare -F script_option >/dev/null; then script_option "$@"; fi
        [ "$used" -gt 0 ] || die "unknown argument $1 (see --help)"
        shift "$used" ;;
    esac
  done
  [[ "$namespace" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "not a namespace name: $namespace"
  [[ "$prefix" =~ ^([a-z0-9][-a-z0-9]*)?$ ]] || die "not a name prefix: $prefix"
}

# KUBE_CONTEXT, or kubectl's current context when --context was not given.
require_context() {
  require_tools kubectl
  [ -n "$KUBE_CONTEXT" ] || KUBE_CONTEXT="$(kubectl config current-context 2>/dev/null)" ||
    die "no kubectl context: pass --context"
}

# PostgreSQL's PersistentVolume is a directory on one node (owned by the image's postgres
# user, uid 999), and the node carries the label the volume's node affinity asks for.
prepare_data_node() { # <node container> <node name>
  local container="$1" node="$2"
  log "preparing PostgreSQL's data directory on $node"
  docker exec "$container" sh -c \
    'mkdir -p /var/lib/bernstein/default/postgres && chown 999:999 /var/lib/bernstein/default/postgres && chmod 700 /var/lib/bernstein/default/postgres'
  kc label node "$node" bernstein.dev/postgres-data=true --overwrite >/dev/null
}

# CustomResourceDefinitions (deploy/kubernetes/crds: Traefik's traefik.io kinds) go first,
# in an apply of their own, and must be Established before any object of their kinds is
# sent: in one `apply -k` with both, the custom resources fail with "no matches for kind"
# because the API server serves a new kind only once its definition is accepted.
# Server-side apply: full CRD schemas can exceed the 256 KiB annotation that client-side
# apply stores.
apply_crds() {
  local dir="$kubernetes_dir/crds"
  [ -f "$dir/kustomization.yaml" ] || return 0
  log "applying the CustomResourceDefinitions (deploy/kubernetes/crds) first"
  kc apply --server-side -k "$dir"
  kc kustomize "$dir" | kc wait --for=condition=Established --timeout=60s -f -
}

# A random secret: 32 bytes (256 bits), base64url without padding (43 characters).
random_secret() {
  head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

# Creates Secret <name> in <namespace> from KEY=VALUE lines on stdin, unless it exists: a
# generated credential is made once and kept (rotation: docs/operations.md, "Credentials").
# The values go through a file of this user only, never on a command line.
create_secret_once() { # <namespace> <name>
  local namespace="$1" name="$2" file
  if kc -n "$namespace" get secret "$name" >/dev/null 2>&1; then
    log "Secret $namespace/$name exists, kept"
    cat >/dev/null
    return 0
  fi
  file="$(umask 077 && mktemp)"
  cat >"$file"
  log "generating Secret $namespace/$name"
  kc -n "$namespace" create secret generic "$name" --from-env-file="$file" --dry-run=client -o yaml | kc apply -f - >/dev/null
  rm -f "$file"
}

# poll's Secret (COOKIE_SECRETS, ADMIN_TOKEN): generated for every overlay, never committed.
create_poll_secret() { # <namespace>
  printf 'COOKIE_SECRETS=%s\nADMIN_TOKEN=%s\n' "$(random_secret)" "$(random_secret)" | create_secret_once "$1" poll
}

# Every other credential of an instance whose overlay renders none (production, instance-N):
# the PostgreSQL superuser, a role per workload, a Redis user per client and the ACL file,
# rendered with the worker image's `node dist/redis-acl.js` (SHA-256 hashes only; its first
# line keeps the default user off with its permissions, see base/redis.secret.yaml).
create_data_secrets() { # <namespace> <worker image>
  local namespace="$1" image="$2" role user acl_env="" password acl
  printf 'POSTGRES_USER=postgres\nPOSTGRES_PASSWORD=%s\n' "$(random_secret)" | create_secret_once "$namespace" postgres
  printf 'POSTGRES_USER=bernstein\nPOSTGRES_PASSWORD=%s\n' "$(random_secret)" | create_secret_once "$namespace" postgres-owner
  for role in worker result backup; do
    printf 'POSTGRES_USER=%s\nPOSTGRES_PASSWORD=%s\n' "$role" "$(random_secret)" | create_secret_once "$namespace" "postgres-$role"
  done
  if kc -n "$namespace" get secret redis-acl >/dev/null 2>&1; then
    log "Secret $namespace/redis-acl exists, kept (with the Redis users' Secrets)"
    return 0
  fi
  acl_env="$(umask 077 && mktemp)"
  for user in poll worker probe scaler; do
    password="$(random_secret)"
    printf 'REDIS_USERNAME=%s\nREDIS_PASSWORD=%s\n' "$user" "$password" | create_secret_once "$namespace" "redis-$user"
    printf 'REDIS_ACL_%s_PASSWORD=%s\n' "$(printf %s "$user" | tr '[:lower:]' '[:upper:]')" "$password" >>"$acl_env"
  done
  acl="$(docker run --rm --env-file "$acl_env" "$image" node dist/redis-acl.js)" || { rm -f "$acl_env"; die "could not render the Redis ACL file with $image"; }
  rm -f "$acl_env"
  [ "$(printf '%s\n' "$acl" | head -n 1)" = 'user default off resetpass ~* &* +@all' ] || die "the rendered ACL file does not start with the default user's line"
  log "generating Secret $namespace/redis-acl"
  printf '%s\n' "$acl" | kc -n "$namespace" create secret generic redis-acl --from-file=users.acl=/dev/stdin --dry-run=client -o yaml | kc apply -f - >/dev/null
}

apply_overlay() { # <overlay name>
  local dir="$kubernetes_dir/overlays/$1"
  [ -f "$dir/kustomization.yaml" ] || die "no overlay $1 (expected $dir/kustomization.yaml)"
  apply_crds
  # A Job's pod template is immutable: the finished migration of the previous version goes.
  kc -n default delete job migrate --ignore-not-found >/dev/null
  log "applying overlay $1"
  kc apply -k "$dir"
}

wait_rollout() {
  local d
  log "waiting for the databases, the migration and the services"
  for d in redis postgres; do kc -n default rollout status "deployment/$d" --timeout=300s; done
  kc -n default wait --for=condition=complete job/migrate --timeout=300s
  for d in worker poll result; do kc -n default rollout status "deployment/$d" --timeout=300s; done
  kc -n kube-public rollout status deployment/traefik --timeout=300s
  kc -n kube-system rollout status daemonset/cadvisor --timeout=300s
}

json_total() { sed -n 's/.*"total":\([0-9][0-9]*\).*/\1/p'; }

# Casts one vote through Traefik (Host: poll.dop.io on port 30021) and waits until the
# results API (Host: result.dop.io) counts it. BERNSTEIN_SMOKE_POLL_URL / _RESULT_URL point
# it elsewhere (the tests run it against a local run), BERNSTEIN_SMOKE_WAIT bounds each wait.
smoke_test() {
  local poll_url="${BERNSTEIN_SMOKE_POLL_URL:-http://127.0.0.1:30021}"
  local result_url="${BERNSTEIN_SMOKE_RESULT_URL:-http://127.0.0.1:30021}"
  local poll="${BERNSTEIN_SMOKE_POLL:-default}" wait="${BERNSTEIN_SMOKE_WAIT:-120}"
  local i before="" after option receipt
  log "smoke test: vote on $poll_url (Host: poll.dop.io), read $result_url (Host: result.dop.io)"
  for i in $(seq 1 "$wait"); do
    before="$(curl -fsS -H 'Host: result.dop.io' "$result_url/api/polls/$poll/results" 2>/dev/null | json_total)" || before=""
    [ -z "$before" ] || break
    [ "$i" -lt "$wait" ] || die "result.dop.io did not answer $result_url/api/polls/$poll/results within $wait s"
    sleep 1
  done
  option="$(curl -fsS -H 'Host: poll.dop.io' "$poll_url/api/polls/$poll" | grep -o '"id":"[^"]*"' | sed -n '2s/"id":"\(.*\)"/\1/p')" || option=""
  [ -n "$option" ] || die "poll.dop.io did not list the options of poll $poll at $poll_url/api/polls/$poll"
  receipt="$(curl -fsS -H 'Host: poll.dop.io' -H 'Content-Type: application/json' \
    -d "{\"option\":\"$option\"}" "$poll_url/api/polls/$poll/votes")" || die "poll.dop.io refused the vote for $option"
  log "voted $option: $receipt"
  for i in $(seq 1 "$wait"); do
    after="$(curl -fsS -H 'Host: result.dop.io' "$result_url/api/polls/$poll/results" | json_total)" || after=""
    if [ -n "$after" ] && [ "$after" -gt "$before" ]; then
      log "smoke test passed: the vote is counted (total $before -> $after)"
      return 0
    fi
    sleep 1
  done
  die "the vote was accepted but result.dop.io still shows total $before after $wait s"
}

print_access() {
  cat >&2 <<EOT

Bernstein is running. Add to /etc/hosts (or use curl -H 'Host: ...'):
  127.0.0.1 poll.dop.io result.dop.io
then open http://poll.dop.io:30021 and http://result.dop.io:30021;
Traefik's dashboard: http://localhost:30042/dashboard/
Roll back: deploy/cluster/rollback.sh --context $KUBE_CONTEXT   Tear down: deploy/cluster/down.sh $1
EOT
}
