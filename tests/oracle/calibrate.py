#!/usr/bin/env python3
"""calibrate.py: compare generated expected files with reference ones,
field by field (plain python3, no Heat needed).

usage: calibrate.py REF_EXPECTED_DIR GEN_EXPECTED_DIR [-v]

Used to check the oracle against the visible corpus: REF is
$CONFORMANCE_DIR/expected, GEN is what gen.py wrote for the same templates.
Prints, per field, agree/total over the templates where the field applies
(fields marked `*` are the ones the heat-rs conformance runner reads), then
how many templates agree on every runner field, and (with -v) every
difference.  Errors are compared by message where the field is a message,
otherwise by presence (see FIELDS).
"""
import collections
import glob
import json
import os
import sys


def load(d):
    out = {}
    for f in glob.glob(os.path.join(d, '**', '*.json'), recursive=True):
        with open(f) as fh:
            j = json.load(fh)
        out[j['id']] = j
    return out


def verdict(tv):
    if tv is None:
        return None
    if 'raised' in tv:
        return 'raised'
    if 'Error' in tv.get('result', {}):
        return 'Error'
    return 'ok'


def tv_message(tv):
    if tv is None:
        return None
    if 'raised' in tv:
        return tv['raised']['message']
    return tv.get('result', {}).get('Error')


def errkind(v):
    """A value or an error: errors compare by presence only."""
    if isinstance(v, dict) and 'error' in v and len(v) == 1:
        return 'ERROR'
    return v


def cond_view(c):
    if c is None:
        return None
    if 'error' in c:
        return 'ERROR'
    return {k: errkind(v) for k, v in c.items()}


def res_view(r):
    if r is None:
        return None
    if 'error' in r:
        return ('ERROR', tuple(r.get('declared', [])))
    return r


def graph_field(g, key):
    if g is None:
        return None
    if 'error' in g:
        return 'ERROR'
    if key == 'cycle':
        c = g.get('cycle')
        return None if c is None else sorted(c.get('remaining', []))
    if g.get('cycle') is not None:
        return 'CYCLE'
    return g.get(key)


def outputs_view(o, part):
    if o is None:
        return None
    if 'error' in o:
        return 'ERROR'
    out = {}
    for k, v in o.items():
        if part == 'required_resources':
            out[k] = errkind(v.get('required_resources'))
        elif part == 'validate':
            out[k] = v.get('validate', {}).get('ok')
        elif part == 'value_uncreated':
            out[k] = errkind(v.get('value_uncreated'))
    return out


def gen(d):
    return d.get('generic') or {}


FIELDS = [
    ('parse.ok', lambda d: d['parse']['ok']),
    ('parse.format', lambda d: d['parse'].get('format')),
    ('parse.error.message', lambda d: d['parse'].get('error', {}).get('message')),
    ('version', lambda d: d.get('version') and (
        'ERROR:' + d['version']['error']['message'] if 'error' in d['version']
        else (d['version']['key'], d['version']['value'], d['version']['class']))),
    ('environment', lambda d: d.get('environment')),
    ('files.provided', lambda d: (d.get('files') or {}).get('provided')),
    ('files.missing', lambda d: (d.get('files') or {}).get('missing')),
    ('template_validate.verdict', lambda d: verdict(d.get('template_validate'))),
    ('template_validate.message', lambda d: tv_message(d.get('template_validate'))),
    ('template_validate.Parameters', lambda d: (d.get('template_validate') or {}).get('result', {}).get('Parameters')),
    ('template_validate.ParameterGroups', lambda d: (d.get('template_validate') or {}).get('result', {}).get('ParameterGroups')),
    ('template_validate.Description', lambda d: (d.get('template_validate') or {}).get('result', {}).get('Description')),
    ('generic.stack_error', lambda d: 'stack_error' in gen(d) and bool(gen(d)['stack_error'])),
    ('generic.parameters_api', lambda d: gen(d).get('parameters_api')),
    ('generic.synthesized_parameters', lambda d: gen(d).get('synthesized_parameters')),
    ('generic.conditions', lambda d: cond_view(gen(d).get('conditions'))),
    ('generic.resources', lambda d: res_view(gen(d).get('resources'))),
    ('generic.graph.requires', lambda d: graph_field(gen(d).get('graph'), 'requires')),
    ('generic.graph.levels', lambda d: graph_field(gen(d).get('graph'), 'levels')),
    ('generic.graph.cycle', lambda d: graph_field(gen(d).get('graph'), 'cycle')),
    ('generic.graph.error', lambda d: (gen(d).get('graph') or {}).get('error', {}).get('message') if gen(d).get('graph') else None),
    ('generic.outputs.required_resources', lambda d: outputs_view(gen(d).get('outputs'), 'required_resources')),
    ('generic.outputs.validate', lambda d: outputs_view(gen(d).get('outputs'), 'validate')),
    ('generic.outputs.value_uncreated', lambda d: outputs_view(gen(d).get('outputs'), 'value_uncreated')),
    ('generic.validate_as_given.ok', lambda d: (gen(d).get('validate_as_given') or {}).get('ok')),
    ('generic.validate_as_given.message', lambda d: ((gen(d).get('validate_as_given') or {}).get('error') or {}).get('message')),
    ('generic.validate_with_synthesized.ok', lambda d: (gen(d).get('validate_with_synthesized') or {}).get('ok')),
    ('generic.resource_validation', lambda d: res_view(gen(d).get('resource_validation'))),
    ('generic.outputs_disabled', lambda d: gen(d).get('outputs_disabled') or []),
]

# The fields the conformance runner reads.
RUNNER_FIELDS = {
    'parse.ok', 'version', 'environment', 'files.provided',
    'template_validate.verdict', 'template_validate.ParameterGroups',
    'generic.parameters_api', 'generic.synthesized_parameters',
    'generic.conditions', 'generic.resources', 'generic.graph.requires',
    'generic.graph.levels', 'generic.graph.cycle', 'generic.graph.error',
    'generic.outputs.required_resources', 'generic.outputs.validate',
    'generic.outputs.value_uncreated', 'generic.outputs_disabled',
}


def main():
    args = [a for a in sys.argv[1:] if a != '-v']
    if len(args) != 2 or not all(os.path.isdir(a) for a in args):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    ref = load(args[0])
    got = load(args[1])
    verbose = '-v' in sys.argv
    diffs = collections.defaultdict(list)
    totals = collections.Counter()
    agree = collections.Counter()
    all_ok = 0
    for i, r in sorted(ref.items()):
        g = got.get(i)
        if g is None:
            print('MISSING', i)
            continue
        ok = True
        for name, fn in FIELDS:
            try:
                a = fn(r)
            except Exception as ex:
                a = 'EXC %r' % ex
            try:
                b = fn(g)
            except Exception as ex:
                b = 'EXC %r' % ex
            if a is None and b is None:
                continue
            totals[name] += 1
            if a == b:
                agree[name] += 1
            else:
                if name in RUNNER_FIELDS:
                    ok = False
                diffs[name].append((i, a, b))
        all_ok += ok
    print('%-40s %s' % ('field', 'agree/total'))
    for name, _ in FIELDS:
        t = totals[name]
        mark = '*' if name in RUNNER_FIELDS else ' '
        print('%s %-38s %4d/%-4d %6.1f%%' % (mark, name, agree[name], t,
                                             100.0 * agree[name] / t if t else 100))
    print('templates agreeing on every runner field (*): %d/%d (%.1f%%)'
          % (all_ok, len(ref), 100.0 * all_ok / len(ref)))
    if verbose:
        for name, _ in FIELDS:
            for i, a, b in diffs[name]:
                print('--', name, i)
                print('   ref:', json.dumps(a)[:600])
                print('   got:', json.dumps(b)[:600])


if __name__ == '__main__':
    main()
