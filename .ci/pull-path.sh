#!/usr/bin/env bash
# The pull path, for real and offline: a parity test that starts from an EMPTY image store and gets
# haproxy:2.6 the way a learner's machine does, by pulling it from a registry.
#
#   1. Debian's docker-registry on 127.0.0.1:<free port>, holding the locally built local/haproxy:2.6
#      under the official name library/haproxy:2.6.
#   2. A second, throw-away dockerd: its own empty --data-root, its own socket, no bridge, no iptables,
#      the registry above as its Docker Hub mirror, registry names resolved to 127.0.0.1 and a dead
#      loopback proxy (as .ci/docker-up.sh does), so `pull haproxy:2.6` can only be served by 127.0.0.1.
#   3. RoundRobinParityTest's test of the episode's own config against that daemon
#      (-Dlbkit.haproxy=container): the harness finds no image, pulls haproxy:2.6, and the test runs
#      against it (the generated configs meet 2.6 in ./mvnw verify already; here the pull is the point).
# Then it checks the log for the empty store, the pull, the tests run (none skipped) and the image met,
# and stops the daemon and the registry by PID. Needs: the main dockerd up with local/haproxy:2.6
# (.ci/run does that first), the modules compiled (it runs Maven offline).
#
# --full: the learner's machine with Docker and a registry but no image and no haproxy binary, for
# the WHOLE `./mvnw test` (every module, every test; 10-20 minutes, so .ci/run does not run it).
# The registry holds every line lbkit models (local/haproxy:2.6, 3.0, 3.2, 3.4 as library/haproxy:<line>),
# and Maven runs in its own mount namespace where every haproxy binary (on PATH, /usr/sbin,
# /usr/local/sbin) is covered by /dev/null, so neither a PATH lookup nor a fixed path can reach one.
# With CI=true a missing HAProxy fails, so no test can pass by skipping: the run must show 0 skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
t0=$(date +%s)
say() { printf '[pull-path %3ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
fail() { say "FAILED: $*"; exit 1; }

LINE=${PULL_PATH_LINE:-2.6}
FULL=false
case "${1:-}" in
  --full) FULL=true ;;
  "") ;;
  *) echo "usage: $0 [--full]" >&2; exit 2 ;;
esac
if $FULL; then LINES="2.6 3.0 3.2 3.4"; else LINES=$LINE; fi
RUN=/run/lbkit-pull
SOCK=$RUN/docker.sock
DATA=/var/lib/lbkit-pull
W=$(mktemp -d /tmp/lbkit-pull.XXXXXX)
REGISTRY_PID=""; DOCKERD_PID=""; TAGGED=""; MVN_PID=""

stop_pid() {  # stop_pid PID NAME: TERM, wait up to 20 s, then KILL
  local pid=$1 name=$2 i=0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    i=$((i+1)); [ $i -le 100 ] || { say "$name (pid $pid) still alive after 20 s: KILL"; kill -KILL "$pid"; break; }
    sleep 0.2
  done
  say "stopped $name (pid $pid)"
}
cleanup() {
  set +e
  [ -n "$MVN_PID" ] && stop_pid "$MVN_PID" "Maven"
  if [ -n "$DOCKERD_PID" ]; then
    docker -H "unix://$SOCK" ps -aq | xargs -r docker -H "unix://$SOCK" rm -f >/dev/null 2>&1
    stop_pid "$DOCKERD_PID" "the second dockerd"
  fi
  [ -n "$REGISTRY_PID" ] && stop_pid "$REGISTRY_PID" "docker-registry"
  [ -n "$TAGGED" ] && docker rmi "$TAGGED" >/dev/null 2>&1   # only the tag added for the push
  umount "$DATA" 2>/dev/null
  rm -rf "$DATA" "$RUN" "$W"
}
trap cleanup EXIT

# --- what it needs -----------------------------------------------------------------------------
if ! command -v docker-registry >/dev/null 2>&1; then
  say "installing Debian's docker-registry"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-registry >/dev/null
fi
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || fail "the main dockerd does not answer (.ci/docker-up.sh)"
for l in $LINES; do
  docker image inspect "local/haproxy:$l" >/dev/null 2>&1 || fail "no local/haproxy:$l (.ci/build-haproxy-image.sh, .ci/build-haproxy-versions.sh)"
done
[ ! -e "$SOCK" ] || fail "$SOCK exists: another pull-path run? (remove it if not)"

# --- 1. the registry on 127.0.0.1 ---------------------------------------------------------------
PORT=""
for p in $(seq 5050 5099); do
  if [ -z "$(ss -ltnH "sport = :$p")" ]; then PORT=$p; break; fi
done
[ -n "$PORT" ] || fail "no free port in 5050-5099"
REG=127.0.0.1:$PORT
cat > "$W/registry.yml" <<YML
version: 0.1
log: { level: info, accesslog: { disabled: false } }
storage: { filesystem: { rootdirectory: $W/registry-data }, delete: { enabled: true } }
http: { addr: "$REG" }
YML
docker-registry serve "$W/registry.yml" >"$W/registry.log" 2>&1 </dev/null &
REGISTRY_PID=$!
for i in $(seq 100); do curl -fsS "http://$REG/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://$REG/v2/" >/dev/null || { tail "$W/registry.log"; fail "docker-registry does not answer on $REG"; }
say "docker-registry $(docker-registry --version 2>/dev/null | awk '{print $NF}') listening on $REG (pid $REGISTRY_PID): $(ss -ltnH "sport = :$PORT" | awk '{print $4}')"

# Push the locally built images under the official name (Docker Hub's library/ namespace).
for l in $LINES; do
  TAGGED=$REG/library/haproxy:$l
  docker tag "local/haproxy:$l" "$TAGGED"
  docker push "$TAGGED" >"$W/push.log" 2>&1 || { cat "$W/push.log"; fail "push to $REG"; }
  docker rmi "$TAGGED" >/dev/null; TAGGED=""
  say "pushed local/haproxy:$l as $REG/library/haproxy:$l"
done
say "registry catalog: $(curl -fsS "http://$REG/v2/_catalog"), tags: $(curl -fsS "http://$REG/v2/library/haproxy/tags/list")"

# --- 2. the second dockerd: empty store, registry mirror on 127.0.0.1, no bridge ----------------
rm -rf "$DATA" "$RUN"; mkdir -p "$DATA" "$RUN"
cat > "$W/daemon.json" <<JSON
{
  "hosts": ["unix://$SOCK"],
  "data-root": "$DATA",
  "exec-root": "$RUN/exec",
  "pidfile": "$RUN/docker.pid",
  "bridge": "none",
  "iptables": false,
  "ip6tables": false,
  "ip-forward": false,
  "ip-masq": false,
  "userland-proxy": false,
  "registry-mirrors": ["http://$REG"],
  "insecure-registries": ["$REG"],
  "log-driver": "json-file"
}
JSON
{ cat /etc/hosts; echo "127.0.0.1 docker.io registry-1.docker.io index.docker.io auth.docker.io production.cloudflare.docker.com ghcr.io quay.io gcr.io registry.k8s.io mcr.microsoft.com public.ecr.aws"; } > "$W/hosts"
# Registry names resolve to 127.0.0.1 in its own mount namespace and every proxied request goes to a
# dead port; only 127.0.0.1 (the mirror) is reached directly.
HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost \
  setsid unshare --mount --propagation private \
  sh -c "mount --bind '$W/hosts' /etc/hosts && exec dockerd --config-file '$W/daemon.json'" >"$W/dockerd.log" 2>&1 </dev/null &
DOCKERD_PID=$!
D() { docker -H "unix://$SOCK" "$@"; }
for i in $(seq 150); do D version >/dev/null 2>&1 && break; sleep 0.2; done
D version >/dev/null 2>&1 || { tail -20 "$W/dockerd.log"; fail "the second dockerd did not answer in 30 s"; }
[ "$(cat "$RUN/docker.pid")" = "$DOCKERD_PID" ] || fail "pidfile $(cat "$RUN/docker.pid") is not the dockerd started ($DOCKERD_PID)"
say "second dockerd $(D version --format '{{.Server.Version}}') pid $DOCKERD_PID on unix://$SOCK, data-root $DATA"
say "  registry mirrors: $(D info --format '{{.RegistryConfig.Mirrors}}')"
say "  docker.io resolves, for that dockerd, to: $(nsenter -t "$DOCKERD_PID" -m getent hosts registry-1.docker.io | awk '{print $1}')"
say "  networks: $(D network ls --format '{{.Name}}/{{.Driver}}' | tr '\n' ' ')"
D network ls --format '{{.Name}}' | grep -qx bridge && fail "the second dockerd has a bridge network"
say "  image store: $(D info --format '{{.Images}}') images"
D images
[ "$(D info --format '{{.Images}}')" = 0 ] || fail "the image store is not empty"

if $FULL; then
  # --- 3 (--full). every test of every module, no binary, no image: each HAProxy is pulled ---------
  # every haproxy on this PATH, on a normal user's PATH, and where the harness also looks (/usr/sbin, /usr/local/sbin)
  hidden=$( { { PATH=$PATH:/usr/local/sbin:/usr/local/bin type -ap haproxy; ls -d /usr/sbin/haproxy /usr/local/sbin/haproxy; } 2>/dev/null || true; } \
    | xargs -r readlink -f | sort -u | tr '\n' ' ')
  say "haproxy binaries on this machine, hidden from the tests: ${hidden:-none}"
  cat > "$W/hidden.sh" <<'SH'
set -e
for b in $HIDDEN; do mount --bind /dev/null "$b"; done
echo "[no-binary] command -v haproxy: $(command -v haproxy || echo 'not found')"
for b in $HIDDEN; do echo "[no-binary] $(ls -l "$b")"; done
( haproxy -v >/dev/null 2>&1 && echo "[no-binary] haproxy -v ANSWERS" ) || echo "[no-binary] haproxy -v: cannot run"
exec ./mvnw -B -o test -Dsurefire.rerunFailingTestsCount=$RERUNS
SH
  say "./mvnw -B -o test (every module) against that daemon, CI=true, binaries hidden; log: $W/mvn.log"
  set +e
  # A test that fails and then passes on a re-run counts as a flake (timing under load), reported below.
  RERUNS=${PULL_PATH_RERUNS:-2}
  HIDDEN="$hidden" RERUNS="$RERUNS" DOCKER_HOST=unix://$SOCK \
  TESTCONTAINERS_DOCKER_CLIENT_STRATEGY=org.testcontainers.dockerclient.EnvironmentAndSystemPropertyClientProviderStrategy \
  LBKIT_DOCKER_BRIDGELESS=true TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost CI=true \
    unshare --mount --propagation private sh "$W/hidden.sh" >"$W/mvn.log" 2>&1 </dev/null &
  MVN_PID=$!
  wait "$MVN_PID"; rc=$?; MVN_PID=""
  set -e
  [ -n "${PULL_PATH_KEEP_LOG:-}" ] && cp "$W/mvn.log" "$PULL_PATH_KEEP_LOG"
  grep -E '^\[no-binary\]' "$W/mvn.log" | sed 's/^/    /'
  say "the pulls (the harness's own lines):"
  grep -E '^\[lbkit\] (haproxy:[0-9.]+ is not in the local Docker|pulled |pull of )' "$W/mvn.log" | sort | uniq -c | sed 's/^/    /'
  say "the HAProxy the tests met (one line per test JVM and line):"
  grep -E '^\[lbkit\] HAProxy( [0-9.]+)?: ' "$W/mvn.log" | sed -E 's/ \(found in [0-9]+ ms\)//' | sort | uniq -c | sed 's/^/    /'
  say "per module:"
  SUMMARY='^\[(INFO|WARNING|ERROR)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+(, Flakes: [0-9]+)?$'
  grep -E "^\[INFO\] (Building lbkit|Reactor Summary)|$SUMMARY|BUILD (SUCCESS|FAILURE)|Total time" "$W/mvn.log" | sed 's/^/    /'
  totals=$(grep -E "$SUMMARY" "$W/mvn.log" \
    | sed -E 's/.*Tests run: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+), Skipped: ([0-9]+)(, Flakes: ([0-9]+))?/\1 \2 \3 \4 \6/' \
    | awk '{r+=$1; f+=$2; e+=$3; s+=$4; k+=$5; m++} END {printf "%d %d %d %d %d %d", r, f, e, s, k, m}')
  read -r run failures errors skipped flakes modules <<<"$totals"
  say "totals over $modules modules: tests run $run, failures $failures, errors $errors, skipped $skipped, flakes $flakes (failed, then passed on a re-run; up to $RERUNS re-runs)"
  if [ "$flakes" != 0 ]; then
    say "the flakes:"
    grep -A4 '^\[WARNING\] Flakes:' "$W/mvn.log" | cut -c1-220 | sed 's/^/    /' | head -40
  fi
  say "the registry served (its access log, manifests and blobs by name):"
  grep -oE '"(GET|HEAD) /v2/library/haproxy/manifests/[^ ]* HTTP/1.1" [0-9]+' "$W/registry.log" | sort | uniq -c | sed 's/^/    /'
  say "the second dockerd's image store now:"
  D images --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' | sed 's/^/    /'
  [ $rc = 0 ] || { grep -E 'FAIL|ERROR\]' "$W/mvn.log" | head -60; fail "./mvnw test failed (exit $rc)"; }
  grep -q '^\[no-binary\] command -v haproxy: not found' "$W/mvn.log" || fail "a haproxy binary was reachable"
  grep -q '^\[no-binary\] haproxy -v: cannot run' "$W/mvn.log" || fail "haproxy -v answered inside the run"
  grep -qE '^\[lbkit\] HAProxy: binary ' "$W/mvn.log" && fail "a test met a haproxy binary"
  grep -q 'using the locally built' "$W/mvn.log" && fail "a test fell back to a locally built image"
  for l in $LINES; do
    grep -q "^\[lbkit\] pulled haproxy:$l in " "$W/mvn.log" || fail "haproxy:$l was not pulled"
  done
  [ "$skipped" = 0 ] && [ "$failures" = 0 ] && [ "$errors" = 0 ] && [ "$run" -gt 0 ] || fail "not every test ran and passed"
  say "OK: empty store, no binary -> pulled haproxy:${LINES// /, haproxy:} from $REG -> ./mvnw test: $run tests run, 0 failures, 0 errors, 0 skipped ($flakes flakes)"
  exit 0
fi

# --- 3. the parity test, pulling through the mirror ---------------------------------------------
# useIncrementalCompilation=false: compile only sources newer than their classes (after .ci/run's
# verify, none), not every module again because a module it depends on is part of the build.
say "RoundRobinParityTest (the episode's config) against that daemon, -Dlbkit.haproxy=container (no image there: the harness pulls haproxy:$LINE)"
set +e
DOCKER_HOST=unix://$SOCK \
TESTCONTAINERS_DOCKER_CLIENT_STRATEGY=org.testcontainers.dockerclient.EnvironmentAndSystemPropertyClientProviderStrategy \
LBKIT_DOCKER_BRIDGELESS=true CI=true \
  ./mvnw -B -o -pl episodes/01-roundrobin -am test -Dtest='RoundRobinParityTest#episodeConfig*' \
    -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true -Dmaven.compiler.useIncrementalCompilation=false \
    -Dlbkit.haproxy=container -Dlbkit.haproxy.version="$LINE" >"$W/mvn.log" 2>&1
rc=$?
set -e
# The pull, the HAProxy met, each test's summary line (the per-config lines are left out), the verdict.
grep -E '^\[lbkit\]|Tests run:.*RoundRobinParityTest|Tests run: [0-9]+, Fail.*$|BUILD|ERROR' "$W/mvn.log" \
  | grep -vE 'ERROR\] *$| #[0-9]+ weights ' | sed 's/^/    /' | head -40
[ $rc = 0 ] || { tail -60 "$W/mvn.log"; fail "the parity test run failed (exit $rc)"; }

say "the registry served (its access log, GETs):"
grep -oE '"(GET|HEAD) /v2/[^ ]* HTTP/1.1" [0-9]+' "$W/registry.log" | sort | uniq -c | sed 's/^/    /'
say "  to clients at: $(grep -E '"(GET|HEAD) /v2/' "$W/registry.log" | awk '{print $1}' | sort -u | tr '\n' ' ')"
say "the second dockerd's image store now:"
D images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}} {{.Size}}' | sed 's/^/    /'

# --- the checks -------------------------------------------------------------------------------
grep -q "^\[lbkit\] haproxy:$LINE is not in the local Docker: pulling it" "$W/mvn.log" || fail "no pull was started"
grep -q "^\[lbkit\] pulled haproxy:$LINE in " "$W/mvn.log" || fail "the pull did not succeed"
grep -q "^\[lbkit\] HAProxy: container haproxy:$LINE — HAProxy version $LINE\." "$W/mvn.log" || fail "the tests did not meet haproxy:$LINE"
summary=$(grep -E "Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+.*in dev.lbkit.episodes.roundrobin.RoundRobinParityTest" "$W/mvn.log" | tail -1)
[[ "$summary" =~ Tests\ run:\ ([0-9]+),\ Failures:\ 0,\ Errors:\ 0,\ Skipped:\ 0 ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] \
  || fail "RoundRobinParityTest ran no test, or one failed or was skipped: $summary"
grep -qE "(HEAD|GET) /v2/library/haproxy/manifests/$LINE HTTP/1.1\" 200" "$W/registry.log" || fail "the registry on $REG served no manifest of haproxy:$LINE"
D network ls --format '{{.Name}}' | grep -qx bridge && fail "a bridge network appeared"
say "OK: empty store -> pulled haproxy:$LINE from $REG -> RoundRobinParityTest ${BASH_REMATCH[1]} tests run, none skipped; networks: $(D network ls --format '{{.Name}}' | tr '\n' ' ')"
