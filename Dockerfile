# Quantiv: build the static site, serve it with the project's nginx.conf (the same file the tests run).
#   docker build -t quantiv .
#   docker run --rm -p 8080:80 -v "$PWD/data:/srv/quantiv/data:ro" quantiv
# The lake is mounted (or baked in by a derived image): the image holds only the app.
# Then: node bin/quantiv.mjs check http://127.0.0.1:8080/data/ --app http://127.0.0.1:8080/
# The base images are build args so a machine without registry access can name local equivalents
# (CI does: scripts/container/ci.sh); the defaults are the public images.
ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim
ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim

# ---- build: node 20, `npm run build` -> /app/dist
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm_config_fund=false \
    npm_config_audit=false
# Only the lockfile before npm ci, so a source change reuses the installed layer. npm's download
# cache is dropped in the same step: it would add 140 MB to that layer for nothing.
COPY package.json package-lock.json ./
RUN npm ci && npm cache clean --force
COPY . .
# The engine's parquet extension: taken from the context when it is already built there (checked
# against its pinned sha256), otherwise compiled with Debian's emscripten (about 2 minutes).
RUN npm run build:engine \
 || (apt-get update && apt-get install -y --no-install-recommends emscripten && npm run build:engine)
RUN npm run build

# ---- serve: Debian's nginx (the version the tests run), nginx.conf used as-is.
# The config's log paths are linked to the container's stdout/stderr.
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/* \
 && rm -f /etc/nginx/sites-enabled/default \
 && ln -sf /dev/stdout /var/log/nginx/quantiv-access.log \
 && ln -sf /dev/stderr /var/log/nginx/quantiv-error.log \
 && mkdir -p /srv/quantiv/data
COPY nginx.conf /etc/nginx/nginx.conf
COPY --from=build /app/dist /srv/quantiv/dist
# Fails the build on a config error rather than at first start.
RUN nginx -t
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
