#!/usr/bin/env python3
"""analyze.py: heat-rs's disagreements with Heat on the mutants (mutate.py)
or the probes (probe.py), each with its mutation, Heat's verdict and
heat-rs's, grouped by what went wrong (plain python3, reads files only).

usage: analyze.py [SET_DIR] [RUNNER.jsonl] [--summary | --match SUBSTR]
  SET_DIR       a set written by mutate.py or probe.py (its manifest.jsonl
                and expected/); default $OUT/mutants (OUT defaulting to
                /tmp/heatgen)
  RUNNER.jsonl  what `conformance templates SET_DIR/expected` printed (run.sh
                writes it as $OUT/runner_<set>.jsonl); default
                $OUT/runner_<basename of SET_DIR>.jsonl
  --summary     only the totals, the controls and, per class, the
                operators and their numbers of disagreements (what
                `run.sh -v` prints under the set's line)
  --match S     instead, one line for every entry (agreeing or not) whose id
                or operator contains S: OK/FAIL, id, mutation, Heat's
                verdict, heat-rs's first error, and the runner's why

Output (default): the runner's summary line; the numbers of entries, of
those Heat refuses and of disagreements; the round-trip controls (mutate.py
writes one unmutated copy of every sampled template: a failing control
means the re-serialisation, not a mutation, caused a difference); a table
per operator (entries, Heat refuses, disagreements); then every
disagreement, grouped by class and operator, as

  id: <the mutant's id>
    mutation: <manifest detail: what was changed>
    heat    : <Heat's verdict: PARSE ERROR / VERSION ERROR / raised T: msg
               path=... / Error: msg (template_validate) / graph error / OK;
               prefixed by [env parse error: ...] when Heat could not parse
               the environment file>
    heat-rs : <the runner's `error` object: heat-rs's first error> or
               (no error)
    why     : <the runner's reason for the disagreement>

Classes (Heat refuses = its verdict is not OK; heat-rs refuses = the runner
reports an error, or says heat-rs refuses the environment):
  ACCEPTS         heat-rs accepts what Heat refuses (a missing check:
                  usually the most serious)
  REFUSES         heat-rs refuses what Heat accepts (a check too many)
  BOTH-REFUSE: K  both refuse, but they differ in K, the kinds of difference
                  the runner's why lists ('; '-separated parts):
                  path (a different place or first error), heat-refuses,
                  output-validate / output-value / output-requires /
                  output-other, condition, parameters, parameter-groups,
                  graph, resources, heat-rs-refuses(-env), other
  BOTH-ACCEPT: K  both accept, but differ in K (as above)
"""
import argparse
import collections
import json
import os
import re
import sys


def heat_verdict(e):
    """Heat's verdict on one expected file: 'OK' or why it refuses."""
    p = e.get('parse') or {}
    if not p.get('ok'):
        return 'PARSE ERROR: ' + (p.get('error') or {}).get('message', '')[:300]
    v = e.get('version') or {}
    if 'error' in v:
        return 'VERSION ERROR: ' + v['error']['message'][:300]
    envp = (e.get('environment') or {}).get('parse') or {}
    pre = ''
    if envp and not envp.get('ok'):
        pre = '[env parse error: %s] ' % envp['error']['message'][:200]
    tv = e.get('template_validate') or {}
    g = e.get('generic') or {}
    if 'raised' in tv:
        r = tv['raised']
        return pre + 'raised %s: %s%s' % (r['type'], r['message'][:300],
                                         ' path=%s' % r['path']
                                         if r.get('path') else '')
    if 'Error' in (tv.get('result') or {}):
        return pre + 'Error: ' + tv['result']['Error'][:300]
    gr = g.get('graph') or {}
    if 'error' in gr:
        return pre + 'graph error: ' + gr['error']['message'][:300]
    return pre + 'OK'


SPLIT = re.compile(r'; (?=output |condition |resource |parameters differ|'
                   r'parameter groups|graph differs|heat-rs |Heat |version |'
                   r'\d+ resources)')


def parts(why):
    """The runner's why, split into its '; '-separated differences."""
    return SPLIT.split(why) if why else []


def kind(p):
    """A short label for one component of the runner's why."""
    if p.startswith('output ') and ' validates ' in p:
        return 'output-validate'
    if p.startswith('output ') and 'before creation' in p:
        return 'output-value'
    if p.startswith('output ') and ' requires ' in p:
        return 'output-requires'
    if p.startswith('output '):
        return 'output-other'
    if p.startswith('condition '):
        return 'condition'
    if p.startswith('parameters differ'):
        return 'parameters'
    if p.startswith('parameter groups'):
        return 'parameter-groups'
    if p.startswith('graph differs') or 'cycle' in p or 'graph' in p:
        return 'graph'
    if p.startswith('Heat refuses it at'):
        return 'path'
    if p.startswith('Heat refuses it:'):
        return 'heat-refuses'
    if p.startswith('heat-rs refuses the env'):
        return 'heat-rs-refuses-env'
    if p.startswith('heat-rs refuses it'):
        return 'heat-rs-refuses'
    if p.startswith('resource ') or 'resources, Heat' in p:
        return 'resources'
    return 'other'


def classify(why, line, heat_fails):
    """ACCEPTS / REFUSES by verdict, else BOTH-REFUSE: <what differs> or
    BOTH-ACCEPT: <what differs>."""
    ks = {kind(p) for p in parts(why)}
    rs_fails = bool(line.get('error')) or 'heat-rs-refuses-env' in ks
    if heat_fails and not rs_fails:
        return 'ACCEPTS'
    if rs_fails and not heat_fails:
        return 'REFUSES'
    return ('BOTH-REFUSE: ' if heat_fails else 'BOTH-ACCEPT: ') + \
        '+'.join(sorted(ks))


def load(set_dir, res):
    """(manifest {id: entry}, runner lines, runner summary line)."""
    man = {}
    with open(os.path.join(set_dir, 'manifest.jsonl'), encoding='utf-8') as f:
        for ln in f:
            r = json.loads(ln)
            man[r['id']] = r
    lines, summary = [], ''
    with open(res, encoding='utf-8') as f:
        for ln in f:
            if ln.startswith('{'):
                lines.append(json.loads(ln))
            elif ln.strip():
                summary = ln.strip()
    return man, lines, summary


def expected(set_dir, mid):
    with open(os.path.join(set_dir, 'expected', mid + '.json'),
              encoding='utf-8') as f:
        return json.load(f)


def match(set_dir, man, lines, sub):
    """--match: one line per entry whose id or op contains sub."""
    for r in lines:
        mid = r['id']
        m = man.get(mid, {'op': '?', 'detail': '?'})
        if sub not in mid and sub not in m['op']:
            continue
        hv = heat_verdict(expected(set_dir, mid))
        print('%s %s | %s | heat: %s | rs: %s%s' % (
            'OK  ' if r.get('agrees') else 'FAIL', mid, m['detail'][:100],
            hv[:160], (r.get('error') or {}).get('message', '-')[:120],
            '' if r.get('agrees') else ' | why: ' + r.get('why', '')[:300]))


def main(argv):
    out_root = os.environ.get('OUT', '/tmp/heatgen')
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('set_dir', nargs='?',
                    default=os.path.join(out_root, 'mutants'),
                    help='mutate.py/probe.py output (default $OUT/mutants)')
    ap.add_argument('runner', nargs='?', help="the runner's output (default "
                    '$OUT/runner_<basename of SET_DIR>.jsonl)')
    g = ap.add_mutually_exclusive_group()
    g.add_argument('--summary', action='store_true',
                   help='totals and per class the operators only')
    g.add_argument('--match', metavar='SUBSTR',
                   help='every entry whose id or operator contains SUBSTR')
    a = ap.parse_args(argv[1:])
    set_dir = a.set_dir.rstrip('/')
    res = a.runner or os.path.join(
        out_root, 'runner_%s.jsonl' % os.path.basename(set_dir))
    man, lines, summary = load(set_dir, res)
    if a.match is not None:
        match(set_dir, man, lines, a.match)
        return 0
    if not a.summary:
        print('runner:', summary)
    total = collections.Counter()
    fails = collections.Counter()
    heat_refused = collections.Counter()
    groups = collections.defaultdict(list)
    for r in lines:
        mid = r['id']
        m = man.get(mid, {'op': '?', 'detail': '?', 'orig': '?'})
        hv = heat_verdict(expected(set_dir, mid))
        total[m['op']] += 1
        if hv != 'OK':
            heat_refused[m['op']] += 1
        if r.get('agrees'):
            continue
        fails[m['op']] += 1
        why = r.get('why', '')
        cls = classify(why, r, hv != 'OK')
        groups[(cls, m['op'])].append((mid, m, hv, r.get('error'), why))
    print('%d entries, Heat refuses %d, %d disagreements' % (
        sum(total.values()), sum(heat_refused.values()),
        sum(fails.values())))
    if total['roundtrip']:
        print('round-trip controls: %d, %d disagree%s' % (
            total['roundtrip'], fails['roundtrip'],
            '' if not fails['roundtrip'] else
            ' (op roundtrip: the re-serialisation, not a mutation, differs)'))
    classes = ['ACCEPTS', 'REFUSES'] + sorted(
        {k[0] for k in groups} - {'ACCEPTS', 'REFUSES'})
    if a.summary:
        for cls in classes:
            ks = sorted(k for k in groups if k[0] == cls)
            print('%s (%d)' % (cls, sum(len(groups[k]) for k in ks)))
            for k in ks:
                print('  %-34s %3d' % (k[1], len(groups[k])))
        return 0
    print('\nper op: total / Heat refuses / disagreements')
    for op in sorted(total):
        print('  %-34s %3d %3d %3d' % (op, total[op], heat_refused[op],
                                       fails[op]))
    for cls in classes:
        ks = sorted(k for k in groups if k[0] == cls)
        n = sum(len(groups[k]) for k in ks)
        print('\n' + '=' * 78 + '\n%s (%d)' % (cls, n))
        for k in ks:
            print('\n--- %s: %d' % (k[1], len(groups[k])))
            for mid, m, hv, err, why in groups[k]:
                print('  id: %s' % mid)
                print('    mutation: %s' % m['detail'])
                print('    heat    : %s' % hv)
                if err:
                    print('    heat-rs : %s' % json.dumps(err)[:400])
                else:
                    print('    heat-rs : (no error)')
                print('    why     : %s' % why[:400])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
