#!/usr/bin/env bash
# Installs the Debian packages the tests start for real (nginx, Chromium, PostgreSQL, Redis,
# Prometheus and its promtool) and the compiler for the engine's parquet extension (emscripten)
# when any is missing, so `npm test` works on a fresh machine. No-op when all are present.
# CI's container stage needs its own on top (podman runc mmdebstrap); .ci/run asks for them with
# the test set in one apt run, so the stand-in base images can start building before npm ci.
# usage: ensure-system-deps.sh [PACKAGE ...]   (none or `tests`: what npm test needs; e.g. `emscripten` alone)
set -euo pipefail

tests=(nginx chromium postgresql redis-server prometheus emscripten)
wanted=()
for arg in "${@:-tests}"; do
  if [[ "$arg" == tests ]]; then wanted+=("${tests[@]}"); else wanted+=("$arg"); fi
done
missing=()
for pkg in "${wanted[@]}"; do
  case "$pkg" in
    nginx) command -v nginx >/dev/null 2>&1 || missing+=(nginx) ;;
    chromium) [[ -x /usr/bin/chromium ]] || missing+=(chromium) ;;
    postgresql) compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql) ;;
    redis-server) command -v redis-server >/dev/null 2>&1 || missing+=(redis-server) ;;
    # The alert rules' tests (promtool) and the scrape test (a real Prometheus).
    prometheus) command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || missing+=(prometheus) ;;
    # The container image's build and probe (scripts/container/).
    podman) command -v podman >/dev/null 2>&1 || missing+=(podman) ;;
    runc) command -v runc >/dev/null 2>&1 || missing+=(runc) ;;
    mmdebstrap) command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap) ;;
    # Compiles DuckDB's parquet extension for the wasm engine (scripts/engine/).
    emscripten) command -v em++ >/dev/null 2>&1 || missing+=(emscripten) ;;
    *) echo "ensure-system-deps: unknown package $pkg" >&2; exit 2 ;;
  esac
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing ${missing[*]} (apt)"
export DEBIAN_FRONTEND=noninteractive
# Package scripts would start a system nginx on :80 and a system PostgreSQL; tests run their own.
made_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  made_policy=1
fi
log=$(mktemp)
apt-get update -qq
apt-get install -y -qq -o Dpkg::Use-Pty=0 "${missing[@]}" </dev/null >"$log" 2>&1 || { tail -50 "$log"; exit 1; }
[[ "$made_policy" == 1 ]] && rm -f /usr/sbin/policy-rc.d
rm -f "$log"
