#!/usr/bin/env bash
# Builds local stand-ins for the public base images our Dockerfiles and compose.yaml name,
# because machines without a registry cannot pull them (deploy/containers/README.md). Each stand-in
# is tagged with the exact name the Dockerfile's FROM (or compose's image:) uses, so the
# files themselves stay the standard ones users build with Docker. Cached: a stand-in whose
# inputs did not change is kept (this script then takes about a second).
#
#   node   : debootstrap bookworm (minbase) + this machine's node and npm + user node (1000)
#   redis  : the same rootfs + Debian's redis-server
#   postgres: the same rootfs + Debian's PostgreSQL, with an entrypoint that honours the
#            official image's POSTGRES_USER / POSTGRES_PASSWORD(_FILE) / POSTGRES_DB / PGDATA
#
# Usage: deploy/containers/stand-ins.sh   (after ci-setup.sh; as root)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"
cache="$BERNSTEIN_CONTAINERS_DIR/cache"
mkdir -p "$cache"

# The exact names, read from the files that use them (one source of truth).
node_image="$(sed -n 's/^FROM \([^ ]*\) AS build$/\1/p' "$repo/Dockerfile" | head -1)"
redis_image="$(sed -n 's/^ *image: *\(redis:[^ ]*\)$/\1/p' "$repo/deploy/compose.yaml" | head -1)"
postgres_image="$(sed -n 's/^ *image: *\(postgres:[^ ]*\)$/\1/p' "$repo/deploy/compose.yaml" | head -1)"
for v in node_image redis_image postgres_image; do
  [ -n "${!v}" ] || { echo "stand-ins: could not read $v from the Dockerfile/compose.yaml" >&2; exit 1; }
done
debian_image=localhost/bernstein-standin/debian:bookworm

has_key() { # image key → true when the image exists and was built from the same inputs
  [ "$(podman image inspect --format '{{index .Labels "bernstein.standin.key"}}' "$1" 2>/dev/null)" = "$2" ]
}
key_of() { cat "$@" | sha256sum | cut -c1-16; }

# 1. Debian bookworm root filesystem (about 25 s and 200 MB once; cached as a tarball).
rootfs_tar="$cache/bookworm-minbase.tar"
if [ ! -s "$rootfs_tar" ]; then
  echo "stand-ins: debootstrap bookworm (once)"
  tmp="$(mktemp -d "$cache/rootfs.XXXXXX")"
  debootstrap --variant=minbase bookworm "$tmp/root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; rm -rf "$tmp"; exit 1; }
  rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"*
  tar -C "$tmp/root" -cf "$rootfs_tar.tmp" . && mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$tmp"
fi
debian_key="$(stat -c %Y-%s "$rootfs_tar")"
if ! has_key "$debian_image" "$debian_key"; then
  echo "stand-ins: importing $debian_image"
  podman import --quiet --change "LABEL bernstein.standin.key=$debian_key" --change 'CMD ["bash"]' \
    "$rootfs_tar" "$debian_image" >/dev/null
fi

build() { # name key dir [files to copy into the context]
  local name=$1 key=$2 dir=$3
  if has_key "$name" "$key"; then echo "stand-ins: $name is current"; return; fi
  echo "stand-ins: building $name"
  podman build --pull=never --format docker --build-arg "BASE=$debian_image" --label "bernstein.standin.key=$key" \
    -t "$name" "$dir" >"$cache/build-$(basename "$dir").log" 2>&1 ||
    { tail -30 "$cache/build-$(basename "$dir").log" >&2; exit 1; }
}

# 2. Node: the machine's own node binary and npm (the real image has Node 22; this one has
# whatever the machine has, which the services also support).
node_bin="$(command -v node)"
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
ctx="$cache/node-context"
rm -rf "$ctx" && mkdir -p "$ctx"
cp "$here/stand-ins/node.Containerfile" "$ctx/Containerfile"
cp "$node_bin" "$ctx/node"
cp -r "$npm_dir" "$ctx/npm"
ca_bundle="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
if [ -f "$ca_bundle" ]; then cp "$ca_bundle" "$ctx/ca-certificates.crt"; else : >"$ctx/ca-certificates.crt"; fi
build "docker.io/library/$node_image" "$(key_of "$here/stand-ins/node.Containerfile" "$node_bin" "$ctx/ca-certificates.crt")-$debian_key-$("$node_bin" -v)-$(npm -v)-$node_image" "$ctx"
rm -rf "$ctx"

# 3. Redis and PostgreSQL from Debian's packages.
build "docker.io/library/$redis_image" "$(key_of "$here/stand-ins/redis/"*)-$debian_key" "$here/stand-ins/redis"
build "docker.io/library/$postgres_image" "$(key_of "$here/stand-ins/postgres/"*)-$debian_key" "$here/stand-ins/postgres"
