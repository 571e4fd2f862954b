#!/usr/bin/env bash
# Build the sockgate container image without pulling anything.
#
#   scripts/build-image.sh [IMAGE]        (default IMAGE: $SOCKGATE_IMAGE or sockgate:latest)
#
# The Dockerfile takes its base image from the NODE_IMAGE build arg (a pinned official
# node:20 bookworm-slim image by default). Where no registry is reachable (CI, the e2e suite)
# this script first assembles a stand-in base, $SOCKGATE_BASE_IMAGE (default
# sockgate-node-base:local), from this host: the host's node binary and the shared libraries
# `ldd` lists for it (and the rest of glibc), npm from the host's global npm install, busybox for /bin/sh and the
# usual tools, the host's CA bundle (npm's registry TLS may go through an inspecting proxy),
# and a minimal /etc/passwd and /etc/group. It is `tar | docker import`ed, then the image is
# built with --build-arg NODE_IMAGE=<that base>. Set SOCKGATE_NODE_IMAGE to build on another
# base instead (e.g. the official image, when it can be pulled).
#
# The build stage runs `npm ci`, which needs the npm registry. Containers on the e2e engine
# have no network (dockerd --bridge=none), so the build uses `--network host`.
# DOCKER_HOST selects the engine, as for the docker CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${1:-${SOCKGATE_IMAGE:-sockgate:latest}}
base=${SOCKGATE_NODE_IMAGE:-}

if [ -z "$base" ]; then
  base=${SOCKGATE_BASE_IMAGE:-sockgate-node-base:local}
  node_bin=$(readlink -f "$(command -v node)")
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  busybox=$(command -v busybox || echo /bin/busybox)
  glibc=$(dpkg -L libc6 2>/dev/null | grep -E '^/(usr/)?lib[^ ]*/[^/]*\.so[.0-9]*$' || true)
  libs="$(ldd "$node_bin" | grep -o '/[^ ]*') $glibc"
  # Re-import only when an input changed: a new base image id would void the layer cache.
  inputs=$( { sha256sum "$node_bin" "$busybox" /etc/ssl/certs/ca-certificates.crt "$npm_dir/package.json" "$0"
    for lib in $libs; do sha256sum "$(readlink -f "$lib")"; done; npm config get registry; } | sha256sum | cut -c1-64)
  have=$(docker image inspect -f '{{index .Config.Labels "sockgate.base.inputs"}}' "$base" 2>/dev/null || true)
  if [ "$have" != "$inputs" ]; then
    old=$(docker image inspect -f '{{.Id}}' "$base" 2>/dev/null || true)
    root=$(mktemp -d /tmp/sg-base-XXXXXX)
    trap 'rm -rf "$root"' EXIT
    mkdir -p "$root/bin" "$root/usr/bin" "$root/usr/local/bin" "$root/usr/local/lib/node_modules" \
      "$root/usr/local/etc" "$root/etc/ssl/certs" "$root/tmp" "$root/root" "$root/home/node"
    chmod 1777 "$root/tmp"
    cp "$node_bin" "$root/usr/local/bin/node"
    # The dynamic loader, every library node links against, and the rest of glibc (native addons
    # such as rollup's, used by the unit tests in the build stage, need librt), at the same paths.
    for lib in $libs; do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
    cp -r "$npm_dir" "$root/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
    cp "$busybox" "$root/bin/busybox"
    for applet in $("$root/bin/busybox" --list); do
      [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    ln -s /bin/env "$root/usr/bin/env" # npm's "#!/usr/bin/env node"
    cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nregistry=%s\nupdate-notifier=false\nfund=false\naudit=false\n' \
      "$(npm config get registry)" >"$root/usr/local/etc/npmrc"
    # Like the official image: root, and a "node" user 1000.
    printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
    chown 1000:1000 "$root/home/node"
    tar -C "$root" --numeric-owner -c . | docker import \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'CMD ["node"]' -c "LABEL sockgate.base.inputs=$inputs" - "$base" >/dev/null
    echo "base image: $base (node $("$node_bin" --version), npm $(npm --version), from this host)"
    # the replaced base is no longer needed (fails harmlessly while an image still uses it)
    [ -z "$old" ] || docker rmi "$old" >/dev/null 2>&1 || true
  fi
fi

previous=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
log=$(mktemp /tmp/sg-build-XXXXXX)
trap 'rm -rf "${root:-}" "$log"' EXIT
docker build --force-rm --network host --build-arg "NODE_IMAGE=$base" -t "$image" . 2>&1 | tee "$log" >&2
# A rebuild moves the tag; drop the image it left behind (kept while a container uses it), and
# the untagged results of earlier builds' build stages that this build did not reuse.
current=$(docker image inspect -f '{{.Id}}' "$image")
[ -z "$previous" ] || [ "$previous" = "$current" ] || docker rmi "$previous" >/dev/null 2>&1 || true
used=$(grep -oE -- '---> [0-9a-f]{12}' "$log" | cut -c6- || true)
for stale in $(docker images -q --no-trunc -f dangling=true -f label=sockgate.build-stage | cut -c8-19); do
  grep -qx "$stale" <<<"$used" || docker rmi "$stale" >/dev/null 2>&1 || true
done
echo "image: $image $current"
