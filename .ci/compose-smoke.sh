#!/usr/bin/env bash
# Smoke test of the "Run it with Docker" path: one episode's docker-compose stack with the real
# HAProxy and lbkit side by side, reading the same haproxy.cfg.
#   1. package the backends and lbkit (episodes/all) jars (reused when packaged after their last change)
#   2. build local/jre:17 (jlink), local/haproxy:2.6 if missing, then the app and lbkit images (compose)
#   3. docker-compose up: app1..app3, then (once they listen) HAProxy (:8080) and lbkit (--port-offset 1, :8081)
#   4. send the same number of requests to each balancer, print and assert both distributions
#   5. always bring the stack down; check that no docker network was created; print the time taken
# usage: .ci/compose-smoke.sh          (episode 06-weighted: weights 2/1/3, 60 requests -> 20/10/30)
# Needs a running bridge-less dockerd (.ci/docker-up.sh), docker-compose and curl. Exit status != 0 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH   # Debian's docker 20.10 client first

EPISODE=06-weighted
REQUESTS=60
EXPECTED="app1=20 app2=10 app3=30"                 # weights 2/1/3 over 60 requests
COMPOSE=(docker-compose --ansi never -p lbkit-smoke -f "episodes/$EPISODE/docker-compose.yml")
HAPROXY_IMAGE=${HAPROXY_IMAGE:-local/haproxy:2.6}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
t_start=$(now_ms)
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%d' $(( ms / 1000 )) $(( ms % 1000 / 100 )); }
say() { printf '[compose-smoke %5ss] %s\n' "$(since "$t_start")" "$*"; }
fail() { echo "compose-smoke: FAILED: $*" >&2; exit 1; }

for tool in docker docker-compose curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is missing; install it (apt-get install docker.io docker-compose curl)."
done
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || fail "dockerd does not answer; start it with .ci/docker-up.sh."

# Fixed ports are the point of this test (they are the episode's), so check they are free first.
for port in 5001 5002 5003 8080 8081; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "127.0.0.1:$port is already in use; stop what listens there (ss -ltnp 'sport = :$port'), e.g. a stack from 'docker-compose up' in an episode folder (run 'docker-compose down' there)."
  fi
done

networks_before=$(docker network ls --format '{{.Name}}' | sort)

# --- 1. jars ------------------------------------------------------------------------------------
# Reused when packaged by this script after the last change to their sources or poms (a stamp file:
# the jar plugin keeps an unchanged jar's old date, so the jar itself cannot serve as the stamp).
STAMP=target/compose-smoke.packaged
jars_fresh() {
  local module
  for module in backends episodes/all; do
    [ -f "$module/$STAMP" ] && ls "$module"/target/*.jar >/dev/null 2>&1 && [ -d "$module/target/lib" ] || return 1
    [ -z "$(find "$module/src/main" "$module/pom.xml" pom.xml -newer "$module/$STAMP" -type f -print -quit)" ] || return 1
  done
}
if jars_fresh; then
  say "jars: reusing the backends and lbkit jars (packaged after their last change)"
else
  say "jars: ./mvnw -q -B -DskipTests -pl backends,episodes/all -am package"
  ./mvnw -q -B -DskipTests -pl backends,episodes/all -am package
  touch backends/$STAMP episodes/all/$STAMP
fi

# --- 2. images ----------------------------------------------------------------------------------
say "images: $(.ci/build-jre-image.sh | tail -1)"
if ! docker image inspect "$HAPROXY_IMAGE" >/dev/null 2>&1; then
  [ "$HAPROXY_IMAGE" = local/haproxy:2.6 ] || fail "image $HAPROXY_IMAGE is missing (it is never pulled here)."
  say "images: $(.ci/build-haproxy-image.sh "$HAPROXY_IMAGE")"
fi
say "images: docker-compose build (local/lbkit-app, local/lbkit)"
"${COMPOSE[@]}" build -q

# --- 3. stack up (always down on exit) ------------------------------------------------------------
down() {
  local status=$?
  set +e
  if [ $status -ne 0 ]; then
    echo "--- docker-compose logs (last 30 lines per service) ---" >&2
    "${COMPOSE[@]}" logs --no-color --tail=30 >&2
  fi
  say "down: docker-compose down"
  "${COMPOSE[@]}" down --remove-orphans -t 5 >/dev/null 2>&1 || { echo "compose-smoke: docker-compose down failed" >&2; status=1; }
  echo "docker network ls after the run:"
  docker network ls
  networks_after=$(docker network ls --format '{{.Name}}' | sort)
  if [ "$networks_after" != "$networks_before" ]; then
    echo "compose-smoke: FAILED: the run changed the docker networks (a service without network_mode: host?)" >&2
    echo "  before: $(echo $networks_before)   after: $(echo $networks_after)" >&2
    status=1
  fi
  if [ $status -eq 0 ]; then
    say "PASSED in $(since "$t_start") s"
  else
    say "FAILED after $(since "$t_start") s"
  fi
  exit $status
}
trap down EXIT

# Waits until service $1 answers 200 on $2 (at most $3 seconds); fails at once if its container stopped.
wait_for() {
  local service=$1 url=$2 deadline container
  deadline=$(( $(date +%s) + $3 ))
  container=$("${COMPOSE[@]}" ps -q "$service")
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ] \
      || fail "$service stopped before $url answered (see its log below)."
    [ "$(date +%s)" -lt "$deadline" ] || fail "$service: $url did not answer within $3 s."
    sleep 0.1
  done
}

# One "up", as in the README: compose starts HAProxy and lbkit once every app is healthy (listening).
say "up: app1..app3, then haproxy (:8080) and lbkit (:8081, --port-offset 1) once the apps listen"
"${COMPOSE[@]}" up -d --no-build 2>&1 | sed 's/^/    /'
for n in 1 2 3; do wait_for "app$n" "http://127.0.0.1:500$n/" 30; done
wait_for haproxy http://127.0.0.1:8080/ 60
wait_for lbkit http://127.0.0.1:8081/ 60
say "ready; lbkit says: $("${COMPOSE[@]}" logs --no-color lbkit | grep -o 'lbkit: --port-offset.*' | head -1)"

# --- 4. traffic -----------------------------------------------------------------------------------
# Sends $REQUESTS requests to port $1 (a new connection each); prints "app1=N app2=N app3=N|132313...",
# the distribution and the order in which the apps answered.
traffic() {
  local port=$1 i body app counts=() order=""
  for ((i = 0; i < REQUESTS; i++)); do
    body=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/") || fail "request $((i + 1)) to :$port failed."
    app=${body#Hello from Flask App }; app=${app%!}
    [[ "$app" =~ ^[0-9]+$ ]] || fail "unexpected answer from :$port: '$body'"
    counts[app]=$(( ${counts[app]:-0} + 1 ))
    order+="$app"
  done
  echo "app1=${counts[1]:-0} app2=${counts[2]:-0} app3=${counts[3]:-0}|$order"
}
haproxy_run=$(traffic 8080)
lbkit_run=$(traffic 8081)
haproxy_counts=${haproxy_run%|*} lbkit_counts=${lbkit_run%|*}
say "HAProxy 127.0.0.1:8080, $REQUESTS requests: $haproxy_counts   order ${haproxy_run#*|}"
say "lbkit   127.0.0.1:8081, $REQUESTS requests: $lbkit_counts   order ${lbkit_run#*|}"
say "expected (weights 2/1/3):          $EXPECTED"
# The order is shown for the curious; the parity tests (./mvnw test) are where order is asserted.
if [ "${haproxy_run#*|}" = "${lbkit_run#*|}" ]; then
  say "same app for every request on both balancers"
else
  say "note: same distribution, different order (each balancer saw one readiness request first)"
fi
[ "$haproxy_counts" = "$EXPECTED" ] || fail "HAProxy's distribution $haproxy_counts is not $EXPECTED."
[ "$lbkit_counts" = "$EXPECTED" ] || fail "lbkit's distribution $lbkit_counts is not $EXPECTED (HAProxy's: $haproxy_counts)."
