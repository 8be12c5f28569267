#!/usr/bin/env bash
# Prepares containers on a machine without a Docker engine and without an image registry (see
# docs/containers.md): Podman from Debian's packages, its Docker-compatible API socket, a Debian base
# image made with debootstrap from apt's own mirror, and the project's images built on it.
#
#   infra/containers/prepare.sh up       install + configure Podman, start the API socket, build images
#   infra/containers/prepare.sh down     remove our containers, stop the socket; images stay (cache)
#   infra/containers/prepare.sh status
#
# Idempotent: run `up` as often as you like. Progress goes to stderr; stdout carries only the `export`
# lines for the environment, so `eval "$(infra/containers/prepare.sh up)"` sets DOCKER_HOST and the
# testcontainers settings. IMAGES="redis kafka" limits which project images `up` builds.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/infra/containers
STATE=$ROOT/.run/containers
SOCK_DIR=/run/podman
SOCK=$SOCK_DIR/podman.sock
PIDFILE=$STATE/podman-service.pid
PREFIX=localhost/wxpay-saga
BASE=$PREFIX/debian:bookworm
NODE_IMAGE=$PREFIX/node:20
SUITE=bookworm
SERVICES=(order-api notify-gateway payment-worker reconciler)
ALL_IMAGES="redis kafka wechatpay-sandbox ${SERVICES[*]}"
CONF=/etc/containers/containers.conf.d/50-wxpay-saga.conf

log() { printf '[containers] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

require_root() {
  [ "$(id -u)" = 0 ] || die "run as root: this sets up rootful Podman (packages, /etc/containers, /run/podman)"
}

install_packages() {
  local missing=()
  for cmd in podman runc debootstrap podman-compose; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "packages: podman, runc, debootstrap, podman-compose already installed"
    return
  fi
  log "installing ${missing[*]} (Debian packages)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap podman-compose >/dev/null
}

# The two settings that Podman needs on these machines. A drop-in file, rewritten every time with the same
# content, is idempotent and leaves /etc/containers/containers.conf alone.
configure_podman() {
  mkdir -p "$(dirname "$CONF")"
  cat >"$CONF" <<'EOF'
# Written by wxpay-saga infra/containers/prepare.sh.
[containers]
# Otherwise: "setrlimit RLIMIT_NOFILE/RLIMIT_NPROC: Operation not permitted".
default_ulimits = []

[engine]
# crun fails here: "cgroups in hybrid mode not supported".
runtime = "runc"
EOF
  local runtime
  runtime=$(podman info --format '{{.Host.OCIRuntime.Name}}') || die "podman info failed"
  [ "$runtime" = runc ] || die "Podman ignores $CONF (runtime is $runtime, want runc)"
  log "podman $(podman version --format '{{.Client.Version}}'): runtime runc, storage $(podman info --format '{{.Store.GraphDriverName}}')"
}

socket_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1
  else
    node -e "require('http').get({ socketPath: '$SOCK', path: '/_ping', timeout: 2000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"
  fi
}

start_socket() {
  if socket_ok; then
    log "API socket already answers on $SOCK"
    return
  fi
  mkdir -p "$SOCK_DIR" "$STATE"
  rm -f "$SOCK"
  # Not a group leader (no job control in a script), so setsid runs podman in place: $! is podman's pid.
  # Its own session keeps it out of the caller's Ctrl-C; `down` stops it by that pid.
  setsid podman system service --time=0 "unix://$SOCK" >"$STATE/podman-service.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do
    socket_ok && break
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || die "podman system service exited: $(tail -5 "$STATE/podman-service.log")"
    sleep 0.2
  done
  socket_ok || die "the API socket $SOCK does not answer"
  log "API socket: unix://$SOCK (pid $(cat "$PIDFILE"))"
}

# The Debian mirror apt uses for a suite (default: $SUITE): the first source for it, deb822 or one-line.
debian_mirror() {
  local suite=${1:-$SUITE} f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk -v suite="$suite" '
      function flush() {
        if (!found && uris != "" && index(" " types " ", " deb ") && index(" " suites " ", " " suite " ")) {
          split(uris, u, " "); print u[1]; found = 1
        }
        uris = ""; suites = ""; types = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); uris = $0 }
      /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
      /^Types:/ { sub(/^Types:[[:space:]]*/, ""); types = $0 }
      END { flush() }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk -v suite="$suite" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i ~ /^https?:\/\//) { if ($(i + 1) == suite) { print $i; exit } } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  return 1
}

build_base_image() {
  if podman image exists "$BASE"; then
    log "base image $BASE exists (cached)"
    return
  fi
  local mirror rootfs t0
  mirror=$(debian_mirror) || die "no Debian $SUITE source in /etc/apt/sources.list(.d)"
  rootfs=$(mktemp -d /var/tmp/wxpay-saga-rootfs.XXXXXX)
  t0=$(now)
  log "debootstrap --variant=minbase $SUITE from $mirror"
  if ! debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$STATE/debootstrap.log" 2>&1; then
    tail -20 "$STATE/debootstrap.log" >&2
    rm -rf "$rootfs"
    die "debootstrap failed"
  fi
  # apt in the image uses the host's mirrors (main, updates and, if the host has it, security); like
  # debian:*-slim it installs no recommends and keeps no docs, man pages or package lists.
  local security
  security=$(debian_mirror "$SUITE-security" || true)
  rm -f "$rootfs/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' "$mirror" "$SUITE" "$SUITE"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    if [ -n "$security" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$security" "$SUITE"
      printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    fi
  } >"$rootfs/etc/apt/sources.list.d/debian.sources"
  cat >"$rootfs/etc/apt/apt.conf.d/90wxpay-saga" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
// As in the official Debian images (docker-clean): no package caches left in image layers.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/90wxpay-saga-slim" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/locale/*
EOF
  rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
  # Java's update-alternatives writes man-page links here even when man pages are excluded.
  mkdir -p "$rootfs/usr/share/man/man1"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  log "importing the root file system as $BASE"
  tar --numeric-owner -C "$rootfs" -c . |
    podman import --change 'CMD ["/bin/bash"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$BASE" \
      >"$STATE/import.log" 2>&1
  rm -rf "$rootfs"
  record_time debian "$(since "$t0")"
}

record_time() { printf '%s %s\n' "$1" "$2" >>"$STATE/build-times"; }

# podman build, logged to .run/containers/build-<name>.log. --format docker keeps HEALTHCHECK (OCI image
# configs have no health check); --network=host because the builds fetch from apt, npm and Maven Central.
build_image() {
  local name=$1 file=$2 context=$3 t0
  shift 3
  t0=$(now)
  log "building $PREFIX/$name"
  if ! podman build --network=host --format docker --layers -f "$file" -t "$PREFIX/$name" "$@" "$context" \
    >"$STATE/build-$name.log" 2>&1; then
    tail -40 "$STATE/build-$name.log" >&2
    die "building $PREFIX/$name failed (full log: $STATE/build-$name.log)"
  fi
  record_time "$name" "$(since "$t0")"
  log "built $PREFIX/$name in $(since "$t0") s"
}

build_node_image() {
  local version label node_bin npm_dir ctx
  version=$(node --version) || die "node is needed on the host (its binary goes into $NODE_IMAGE)"
  case "$version" in v20.*) ;; *) die "host node is $version; $NODE_IMAGE needs Node 20" ;; esac
  label=$(podman image inspect --format '{{index .Labels "org.wxpay-saga.node-version"}}' "$NODE_IMAGE" 2>/dev/null || true)
  if [ "$label" = "$version" ]; then
    log "$NODE_IMAGE exists with node $version (cached)"
    return
  fi
  node_bin=$(readlink -f "$(command -v node)")
  npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
  [ -f "$npm_dir/package.json" ] || die "cannot find npm's installation (looked in $npm_dir)"
  ctx=$STATE/node-context
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$node_bin" "$ctx/node"
  cp -a "$npm_dir" "$ctx/npm"
  # npm's own npmrc in a distribution's install holds that machine's settings (e.g. a cafile): not ours.
  rm -f "$ctx/npm/npmrc"
  cp "$HERE/node/Dockerfile" "$ctx/Dockerfile"
  log "node image from the host's node $version ($node_bin) and npm $(npm --version) ($npm_dir)"
  build_image node:20 "$ctx/Dockerfile" "$ctx" --build-arg "BASE_IMAGE=$BASE" --build-arg "NODE_VERSION=$version"
  rm -rf "$ctx"
}

# The broker jars, fetched by infra/kafka/pom.xml exactly as the local infra does (cached in target/lib).
ensure_kafka_jars() {
  [ -d "$ROOT/node_modules/tsx" ] || die "run npm ci first (the Kafka jars are fetched through @wxpay-saga/infra)"
  (cd "$ROOT" && node --conditions=source --import tsx --input-type=module \
    -e "const { ensureKafkaJars } = await import('@wxpay-saga/infra'); ensureKafkaJars((l) => console.error(l));") >&2
}

wanted() { [[ " ${IMAGES:-$ALL_IMAGES} " == *" $1 "* ]]; }

# The CA bundle that makes this host's node trust its HTTPS egress (a TLS-intercepting proxy adds its own
# CA). The node builds mount it read-only and point NODE_EXTRA_CA_CERTS at it for their RUN steps only.
host_ca_args() {
  local ca
  for ca in "${NODE_EXTRA_CA_CERTS:-}" "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt; do
    if [ -n "$ca" ] && [ -f "$ca" ]; then
      echo "--volume=$(readlink -f "$ca"):/run/host-ca/ca.crt:ro"
      echo "--build-arg=NODE_EXTRA_CA_CERTS=/run/host-ca/ca.crt"
      return
    fi
  done
}

build_project_images() {
  if wanted redis; then
    build_image redis "$HERE/redis/Dockerfile" "$HERE/redis" --build-arg "BASE_IMAGE=$BASE"
  fi
  if wanted kafka; then
    ensure_kafka_jars
    build_image kafka "$HERE/kafka/Dockerfile" "$ROOT/infra" --build-arg "BASE_IMAGE=$BASE" --build-arg KAFKA_JARS=context
  fi
  local name file ca_args
  mapfile -t ca_args < <(host_ca_args)
  if wanted wechatpay-sandbox; then
    build_image wechatpay-sandbox "$ROOT/tools/wechatpay-sandbox/Dockerfile" "$ROOT" --build-arg "BASE_IMAGE=$NODE_IMAGE" "${ca_args[@]}"
  fi
  # One Dockerfile for the four services: the service, its port variable and default port as arguments.
  local spec port_var port
  for spec in order-api:ORDER_API_PORT:8080 notify-gateway:NOTIFY_GATEWAY_PORT:8081 \
    payment-worker:PAYMENT_WORKER_PORT:8082 reconciler:RECONCILER_PORT:8083; do
    IFS=: read -r name port_var port <<<"$spec"
    wanted "$name" || continue
    build_image "$name" "$ROOT/services/Dockerfile" "$ROOT" --build-arg "BASE_IMAGE=$NODE_IMAGE" \
      --build-arg "SERVICE=$name" --build-arg "PORT_VARIABLE=$port_var" --build-arg "PORT=$port" "${ca_args[@]}"
  done
}

report() {
  log "build times (s):"
  sed 's/^/[containers]   /' "$STATE/build-times" >&2
  log "images:"
  podman images --filter "reference=$PREFIX/*" --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' |
    sed 's/^/[containers]   /' >&2
}

up() {
  require_root
  local t0
  t0=$(now)
  mkdir -p "$STATE"
  : >"$STATE/build-times"
  install_packages
  configure_podman
  start_socket
  build_base_image
  build_node_image
  build_project_images
  record_time total "$(since "$t0")"
  report
  echo "export DOCKER_HOST=unix://$SOCK"
  echo "export TESTCONTAINERS_RYUK_DISABLED=true"
  echo "export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
}

down() {
  require_root
  if command -v podman >/dev/null 2>&1; then
    local ids
    # Containers of our images: what compose and testcontainers started through this setup.
    ids=$(podman ps -a --format '{{.ID}} {{.Image}}' | awk -v p="$PREFIX/" 'index($2, p) == 1 { print $1 }')
    if [ -n "$ids" ]; then
      log "removing containers: $(echo "$ids" | tr '\n' ' ')"
      # shellcheck disable=SC2086
      podman rm -f -t 5 $ids >/dev/null || true
    fi
  fi
  if [ -f "$PIDFILE" ]; then
    local pid
    pid=$(cat "$PIDFILE")
    if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = podman ]; then
      log "stopping the API socket (pid $pid)"
      kill "$pid"
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$PIDFILE" "$SOCK"
  fi
  log "down (images kept as cache)"
}

status() {
  if socket_ok; then log "API socket answers on $SOCK"; else log "API socket: not running"; fi
  command -v podman >/dev/null 2>&1 || return 0
  podman images --filter "reference=$PREFIX/*" --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' >&2
  podman ps -a --format '{{.Names}}\t{{.Image}}\t{{.Status}}' >&2
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
