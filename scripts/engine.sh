#!/usr/bin/env bash
# Start or stop a private Docker engine for the end-to-end suite, and build the test image.
#   scripts/engine.sh start DIR   → dockerd on unix://DIR/docker.sock, image sockgate-test:busybox
#   scripts/engine.sh stop DIR    → stops the dockerd started by "start" (by its pid file only)
# The engine runs with no bridge and no iptables changes, so it touches nothing on the host network.
set -euo pipefail
cmd=${1:?usage: engine.sh start|stop DIR}
dir=${2:?usage: engine.sh start|stop DIR}
sock="$dir/docker.sock"

case "$cmd" in
start)
  mkdir -p "$dir"
  if [ -S "$sock" ] && DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1; then
    echo "engine already running at $sock"
  else
    dockerd --host "unix://$sock" --data-root "$dir/data" --exec-root "$dir/exec" \
      --pidfile "$dir/pid" --bridge=none --iptables=false --ip6tables=false --debug \
      >"$dir/dockerd.log" 2>&1 &
    for _ in $(seq 1 120); do
      DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1 && break
      sleep 0.5
    done
    DOCKER_HOST="unix://$sock" docker version >/dev/null || { tail -50 "$dir/dockerd.log"; exit 1; }
  fi
  export DOCKER_HOST="unix://$sock"
  if ! docker image inspect sockgate-test:busybox >/dev/null 2>&1; then
    busybox=$(command -v busybox || echo /bin/busybox)
    root=$(mktemp -d)
    mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
    cp "$busybox" "$root/bin/busybox"
    for applet in $("$root/bin/busybox" --list); do
      [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
    echo 'root:x:0:' >"$root/etc/group"
    tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - sockgate-test:busybox >/dev/null
    rm -rf "$root"
  fi
  echo "engine ready: DOCKER_HOST=unix://$sock"
  ;;
stop)
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  ;;
*) echo "usage: engine.sh start|stop DIR" >&2; exit 2 ;;
esac
