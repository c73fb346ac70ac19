# syntax=docker/dockerfile:1
# Dépêche image: `depeche serve` (default) or `depeche worker`, from the same build.
# The TypeScript sources run through tsx (a production dependency), so there is no compile step.

# 1. All dependencies, from the lock file.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. The same tree pruned to production dependencies.
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The runtime: production dependencies and the sources, owned by the non-root `node` user.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DEPECHE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    ISSUES_DIR=/app/issues \
    TEMPLATES_DIR=/app/templates
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json tsconfig.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node src ./src
COPY --chown=node:node workers ./workers
COPY --chown=node:node templates ./templates
COPY --chown=node:node locales ./locales
COPY --chown=node:node issues ./issues
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# Liveness of `serve`; compose gives the worker its own check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1's child through exec form: SIGTERM reaches depeche, which drains and exits.
ENTRYPOINT ["node", "bin/depeche.js"]
CMD ["serve"]
