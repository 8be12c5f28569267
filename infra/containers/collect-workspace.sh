#!/bin/sh
# Used by the service and sandbox Dockerfiles after `npm run build`: installs the production dependencies
# of one workspace (npm ci --omit=dev --workspace) and copies into OUT only what it needs at run time —
# the root package.json and node_modules, and package.json + dist/ of the workspace and of every workspace
# package that npm linked for it (node_modules/@wxpay-saga/* point at them).
#   sh infra/containers/collect-workspace.sh services/order-api /out
set -eu
ws=$1
out=$2
[ -f "$ws/package.json" ] || { echo "collect-workspace: no workspace $ws" >&2; exit 1; }
npm ci --omit=dev --no-audit --no-fund --workspace "$ws"
mkdir -p "$out"
cp -a package.json node_modules "$out/"
for link in node_modules/@wxpay-saga/*; do
  dir=$(readlink -f "$link")
  rel=${dir#"$PWD"/}
  [ -d "$dir/dist" ] || { echo "collect-workspace: $rel has no dist/ (build first)" >&2; exit 1; }
  mkdir -p "$out/$rel"
  cp -a "$dir/package.json" "$dir/dist" "$out/$rel/"
  if [ -d "$dir/node_modules" ]; then cp -a "$dir/node_modules" "$out/$rel/"; fi
  # Type declarations and build info are for compilers, not for running.
  find "$out/$rel/dist" \( -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.tsbuildinfo' \) -delete
done
