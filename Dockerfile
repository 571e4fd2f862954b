# sockgate container image.
#   docker build -t sockgate .
#   docker run -d -v /var/run/docker.sock:/var/run/docker.sock -v /run/sockgate:/run/sockgate sockgate
# The hardened image (non-root user, read-only root filesystem, healthcheck, locally assembled base
# for offline builds) is tracked in issue [7/7].
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY policies ./policies
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/policies ./policies
ENTRYPOINT ["node", "/app/bin/sockgate.js"]
CMD ["--listen", "/run/sockgate/docker.sock", "--upstream", "/var/run/docker.sock"]
