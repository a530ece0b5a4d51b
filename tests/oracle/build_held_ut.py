#!/usr/bin/env python3
"""build_held_ut.py: build the held-out template set of the two sources
build_held.py does not cover, `heat-unittests` and `heat-repo-files`
(templates + Heat's expected results), leaving out every file that is
already in the visible corpus.  A set of its own, beside build_held.py's.

usage (with the Heat venv's python):
  build_held_ut.py [--out HELD_DIR] [--conformance DIR] [--unittests DIR]
                   [--heat-src DIR] [--api-ref] [--only-copy]

Writes, as build_held.py does (and with its helpers copy_candidates and
finish_set): HELD_DIR/templates/<source>/<path> (each template, the
environment file beside it and the referenced files that exist, paths
kept), HELD_DIR/ids.txt, HELD_DIR/excluded_identical.txt and, unless
--only-copy, HELD_DIR/expected/<id>.json computed by gen.py.  HELD_DIR
defaults to $OUT/held_ut (OUT defaulting to /tmp/heatgen).

Sources (option, environment variable, default):
  heat-unittests   --unittests  UNITTESTS_SRC  HELD_DIR/../src/unittests
      extract_unittests.py's output (templates embedded in openstack/heat's
      heat/tests/**.py), copied with its paths:
      heat-unittests/heat/tests/<module>/<variable>_L<line>.<json|yaml>
  heat-repo-files  --heat-src  HEAT_SRC  /tmp/heatsrc
      the template files of the openstack/heat checkout itself: every file
      `git ls-files` lists outside heat_integrationtests/, doc/,
      releasenotes/ and api-ref/ (those are other sources, or not
      templates), named *.yaml/*.yml/*.template/*.json, whose
      yaml.safe_load is a mapping with a template version key at its top
      level; id heat-repo-files/<path in the repository>.  With --api-ref
      also the api-ref/ sample request bodies that are templates (off by
      default: not a kind of file the visible corpus shows).
Visible corpus: --conformance / CONFORMANCE_DIR, default
/work/shared/conformance; a candidate byte-identical (or identical up to
surrounding whitespace) to any of its template files is excluded.
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_held as bh  # noqa: E402  (imports gen.py: sets Heat up)
from extract_unittests import VERSION_KEYS  # noqa: E402

import yaml  # noqa: E402

REPO_SKIP_DIRS = ('heat_integrationtests/', 'doc/', 'releasenotes/',
                  'api-ref/')


def unittest_candidates(unittests):
    """(source, abs_path, dest_rel) of every extracted unit-test template."""
    out = []
    for d, _, fs in os.walk(unittests):
        for f in fs:
            p = os.path.join(d, f)
            out.append(('heat-unittests', p, os.path.relpath(p, unittests)))
    return sorted(out)


def repo_file_candidates(heat_src, api_ref=False):
    """(source, abs_path, dest_rel) of every template file of the Heat
    repository outside the directories other sources cover."""
    files = subprocess.run(['git', '-C', heat_src, 'ls-files'],
                           capture_output=True, text=True,
                           check=True).stdout.split()
    out = []
    for rel in sorted(files):
        if not rel.endswith(bh.TEMPLATE_EXTS):
            continue
        if rel.startswith(REPO_SKIP_DIRS) and not (
                api_ref and rel.startswith('api-ref/')):
            continue
        p = os.path.join(heat_src, rel)
        try:
            with open(p, encoding='utf-8') as fh:
                d = yaml.safe_load(fh)
        except Exception:
            continue
        if isinstance(d, dict) and any(k in d for k in VERSION_KEYS):
            out.append(('heat-repo-files', p, rel))
    return out


def parse_args():
    env = os.environ.get
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', help='held-out set directory '
                    '(default $OUT/held_ut, OUT defaulting to /tmp/heatgen)')
    ap.add_argument('--conformance', default=env(
        'CONFORMANCE_DIR', '/work/shared/conformance'),
        help='the visible corpus ($CONFORMANCE_DIR)')
    ap.add_argument('--unittests', default=env('UNITTESTS_SRC'),
                    help="extract_unittests.py's output ($UNITTESTS_SRC, "
                    'default HELD_DIR/../src/unittests)')
    ap.add_argument('--heat-src', default=env('HEAT_SRC', '/tmp/heatsrc'),
                    help='openstack/heat checkout ($HEAT_SRC)')
    ap.add_argument('--api-ref', action='store_true',
                    help='also the api-ref/ sample bodies that are '
                    'templates')
    ap.add_argument('--only-copy', action='store_true',
                    help='copy the templates, do not run gen.py')
    a = ap.parse_args()
    if a.out is None:
        a.out = os.path.join(env('OUT', '/tmp/heatgen'), 'held_ut')
    a.out = os.path.abspath(a.out)
    if a.unittests is None:
        a.unittests = os.path.join(os.path.dirname(a.out), 'src',
                                   'unittests')
    return a


def main():
    a = parse_args()
    if not os.path.isdir(a.unittests):
        sys.exit('no extraction at %s (run extract_unittests.py --out %s)'
                 % (a.unittests, a.unittests))
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    cands = (unittest_candidates(a.unittests) +
             repo_file_candidates(a.heat_src, a.api_ref))
    kept, excluded = bh.copy_candidates(
        os.path.join(a.out, 'templates'), cands,
        os.path.join(a.conformance, 'templates'))
    ids = [os.path.join(source, rel) for source, _, rel, _ in kept]
    bh.finish_set(a.out, ids, excluded, a.only_copy)


if __name__ == '__main__':
    main()
