#!/bin/sh
# Build a local HAProxy image that behaves like the official haproxy:2.6 one, from Debian's haproxy
# binary and the shared libraries it links: FROM scratch, so no registry and no network are needed.
# How and why: docs/docker.md.   usage: build-haproxy-image.sh [tag]
set -eu
TAG=${1:-local/haproxy:2.6}
HERE=$(cd "$(dirname "$0")" && pwd)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
command -v haproxy >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends haproxy >/dev/null
W=$(mktemp -d /tmp/lbkit-hapimg.XXXXXX); R=$W/rootfs
mkdir -p $R/usr/local/sbin $R/usr/local/bin $R/usr/local/etc/haproxy $R/var/lib/haproxy $R/etc $R/bin $R/tmp $R/run $R/dev $R/proc $R/sys
chmod 1777 $R/tmp
cp "$(command -v haproxy)" $R/usr/local/sbin/haproxy
cp /bin/dash $R/bin/sh
cp "$HERE/docker-entrypoint.sh" $R/usr/local/bin/docker-entrypoint.sh
chmod 755 $R/usr/local/bin/docker-entrypoint.sh
[ -d /etc/haproxy/errors ] && cp -r /etc/haproxy/errors $R/usr/local/etc/haproxy/errors
for lib in $( { ldd "$(command -v haproxy)"; ldd /bin/dash; } | grep -o '/[^ ]*' | sort -u ); do
  mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nhaproxy:x:99:99:haproxy:/var/lib/haproxy:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > $R/etc/passwd
printf 'root:x:0:\ndaemon:x:1:\nhaproxy:x:99:\nnogroup:x:65534:\n' > $R/etc/group
chown 99:99 $R/var/lib/haproxy
cat > $W/Dockerfile <<'DF'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
STOPSIGNAL SIGUSR1
ENTRYPOINT ["docker-entrypoint.sh"]
USER haproxy
WORKDIR /var/lib/haproxy
CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]
DF
docker build -q -t "$TAG" $W >/dev/null
rm -rf $W
echo "$TAG: $(docker run --rm --network none "$TAG" haproxy -v | head -1)"
