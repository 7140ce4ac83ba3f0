#!/usr/bin/env bash
# Installs and configures podman for the container tests (tests/containers), as
# deploy/containers/README.md describes: no Docker engine, no registry, hybrid cgroups, no systemd.
# Idempotent: installed and configured, that part only checks (well under a second).
# Then it builds (or finds cached) the stand-in base images, and warms the image build cache
# so the container tests, which rebuild every image from its Dockerfile, stay within the
# test runner's time limit: a cold run of this script takes about 2 minutes, a warm one about
# 20 s. A failed warm-up build is only reported here; the tests report it as a failure.
# Usage: deploy/containers/ci-setup.sh            (as root, on Debian 12)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"

packages=(podman buildah runc debootstrap slirp4netns uidmap fuse-overlayfs netavark
  aardvark-dns iptables podman-compose)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ci-setup: installing ${missing[*]}"
  # The lock keeps this from colliding with other apt runs on a shared machine.
  flock /tmp/bernstein-apt.lock sh -c '
    apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"' _ "${missing[@]}"
fi

mkdir -p "$BERNSTEIN_CONTAINERS_DIR"
write_if_changed() { # file content
  if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then printf '%s\n' "$2" >"$1.tmp" && mv "$1.tmp" "$1"; fi
}
# crun refuses the hybrid cgroup layout; runc needs explicit ulimits because root here lacks
# CAP_SYS_RESOURCE; without systemd, cgroupfs and a file event log.
write_if_changed "$CONTAINERS_CONF" '[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"'
write_if_changed "$CONTAINERS_STORAGE_CONF" "[storage]
driver = \"overlay\"
runroot = \"$BERNSTEIN_CONTAINERS_DIR/run\"
graphroot = \"$BERNSTEIN_CONTAINERS_DIR/storage\""

# A real container run is the only proof that the configuration works on this machine.
if ! podman info --format '{{.Host.OCIRuntime.Name}}' >/dev/null 2>&1; then
  echo "ci-setup: podman is installed but 'podman info' fails:" >&2
  podman info >&2 || true
  exit 1
fi
echo "ci-setup: podman $(podman version --format '{{.Client.Version}}') ready (storage in $BERNSTEIN_CONTAINERS_DIR)"

"$here/stand-ins.sh"
# Every source change leaves the previous images' layers behind; past a few GB, drop the
# untagged ones (the next build of a changed stage is then cold again, ~1 minute).
if [ "$(du -sm "$BERNSTEIN_CONTAINERS_DIR/storage" | cut -f1)" -gt "${BERNSTEIN_CONTAINERS_MAX_MB:-6000}" ]; then
  echo "ci-setup: storage over ${BERNSTEIN_CONTAINERS_MAX_MB:-6000} MB, removing untagged images"
  podman image prune -f >/dev/null
fi
"$here/build-images.sh" || echo "ci-setup: warning: warming the image build cache failed (the container tests will show why)" >&2
