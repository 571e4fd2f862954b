#!/usr/bin/env bash
# Start or stop a private Docker engine for the end-to-end suite, and build the test image.
#   scripts/engine.sh start DIR [BINDIR] → dockerd on unix://DIR/docker.sock, image sockgate-test:busybox
#   scripts/engine.sh stop DIR           → stops the dockerd started by "start" (by its pid file only)
# Without BINDIR the system's dockerd (Debian's docker.io) runs. With BINDIR, BINDIR/dockerd runs
# with BINDIR first on its PATH, so that it also finds its containerd, containerd-shim-runc-v2,
# runc and docker-init there: `scripts/modern-engine.sh fetch` prints such a directory (a
# current engine from Debian sid) on its last line.
# dockerd starts and manages its own containerd, with state under DIR/exec and DIR/data.
# The engine runs with no bridge and no iptables changes, so it touches nothing on the host network
# (hence BuildKit builds need --network=none or --network=host: there is no default bridge).
# dockerd runs with --debug and logs to DIR/dockerd.log.
set -euo pipefail
usage="usage: engine.sh start DIR [BINDIR] | stop DIR"
cmd=${1:?$usage}
dir=${2:?$usage}
dir_given=${dir%/}
bindir=${3:-}
die() { echo "engine.sh: error: $*" >&2; exit 1; }

# Whether PID is a live process (a zombie, exited but not yet reaped, is not).
alive() {
  local stat
  stat=$(cat 2>/dev/null "/proc/$1/stat") || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}
# Whether PID is alive and is the process its pid file under DIR names: its command line
# mentions DIR, or (a container's init) its cgroup is named by the container id ID. A pid file
# left behind by a process that has since exited never makes us signal an unrelated process.
ours() {
  local pid=$1 id=${2:-}
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -e "$dir/" -e "$dir_given/" && return 0
  [[ $id =~ ^[0-9a-f]{64}$ ]] && grep -qF "$id" "/proc/$pid/cgroup" 2>/dev/null && return 0
  return 1
}
# Stop PID (TERM, then KILL after TIMEOUT seconds).
stop_pid() {
  local pid=$1 timeout=$2
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((timeout * 4))); do alive "$pid" || return 0; sleep 0.25; done
  echo "engine.sh: $pid still running after ${timeout}s, sending SIGKILL" >&2
  kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do alive "$pid" || return 0; sleep 0.25; done
}

case "$cmd" in
start)
  [ $# -le 3 ] || { echo "$usage" >&2; exit 2; }
  if [ -n "$bindir" ]; then
    [ -d "$bindir" ] || die "BINDIR $bindir is not a directory"
    bindir=$(cd "$bindir" && pwd -P)
    for b in dockerd containerd containerd-shim-runc-v2 runc docker-init; do
      [ -x "$bindir/$b" ] || die "$bindir/$b is missing (BINDIR must be the directory scripts/modern-engine.sh fetch prints)"
    done
    dockerd="$bindir/dockerd"
    engine_path="$bindir:$PATH"
  else
    dockerd=$(command -v dockerd) || die "no dockerd on PATH (Debian package docker.io)"
    engine_path=$PATH
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  sock="$dir/docker.sock"
  # unix socket paths are limited to 107 bytes; containerd's is the longest one under DIR
  csock="$dir/exec/containerd/containerd.sock.ttrpc"
  [ ${#csock} -le 107 ] || die "DIR $dir is too long: $csock must fit in 107 bytes (use e.g. mktemp -d /tmp/sg-ci-XXXXXX)"
  export DOCKER_HOST="unix://$sock"
  if [ -S "$sock" ] && docker version >/dev/null 2>&1; then
    echo "engine already running at $sock: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || true)"
  else
    started=$(date +%s.%N)
    PATH="$engine_path" "$dockerd" --host "unix://$sock" --data-root "$dir/data" --exec-root "$dir/exec" \
      --pidfile "$dir/pid" --bridge=none --iptables=false --ip6tables=false --debug \
      >"$dir/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 240); do
      docker version >/dev/null 2>&1 && break
      alive "$dockerd_pid" || break
      sleep 0.25
    done
    docker version >/dev/null || { tail -50 "$dir/dockerd.log"; die "$dockerd did not start (log: $dir/dockerd.log)"; }
    echo "engine started in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s: $("$dockerd" --version)"
  fi
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
  [ $# -eq 2 ] || { echo "$usage" >&2; exit 2; }
  [ -d "$dir" ] || exit 0
  dir=$(cd "$dir" && pwd -P)
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    # dockerd stops its containers and then its managed containerd on SIGTERM
    if ours "$pid"; then stop_pid "$pid" 30; fi
  fi
  # Anything dockerd left behind (after a SIGKILL, say), found only through DIR: its containerd
  # (DIR/exec/containerd/containerd.pid), each container's init (init.pid in its bundle under
  # DIR/exec/containerd/daemon) and that container's shim (the process whose command line names
  # the bundle's id and DIR's containerd socket; containerd 2's shims write no pid file).
  csock="$dir/exec/containerd/containerd.sock"
  left=() inits=()
  pid=$(cat "$dir/exec/containerd/containerd.pid" 2>/dev/null || true)
  if ours "$pid"; then left+=("$pid"); fi
  ids=()
  for bundle in "$dir"/exec/containerd/daemon/io.containerd.runtime.v2.task/*/*/; do
    [ -d "$bundle" ] || continue
    id=$(basename "$bundle")
    ids+=("$id")
    pid=$(cat "${bundle}init.pid" 2>/dev/null || true)
    if ours "$pid" "$id"; then inits+=("$pid"); fi
    pid=$(cat "${bundle}shim.pid" 2>/dev/null || true)
    if ours "$pid"; then left+=("$pid"); fi
  done
  if [ ${#ids[@]} -gt 0 ]; then
    for c in /proc/[0-9]*/cmdline; do
      line=$(tr '\0' ' ' 2>/dev/null <"$c" || true)
      case "$line" in *containerd-shim*" -address $csock "*) ;; *) continue ;; esac
      for id in "${ids[@]}"; do
        case "$line" in *" -id $id "*) ;; *) continue ;; esac
        pid=${c#/proc/}; pid=${pid%/cmdline}
        case " ${left[*]} " in *" $pid "*) ;; *) left+=("$pid") ;; esac
      done
    done
  fi
  describe() { echo "$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | cut -c1-160) (pid $1)"; }
  # the containers' init processes are killed outright (their engine is gone), the rest get
  # SIGTERM and 10 seconds
  for pid in "${inits[@]}"; do
    echo "engine.sh: killing leftover container process $(describe "$pid")" >&2
    kill -9 "$pid" 2>/dev/null || true
  done
  for pid in "${left[@]}"; do
    echo "engine.sh: stopping leftover $(describe "$pid")" >&2
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${left[@]}" "${inits[@]}"; do
    for _ in $(seq 1 40); do alive "$pid" || break; sleep 0.25; done
    if alive "$pid"; then
      echo "engine.sh: $(describe "$pid") still running, sending SIGKILL" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  # Mounts dockerd leaves under DIR when it cannot shut down itself (the data-root bind mount,
  # container root filesystems, network namespaces), deepest first, once no dockerd runs there.
  pid=$(cat "$dir/pid" 2>/dev/null || true)
  if ! ours "$pid"; then
    while IFS= read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "engine.sh: cannot unmount $m" >&2
    done < <(awk -v d="$dir/" '{ m = $5; gsub(/\\040/, " ", m); if (index(m, d) == 1) print length(m), m }' /proc/self/mountinfo |
      sort -rn | cut -d' ' -f2-)
  fi
  ;;
*) echo "$usage" >&2; exit 2 ;;
esac
