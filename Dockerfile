# syntax=docker/dockerfile:1
# One image for the API, the worker, the migrations, the Stripe simulator and the mail sink (the command picks).
# Compiled JavaScript on Node.js 26 (the Active LTS line, "Lithium"), production dependencies only, the workflow
# bundle built once at image build, a non-root user, tini as PID 1 (signals reach node: `docker stop` drains).
ARG NODE_IMAGE=node:26.14.0-trixie-slim

# Every dependency, for the compiler and the workflow bundler.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY tools ./tools
RUN npx tsc -p tsconfig.build.json \
  && node dist/src/cli/bundle-workflows.js dist/workflow-bundle.js

# Production dependencies only (no TypeScript, tsx, jest or linters).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY package.json ./
# The code is root's and read-only to the process, which runs as the image's unprivileged `node` user.
USER node
EXPOSE 3000 9464
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/server.js"]
