#!/usr/bin/env bash
# Build local images of newer HAProxy lines from Debian's own packages, laid out like the official
# haproxy image (and like local/haproxy:2.6 from build-haproxy-image.sh): haproxy on PATH, config at
# /usr/local/etc/haproxy/haproxy.cfg, docker-entrypoint.sh turning "-f ..." into "haproxy -W -db -f ...".
#
#   line  Debian suite                                  image               rootfs
#   3.0   trixie                                        local/haproxy:3.0   /var/tmp/lbkit-haproxy-3.0
#   3.2   sid                                           local/haproxy:3.2   /var/tmp/lbkit-haproxy-3.2
#   3.4   sid + experimental (apt-get -t experimental)  local/haproxy:3.4   /var/tmp/lbkit-haproxy-3.4
#
# usage: build-haproxy-versions.sh [line ...]        (default: 3.0 3.2 3.4)
#   FORCE=1          rebuild the rootfs and the image even when they exist
#   DEBIAN_MIRROR=   the Debian mirror to bootstrap from (default: the machine's own, from apt's sources)
#
# Idempotent and cached: an existing image is kept; an existing complete rootfs is re-imported
# without touching the mirror. The rootfs stays in place so the same binary also runs without
# Docker, in the host's network namespace:  chroot /var/tmp/lbkit-haproxy-3.2 /usr/sbin/haproxy -v
# Needs root, a running dockerd (.ci/docker-up.sh) and the Debian mirror. Lines build in parallel,
# at most two at a time; 3.4 reuses the 3.2 rootfs when both are built, so sid is bootstrapped once.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH   # Debian's docker 20.10 client first, as in CI
HERE=$(cd "$(dirname "$0")" && pwd)
LINES=("$@"); [ ${#LINES[@]} -gt 0 ] || LINES=(3.0 3.2 3.4)
FORCE=${FORCE:-0}
APT_OPTS=(-o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -o Dpkg::Use-Pty=0 -q)

suite_of() { case $1 in 3.0) echo trixie ;; 3.2|3.4) echo sid ;; *) return 1 ;; esac; }
rootfs_of() { echo "/var/tmp/lbkit-haproxy-$1"; }
image_of() { echo "local/haproxy:$1"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
for l in "${LINES[@]}"; do
  suite_of "$l" >/dev/null || { echo "build-haproxy-versions: unknown line '$l' (known: 3.0 3.2 3.4)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "build-haproxy-versions: needs root (debootstrap, chroot)" >&2; exit 1; }

mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  m=$(grep -hm1 '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2; exit}')
  [ -n "$m" ] || m=$(grep -hm1 '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2; exit}')
  [ -n "$m" ] || { echo "build-haproxy-versions: no Debian mirror in apt's sources; set DEBIAN_MIRROR" >&2; return 1; }
  echo "$m"
}

image_ok() { [ "$FORCE" != 1 ] && docker image inspect "$(image_of "$1")" >/dev/null 2>&1; }
rootfs_complete() { [ -f "$(rootfs_of "$1")/.lbkit-complete" ] && [ -x "$(rootfs_of "$1")/usr/sbin/haproxy" ]; }
rootfs_ok() { [ "$FORCE" != 1 ] && rootfs_complete "$1"; }

# Run a command inside a rootfs with /proc mounted in a private mount namespace: the mount disappears
# with the command, even if this script is killed, so no mount is ever left behind in /var/tmp.
in_root() { local r=$1; shift; unshare --mount --propagation private sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$r" "$@"; }

# Build the rootfs of one line into ROOTFS.tmp, then move it into place (a half-built tree is never
# mistaken for a complete one).
build_rootfs() {
  local line=$1 suite r t m
  suite=$(suite_of "$line"); r=$(rootfs_of "$line"); t=$r.tmp; m=$(mirror)
  rm -rf --one-file-system "$t"
  if [ "$line" = 3.4 ] && rootfs_complete 3.2; then   # under FORCE, 3.2 was rebuilt just before
    cp -a "$(rootfs_of 3.2)" "$t"          # sid rootfs with 3.2 installed; experimental upgrades it below
    rm -f "$t/.lbkit-complete"
  else
    local inc=--include=haproxy; [ "$line" = 3.4 ] && inc=
    debootstrap --variant=minbase $inc "$suite" "$t" "$m"
  fi
  # No service may start inside the chroot: it shares the host's network.
  printf '#!/bin/sh\nexit 101\n' > "$t/usr/sbin/policy-rc.d"; chmod 755 "$t/usr/sbin/policy-rc.d"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$t/etc/apt/apt.conf.d/90lbkit-minimal"
  if [ "$line" = 3.4 ]; then
    printf 'deb %s sid main\ndeb %s experimental main\n' "$m" "$m" > "$t/etc/apt/sources.list"
    cp -L /etc/resolv.conf "$t/etc/resolv.conf"
    in_root "$t" apt-get "${APT_OPTS[@]}" update
    DEBIAN_FRONTEND=noninteractive in_root "$t" apt-get "${APT_OPTS[@]}" -y -t experimental install haproxy
  fi
  # The official image's layout: haproxy in /usr/local/sbin, config folder /usr/local/etc/haproxy.
  mkdir -p "$t/usr/local/sbin" "$t/usr/local/bin" "$t/usr/local/etc/haproxy" "$t/var/lib/haproxy"
  ln -sf /usr/sbin/haproxy "$t/usr/local/sbin/haproxy"
  install -m 755 "$HERE/docker-entrypoint.sh" "$t/usr/local/bin/docker-entrypoint.sh"
  [ -d "$t/etc/haproxy/errors" ] && { rm -rf "$t/usr/local/etc/haproxy/errors"; cp -r "$t/etc/haproxy/errors" "$t/usr/local/etc/haproxy/errors"; }
  in_root "$t" chown haproxy:haproxy /var/lib/haproxy
  # The same trimming the official Debian images do; apt stays usable after an 'apt-get update'.
  rm -rf "$t"/var/cache/apt/archives/*.deb "$t"/var/cache/apt/*.bin "$t"/var/lib/apt/lists/* "$t"/var/log/*.log
  : > "$t/etc/resolv.conf"; : > "$t/etc/hostname"   # docker bind-mounts its own
  local v; v=$(chroot "$t" /usr/sbin/haproxy -v | sed -n 1p)
  case $v in "HAProxy version $line."*) ;; *) echo "build-haproxy-versions: $line: rootfs has '$v'" >&2; return 1 ;; esac
  echo "$v" > "$t/.lbkit-complete"
  rm -rf --one-file-system "$r"; mv "$t" "$r"
}

# Import the rootfs, then give it the official image's metadata (docker import --change cannot set
# STOPSIGNAL, so a FROM-the-import build adds it; it has no RUN step and needs no network).
build_image() {
  local line=$1 r img base w old
  r=$(rootfs_of "$line"); img=$(image_of "$line"); base=local/haproxy-rootfs:$line
  old=$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null || true)
  tar --numeric-owner -C "$r" --exclude=./.lbkit-complete \
      --exclude='./usr/share/doc/*' --exclude='./usr/share/man/*' --exclude='./usr/share/info/*' \
      -c . | docker import - "$base" >/dev/null
  w=$(mktemp -d /tmp/lbkit-hapimg.XXXXXX)
  cat > "$w/Dockerfile" <<DF
FROM $base
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL dev.lbkit.haproxy="$(cat "$r/.lbkit-complete")" dev.lbkit.rootfs="$r"
STOPSIGNAL SIGUSR1
ENTRYPOINT ["docker-entrypoint.sh"]
USER haproxy
WORKDIR /var/lib/haproxy
CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]
DF
  docker build -q -t "$img" "$w" >/dev/null
  rm -rf "$w"
  docker rmi "$base" >/dev/null   # only the tag: its layer stays as the image's parent
  # a rebuild (FORCE=1) leaves the previous image untagged: remove it unless a container still uses it
  if [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "$img")" ]; then docker rmi "$old" >/dev/null 2>&1 || true; fi
}

report() {
  local line=$1 how=$2 t0=$3 img size v
  img=$(image_of "$line")
  size=$(docker image inspect -f '{{.Size}}' "$img" | awk '{printf "%.1f MB", $1/1e6}')
  v=$(docker run --rm --network none "$img" haproxy -v | sed -n 1p)
  printf '%s: %s | %s | %s in %ss\n' "$img" "$v" "$size" "$how" "$(secs "$t0")"
}

# One job per line, with a lock per line so two concurrent runs never build the same line twice.
job() {
  local line=$1 t0 how log
  t0=$(now); log=$(rootfs_of "$line").log
  exec 9>"$(rootfs_of "$line").lock"; flock 9
  if image_ok "$line"; then how="cached image"
  else
    if rootfs_ok "$line"; then how="imported cached rootfs"
    else
      how="built from $(suite_of "$line")"; [ "$line" != 3.4 ] || how="$how+experimental"
      # in its own process: errexit would be ignored inside a function called from an || list
      build_rootfs "$line" >"$log" 2>&1 &
      wait $! || { echo "$(image_of "$line"): rootfs build FAILED; tail of $log:" >&2; tail -25 "$log" >&2; return 1; }
    fi
    build_image "$line"
  fi
  report "$line" "$how" "$t0"
}

docker version >/dev/null 2>&1 || "$HERE/docker-up.sh" >/dev/null
if ! command -v debootstrap >/dev/null 2>&1; then
  need=0; for l in "${LINES[@]}"; do image_ok "$l" || rootfs_ok "$l" || need=1; done
  [ $need = 0 ] || { apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null; }
fi

T0=$(now)
# 3.4 starts from the 3.2 rootfs when both are requested: chain them in one job. Others run in parallel.
has() { local x; for x in "${LINES[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }
pids=()
for l in "${LINES[@]}"; do
  if [ "$l" = 3.4 ] && has 3.2; then continue; fi
  if [ "$l" = 3.2 ] && has 3.4; then ( job 3.2; job 3.4 ) & else job "$l" & fi
  pids+=($!)
done
rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done
echo "total: $(secs "$T0")s"
exit $rc
