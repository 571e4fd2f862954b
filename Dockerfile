# sockgate container image. Build: scripts/build-image.sh (README "Running as a container").
#
#   docker run -d --name sockgate --read-only --cap-drop ALL --security-opt no-new-privileges \
#     --group-add "$(stat -c %g /var/run/docker.sock)" \
#     -v /var/run/docker.sock:/var/run/docker.sock -v /run/sockgate:/run/sockgate sockgate
#
# Runs as uid/gid 10001; it reaches the engine socket through that socket's group (--group-add).
# Writes nothing but its own socket, in /run/sockgate (mount a directory there; clients mount the
# same directory). Policy: the built-in read-only policy unless --policy FILE / SOCKGATE_POLICY.
#
# The base image is a build arg. The default is the official image pinned by digest (digest as
# published for node:20.20-bookworm-slim; verify with `docker buildx imagetools inspect` when you
# bump it). Offline, scripts/build-image.sh assembles a stand-in base from the host's node and npm.
ARG NODE_IMAGE=node:20.20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0

# Production dependencies only: its own stage so the layer is cached until the lockfile changes.
FROM ${NODE_IMAGE} AS prod-deps
# marks this stage's images, so scripts/build-image.sh can remove the ones a rebuild replaced
LABEL sockgate.build-stage=prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --cache /tmp/npm-cache && rm -rf /tmp/npm-cache

# Build and test: compile, typecheck, unit tests. The image is only produced if they pass.
FROM ${NODE_IMAGE} AS build
# marks this stage's images, so scripts/build-image.sh can remove the ones a rebuild replaced
LABEL sockgate.build-stage=build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --cache /tmp/npm-cache && rm -rf /tmp/npm-cache
COPY . .
RUN npm run build && npm run typecheck && npx vitest run test/unit

FROM ${NODE_IMAGE}
WORKDIR /app
# --max-semi-space-size=2: a smaller young generation keeps the peak RSS of a 600 MB image
# transfer under 120 MB (126-142 MB by default) for some CPU per request (bench/README.md).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=2 \
    SOCKGATE_METRICS_LISTEN=127.0.0.1:9180
# A fixed, unprivileged uid/gid that owns nothing but the socket directory.
RUN echo 'sockgate:x:10001:10001:sockgate:/nonexistent:/bin/false' >>/etc/passwd \
 && echo 'sockgate:x:10001:' >>/etc/group \
 && mkdir -p /run/sockgate /etc/sockgate \
 && chown 10001:10001 /run/sockgate
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/policies ./policies
USER 10001:10001
# `sockgate health` asks the admin listener (SOCKGATE_METRICS_LISTEN, loopback inside the
# container's own network namespace) for GET /healthz: exit 0 on 200, else 1.
HEALTHCHECK --interval=15s --timeout=5s --start-period=5s --retries=3 \
  CMD ["node", "/app/bin/sockgate.js", "health"]
ENTRYPOINT ["node", "/app/bin/sockgate.js"]
CMD ["--listen", "/run/sockgate/docker.sock", "--upstream", "/var/run/docker.sock"]
