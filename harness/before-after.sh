#!/usr/bin/env bash
# lbkit before and after a change, in alternating rounds on the same config: requests/s, p99, CPU
# time per request (user + system), young collections per 10,000 requests, context switches per
# request (voluntary + involuntary) and peak RSS of the balancer under wrk (docs/benchmarks.md).
#
#   harness/before-after.sh <git revision> [rounds]     e.g. harness/before-after.sh 991af9e 3
#
# "before" is the revision, built in a temporary clone and run with the JVM options its ./lbkit -f
# used (BEFORE_OPTS replaces them); "after" is this working tree's build with this ./lbkit -f's
# options (AFTER_OPTS replaces them).
# Backends: three HAProxy processes' worth of `http-request return` in one HAProxy, 16-byte
# answers (BODY=1024 for answers of that many bytes); wrk -t2 (THREADS) -c64 (CONNECTIONS), 8 s warm-up and 10 s measured per round; CLOSE=1 makes
# wrk ask for a new connection per request (Connection: close). RESET_PEAK=1 resets the peak RSS
# once lbkit listens, as ./lbkit bench does, so it is the peak under load alone. BEFORE_JAVA and
# AFTER_JAVA pick each side's java (default: the one on PATH), e.g. to compare two JDKs on one build
# (harness/before-after.sh HEAD with AFTER_JAVA=/usr/lib/jvm/<jdk>/bin/java). WARM=1 starts each
# side once and warms it for WARMUP seconds (20) before the rounds, which then alternate on the two
# running JVMs, DURATION seconds (10) each: the steady state, where a change of a few per cent shows
# (fresh JVMs per round still compile during it). Needs haproxy and wrk.
# Everything listens on 127.0.0.1; every process started here is stopped by its PID.
set -euo pipefail

rev="${1:?usage: harness/before-after.sh <git revision> [rounds]}"
rounds="${2:-3}"
connections="${CONNECTIONS:-64}"
before_java="${BEFORE_JAVA:-$(command -v java)}"
after_java="${AFTER_JAVA:-$(command -v java)}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
for tool in haproxy wrk git; do
    command -v "$tool" >/dev/null || { echo "before-after: $tool is missing (apt-get install -y $tool)" >&2; exit 1; }
done

work="$(mktemp -d /tmp/lbkit-before-after.XXXXXX)"
echo "before-after: building $rev in $work/before ..." >&2
git clone -q "$root" "$work/before"
git -C "$work/before" checkout -q "$rev"
(cd "$work/before" && ./mvnw -B -q -o package -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true) >&2
(cd "$root" && ./mvnw -B -q -o package -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true) >&2
# What ./lbkit -f serves with: the balancer and the episodes only (serve-classpath.txt), or, for a
# revision older than that file, the whole kit's classpath as ./lbkit then ran it.
classpath() {
    if [[ -f "$1/episodes/all/target/serve-classpath.txt" ]]; then
        echo "$(sed "s|$2|$1|g" "$1/episodes/all/target/serve-classpath.txt"):$(sed "s|$2|$1|g" "$1/balancer/target/classpath.txt")"
    else
        echo "$1/episodes/all/target/classes:$(sed "s|$2|$1|g" "$1/episodes/all/target/classpath.txt")"
    fi
}
# The JVM options the lbkit script in $1 serves with: SERVE_JAVA_OPTS, or DEFAULT_JAVA_OPTS before
# serving had its own, or what ./lbkit ran before it set any.
serving_options() {
    # shellcheck disable=SC2016 # expanded by the inner shell, after the assignments
    bash -c "$(grep -E '^(DEFAULT|SERVE)_JAVA_OPTS=' "$1/lbkit")"'
        echo "${SERVE_JAVA_OPTS:-${DEFAULT_JAVA_OPTS:--XX:+UseSerialGC -Xmx128m}}"'
}
before_opts="${BEFORE_OPTS:-$(serving_options "$work/before")}"
after_opts="${AFTER_OPTS:-$(serving_options "$root")}"
echo "before-after: before runs with: $before_opts" >&2
echo "before-after: after runs with: $after_opts" >&2
before_cp="$(classpath "$work/before" "$root")"
after_cp="$(classpath "$root" "$root")"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
p1=$(free_port); p2=$(free_port); p3=$(free_port); front=$(free_port)
defaults=$'defaults\n    mode http\n    timeout client 30s\n    timeout connect 5s\n    timeout server 30s\n'
{
    printf 'global\n    maxconn 4000\n'
    if [[ -n "${BODY:-}" ]]; then
        # An answer from a file, in a buffer with room for it and its head, as ./lbkit bench does.
        head -c "$BODY" /dev/zero | tr '\0' x > "$work/body"
        printf '    tune.bufsize %s\n' "$(( BODY + 8192 > 16384 ? BODY + 8192 : 16384 ))"
    fi
    printf '%s' "$defaults"
    for p in $p1 $p2 $p3; do
        if [[ -n "${BODY:-}" ]]; then
            answer="file $work/body"
        else
            answer="string \"hello from $p\\n\""
        fi
        printf 'frontend app%s\n    bind 127.0.0.1:%s\n    http-request return status 200 content-type text/plain %s\n' "$p" "$p" "$answer"
    done
} > "$work/backends.cfg"
{
    printf 'global\n    maxconn 4000\n%s' "$defaults"
    printf 'frontend fe\n    bind 127.0.0.1:%s\n    default_backend app\nbackend app\n    balance roundrobin\n' "$front"
    printf '    server app1 127.0.0.1:%s\n    server app2 127.0.0.1:%s\n    server app3 127.0.0.1:%s\n' "$p1" "$p2" "$p3"
} > "$work/lbkit.cfg"

haproxy -db -f "$work/backends.cfg" > "$work/backends.log" 2>&1 &
backends=$!
trap 'kill "$backends" 2>/dev/null || true' EXIT
ticks_per_s=$(getconf CLK_TCK)
# Young collections of a JVM ($1, run by java $2) so far, from its performance counters, read with
# that JDK's jstat ("?" without one).
young_gcs() {
    local jstat
    jstat="$(dirname "$(readlink -f "$2")")/jstat"
    if [[ -x "$jstat" ]]; then
        "$jstat" -gc "$1" | awk 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "YGC") c = i} NR == 2 {print $c}'
    else
        echo "?"
    fi
}
wrk_args=(-t"${THREADS:-2}" -c"$connections")
if [[ "${CLOSE:-0}" == 1 ]]; then
    wrk_args+=(-H "Connection: close")
fi

# Counts context switches of every thread of process $1 so far: voluntary (the thread waited, e.g.
# in epoll_wait) and involuntary (the scheduler took the core away from a thread that could run).
context_switches() {
    { cat /proc/"$1"/task/*/status 2>/dev/null || true; } \
        | awk '/^voluntary_ctxt_switches/ {v += $2} /^nonvoluntary_ctxt_switches/ {i += $2} END {print v + 0, i + 0}'
}

# One measured wrk run against the lbkit process $2 (run by java $3) listening on port $4: a row of
# the table, labelled $1, and its CPU µs per request added to the file $5.
measure() {
    local label="$1" pid="$2" java="$3" port="$4" u0 s0 u1 s1 g0 g1 v0 i0 v1 i1 out n cpu user system
    read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    g0=$(young_gcs "$pid" "$java")
    read -r v0 i0 < <(context_switches "$pid")
    out=$(wrk "${wrk_args[@]}" -d"${DURATION:-10}"s --latency "http://127.0.0.1:$port/")
    read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    g1=$(young_gcs "$pid" "$java")
    read -r v1 i1 < <(context_switches "$pid")
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    if grep -q "Non-2xx\|Socket errors" <<< "$out"; then
        echo "before-after: $label: wrk saw errors or answers other than 2xx:" >&2
        echo "$out" >&2
    fi
    # CPU µs per request: in all, user, system
    read -r cpu user system < <(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v n="$n" -v hz="$ticks_per_s" \
        'BEGIN {print (u + s) / hz * 1e6 / n, u / hz * 1e6 / n, s / hz * 1e6 / n}')
    LC_ALL=C printf '%.2f\n' "$cpu" >> "$5"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" \
        "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
        "$(echo "$out" | awk '/ 99%/ {print $2}')" \
        "$(LC_ALL=C printf '%.1f (%.1f + %.1f)' "$cpu" "$user" "$system")" \
        "$(awk -v a="$g0" -v b="$g1" -v n="$n" 'BEGIN {if (a == "?") print "?"; else printf "%.1f", (b - a) * 10000 / n}')" \
        "$(awk -v v="$((v1 - v0))" -v i="$((i1 - i0))" -v n="$n" 'BEGIN {printf "%.3f (%.3f + %.3f)", (v + i) / n, v / n, i / n}')" \
        "$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")"
}

# Starts lbkit ($1: classpath, $2: options, $3: java) on config $4, listening on port $5, its output
# in the file $7; its PID in the variable named $6 once it listens (peak RSS reset with RESET_PEAK=1).
start() {
    local started
    # shellcheck disable=SC2086 # the options are words
    "$3" $2 -cp "$1" dev.lbkit.balancer.Main -f "$4" > "$7" 2>&1 &
    started=$!
    for _ in $(seq 1 120); do (echo > "/dev/tcp/127.0.0.1/$5") 2>/dev/null && break; sleep 0.5; done
    if [[ "${RESET_PEAK:-0}" == 1 ]]; then
        echo 5 > "/proc/$started/clear_refs" # as ./lbkit bench does: the peak under load, not at start
    fi
    printf -v "$6" '%s' "$started"
}

# A fresh JVM per round: started, warmed 8 s, measured, stopped.
one() {
    local label="$1" cp="$2" opts="$3" java="$4" file="$5" pid
    start "$cp" "$opts" "$java" "$work/lbkit.cfg" "$front" pid "$work/$label.log"
    wrk "${wrk_args[@]}" -d8s "http://127.0.0.1:$front/" > /dev/null
    measure "$label" "$pid" "$java" "$front" "$file"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

# ", on <JDK directory>" when variable $1 chose the java ($2), for the table's labels.
jdk_named() {
    if [[ -n "${!1:-}" ]]; then
        printf ', on %s' "$(basename "$(dirname "$(dirname "$(readlink -f "$2")")")")"
    fi
}

before_label="before ($rev$(jdk_named BEFORE_JAVA "$before_java"))"
after_label="after$(jdk_named AFTER_JAVA "$after_java")"
echo "| build | requests/s | p99 | CPU µs per request (user + system) | young collections per 10,000 requests | context switches per request (voluntary + involuntary) | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
if [[ "${WARM:-0}" == 1 ]]; then
    # Both builds started once and warmed for WARMUP seconds (20), then measured in turn, the order
    # swapped every round: no JIT warm-up inside the rounds, so smaller differences show.
    other=$(free_port)
    sed "s/127.0.0.1:$front\$/127.0.0.1:$other/" "$work/lbkit.cfg" > "$work/lbkit-after.cfg"
    start "$before_cp" "$before_opts" "$before_java" "$work/lbkit.cfg" "$front" before_pid "$work/$before_label.log"
    start "$after_cp" "$after_opts" "$after_java" "$work/lbkit-after.cfg" "$other" after_pid "$work/$after_label.log"
    trap 'kill "$backends" "$before_pid" "$after_pid" 2>/dev/null || true' EXIT
    wrk "${wrk_args[@]}" -d"${WARMUP:-20}"s "http://127.0.0.1:$front/" > /dev/null
    wrk "${wrk_args[@]}" -d"${WARMUP:-20}"s "http://127.0.0.1:$other/" > /dev/null
    for round in $(seq 1 "$rounds"); do
        if (( round % 2 == 1 )); then
            measure "$before_label" "$before_pid" "$before_java" "$front" "$work/before.cpu"
            measure "$after_label" "$after_pid" "$after_java" "$other" "$work/after.cpu"
        else
            measure "$after_label" "$after_pid" "$after_java" "$other" "$work/after.cpu"
            measure "$before_label" "$before_pid" "$before_java" "$front" "$work/before.cpu"
        fi
    done
else
    for _ in $(seq 1 "$rounds"); do
        one "$before_label" "$before_cp" "$before_opts" "$before_java" "$work/before.cpu"
        one "$after_label" "$after_cp" "$after_opts" "$after_java" "$work/after.cpu"
    done
fi
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo
echo "CPU µs per request, medians: before $(median "$work/before.cpu"), after $(median "$work/after.cpu");" \
    "after lower in $(paste "$work/before.cpu" "$work/after.cpu" | awk '$2 < $1 {n++} END {print n + 0}') of $rounds rounds"
echo "before-after: configs and logs in $work" >&2
