#!/usr/bin/env bash
# The load measurement end to end: a 100,000-notice site is generated and
# imported once (kept under $WORK between runs), a 2,000-notice site is
# generated for the re-import, then `noticekb bench load` serves a copy of
# the data folder and loads it with wrk on loopback, alone and during an
# admin re-import. The measurement holds the shared benchmark lock.
#
#   internal/bench/load.sh                       # WORK=/tmp/noticekb-load
#   NOTICES=10000 DURATION=30s internal/bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${WORK:-/tmp/noticekb-load}
NOTICES=${NOTICES:-100000}
DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-32}
SITE_DIR=${SITE_DIR:-../shared/bench/site}
mkdir -p "$WORK"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

go build -o "$WORK/noticekb" ./cmd/noticekb
site="$WORK/site$NOTICES" flat="$WORK/flat$NOTICES" data="$WORK/data$NOTICES"
if [ ! -f "$site/truth.jsonl" ]; then
	python3 "$SITE_DIR/gen_site.py" --out "$site" --notices "$NOTICES" --seed 42
fi
if [ ! -f "$data/store.db" ]; then
	[ -f "$flat/index.jsonl" ] || python3 "$SITE_DIR/flat_notices.py" --site "$site" --out "$flat"
	"$WORK/noticekb" import --data "$data" --base-url http://127.0.0.1:9/flat/ "$flat"
fi
if [ ! -f "$WORK/site2k/truth.jsonl" ]; then
	python3 "$SITE_DIR/gen_site.py" --out "$WORK/site2k" --notices 2000 --seed 7
fi
echo "machine: $(nproc) cores; $(uptime)"
flock /tmp/noticekb-bench.lock "$WORK/noticekb" bench load --data "$data" --duration "$DURATION" \
	--connections "$CONNECTIONS" --reimport-site "$WORK/site2k" --keep "$WORK/run"
echo "after: $(uptime)"
