#!/usr/bin/env bash
# Long fuzz run of noticekb's hostile-input targets: the extractor, the
# date finder, the URL normaliser, the query parser and the search itself
# (plus the acronym finder). Each runs for $FUZZTIME (default 5m) on one
# worker, so the run shares a small machine politely. New failing inputs
# land in the package's testdata/fuzz/<Target>/, where `go test` replays
# them from then on: fix the finding, then commit the input.
#
#   internal/bench/fuzz.sh              # every target, 5 minutes each
#   FUZZTIME=30s ONLY=FuzzNormalize internal/bench/fuzz.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
FUZZTIME=${FUZZTIME:-5m}
targets=(
	"./internal/extract FuzzExtract"
	"./internal/pubdate FuzzFind"
	"./internal/urlnorm FuzzNormalize"
	"./index FuzzParseQuery"
	"./index FuzzSearch"
	"./internal/partner FuzzDefinitions"
)
failed=0
for t in "${targets[@]}"; do
	set -- $t
	pkg=$1 name=$2
	if [ -n "${ONLY:-}" ] && [ "$ONLY" != "$name" ]; then continue; fi
	start=$(date +%s)
	# Minimisation stalls the exec counter; keep it short.
	out=$(go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 10s -parallel 1 2>&1)
	status=$?
	execs=$(printf '%s\n' "$out" | grep -o 'execs: [0-9]*' | tail -1 | cut -d' ' -f2)
	corpus=$(printf '%s\n' "$out" | grep -o 'total: [0-9]*' | tail -1 | cut -d' ' -f2)
	if [ $status -eq 0 ]; then
		verdict=PASS
	else
		verdict=FAIL
		failed=1
		printf '%s\n' "$out" | grep -v '^fuzz: elapsed' | tail -20
	fi
	printf 'fuzz %-16s %-22s %s  %ss  execs=%s corpus=%s\n' "$name" "$pkg" "$verdict" "$(( $(date +%s) - start ))" "${execs:-?}" "${corpus:-?}"
done
exit $failed
