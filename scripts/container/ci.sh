#!/usr/bin/env bash
# CI: builds the project's Dockerfile with podman and probes the running container the way a user
# reaches it: the page, manifest.json, a Range request answered 206 on a .parquet, the wasm MIME
# type, and `quantiv check` with no FAIL. Base images: the public ones unless DEBIAN_IMAGE /
# NODE_IMAGE are set; CI here cannot pull, so without them it builds (or reuses) local stand-ins
# (scripts/container/standins.sh).
# Needs: podman + runc (scripts/ensure-system-deps.sh podman), a built engine extension in public/
# (else the image compiles it, ~2 min) and a lake in data/.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$SECONDS
say() { printf 'container: %s (%ss)\n' "$*" "$((SECONDS - t0))"; }
fail() { echo "container: FAIL: $*" >&2; exit 1; }
[[ -f data/manifest.json ]] || fail "no lake in data/ (run: node bin/quantiv.mjs generate)"

if [[ -z "${DEBIAN_IMAGE:-}" || -z "${NODE_IMAGE:-}" ]]; then
  mapfile -t standins < <(bash scripts/container/standins.sh)
  [[ ${#standins[@]} -eq 2 ]] || fail "stand-in images not made"
  DEBIAN_IMAGE=${DEBIAN_IMAGE:-${standins[0]}}
  NODE_IMAGE=${NODE_IMAGE:-${standins[1]}}
  say "base images: $DEBIAN_IMAGE, $NODE_IMAGE"
fi

# crun refuses this machine's hybrid cgroup layout; the host's limits may not be raised, so the
# container gets explicit ones below them.
run_flags=(--runtime runc --ulimit nofile=20000:20000 --ulimit nproc=1000:1000)
image=localhost/quantiv:ci
build_log=$(mktemp)
name=quantiv-ci-$$
cleanup() { podman rm -f "$name" >/dev/null 2>&1 || true; rm -f "$build_log"; }
trap cleanup EXIT

# --network host: the build's apt and npm reach the host's mirrors/proxy the way the host does.
# --jobs 2: the serve stage (apt-get nginx) runs beside the build stage (npm ci, vite) instead of
# after it, so the whole image comes first. The build stage is tagged after it (all layers cached
# by then), so its layers (npm ci above all) stay cached for the next run while the dangling layers
# of earlier runs are pruned (each run would otherwise leave ~800 MB).
for target in "" build; do
  podman build "${run_flags[@]}" --network host --jobs 2 \
    --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" --build-arg "NODE_IMAGE=$NODE_IMAGE" \
    ${target:+--target "$target"} -t "$image${target:+-$target}" . >"$build_log" 2>&1 \
    || { tail -40 "$build_log" >&2; fail "podman build ${target:-image}"; }
done
podman image prune -f >/dev/null
say "image built: $(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
podman run -d --rm "${run_flags[@]}" --name "$name" -p "127.0.0.1:$port:80" \
  -v "$PWD/data:/srv/quantiv/data:ro" "$image" >/dev/null
base=http://127.0.0.1:$port
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$base/" 2>/dev/null && break; sleep 0.1; done
say "container up on $base"

probe() { # probe NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then echo "  ok   $1: $3"; else podman logs "$name" 2>&1 | tail -20 >&2; fail "$1: expected $2, got $3"; fi
}
page=$(curl -sS -o /dev/null -w '%{http_code} %{content_type}' "$base/")
probe "page /" "200 text/html" "${page%%;*}"
curl -fsS "$base/" | grep -q '<div id="app"' || fail "page / does not hold the app's mount point"
probe "manifest.json" 200 "$(curl -sS -o /dev/null -w '%{http_code}' "$base/data/manifest.json")"
parquet=$(node -e "const m=JSON.parse(require('fs').readFileSync('data/manifest.json','utf8'));console.log(m.files.find(f=>f.path.endsWith('.parquet')).path)")
range=$(curl -sS -o /dev/null -H 'Range: bytes=0-3' -w '%{http_code} %{size_download}' "$base/data/$parquet")
probe "Range bytes=0-3 on data/$parquet" "206 4" "$range"
wasm=$(podman exec "$name" sh -c 'cd /srv/quantiv/dist && find . -name "*.wasm" | head -1')
[[ -n "$wasm" ]] || fail "no .wasm in the image's dist/"
probe "wasm MIME (${wasm#./})" application/wasm "$(curl -sS -o /dev/null -w '%{content_type}' "$base/${wasm#./}")"

check_out=$(node bin/quantiv.mjs check "$base/data/" --app "$base/") || { echo "$check_out" >&2; fail "quantiv check"; }
echo "$check_out" | sed 's/^/  /'
fails=$(grep -c '^FAIL' <<<"$check_out" || true)
probe "quantiv check FAIL lines" 0 "$fails"

# The scheduled check as Prometheus sees it: quantiv monitor against the container reports ok.
mport=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
node bin/quantiv.mjs monitor --metrics-port "$mport" --check "$base/data/" --app "$base/" --every 1h >/dev/null 2>&1 &
monitor_pid=$!
ok=""
for _ in $(seq 1 100); do
  ok=$(curl -fsS "http://127.0.0.1:$mport/metrics" 2>/dev/null | awk '$1 == "quantiv_check_ok" {print $2}') || true
  [[ -n "$ok" ]] && break
  sleep 0.2
done
kill "$monitor_pid" 2>/dev/null || true
wait "$monitor_pid" 2>/dev/null || true
probe "quantiv monitor: quantiv_check_ok" 1 "$ok"
say "passed"
