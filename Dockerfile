# traceway's image. The build stage installs every dependency and compiles the TypeScript; the runtime
# stage keeps only dist/, the production dependencies and the Node runtime, and runs as the image's
# unprivileged `node` user. docker-compose.yml builds it; test/integration/stack/dockerfiles.test.ts
# checks the stages, the user, the health check and the pinned base images.
FROM node:22.23.3-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
# No install scripts: `prepare` would compile before the sources are here, and the `node`
# devDependency would download a second Node the image already has.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY interceptors ./interceptors
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

FROM node:22.23.3-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
USER node
EXPOSE 8080 9464
# Healthy once the metrics endpoint answers (the config in docker-compose.yml serves it on 9464).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/metrics').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The flags of src/run/runtime-flags.ts, as bin/traceway.js runs them.
ENTRYPOINT ["node", "--experimental-async-context-frame", "--disable-warning=DEP0060", "dist/src/cli.js"]
CMD ["--config", "/etc/traceway/traceway.yaml"]
