#!/bin/sh
# setup.sh: prepare everything the oracle needs, on a fresh Debian machine
# (needs git, python3 with venv and pip: `apt-get install git python3-venv`;
# tested with Python 3.11).  Idempotent: what is already there at the pinned
# commit is checked and kept, never re-fetched or modified.
#
#   1. HEAT_SRC            openstack/heat checkout at $HEAT_COMMIT
#   2. HEAT_TEMPLATES_SRC  openstack/heat-templates checkout at its commit
#   3. AWS_TEMPLATES_SRC   awslabs/aws-cloudformation-templates at its commit
#                          (a checkout or a bare git repository)
#   4. HEAT_VENV           python3 -m venv; pip install -c constraints.txt
#                          -e $HEAT_SRC cfn-flip==1.3.0
#   5. checks: Heat and cfn_flip import, versions
#
# usage: setup.sh [--dry-run]
#   --dry-run  print what would be fetched/created instead of doing it (the
#              checks of what already exists still run)
#
# Environment (defaults = the paths the oracle was first run with):
#   HEAT_SRC=/tmp/heatsrc  HEAT_VENV=/tmp/heatvenv  HEAT_TEMPLATES_SRC=/tmp/htsweep
#   AWS_TEMPLATES_SRC=/work/.mirror/awslabs+aws-cloudformation-templates/repo
#   PYTHON=python3 (the interpreter the venv is made from)
# The commits and URLs are in pins.env.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/pins.env"
HEAT_SRC=${HEAT_SRC:-/tmp/heatsrc}
HEAT_VENV=${HEAT_VENV:-/tmp/heatvenv}
HEAT_TEMPLATES_SRC=${HEAT_TEMPLATES_SRC:-/tmp/htsweep}
AWS_TEMPLATES_SRC=${AWS_TEMPLATES_SRC:-/work/.mirror/awslabs+aws-cloudformation-templates/repo}
PYTHON=${PYTHON:-python3}
DRY=
[ "${1:-}" = --dry-run ] && DRY=1

run() {   # run a command, or only show it with --dry-run
    if [ -n "$DRY" ]; then echo "  would run: $*"; else echo "  + $*"; "$@"; fi
}

# fetch_at NAME URL DIR COMMIT: DIR is a git repository whose HEAD is COMMIT
fetch_at() {
    name=$1 url=$2 dir=$3 commit=$4
    if [ -e "$dir" ]; then
        head=$(git -C "$dir" rev-parse HEAD 2>/dev/null || echo none)
        if [ "$head" = "$commit" ]; then
            echo "$name: $dir at $commit (kept)"
            return 0
        fi
        echo "$name: $dir exists but HEAD is $head, not $commit;" \
             "move it away or point the variable elsewhere" >&2
        return 1
    fi
    echo "$name: fetching $url at $commit into $dir"
    run git init -q "$dir"
    run git -C "$dir" remote add origin "$url"
    # a shallow fetch of the one commit; a full clone if the server refuses
    if [ -n "$DRY" ]; then
        echo "  would run: git -C $dir fetch -q --depth 1 origin $commit"
        echo "             (or, if the server refuses: git -C $dir fetch -q origin)"
    else
        echo "  + git -C $dir fetch -q --depth 1 origin $commit"
    fi
    if [ -n "$DRY" ] || git -C "$dir" fetch -q --depth 1 origin "$commit"; then
        run git -C "$dir" -c advice.detachedHead=false checkout -q "$commit"
    else
        run git -C "$dir" fetch -q origin
        run git -C "$dir" -c advice.detachedHead=false checkout -q "$commit"
    fi
}

fetch_at heat "$HEAT_URL" "$HEAT_SRC" "$HEAT_COMMIT"
fetch_at heat-templates "$HEAT_TEMPLATES_URL" "$HEAT_TEMPLATES_SRC" \
    "$HEAT_TEMPLATES_COMMIT"
fetch_at aws-cloudformation-templates "$AWS_TEMPLATES_URL" \
    "$AWS_TEMPLATES_SRC" "$AWS_TEMPLATES_COMMIT"

# The venv.  PBR_VERSION: a shallow checkout has no tags for pbr to read.
venv_ok() {
    [ -x "$HEAT_VENV/bin/python" ] && "$HEAT_VENV/bin/python" -c '
import sys, cfn_flip, heat.engine.template
from importlib.metadata import version
assert version("cfn-flip") == sys.argv[1], version("cfn-flip")
' "$CFN_FLIP_VERSION" 2>/dev/null
}
if venv_ok; then
    echo "venv: $HEAT_VENV imports Heat and cfn-flip $CFN_FLIP_VERSION (kept)"
else
    echo "venv: creating $HEAT_VENV"
    run "$PYTHON" -m venv "$HEAT_VENV"
    run env PBR_VERSION="$HEAT_PBR_VERSION" "$HEAT_VENV/bin/pip" install -q \
        -c "$HERE/constraints.txt" -e "$HEAT_SRC" "cfn-flip==$CFN_FLIP_VERSION"
fi

if [ -z "$DRY" ]; then
    echo "checks:"
    HEAT_SRC=$HEAT_SRC "$HEAT_VENV/bin/python" - "$HEAT_SRC" <<'EOF'
import os, sys
from importlib.metadata import version
import heat
where = os.path.dirname(os.path.dirname(os.path.abspath(heat.__file__)))
print('  heat %s imported from %s' % (version('openstack-heat'), where))
if os.path.realpath(where) != os.path.realpath(sys.argv[1]):
    print('  WARNING: not HEAT_SRC (%s); gen.py puts HEAT_SRC first on '
          'sys.path anyway' % sys.argv[1])
print('  cfn-flip %s, yaql %s, PyYAML %s, python %s' % (
    version('cfn-flip'), version('yaql'), version('PyYAML'),
    sys.version.split()[0]))
EOF
fi
echo "setup done; next: OUT=/some/dir $HERE/generate.sh"
