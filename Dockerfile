# Bernstein's three services, one Dockerfile: a build target per service.
#   docker build --target poll   -t bernstein/poll .
#   docker build --target worker -t bernstein/worker .
#   docker build --target result -t bernstein/result .
# The three images share every layer but their last few (metadata and working directory), so
# building all three costs one build. Pinned base: Node.js 22 LTS on Debian bookworm (slim).

# --- manifests: only package.json files and the lock, so the dependency layers below stay
#     cached until a manifest changes (a source edit does not re-run npm ci).
FROM node:22.23.3-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /out \; \
 && cp package-lock.json .npmrc /out/

# --- build: compiles common and the three services with tsc --build.
FROM node:22.23.3-bookworm-slim AS build
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --include-workspace-root --workspace @bernstein/common \
      --workspace @bernstein/poll --workspace @bernstein/worker --workspace @bernstein/result
COPY tsconfig.base.json tsconfig.build.json ./
COPY packages/common packages/common
COPY services/poll services/poll
COPY services/worker services/worker
COPY services/result services/result
RUN npx tsc --build services/poll/tsconfig.build.json services/worker/tsconfig.build.json \
      services/result/tsconfig.build.json

# --- deps: production dependencies of common and the three services (no dev dependencies).
FROM node:22.23.3-bookworm-slim AS deps
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --omit=dev --workspace @bernstein/common \
      --workspace @bernstein/poll --workspace @bernstein/worker --workspace @bernstein/result

# --- app: compiled JavaScript + production node_modules, owned by root, run as node.
FROM node:22.23.3-bookworm-slim AS app
ARG VERSION=0.1.0
ARG REVISION=unknown
# Placeholder until the project has a public repository: pass --build-arg SOURCE_URL=...
ARG SOURCE_URL=https://github.com/bernstein-vote/bernstein
LABEL org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/ ./
COPY --from=build /app/packages/common/dist packages/common/dist
COPY --from=build /app/services/poll/dist services/poll/dist
COPY --from=build /app/services/worker/dist services/worker/dist
COPY --from=build /app/services/result/dist services/result/dist
USER node
# Liveness of the process itself (no dependency checks), with Node's fetch: no curl in the image.
# On the ops port: the variable named by OPS_PORT_VARIABLE (set by each target below: OPS_PORT
# for poll and result, PORT for the worker, whose one port is its ops port), else 8080.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env[process.env.OPS_PORT_VARIABLE]||8080)+'/healthz',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself; the services handle SIGTERM/SIGINT
# (graceful shutdown) and spawn no children, so no init process is needed (deploy/containers/README.md).
CMD ["node", "dist/server.js"]

# --- the targets: each service's working directory, port and labels.
FROM app AS worker
LABEL org.opencontainers.image.title="bernstein-worker" \
      org.opencontainers.image.description="Bernstein worker: moves votes from the Redis stream into PostgreSQL in batches."
WORKDIR /app/services/worker
ENV DEFAULT_PORT=8080 OPS_PORT_VARIABLE=PORT
EXPOSE 8080
# The same image runs the one-shot schema migration: CMD ["node", "dist/migrate.js"].

# poll and result listen on port 80 as a non-root user: the runtime must allow unprivileged
# port 80 (net.ipv4.ip_unprivileged_port_start=0, Docker's default), see docs/adr/0001-port-80-as-non-root.md.
FROM app AS result
LABEL org.opencontainers.image.title="bernstein-result" \
      org.opencontainers.image.description="Bernstein result: results page, JSON API and live updates (SSE) from PostgreSQL."
WORKDIR /app/services/result
# /healthz, /readyz and /metrics on OPS_PORT (8080), never on the public port 80.
ENV DEFAULT_PORT=80 OPS_PORT_VARIABLE=OPS_PORT
# A 1 MB young generation keeps idle RSS under 80 MB at no measured CPU cost per SSE event
# (services/result/README.md); the same flag as the service's `start` script.
ENV NODE_OPTIONS=--max-semi-space-size=1
EXPOSE 80 8080

FROM app AS poll
LABEL org.opencontainers.image.title="bernstein-poll" \
      org.opencontainers.image.description="Bernstein poll: voting page and JSON API; appends votes to a Redis stream."
WORKDIR /app/services/poll
# /healthz, /readyz and /metrics on OPS_PORT (8080), never on the public port 80.
ENV DEFAULT_PORT=80 OPS_PORT_VARIABLE=OPS_PORT
EXPOSE 80 8080
