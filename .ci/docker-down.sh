#!/bin/sh
# Stop the dockerd that docker-up.sh started (only that one: it leaves a marker when it starts one).
set -u
[ -f /run/lbkit-dockerd-started-by-ci ] || { echo "dockerd was not started by .ci/docker-up.sh; leaving it running"; exit 0; }
rm -f /run/lbkit-dockerd-started-by-ci
[ -f /var/run/docker.pid ] || exit 0
PID=$(cat /var/run/docker.pid)
kill -0 "$PID" 2>/dev/null || exit 0
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null; do
  i=$((i+1)); [ $i -le 150 ] || { echo "dockerd still alive after 30 s, sending KILL" >&2; kill -KILL "$PID"; break; }
  sleep 0.2
done
echo "dockerd stopped"
