#!/usr/bin/env python3
"""build_held.py: build the held-out template set (templates + Heat's
expected results) from the template sources, leaving out every file that is
already in the visible corpus.

usage (with the Heat venv's python):
  build_held.py [--out HELD_DIR] [--conformance DIR] [--heat-templates DIR]
                [--embedded DIR] [--aws DIR] [--aws-rev REV]
                [--aws-archive DIR] [--only-copy]

Writes HELD_DIR/templates/<source>/<path> (each template, the environment
file beside it, and the files it references that exist, paths kept so
relative references resolve), HELD_DIR/ids.txt (one id per line),
HELD_DIR/excluded_identical.txt and, unless --only-copy, HELD_DIR/expected/
<id>.json computed by gen.py.

Sources (option, environment variable, default):
  heat-templates   --heat-templates  HEAT_TEMPLATES_SRC  /tmp/htsweep
      an openstack/heat-templates checkout (work tree; `git ls-files`):
      every *.yaml/*.yml/*.template/*.json that names a template version
      and is not an environment file (`*_env.yaml`, `*-env.yaml`)
  heat-functional  --embedded  EMBEDDED_SRC  /tmp/hfsweep
      heat_integrationtests/ of extract_embedded.py's output; the files
      `template_L<N>.yaml` are renamed `<variable>_L<N>.yaml` from line N of
      the module in $HEAT_SRC
  heat-docs        --embedded                  doc/ of the same output
  aws-cfn-templates  --aws  AWS_TEMPLATES_SRC
      /work/.mirror/awslabs+aws-cloudformation-templates/repo
      awslabs/aws-cloudformation-templates, a git repository (bare or not;
      `git archive` of --aws-rev, default HEAD, is unpacked into
      --aws-archive, default HELD_DIR/../src/aws, unless that exists) or a
      plain directory: every template file mentioning `Resources`
  aws-cfn-templates-longform
      cfn-flip 1.3.0 `to_json` of every AWS file Heat rejects for a YAML
      short-form tag (`!Ref`...), as the corpus did
Visible corpus: --conformance / CONFORMANCE_DIR, default
/work/shared/conformance; a candidate byte-identical (or identical up to
surrounding whitespace) to any of its template files is excluded.

The copying, exclusion and gen.py steps (copy_candidates, finish_set) are
shared with build_held_ut.py, which builds the set of the two other sources
(heat-unittests, heat-repo-files) the same way; needed_files, copy,
write_ids and gen_expected also with mutate.py and probe.py.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402  (sets Heat up)

import cfn_flip  # noqa: E402  (cfn-flip 1.3.0, for the long-form twins)

from heat.common import environment_format  # noqa: E402
from heat.common import template_format  # noqa: E402

TEMPLATE_EXTS = ('.yaml', '.yml', '.template', '.json')
VERSION_KEYS = re.compile(
    r'heat_template_version|HeatTemplateFormatVersion|AWSTemplateFormatVersion')


def sha(b):
    return hashlib.sha256(b).hexdigest()


def visible_digests(visible):
    exact, norm = set(), set()
    for d, _, fs in os.walk(visible):
        for f in fs:
            with open(os.path.join(d, f), 'rb') as fh:
                b = fh.read()
            exact.add(sha(b))
            norm.add(sha(b.strip()))
    return exact, norm


def is_env_name(name):
    return name.endswith(('_env.yaml', '-env.yaml'))


def aws_tree(a):
    """A directory holding the AWS templates (unpacking a git archive)."""
    if not os.path.isdir(os.path.join(a.aws, '.git')) and \
            not os.path.isfile(os.path.join(a.aws, 'HEAD')):
        return a.aws                          # a plain directory
    if not os.path.isdir(a.aws_archive):
        os.makedirs(a.aws_archive)
        arch = subprocess.run(['git', '-C', a.aws, 'archive', a.aws_rev],
                              capture_output=True, check=True).stdout
        subprocess.run(['tar', '-x', '-C', a.aws_archive], input=arch,
                       check=True)
    return a.aws_archive


def candidates(a):
    """(source, abs_path, dest_rel) for every candidate template."""
    out = []
    # heat-templates
    files = subprocess.run(['git', '-C', a.heat_templates, 'ls-files'],
                           capture_output=True, text=True,
                           check=True).stdout.split()
    for rel in sorted(files):
        p = os.path.join(a.heat_templates, rel)
        if not rel.endswith(TEMPLATE_EXTS) or is_env_name(rel):
            continue
        with open(p, 'rb') as fh:
            text = fh.read().decode('utf-8', 'replace')
        if not VERSION_KEYS.search(text):
            continue
        out.append(('heat-templates', p, rel))
    # heat-functional
    base = a.embedded
    for d, _, fs in sorted(os.walk(os.path.join(base,
                                                'heat_integrationtests'))):
        for f in sorted(fs):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, base)
            m = re.match(r'(\w+?)_L(\d+)(\.\w+)$', f)
            name = f
            if m:
                mod = os.path.relpath(d, base) + '.py'
                src = os.path.join(gen.HEATSRC, mod)
                var = m.group(1)
                try:
                    with open(src) as fh:
                        line = fh.read().split('\n')[int(m.group(2)) - 1]
                    names = re.findall(
                        r'(\w+)\s*=\s*(?:\(|[rRuUbB]?(?:\'\'\'|"""|\'|"))',
                        line)
                    if names:
                        var = names[-1]
                except (OSError, IndexError):
                    pass
                name = '%s_L%s%s' % (var, m.group(2), m.group(3))
            out.append(('heat-functional', p,
                        os.path.join(os.path.dirname(rel), name)))
    # heat-docs
    for d, _, fs in sorted(os.walk(os.path.join(base, 'doc'))):
        for f in sorted(fs):
            p = os.path.join(d, f)
            out.append(('heat-docs', p, os.path.relpath(p, base)))
    # aws-cfn-templates
    aws_src = aws_tree(a)
    for d, _, fs in sorted(os.walk(aws_src)):
        for f in sorted(fs):
            p = os.path.join(d, f)
            if not f.endswith(TEMPLATE_EXTS):
                continue
            with open(p, 'rb') as fh:
                text = fh.read().decode('utf-8', 'replace')
            if 'Resources' not in text:
                continue
            out.append(('aws-cfn-templates', p, os.path.relpath(p, aws_src)))
    return out


def copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)


def needed_files(path):
    """Files beside a template that gen.py will read: its environment file
    and the referenced files that exist (relative refs as written)."""
    with open(path, encoding='utf-8') as fh:
        text = fh.read()
    try:
        t = template_format.parse(text)
    except Exception:
        return []
    env_name = gen.find_env(path)
    env = {}
    if env_name:
        try:
            with open(os.path.join(os.path.dirname(path), env_name)) as fh:
                env = environment_format.parse(fh.read())
        except Exception:
            env = {}
    provided, _ = gen.collect_files(os.path.dirname(path), t, env, env_name)
    return list(provided)


def parse_args():
    env = os.environ.get
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', help='held-out set directory '
                    '(default $OUT/held, OUT defaulting to /tmp/heatgen)')
    ap.add_argument('--conformance', default=env(
        'CONFORMANCE_DIR', '/work/shared/conformance'),
        help='the visible corpus ($CONFORMANCE_DIR)')
    ap.add_argument('--heat-templates', default=env(
        'HEAT_TEMPLATES_SRC', '/tmp/htsweep'),
        help='heat-templates checkout ($HEAT_TEMPLATES_SRC)')
    ap.add_argument('--embedded', default=env('EMBEDDED_SRC', '/tmp/hfsweep'),
                    help="extract_embedded.py's output ($EMBEDDED_SRC)")
    ap.add_argument('--aws', default=env(
        'AWS_TEMPLATES_SRC',
        '/work/.mirror/awslabs+aws-cloudformation-templates/repo'),
        help='aws-cloudformation-templates ($AWS_TEMPLATES_SRC)')
    ap.add_argument('--aws-rev', default=env('AWS_TEMPLATES_REV', 'HEAD'),
                    help='revision to archive ($AWS_TEMPLATES_REV)')
    ap.add_argument('--aws-archive', help='where to unpack the AWS git '
                    'archive (default HELD_DIR/../src/aws)')
    ap.add_argument('--only-copy', action='store_true',
                    help='copy the templates, do not run gen.py')
    a = ap.parse_args()
    if a.out is None:
        a.out = os.path.join(env('OUT', '/tmp/heatgen'), 'held')
    a.out = os.path.abspath(a.out)
    if a.aws_archive is None:
        a.aws_archive = os.path.join(os.path.dirname(a.out), 'src', 'aws')
    return a


def copy_candidates(tdir, cands, visible):
    """Copy every candidate (source, abs_path, dest_rel) into
    tdir/<source>/<dest_rel>, with its environment file and the referenced
    files that exist (paths kept, never outside tdir/<source>), unless it is
    byte-identical (or identical up to surrounding white space) to a file
    under `visible`, or a previous candidate has the same destination.
    Returns (kept [(source, abs_path, dest_rel, bytes)], excluded
    [(source, dest_rel)]).  Shared with build_held_ut.py."""
    exact, norm = visible_digests(visible)
    kept, excluded, seen_dest = [], [], set()
    for source, p, rel in cands:
        with open(p, 'rb') as fh:
            b = fh.read()
        if sha(b) in exact or sha(b.strip()) in norm:
            excluded.append((source, rel))
            continue
        dest_rel = os.path.join(source, rel)
        if dest_rel in seen_dest:
            continue
        seen_dest.add(dest_rel)
        dest = os.path.join(tdir, dest_rel)
        copy(p, dest)
        for ref in needed_files(p):
            s = os.path.normpath(os.path.join(os.path.dirname(p), ref))
            dd = os.path.normpath(os.path.join(os.path.dirname(dest), ref))
            if not dd.startswith(os.path.join(tdir, source) + os.sep):
                continue
            if not os.path.exists(dd):
                copy(s, dd)
        kept.append((source, p, rel, b))
    return kept, excluded


def write_ids(set_dir, ids):
    """set_dir/ids.txt: one id a line, in the order given.  Shared with
    build_held_ut.py, mutate.py and probe.py."""
    with open(os.path.join(set_dir, 'ids.txt'), 'w') as fh:
        fh.write('\n'.join(ids) + '\n')


def gen_expected(set_dir):
    """gen.py on every id of set_dir/ids.txt (templates under
    set_dir/templates): set_dir/expected/<id>.json.  Shared with
    build_held_ut.py, mutate.py and probe.py."""
    gen_py = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'gen.py')
    subprocess.run([sys.executable, gen_py,
                    '--root', os.path.join(set_dir, 'templates'),
                    '--out', os.path.join(set_dir, 'expected'),
                    '--list', os.path.join(set_dir, 'ids.txt')], check=True)


def finish_set(held, ids, excluded, only_copy=False):
    """Write held/ids.txt (sorted) and held/excluded_identical.txt, then
    (unless only_copy) held/expected/<id>.json with gen.py.  Shared with
    build_held_ut.py."""
    write_ids(held, sorted(ids))
    with open(os.path.join(held, 'excluded_identical.txt'), 'w') as fh:
        for s, r in excluded:
            fh.write('%s/%s\n' % (s, r))
    print('%d templates, %d excluded as identical to visible ones'
          % (len(ids), len(excluded)), file=sys.stderr)
    if not only_copy:
        gen_expected(held)


def main():
    a = parse_args()
    held = a.out
    visible = os.path.join(a.conformance, 'templates')
    exact, _ = visible_digests(visible)
    if os.path.isdir(held):
        shutil.rmtree(held)
    tdir = os.path.join(held, 'templates')
    kept, excluded = copy_candidates(tdir, candidates(a), visible)
    ids = [os.path.join(source, rel) for source, _, rel, _ in kept]
    # AWS short form: a long-form twin, as the corpus (cfn-flip 1.3.0)
    twins = []
    for source, p, rel, b in kept:
        if source != 'aws-cfn-templates':
            continue
        try:
            template_format.parse(b.decode('utf-8'))
            short = False
        except Exception as ex:
            short = "could not determine a constructor for the tag '!" \
                in str(ex)
        if short:
            twins.append((p, rel))
    twin_done = set()
    for p, rel in twins:
        stem = os.path.splitext(rel)[0]
        trel = os.path.join('aws-cfn-templates-longform', stem + '.json')
        if trel in twin_done:
            print('twin clash, skipped:', rel, file=sys.stderr)
            continue
        try:
            with open(p, encoding='utf-8') as fh:
                out = cfn_flip.to_json(fh.read()) + '\n'
        except Exception as ex:
            print('cfn-flip failed on %s: %r' % (rel, ex), file=sys.stderr)
            continue
        twin_done.add(trel)
        dest = os.path.join(tdir, trel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, 'w', encoding='utf-8') as fh:
            fh.write(out)
        if sha(out.encode()) in exact:
            continue
        ids.append(trel)
    finish_set(held, ids, excluded, a.only_copy)


if __name__ == '__main__':
    main()
