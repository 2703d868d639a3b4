#!/bin/sh
# Same argument handling as the official haproxy image: "-f ..." or "haproxy ..." runs
# haproxy in master-worker mode in the foreground (-W -db), anything else runs as given.
set -e
if [ "${1#-}" != "$1" ]; then
	set -- haproxy "$@"
fi
if [ "$1" = 'haproxy' ]; then
	shift
	set -- haproxy -W -db "$@"
fi
exec "$@"
