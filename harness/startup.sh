#!/usr/bin/env bash
# How fast lbkit starts, without and with the class archive ./lbkit -f maps (docs/benchmarks.md,
# "Class archive"): the time from starting the JVM to the first answer through it, the CPU time
# spent by then, and the RSS right after. Alternating starts, same config, same JVM options.
#
#   harness/startup.sh [starts]      e.g. harness/startup.sh 5
#
# Backend: one HAProxy with `http-request return`. Everything listens on 127.0.0.1; every process
# started here is stopped by its PID. Needs haproxy and curl.
set -euo pipefail

starts="${1:-5}"
root="$(cd "$(dirname "$0")/.." && pwd)"
for tool in haproxy curl; do
    command -v "$tool" >/dev/null || { echo "startup: $tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done
opts="-XX:+UseSerialGC -Xms16m -Xmx64m -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=1000"
export MALLOC_ARENA_MAX=2
work="$(mktemp -d /tmp/lbkit-startup.XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
app=$(free_port); front=$(free_port)
defaults=$'defaults\n    mode http\n    timeout client 30s\n    timeout connect 5s\n    timeout server 30s\n'
printf '%sfrontend app\n    bind 127.0.0.1:%s\n    http-request return status 200 content-type text/plain string "hello\\n"\n' \
    "$defaults" "$app" > "$work/backend.cfg"
printf '%sfrontend fe\n    bind 127.0.0.1:%s\n    default_backend app\nbackend app\n    server app1 127.0.0.1:%s\n' \
    "$defaults" "$front" "$app" > "$work/lbkit.cfg"

# The build and the archive, as ./lbkit -f would have them.
"$root/lbkit" -c -f "$work/lbkit.cfg" > /dev/null
archive="$(ls -t "$root"/episodes/all/target/serve-*.jsa | head -1)"
classpath="$(cat "$root/episodes/all/target/serve-classpath.txt"):$(cat "$root/balancer/target/classpath.txt")"

haproxy -db -f "$work/backend.cfg" > "$work/backend.log" 2>&1 &
backend=$!
trap 'kill "$backend" 2>/dev/null || true' EXIT
hz=$(getconf CLK_TCK)

one() {
    local label="$1" extra="$2" t0 t1 pid
    t0=$(date +%s%N)
    # shellcheck disable=SC2086 # the options are words
    java $opts $extra -cp "$classpath" dev.lbkit.balancer.Main -f "$work/lbkit.cfg" > "$work/$label.log" 2>&1 &
    pid=$!
    until curl -s -o /dev/null "http://127.0.0.1:$front/"; do
        kill -0 "$pid" 2>/dev/null || { echo "startup: lbkit ended, see $work/$label.log" >&2; exit 1; }
        sleep 0.02
    done
    t1=$(date +%s%N)
    if [[ -n "$extra" ]] && ! grep -q "$archive" "/proc/$pid/maps"; then
        echo "startup: the JVM did not map $archive" >&2; kill "$pid"; exit 1
    fi
    printf '| %s | %d | %d | %d |\n' "$label" $(( (t1 - t0) / 1000000 )) \
        "$(awk -v hz="$hz" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$pid/stat")" \
        "$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "| start | ms to the first answer | CPU ms by then | RSS MB then |"
echo "|---|---|---|---|"
for _ in $(seq 1 "$starts"); do
    one "without the archive" ""
    one "with the archive" "-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
done
rm -rf "$work"
