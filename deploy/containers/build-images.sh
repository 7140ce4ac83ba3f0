#!/usr/bin/env bash
# Builds our three images from the unmodified Dockerfile (a target each), with podman, against the local
# stand-in base images (stand-ins.sh) — never pulling — and prints each image's size.
# Tags: bernstein/<service>:<version of package.json>, the names deploy/compose.yaml uses.
# Usage: deploy/containers/build-images.sh [poll worker result]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"
cd "$repo"
version="$(node -p 'require("./package.json").version')"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision")
if source_url="$(git config --get remote.origin.url 2>/dev/null)"; then args+=(--build-arg "SOURCE_URL=$source_url"); fi
logs="$BERNSTEIN_CONTAINERS_DIR/logs"
mkdir -p "$logs"
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(poll worker result)
for s in "${services[@]}"; do
  start=$(date +%s)
  # --format docker keeps HEALTHCHECK (the OCI image format has no field for it).
  if ! podman build --pull=never --format docker "${args[@]}" --target "$s" \
    -t "localhost/bernstein/$s:$version" . >"$logs/build-$s.log" 2>&1; then
    echo "build-images: $s failed; last lines of $logs/build-$s.log:" >&2
    tail -40 "$logs/build-$s.log" >&2
    exit 1
  fi
  size="$(podman image inspect --format '{{.Size}}' "localhost/bernstein/$s:$version")"
  echo "build-images: bernstein/$s:$version built in $(($(date +%s) - start)) s, $((size / 1000000)) MB"
done
