# shellcheck shell=bash
# Sourced by the other scripts here: where podman keeps its configuration, images and
# containers on machines without Docker (see deploy/containers/README.md). A fixed directory outside
# the repository, so stand-in base images survive between CI runs.
BERNSTEIN_CONTAINERS_DIR="${BERNSTEIN_CONTAINERS_DIR:-/var/tmp/bernstein-containers}"
export BERNSTEIN_CONTAINERS_DIR
export CONTAINERS_CONF="$BERNSTEIN_CONTAINERS_DIR/containers.conf"
export CONTAINERS_STORAGE_CONF="$BERNSTEIN_CONTAINERS_DIR/storage.conf"
