#!/bin/sh
# generate.sh: compute with Heat in-process everything the oracle produces,
# into $OUT (never builds anything, never runs cargo).  About 2-3 minutes on
# 2 cores.
#
# usage: generate.sh [calibrate] [held] [held_ut] [cases] [mutants]
#                                                        (default: all)
#   calibrate  regenerate the visible corpus' expected files and function
#              cases and compare them with the corpus, field by field:
#              $OUT/cal/, $OUT/cal_report.txt, $OUT/calroot/ (templates +
#              regenerated expected, a root the runner can read),
#              $OUT/calibration_cases.txt
#   held       the held-out template set: $OUT/src/embedded/ (templates
#              extracted from Heat's functional tests and docs),
#              $OUT/src/aws/ (git archive of the AWS templates),
#              $OUT/held/{templates,expected,ids.txt,excluded_identical.txt}
#   held_ut    the held-out set of the sources heat-unittests and
#              heat-repo-files: $OUT/src/unittests/ (templates extracted
#              from Heat's unit tests, checked against the visible ones),
#              $OUT/src/unittests_skipped.txt (literals left out),
#              $OUT/held_ut/{templates,expected,ids.txt,excluded_identical.txt}
#   cases      the held-out function cases: $OUT/cases_held_input.json
#              (inputs), $OUT/cases_held.json (with Heat's results)
#   mutants    mutation testing: $OUT/mutants/ (mutate.py: 150 templates
#              sampled from the visible corpus and $HELD_SRC, each with a
#              round-trip control and 10 single-mistake mutants) and
#              $OUT/probes/ (probe.py: 363 systematic probes), each
#              {templates,expected,ids.txt,manifest.jsonl}; needs the
#              held step's output (or HELD_SRC)
#
# Environment (defaults = the paths the oracle was first run with):
#   OUT=/tmp/heatgen                  output directory
#   HEAT_SRC=/tmp/heatsrc             openstack/heat checkout
#   HEAT_VENV=/tmp/heatvenv           venv with that Heat and cfn-flip 1.3.0
#   HEAT_TEMPLATES_SRC=/tmp/htsweep   openstack/heat-templates checkout
#   AWS_TEMPLATES_SRC=/work/.mirror/awslabs+aws-cloudformation-templates/repo
#   AWS_TEMPLATES_REV=<pinned commit> revision archived from it (pins.env)
#   CONFORMANCE_DIR=/work/shared/conformance   the visible corpus
#   EMBEDDED_SRC   if set, an existing extraction used instead of running
#                  extract_embedded.py into $OUT/src/embedded
#   UNITTESTS_SRC  if set, an existing extraction used instead of running
#                  extract_unittests.py into $OUT/src/unittests
#   HELD_SRC=$OUT/held                the held-out set mutate.py samples
#                                     from besides the visible corpus
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/pins.env"
OUT=${OUT:-/tmp/heatgen}
export HEAT_SRC=${HEAT_SRC:-/tmp/heatsrc}
HEAT_VENV=${HEAT_VENV:-/tmp/heatvenv}
HEAT_TEMPLATES_SRC=${HEAT_TEMPLATES_SRC:-/tmp/htsweep}
AWS_TEMPLATES_SRC=${AWS_TEMPLATES_SRC:-/work/.mirror/awslabs+aws-cloudformation-templates/repo}
AWS_TEMPLATES_REV=${AWS_TEMPLATES_REV:-$AWS_TEMPLATES_COMMIT}
CONFORMANCE_DIR=${CONFORMANCE_DIR:-/work/shared/conformance}
PY=$HEAT_VENV/bin/python
STEPS=${*:-calibrate held held_ut cases mutants}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
HELD_SRC=${HELD_SRC:-$OUT/held}

check_commit() {   # warn when a source is not at the pinned commit
    head=$(git -C "$2" rev-parse HEAD 2>/dev/null || echo none)
    [ "$head" = "$3" ] || echo "WARNING: $1 $2 is at $head, not the pinned $3" >&2
}
check_commit HEAT_SRC "$HEAT_SRC" "$HEAT_COMMIT"

for step in $STEPS; do case $step in
calibrate)
    echo "== calibration on the visible corpus ($CONFORMANCE_DIR)"
    "$PY" -c '
import glob, json, os, sys
os.chdir(sys.argv[1])
for f in sorted(glob.glob("**/*.json", recursive=True)):
    print(json.load(open(f))["id"])' "$CONFORMANCE_DIR/expected" > "$OUT/visible_ids.txt"
    rm -rf "$OUT/cal"
    "$PY" "$HERE/gen.py" --root "$CONFORMANCE_DIR/templates" --out "$OUT/cal" \
        --list "$OUT/visible_ids.txt"
    "$PY" "$HERE/calibrate.py" "$CONFORMANCE_DIR/expected" "$OUT/cal" -v \
        > "$OUT/cal_report.txt"
    grep '^templates agreeing' "$OUT/cal_report.txt"
    mkdir -p "$OUT/calroot"
    ln -sfn "$CONFORMANCE_DIR/templates" "$OUT/calroot/templates"
    ln -sfn "$OUT/cal" "$OUT/calroot/expected"
    "$PY" "$HERE/cases_gen.py" calibrate "$CONFORMANCE_DIR/functions/cases.json" \
        > "$OUT/calibration_cases.txt"
    echo "function cases: $(tail -1 "$OUT/calibration_cases.txt")"
    ;;
held)
    echo "== held-out templates"
    check_commit HEAT_TEMPLATES_SRC "$HEAT_TEMPLATES_SRC" "$HEAT_TEMPLATES_COMMIT"
    if [ -n "${EMBEDDED_SRC:-}" ]; then
        embedded=$EMBEDDED_SRC
    else
        embedded=$OUT/src/embedded
        "$PY" "$HERE/extract_embedded.py" --heat-src "$HEAT_SRC" --out "$embedded"
    fi
    rm -rf "$OUT/src/aws"
    "$PY" "$HERE/build_held.py" --out "$OUT/held" --conformance "$CONFORMANCE_DIR" \
        --heat-templates "$HEAT_TEMPLATES_SRC" --embedded "$embedded" \
        --aws "$AWS_TEMPLATES_SRC" --aws-rev "$AWS_TEMPLATES_REV" \
        --aws-archive "$OUT/src/aws"
    ;;
held_ut)
    echo "== held-out templates: heat-unittests, heat-repo-files"
    if [ -n "${UNITTESTS_SRC:-}" ]; then
        unittests=$UNITTESTS_SRC
    else
        unittests=$OUT/src/unittests
        "$PY" "$HERE/extract_unittests.py" --heat-src "$HEAT_SRC" \
            --out "$unittests" --skipped "$OUT/src/unittests_skipped.txt" \
            --check "$CONFORMANCE_DIR/templates/heat-unittests" ||
            echo "WARNING: the visible heat-unittests files are not all" \
                "reproduced (see above)" >&2
    fi
    "$PY" "$HERE/build_held_ut.py" --out "$OUT/held_ut" \
        --conformance "$CONFORMANCE_DIR" --unittests "$unittests" \
        --heat-src "$HEAT_SRC"
    ;;
cases)
    echo "== held-out function cases"
    "$PY" "$HERE/build_held_cases.py" \
        --visible "$CONFORMANCE_DIR/functions/cases.json" \
        --out "$OUT/cases_held_input.json"
    "$PY" "$HERE/cases_gen.py" compute "$OUT/cases_held_input.json" \
        "$OUT/cases_held.json"
    ;;
mutants)
    echo "== mutation testing: mutants, probes"
    "$PY" "$HERE/mutate.py" --out "$OUT/mutants" \
        --conformance "$CONFORMANCE_DIR" --held "$HELD_SRC"
    "$PY" "$HERE/probe.py" --out "$OUT/probes"
    ;;
*)
    echo "unknown step $step (calibrate, held, held_ut, cases, mutants)" >&2
    exit 2
    ;;
esac; done
echo "done: $OUT (heat-rs's agreement: $HERE/run.sh)"
