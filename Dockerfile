# Container image of the Mastery Engine.
#
# NOT BUILT HERE: the development machine runs no Docker engine, so this file has never been
# through `docker build`. It is kept simple and conventional on purpose; src/deploy-files.unit.spec.ts
# checks what can be checked without an engine (non-root user, entry point).
#
#   docker build -t mastery-engine:0.1.0 .
#   docker run --rm -p 8080:8080 -v mastery-data:/data mastery-engine:0.1.0            # embedded default
#   docker run --rm mastery-engine:0.1.0 migrate                                        # any command: serve, migrate, rebuild, worker, calc…

# Node 20 is what the project targets (package.json engines: >=20.10). Node 20 left upstream
# support on 2026-04-30; `--build-arg NODE_VERSION=22` moves both stages to a supported line.
ARG NODE_VERSION=20

# ---- build: all dependencies, TypeScript → dist/ ----------------------------------------------
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app

COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: the `prepare` script would run the build now, before the sources are copied;
# the build runs explicitly below, and this layer stays cached while only src/ changes.
RUN npm ci --ignore-scripts

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and dist/ only ------------------------------------------
FROM node:${NODE_VERSION}-slim AS runtime
WORKDIR /app

# HOST=0.0.0.0: inside a container the API must listen beyond loopback (the engine's default is
# 127.0.0.1). MASTERY_DATA_DIR=/data: the embedded event log (PGlite) and the generated development
# secret live on the volume below.
ENV HOST=0.0.0.0 \
    PORT=8080 \
    MASTERY_DATA_DIR=/data

COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: `prepare` would try to build, and the compiler is a dev dependency.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY --from=build /app/dist ./dist
# The Avro schemas of the Kafka topics, read at run time.
COPY schemas ./schemas

# The data folder belongs to the unprivileged `node` user (uid 1000) that ships with the image;
# created before VOLUME so that a new volume starts with this ownership.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]

USER node
EXPOSE 8080

# Liveness only (GET /healthz). Slim images have no curl, so node asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "require('node:http').get({host:'127.0.0.1',port:process.env.PORT||8080,path:'/healthz',timeout:4000},(r)=>process.exit(r.statusCode===200?0:1)).on('timeout',()=>process.exit(1)).on('error',()=>process.exit(1))"]

ENTRYPOINT ["node", "--max-semi-space-size=64", "dist/cli/main.js"]
CMD ["serve"]
