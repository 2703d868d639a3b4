#!/usr/bin/env bash
# Smoke test of the "Run it with Docker" path, for all six episodes: each episode's docker-compose
# stack (episodes/compose.base.yml + the episode's override) with the real HAProxy and lbkit side by
# side, reading the same haproxy.cfg, asked the same requests.
#   1. package the apps' jar and lbkit.jar (reused when packaged after their last change)
#   2. build local/jre:17 (jlink), local/haproxy:2.6 if missing, then the app and lbkit images (compose),
#      from those local bases: JRE_IMAGE and HAPROXY_IMAGE replace the official eclipse-temurin and haproxy images
#   3. per episode: docker-compose up (app1..app3, then HAProxy on :8080 and lbkit on :8081 once the apps listen),
#      the same requests to each balancer, the app that answered each one compared, docker-compose down
#   4. check that no docker network was created; print one line per episode and the time taken
# What is compared, per episode: the sequence of apps that answered, request by request (01, 02, 03,
# 04, 06; for 03 one request per client address, for 04 one per path), and for 05 the distribution's
# shape: the episode's file sets no 'nbthread 1', so HAProxy draws from one generator per thread and
# the thread that accepts each connection decides (the parity tests compare the order with nbthread 1). A sequence must use at least two apps,
# so that two equal sequences say something. Negative control, last: episode 06's stack with lbkit
# reading episode 01's file (roundrobin, where HAProxy reads weights 2/1/3) must be rejected by the
# same comparison.
# usage: .ci/compose-smoke.sh [episode folder ...]     (default: all six, e.g. .ci/compose-smoke.sh 06-weighted;
#        SKIP_NEGATIVE_CONTROL=true leaves out the control)
# Needs a running bridge-less dockerd (.ci/docker-up.sh), docker-compose and curl. Exit status != 0 on any failure.
set -euo pipefail
shopt -s inherit_errexit   # a failed request inside $(...) fails the run
cd "$(dirname "$0")/.."
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH   # Debian's docker 20.10 client first

ALL_EPISODES=(01-roundrobin 02-leastconn 03-source-hash 04-uri-hash 05-random 06-weighted)
if [ $# -gt 0 ]; then EPISODES=("$@"); else EPISODES=("${ALL_EPISODES[@]}"); fi
# No registry here: the images start from locally built bases instead of the official ones.
export JRE_IMAGE=${JRE_IMAGE:-local/jre:17}
export HAPROXY_IMAGE=${HAPROXY_IMAGE:-local/haproxy:2.6}
EPISODE=${EPISODES[0]}
EXTRA_COMPOSE=()   # the negative control's override file
PROJECT=lbkit-smoke   # the compose project: its containers carry it as a label
compose() { docker-compose --ansi never -p "$PROJECT" -f "episodes/$EPISODE/docker-compose.yml" "${EXTRA_COMPOSE[@]}" "$@"; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
t_start=$(now_ms)
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%d' $(( ms / 1000 )) $(( ms % 1000 / 100 )); }
say() { printf '[compose-smoke %5ss] %s\n' "$(since "$t_start")" "$*"; }
fail() { echo "compose-smoke: FAILED ($EPISODE): $*" >&2; exit 1; }

for episode in "${EPISODES[@]}"; do
  [ -f "episodes/$episode/docker-compose.yml" ] || fail "no episodes/$episode/docker-compose.yml; episodes: ${ALL_EPISODES[*]}"
done
for tool in docker docker-compose curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is missing; install it (apt-get install docker.io docker-compose curl)."
done
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || fail "dockerd does not answer; start it with .ci/docker-up.sh."

# Fixed ports are the point of this test (they are the episodes'), so check they are free first
# (and before each episode: another program may take one meanwhile, and would then answer for a balancer).
ports_free() {
  local port
  for port in 5001 5002 5003 8080 8081; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      fail "127.0.0.1:$port is already in use; stop what listens there (ss -ltnp 'sport = :$port'), e.g. a stack from 'docker-compose up' in an episode folder (run 'docker-compose down' there)."
    fi
  done
}
ports_free

networks_before=$(docker network ls --format '{{.Name}}' | sort)

# --- 1. jars ------------------------------------------------------------------------------------
# Reused when packaged by this script after the last change to their sources or poms (a stamp file:
# the jar plugin keeps an unchanged jar's old date, so the jar itself cannot serve as the stamp).
STAMP=target/compose-smoke.packaged
jars_fresh() {
  [ -d backends/target/lib ] && ls backends/target/backends-*.jar >/dev/null 2>&1 && [ -f episodes/all/target/lbkit.jar ] || return 1
  local module
  for module in backends episodes/all; do
    [ -f "$module/$STAMP" ] || return 1
  done
  # lbkit.jar holds every module: any main source or pom newer than the stamp means a new package.
  [ -z "$(find . -path '*/target' -prune -o \( -path '*/src/main/*' -o -name pom.xml -o -name haproxy.cfg \) \
      -type f -newer episodes/all/$STAMP -print -quit)" ]
}
if jars_fresh; then
  say "jars: reusing the apps' jar and lbkit.jar (packaged after their last change)"
else
  say "jars: ./mvnw -q -B -DskipTests -pl backends,episodes/all -am package"
  ./mvnw -q -B -DskipTests -pl backends,episodes/all -am package
  touch backends/$STAMP episodes/all/$STAMP
fi

# --- 2. images ----------------------------------------------------------------------------------
say "images: $(.ci/build-jre-image.sh "$JRE_IMAGE" | tail -1)"
if ! docker image inspect "$HAPROXY_IMAGE" >/dev/null 2>&1; then
  [ "$HAPROXY_IMAGE" = local/haproxy:2.6 ] || fail "image $HAPROXY_IMAGE is missing (it is never pulled here)."
  say "images: $(.ci/build-haproxy-image.sh "$HAPROXY_IMAGE")"
fi
say "images: docker-compose build (local/lbkit-app, local/lbkit from lbkit.jar; base $JRE_IMAGE, HAProxy $HAPROXY_IMAGE)"
compose build -q

# --- 3. one stack per episode (always down on exit) -----------------------------------------------
stack_up=false
down() {
  "$stack_up" || return 0
  compose down --remove-orphans -t 5 >/dev/null 2>&1 || { echo "compose-smoke: docker-compose down failed ($EPISODE)" >&2; return 1; }
  stack_up=false
}
results=()
finish() {
  local status=$?
  set +e
  if [ $status -ne 0 ] && "$stack_up"; then
    echo "--- docker-compose logs of $EPISODE (last 30 lines per service) ---" >&2
    compose logs --no-color --tail=30 >&2
  fi
  down || status=1
  echo "docker network ls after the run:"
  docker network ls
  networks_after=$(docker network ls --format '{{.Name}}' | sort)
  if [ "$networks_after" != "$networks_before" ]; then
    echo "compose-smoke: FAILED: the run changed the docker networks (a service without network_mode: host?)" >&2
    echo "  before: $(echo $networks_before)   after: $(echo $networks_after)" >&2
    status=1
  fi
  if [ ${#results[@]} -gt 0 ]; then
    echo "compose-smoke results (HAProxy $HAPROXY_IMAGE on :8080, lbkit on :8081, same haproxy.cfg):"
    printf '  %s\n' "${results[@]}"
  fi
  if [ $status -eq 0 ]; then
    say "PASSED: ${#results[@]} stack run(s), the negative control included when it ran, in $(since "$t_start") s"
  else
    say "FAILED after $(since "$t_start") s"
  fi
  exit $status
}
trap finish EXIT

# The id of $1's container in this stack. docker-compose v1 takes about a second to answer
# 'compose ps -q' (four calls a stack); docker reads the labels compose put on the container at once.
container_of() {
  docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1"
}

# Waits until 127.0.0.1:$1 accepts a connection (at most $2 s); fails at once if $3's container stopped.
# A bare connection carries no request, so neither balancer picks a server for it: the first request
# below is each balancer's first pick.
wait_listening() {
  local port=$1 deadline container
  deadline=$(( $(date +%s) + $2 ))
  container=$(container_of "$3")
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ] \
      || fail "$3 stopped before 127.0.0.1:$port listened (see its log below)."
    [ "$(date +%s)" -lt "$deadline" ] || fail "$3: 127.0.0.1:$port did not listen within $2 s."
    sleep 0.1
  done
}

# Prints the number of the app that answered (its X-Served-By header, 404s included). Arguments: curl's.
# One process a request: curl itself reads the header out (-w '%header{...}', curl 7.84 and later).
served_by() {
  local answer
  answer=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %header{x-served-by}' "$@") \
    || fail "request failed: curl $*"
  [[ "$answer" =~ ^[0-9]+\ app([0-9]+)$ ]] || fail "no X-Served-By: appN in the answer to curl $*: status and header '$answer'"
  echo "${BASH_REMATCH[1]}"
}

# The episode's requests to port $1; prints the answering apps in order, e.g. "1 2 3 1 2 3".
URI_PATHS=(/ /data /api/users /api/orders /checkout /cart /img/logo.png /css/site.css /js/app.js /about /contact
  /login /logout /search /products/1 /products/2 /products/3 /blog /blog/post-1 /help /faq /terms /privacy /status)
traffic() {
  local port=$1 i path order=()
  case "$EPISODE" in
    01-roundrobin) for ((i = 0; i < 30; i++)); do order+=("$(served_by "http://127.0.0.1:$port/")"); done ;;
    # The apps of episode 02 sleep 5 s per request; ?delay_ms=0 asks them not to, so that sequential
    # requests find every server idle and leastconn's order among equals is what is compared.
    02-leastconn) for ((i = 0; i < 30; i++)); do order+=("$(served_by "http://127.0.0.1:$port/?delay_ms=0")"); done ;;
    # One request from each of 24 client addresses (all of 127.0.0.0/8 is local on Linux).
    03-source-hash) for ((i = 2; i < 26; i++)); do order+=("$(served_by --interface "127.0.0.$i" "http://127.0.0.1:$port/")"); done ;;
    04-uri-hash) for path in "${URI_PATHS[@]}"; do order+=("$(served_by "http://127.0.0.1:$port$path")"); done ;;
    05-random|06-weighted) for ((i = 0; i < 60; i++)); do order+=("$(served_by "http://127.0.0.1:$port/")"); done ;;
    *) fail "no traffic defined for episode $EPISODE" ;;
  esac
  echo "${order[*]}"
}

counts() { tr ' ' '\n' <<<"$1" | sort | uniq -c | awk '{printf "%sapp%s=%s", sep, $2, $1; sep=" "}'; }
distinct() { tr ' ' '\n' <<<"$1" | sort -u | wc -l; }

# Brings up $EPISODE's stack, sends the requests to both balancers, brings it down. Sets
# haproxy_order, lbkit_order, requests and mismatch (empty when lbkit answered as HAProxy did).
run_stack() {
  ports_free
  stack_up=true
  compose up -d --no-build 2>&1 | sed 's/^/    /'
  wait_listening 8080 60 haproxy
  wait_listening 8081 60 lbkit
  haproxy_order=$(traffic 8080)
  lbkit_order=$(traffic 8081)
  requests=$(wc -w <<<"$haproxy_order")
  for service in haproxy lbkit; do   # the one that answered on its port, not a program that took the port
    [ "$(docker inspect -f '{{.State.Running}}' "$(container_of "$service")" 2>/dev/null)" = true ] \
      || fail "$service's container stopped during the run (see its log below): its port was answered by another program."
  done
  down
  say "$EPISODE: HAProxy: ${haproxy_order// /}  ($(counts "$haproxy_order"))"
  say "$EPISODE: lbkit:   ${lbkit_order// /}  ($(counts "$lbkit_order"))"
  [ "$(distinct "$haproxy_order")" -ge 2 ] || fail "HAProxy answered every request from one app: the comparison would prove nothing."
  mismatch=""
  if [ "$EPISODE" = 05-random ]; then
    # One generator per HAProxy thread, and the thread taking each connection decides: compare the
    # shape. Each of the three apps answers, none takes more than 2/3 of the requests (at 1/3 each,
    # 40 of 60 is far outside chance).
    local order max
    for order in "$haproxy_order" "$lbkit_order"; do
      [ "$(distinct "$order")" -eq 3 ] || mismatch="random: not every app answered ($(counts "$order"))."
      max=$(tr ' ' '\n' <<<"$order" | sort | uniq -c | sort -rn | awk 'NR == 1 {print $1}')
      [ "$max" -le $(( requests * 2 / 3 )) ] || mismatch="random: one app took $max of $requests requests ($(counts "$order"))."
    done
    verdict="same shape: every app answers on both, none above 2/3 (several HAProxy threads: the order is not compared)"
  else
    [ "$haproxy_order" = "$lbkit_order" ] || mismatch="lbkit's apps differ from HAProxy's: HAProxy ${haproxy_order// /}, lbkit ${lbkit_order// /}."
    verdict="same app for all $requests requests"
  fi
}

for EPISODE in "${EPISODES[@]}"; do
  t_episode=$(now_ms)
  say "$EPISODE: up: app1..app3, then haproxy (:8080) and lbkit (:8081) once the apps listen"
  run_stack
  [ -z "$mismatch" ] || fail "$mismatch"
  case "$EPISODE" in
    01-roundrobin) [ "$(counts "$haproxy_order")" = "app1=10 app2=10 app3=10" ] || fail "roundrobin over 30 requests is not 10/10/10." ;;
    06-weighted) [ "$(counts "$haproxy_order")" = "app1=20 app2=10 app3=30" ] || fail "weights 2/1/3 over 60 requests are not 20/10/30." ;;
  esac
  results+=("$EPISODE: $requests requests each, $verdict; HAProxy $(counts "$haproxy_order"), lbkit $(counts "$lbkit_order"); $(since "$t_episode") s")
  say "$EPISODE: PASSED ($verdict) in $(since "$t_episode") s"
done

# --- 4. negative control: the same comparison must reject a wrong lbkit ----------------------------
if [ "${SKIP_NEGATIVE_CONTROL:-}" != true ]; then
  t_episode=$(now_ms)
  EPISODE=06-weighted
  control=$(mktemp /tmp/lbkit-smoke-control.XXXXXX.yml)
  trap 'rm -f "$control"; finish' EXIT
  cat >"$control" <<CONTROL
services:
  lbkit:
    volumes:
      - $PWD/episodes/01-roundrobin/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro
CONTROL
  EXTRA_COMPOSE=(-f "$control")
  say "negative control: episode 06's stack, lbkit reading episode 01's haproxy.cfg (roundrobin, no weights)"
  run_stack
  [ -n "$mismatch" ] || fail "negative control: the comparison accepted lbkit balancing by the wrong file."
  results+=("negative control (06-weighted, lbkit with 01's file): rejected as it must be: $mismatch $(since "$t_episode") s")
  say "negative control: rejected as it must be ($(since "$t_episode") s)"
  EXTRA_COMPOSE=()
fi
