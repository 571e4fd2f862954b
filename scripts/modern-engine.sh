#!/usr/bin/env bash
# Fetch a current Docker engine from Debian sid, unpacked into a cache directory; nothing is
# installed system-wide and the system's apt state is not touched.
#
#   scripts/modern-engine.sh fetch [CACHE]
#
# CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/sockgate/engines. The script resolves the
# newest docker.io (and containerd, runc, tini-static, docker-compose, docker-buildx, plus the
# libc6 and libseccomp2 that runc needs) in sid through a private apt configuration under
# CACHE/apt (its own sources, lists, cache and an empty dpkg status), downloads the packages
# with `apt-get download` and unpacks them with `dpkg-deb -x`. A second run with the same
# resolved versions reuses the unpacked engine (if the mirror cannot be reached it reuses the
# last complete one, with a warning).
#
# The mirror is the one the system's own apt sources name (the first URIs: entry of
# /etc/apt/sources.list.d/debian.sources that is not a -security one, else the first such deb
# line of /etc/apt/sources.list); SOCKGATE_ENGINE_MIRROR overrides it and
# SOCKGATE_ENGINE_SUITE (default sid) picks the suite.
# The Release file is verified with /usr/share/keyrings/debian-archive-keyring.gpg plus the
# keyrings of sid's own debian-archive-keyring, unpacked into CACHE/keyrings by an earlier,
# verified fetch (so a key rotation in sid is followed); verification is never disabled.
#
# runc in sid needs glibc >= 2.38, newer than bookworm's: sid's libc6 is unpacked beside it
# and runc's ELF interpreter and rpath are pointed at it with patchelf (bookworm's package).
# dockerd, containerd, the shim, tini and the CLI plugins run on the host's glibc.
#
# Each set of versions is unpacked into its own ENGINE = CACHE/engine-<docker.io version>-<hash>
# (older ones are removed once no process runs a binary from them).
# Output: the resolved versions (also in CACHE/versions.txt and ENGINE/versions.txt), the
# CLI plugin directory, and, on the last line of stdout, the bin directory. That directory
# holds dockerd, docker-proxy, containerd, containerd-shim-runc-v2, ctr, runc and docker-init
# (tini-static); put it first on dockerd's PATH (scripts/engine.sh start DIR BINDIR does).
# The plugin directory (ENGINE/cli-plugins: docker-compose v2, docker-buildx) is separate so
# that it never shadows Debian's docker-compose 1.29 on PATH; use it through a CLI config
# dir (DOCKER_CONFIG=D with D/cli-plugins -> it) or run the binaries directly.
set -euo pipefail

prog=modern-engine
die() { echo "$prog: error: $*" >&2; exit 1; }
warn() { echo "$prog: warning: $*" >&2; }
log() { echo "$prog: $*" >&2; }
usage() { echo "usage: $0 fetch [CACHE]" >&2; exit 2; }

[ "${1:-}" = fetch ] || usage
[ $# -le 2 ] || usage
cache=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/sockgate/engines}
suite=${SOCKGATE_ENGINE_SUITE:-sid}
packages=(docker.io containerd runc tini-static docker-compose docker-buildx libc6 libseccomp2)

for tool in apt-get apt-cache dpkg dpkg-deb patchelf flock sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || {
    [ "$tool" = patchelf ] && die "patchelf is not installed (bookworm package: apt-get install -y patchelf)"
    die "$tool is not installed"
  }
done
arch=$(dpkg --print-architecture) || die "dpkg --print-architecture failed"

mkdir -p "$cache" || die "cannot create cache directory $cache"
cache=$(cd "$cache" && pwd -P)
exec 9>"$cache/.lock"
flock 9 || die "cannot lock $cache/.lock"

# --- private apt configuration ------------------------------------------------------------
mirror=${SOCKGATE_ENGINE_MIRROR:-}
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk 'tolower($1) == "uris:" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\// && $i !~ /security/) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list (set SOCKGATE_ENGINE_MIRROR)"

apt_dir="$cache/apt"
mkdir -p "$apt_dir/etc/sources.list.d" "$apt_dir/etc/preferences.d" \
  "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/state" "$cache/keyrings"
[ -e "$apt_dir/state/status" ] || : >"$apt_dir/state/status"

keyrings=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyrings" ] || die "$keyrings is missing (package debian-archive-keyring)"
for k in "$cache/keyrings"/debian-archive-keyring.gpg; do
  [ -s "$k" ] && keyrings="$keyrings $k"
done
cat >"$apt_dir/etc/sources.list.d/$suite.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite
Components: main
Architectures: $arch
Signed-By: $keyrings
EOF
cat >"$apt_dir/etc/preferences.d/$suite.pref" <<EOF
Package: *
Pin: release n=$suite
Pin-Priority: 100
EOF

# The system's apt.conf(.d) is still read (it may carry the host's proxy or mirror settings);
# every path apt writes to or reads package state from is private.
apt_opts=(
  -o "Dir::Etc::sourcelist=/dev/null"
  -o "Dir::Etc::sourceparts=$apt_dir/etc/sources.list.d"
  -o "Dir::Etc::preferences=/dev/null"
  -o "Dir::Etc::preferencesparts=$apt_dir/etc/preferences.d"
  -o "Dir::State=$apt_dir/state"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::State::status=$apt_dir/state/status"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::Cache::archives=$apt_dir/cache/archives"
  -o "Dir::Cache::pkgcache=pkgcache.bin"
  -o "Dir::Cache::srcpkgcache="
  -o "Dir::Log=$apt_dir/log"
  -o "APT::Architecture=$arch"
  -o "APT::Architectures=$arch"
  -o "Acquire::Languages=none"
  -o "Acquire::Retries=3"
  -o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
  -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
  -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
  -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
  -o "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false"
)
# apt's download and gpgv methods run as _apt; where that user cannot reach the cache (a cache
# under /root, mode 700) they run as the calling user instead, as apt itself would fall back to
# (signatures are still verified).
if [ "$(id -u)" = 0 ] && getent passwd _apt >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1 &&
  ! setpriv --reuid=_apt --regid=nogroup --clear-groups test -x "$apt_dir/lists" 2>/dev/null; then
  log "_apt cannot reach $apt_dir; apt's methods run as root (APT::Sandbox::User=root)"
  apt_opts+=(-o "APT::Sandbox::User=root")
fi
apt_get() { apt-get "${apt_opts[@]}" "$@"; }
apt_cache() { apt-cache "${apt_opts[@]}" "$@"; }

# --- the engine directory a set of versions maps to ---------------------------------------
versions_text() {
  local p
  echo "suite $suite"
  for p in "${packages[@]}"; do echo "$p ${resolved[$p]}"; done
}
engine_dir_for() {
  local hash name
  hash=$(versions_text | sha256sum | cut -c1-10)
  name=$(printf '%s' "${resolved[docker.io]}" | tr -c 'A-Za-z0-9.+_-' '_')
  echo "$cache/engine-$name-$hash"
}

declare -A resolved=()
update_log="$apt_dir/update.log"
offline=
# apt-get update exits 0 when an index merely failed to download (W: Failed to fetch ...)
if apt_get update >"$update_log" 2>&1 && ! grep -qE '^E: |^W: (Failed to fetch|Some index files failed)' "$update_log"; then
  :
else
  if grep -qE 'NO_PUBKEY|EXPKEYSIG|not signed|signature|Signed-By|OpenPGP' "$update_log"; then
    cat "$update_log" >&2
    die "apt-get update of $suite from $mirror failed its signature check with $keyrings; the host's debian-archive-keyring is too old for $suite (update it from bookworm-updates, or place a newer debian-archive-keyring.gpg from a trusted source in $cache/keyrings/)"
  fi
  if [ -s "$cache/versions.txt" ]; then
    cat "$update_log" >&2
    warn "apt-get update of $suite from $mirror failed (log above); reusing the versions in $cache/versions.txt"
    offline=1
  else
    cat "$update_log" >&2
    die "apt-get update of $suite from $mirror failed (log above, also in $update_log)"
  fi
fi

if [ -n "$offline" ]; then
  while read -r p v; do [ "$p" = suite ] || resolved[$p]=$v; done <"$cache/versions.txt"
else
  policy=$(apt_cache policy "${packages[@]}" 2>&1) || { echo "$policy" >&2; die "apt-cache policy ${packages[*]} failed"; }
  while read -r p v; do resolved[$p]=$v; done < <(echo "$policy" | awk '/^[^ ].*:$/ { sub(/:$/, ""); p = $1 } $1 == "Candidate:" && p != "" { print p, $2; p = "" }')
  for p in "${packages[@]}"; do
    v=${resolved[$p]:-}
    [ -n "$v" ] && [ "$v" != "(none)" ] || die "package $p not found in $suite at $mirror"
  done
fi
for p in "${packages[@]}"; do [ -n "${resolved[$p]:-}" ] || die "no version recorded for $p"; done

engine=$(engine_dir_for)
bin="$engine/bin"
lib="$engine/lib"

# --- download and unpack (only when this set of versions is not complete in the cache) -----
if [ -s "$engine/versions.txt" ] && cmp -s "$engine/versions.txt" <(versions_text); then
  log "reusing $engine"
else
  [ -z "$offline" ] || die "the cached engine $engine is incomplete and $suite cannot be reached"
  log "fetching docker.io ${resolved[docker.io]} from $suite into $engine"
  rm -rf "$engine" "$engine.tmp"
  work="$engine.tmp"
  mkdir -p "$work/debs" "$work/root" "$work/bin" "$work/lib" "$work/cli-plugins"
  # apt's download method runs as _apt: let it write the download directory
  if [ "$(id -u)" = 0 ] && getent passwd _apt >/dev/null 2>&1; then chown _apt "$work/debs"; fi
  specs=()
  for p in "${packages[@]}"; do specs+=("$p=${resolved[$p]}"); done
  (cd "$work/debs" && apt_get download "${specs[@]}") >"$work/download.log" 2>&1 || {
    cat "$work/download.log" >&2
    die "apt-get download of ${specs[*]} failed"
  }
  for p in "${packages[@]}"; do
    deb=$(ls "$work/debs/${p}_"*.deb 2>/dev/null | head -1 || true)
    [ -n "$deb" ] || die "apt-get download gave no .deb for $p"
    got=$(dpkg-deb -f "$deb" Version)
    [ "$got" = "${resolved[$p]}" ] || die "$deb has version $got, expected ${resolved[$p]}"
    dpkg-deb -x "$deb" "$work/root" || die "dpkg-deb -x $deb failed"
  done
  # sid's keyring, for the next update's signature check (it came through a verified Release)
  if deb=$(cd "$work/debs" && apt_get download debian-archive-keyring >/dev/null 2>&1 && ls "$work/debs"/debian-archive-keyring_*.deb 2>/dev/null | head -1) && [ -n "$deb" ]; then
    mkdir -p "$work/keyring" && dpkg-deb -x "$deb" "$work/keyring" &&
      [ -s "$work/keyring/usr/share/keyrings/debian-archive-keyring.gpg" ] &&
      cp "$work/keyring/usr/share/keyrings/debian-archive-keyring.gpg" "$cache/keyrings/debian-archive-keyring.gpg.new" &&
      mv "$cache/keyrings/debian-archive-keyring.gpg.new" "$cache/keyrings/debian-archive-keyring.gpg" ||
      warn "could not unpack $suite's debian-archive-keyring (not needed now)"
  else
    warn "could not download $suite's debian-archive-keyring (not needed now)"
  fi

  r="$work/root"
  take() { # take SRC-IN-ROOT DEST-DIR
    [ -e "$r/$1" ] || die "${1##*/} not found in the unpacked packages (expected $1)"
    mv "$r/$1" "$2/"
  }
  take usr/sbin/dockerd "$work/bin"
  take usr/sbin/docker-proxy "$work/bin"
  take usr/bin/containerd "$work/bin"
  take usr/bin/containerd-shim-runc-v2 "$work/bin"
  take usr/bin/ctr "$work/bin"
  take usr/sbin/runc "$work/bin"
  take usr/bin/tini-static "$work/bin"
  ln -s tini-static "$work/bin/docker-init"
  take usr/libexec/docker/cli-plugins/docker-compose "$work/cli-plugins"
  take usr/libexec/docker/cli-plugins/docker-buildx "$work/cli-plugins"
  # sid's glibc (the whole multiarch lib dir of libc6) and libseccomp, for runc only
  ld=$(find "$r/usr/lib" -mindepth 2 -maxdepth 2 -name 'ld-linux*.so.*' 2>/dev/null | sort | head -1 || true)
  [ -n "$ld" ] || die "no ld-linux*.so in sid's libc6"
  libdir=$(dirname "$ld")
  cp -a "$libdir"/. "$work/lib/" || die "copying sid's glibc from $libdir failed"
  cp -a "$r"/usr/lib/*/libseccomp.so.2* "$work/lib/" 2>/dev/null || die "libseccomp.so.2 not found in sid's libseccomp2"
  rm -rf "$work/root" "$work/debs" "$work/keyring"
  mv "$work" "$engine"
fi

# --- runc: sid's loader and libraries (checked on every run: the cache may have moved) -----
ld_name=$(cd "$lib" && ls ld-linux*.so.* 2>/dev/null | head -1 || true)
[ -n "$ld_name" ] || die "no ld-linux*.so in $lib"
want_interp="$lib/$ld_name"
if [ "$(patchelf --print-interpreter "$bin/runc" 2>/dev/null)" != "$want_interp" ] ||
  [ "$(patchelf --print-rpath "$bin/runc" 2>/dev/null)" != "$lib" ]; then
  patchelf --set-interpreter "$want_interp" --force-rpath --set-rpath "$lib" "$bin/runc" ||
    die "patchelf of $bin/runc failed"
fi

# --- check every binary runs here ----------------------------------------------------------
check() { # check NAME CMD...
  local out
  out=$("$@" 2>&1) || { echo "$out" >&2; die "$1 does not run on this host: $* failed"; }
  [ -n "$out" ] || die "$* printed nothing"
}
check "$bin/dockerd" --version
check "$bin/docker-proxy" --version
check "$bin/containerd" --version
check "$bin/containerd-shim-runc-v2" -v
check "$bin/ctr" --version
check "$bin/runc" --version
check "$bin/docker-init" --version
check "$engine/cli-plugins/docker-compose" version
check "$engine/cli-plugins/docker-buildx" version
missing_libs=$(for b in "$bin"/dockerd "$bin"/docker-proxy "$bin"/containerd "$bin"/containerd-shim-runc-v2 "$bin"/runc; do
  ldd "$b" 2>/dev/null | grep 'not found' | sed "s|^|${b##*/}: |"
done || true)
[ -z "$missing_libs" ] || die "missing shared libraries: $missing_libs"

versions_text >"$engine/versions.txt.new" && mv "$engine/versions.txt.new" "$engine/versions.txt"
cp "$engine/versions.txt" "$cache/versions.txt.new" && mv "$cache/versions.txt.new" "$cache/versions.txt"

# Older engines in this cache are removed unless a process still runs a binary from one
# (only checked as root, who can read every /proc/PID/exe).
if [ "$(id -u)" = 0 ]; then
  for old in "$cache"/engine-*; do
    [ -d "$old" ] && [ "$old" != "$engine" ] || continue
    busy=
    for exe in /proc/[0-9]*/exe; do
      case "$(readlink "$exe" 2>/dev/null)" in "$old"/*) busy=1; break ;; esac
    done
    if [ -z "$busy" ]; then rm -rf "$old"; log "removed old engine $old"; fi
  done
fi

echo "engine: $engine"
sed 's/^/version: /' "$engine/versions.txt"
echo "dockerd: $("$bin/dockerd" --version)"
echo "containerd: $("$bin/containerd" --version)"
echo "runc: $("$bin/runc" --version | head -1)"
echo "cli-plugins: $engine/cli-plugins"
echo "$bin"
