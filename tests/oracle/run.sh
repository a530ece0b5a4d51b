#!/bin/sh
# run.sh: heat-rs's agreement with Heat, with an already built conformance
# runner (this script never builds it and never runs cargo).
#
# usage: run.sh [-v]
#   -v   also list every disagreement (id, and for cases the snippet and
#        Heat's answer, then the runner's why); for the mutants and probes
#        analyze.py's grouping instead (per class, the operators and their
#        numbers of disagreements), the full analysis (every disagreement
#        with its mutation, Heat's verdict, heat-rs's error, the why) being
#        written to $OUT/analysis_<set>.txt
#
# Prints one `N passed, M failed` line per set:
#   visible templates       $CONFORMANCE_DIR (the corpus' own expected files)
#   visible templates, oracle-regenerated expected   $OUT/calroot (only if
#                           generate.sh calibrate ran; should equal the line
#                           above, since the oracle reproduces the corpus)
#   visible cases           $CONFORMANCE_DIR/functions/cases.json
#   held-out templates      $OUT/held            (generate.sh held)
#   held-out templates (unit tests, repo files)   $OUT/held_ut
#                                                (generate.sh held_ut)
#   held-out cases          $OUT/cases_held.json (generate.sh cases)
#   mutants                 $OUT/mutants         (generate.sh mutants)
#   probes                  $OUT/probes          (generate.sh mutants)
# The runner's full output goes to $OUT/runner_<set>.jsonl.
#
# Environment: RUNNER=/work/main/target/debug/conformance, OUT=/tmp/heatgen,
# CONFORMANCE_DIR=/work/shared/conformance.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
RUNNER=${RUNNER:-/work/main/target/debug/conformance}
OUT=${OUT:-/tmp/heatgen}
CONFORMANCE_DIR=${CONFORMANCE_DIR:-/work/shared/conformance}
VERBOSE=
[ "${1:-}" = -v ] && VERBOSE=1
if [ ! -x "$RUNNER" ]; then
    echo "no runner at $RUNNER (build it with cargo first, or set RUNNER)" >&2
    exit 2
fi

# one TAG NAME KIND INPUT [CASES.json | SET_DIR]: run the runner on INPUT,
# print its summary line; with -v the disagreements (fails.py, given the
# cases file) or, given a mutate.py/probe.py set, analyze.py's grouping
one() {
    tag=$1 name=$2 kind=$3 input=$4 extra=${5:-}
    if [ ! -e "$input" ]; then
        printf '%-48s missing (%s; run generate.sh)\n' "$name" "$input"
        return 0
    fi
    res=$OUT/runner_$tag.jsonl
    "$RUNNER" "$kind" "$input" > "$res" || true
    printf '%-48s %s\n' "$name" "$(tail -1 "$res")"
    if [ -z "$VERBOSE" ]; then
        :
    elif [ -n "$extra" ] && [ -d "$extra" ]; then
        python3 "$HERE/analyze.py" "$extra" "$res" > "$OUT/analysis_$tag.txt"
        python3 "$HERE/analyze.py" --summary "$extra" "$res" | sed 's/^/    /'
        echo "    (every disagreement: $OUT/analysis_$tag.txt)"
    else
        python3 "$HERE/fails.py" "$res" $extra | sed 's/^/    /'
    fi
}

mkdir -p "$OUT"
echo "runner: $RUNNER ($(date -r "$RUNNER" '+%Y-%m-%d %H:%M'))"
one visible "visible templates" templates "$CONFORMANCE_DIR"
if [ -d "$OUT/calroot/expected" ]; then
    one calroot "visible templates (oracle-regenerated expected)" templates \
        "$OUT/calroot"
fi
one visible_cases "visible cases" cases "$CONFORMANCE_DIR/functions/cases.json" \
    "$CONFORMANCE_DIR/functions/cases.json"
# (held/expected is checked so that a half-built set reads as missing)
one held "held-out templates" templates "$OUT/held/expected"
one held_ut "held-out templates (unit tests, repo files)" templates \
    "$OUT/held_ut/expected"
one held_cases "held-out cases" cases "$OUT/cases_held.json" \
    "$OUT/cases_held.json"
one mutants "mutants (one mistake each, and controls)" templates \
    "$OUT/mutants/expected" "$OUT/mutants"
one probes "probes (systematic)" templates "$OUT/probes/expected" \
    "$OUT/probes"
