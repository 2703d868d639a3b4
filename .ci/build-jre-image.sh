#!/bin/sh
# Build a small Java 17 runtime image, local/jre:17, with no registry and no network: jlink a runtime
# from the host JDK (openjdk-17-jdk-headless ships the jmods), then copy it, the shared libraries it
# links and dash (as /bin/sh) into a FROM-scratch image with an unprivileged user 'app' (uid 1000).
# The backends' and lbkit's Dockerfiles start FROM it with --build-arg BASE=local/jre:17 (their default base is
# the official eclipse-temurin:17-jre, which needs a registry).
#   usage: build-jre-image.sh [tag] [modules]
#   JDK_HOME=/path/to/jdk-17   the JDK to jlink from (default: Debian's OpenJDK 17)
#   FORCE=1                    rebuild even when the image was built from the same JDK and modules
# Modules: java.se covers what Javalin/Jetty and Kotlin's stdlib touch (jdeps lists
# java.desktop, java.management, java.naming, java.sql, ... all inside java.se); jdk.unsupported for
# sun.misc.Unsafe (okio, Jetty), jdk.crypto.ec for TLS, jdk.management for the JVM's own MXBeans.
set -eu
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
TAG=${1:-local/jre:17}
MODULES=${2:-java.se,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.zipfs}
JDK=${JDK_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
[ -x "$JDK/bin/jlink" ] && [ -d "$JDK/jmods" ] || {
  echo "build-jre-image: no jlink/jmods under $JDK. Install 'openjdk-17-jdk-headless' or set JDK_HOME to a JDK 17." >&2
  exit 1
}
# Same JDK build and same modules as the existing image: nothing to do (keeps warm runs fast).
KEY="$MODULES $("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
if [ "${FORCE:-0}" != 1 ] && [ "$(docker image inspect -f '{{index .Config.Labels "dev.lbkit.jre"}}' "$TAG" 2>/dev/null)" = "$KEY" ]; then
  echo "$TAG: up to date ($KEY)"; exit 0
fi
W=$(mktemp -d /tmp/lbkit-jreimg.XXXXXX); R=$W/rootfs
trap 'rm -rf "$W"' EXIT
mkdir -p $R/opt $R/bin $R/etc $R/tmp $R/app $R/proc $R/sys $R/dev
chmod 1777 $R/tmp
# --generate-cds-archive: a class-data-sharing archive inside the runtime cuts every JVM start by ~0.3 s.
"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" \
  --strip-debug --no-man-pages --no-header-files --compress=2 --generate-cds-archive --output $R/opt/java
cp /bin/dash $R/bin/sh
for lib in $( { find $R/opt/java -type f \( -name '*.so' -o -perm -u+x \) -exec ldd {} \; 2>/dev/null; ldd /bin/dash; } \
              | grep -o '/[^ ]*' | grep -v "^$R" | sort -u ); do
  mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"
done
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n' > $R/etc/passwd
printf 'root:x:0:\napp:x:1000:\n' > $R/etc/group
cat > $W/Dockerfile <<DF
FROM scratch
LABEL dev.lbkit.jre="$KEY"
COPY rootfs/ /
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8
WORKDIR /app
USER app
CMD ["java", "-version"]
DF
docker build -q -t "$TAG" $W >/dev/null
docker image inspect -f '{{.Size}}' "$TAG" | awk -v t="$TAG" -v m="$MODULES" '{printf "%s: %.1f MB (%s)\n", t, $1/1e6, m}'
