# syntax=docker/dockerfile:1.7
# One Dockerfile, three targets: `web` (Next.js standalone server), `worker` (BullMQ consumer,
# also used for migrations and seeding). Build with: docker build --target web -t dataflowhub-web .

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci applies patches/ to node_modules (postinstall: patch-package).
COPY patches ./patches
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1 NEXT_OUTPUT=standalone
RUN npm run build

# The worker as plain JavaScript (scripts/worker-bundle.ts): it starts without tsx, in less memory.
FROM deps AS bundle
COPY . .
RUN npm run build:worker

FROM node:20-bookworm-slim AS web
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build --chown=node:node /app/node_modules/swagger-ui-dist ./node_modules/swagger-ui-dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:3000/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "server.js"]

FROM node:20-bookworm-slim AS worker
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json tsconfig.json ./
COPY --chown=node:node lib ./lib
COPY --chown=node:node worker ./worker
COPY --chown=node:node scripts ./scripts
COPY --chown=node:node drizzle ./drizzle
COPY --from=bundle --chown=node:node /app/dist/worker ./dist/worker
USER node
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["node", "-e", "process.kill(1, 0)"]
# The options are WORKER_NODE_OPTIONS of scripts/worker-bundle.ts. lib/, scripts/ and tsx stay for migrations and seeding.
CMD ["node", "--conditions=react-server", "--max-semi-space-size=2", "dist/worker/index.mjs"]
