#!/bin/sh
# Like the official image: redis-server runs as user redis in /data, reachable from other
# containers (the official build turns protected mode off; so does this one).
set -e
if [ "$1" = "redis-server" ]; then
  shift
  chown -R redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups redis-server --protected-mode no --dir /data "$@"
fi
exec "$@"
