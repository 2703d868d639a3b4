#!/bin/sh
# Install (if missing) and start a bridge-less, iptables-free dockerd, then wait until it answers.
# Idempotent. Registry names resolve to 127.0.0.1 inside dockerd's own mount namespace and a dead
# loopback proxy is set, so an accidental pull fails in a fraction of a second and never leaves the host.
# How and why: docs/docker.md.
set -eu
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
LOG=${DOCKERD_LOG:-/var/log/dockerd.log}

# daemon.json first: a package postinst that starts dockerd must already see "no bridge".
mkdir -p /etc/docker
cat > /etc/docker/daemon.json <<'JSON'
{
  "bridge": "none",
  "iptables": false,
  "ip6tables": false,
  "ip-forward": false,
  "ip-masq": false,
  "userland-proxy": false,
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "2" }
}
JSON

if ! command -v dockerd >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io >/dev/null
fi

ready() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if ! ready; then
  export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=
  { cat /etc/hosts; echo "127.0.0.1 docker.io registry-1.docker.io index.docker.io auth.docker.io production.cloudflare.docker.com ghcr.io quay.io gcr.io registry.k8s.io mcr.microsoft.com public.ecr.aws"; } > /etc/docker/hosts.no-registry
  setsid unshare --mount --propagation private \
    sh -c 'mount --bind /etc/docker/hosts.no-registry /etc/hosts && exec dockerd' >>"$LOG" 2>&1 </dev/null &
  i=0
  until ready; do
    i=$((i+1)); [ $i -le 150 ] || { echo "dockerd not ready after 30 s; tail of $LOG:" >&2; tail -20 "$LOG" >&2; exit 1; }
    sleep 0.2
  done
  echo "started" > /run/lbkit-dockerd-started-by-ci
fi
echo "dockerd $(docker version --format '{{.Server.Version}}') ready, pid $(cat /var/run/docker.pid)"
