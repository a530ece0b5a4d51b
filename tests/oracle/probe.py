#!/usr/bin/env python3
"""probe.py: systematic probes of heat-rs against Heat: small templates,
each one point of a cross product over a feature where mutate.py found
disagreements.

mutate.py applies random single mistakes to real templates; where its
mutants showed a disagreement, the feature is probed here exhaustively on a
minimal template (HOT: a RandomString whose value an OS::Heat::Value and an
output read; CFN: the same with Ref/Fn::GetAtt), one variation per file.
The groups (ids probe/<group>/<name>.yaml, op probe_<group>):

  pattern        allowed_pattern with features of Python's re and of other
                 regex engines (lookarounds, backreferences, \\Z, {,n},
                 POSIX classes, atomic groups, \\p{L}, inline flags, ...),
                 invalid patterns, with and without a default (41)
  nullkey        every resource key set to null, in HOT 2016, HOT 2013,
                 AWS and HeatTemplateFormatVersion (36)
  section        every top-level section given as [], '', false, 0, null,
                 {}, a string, a number, true, a list (HOT and AWS) (120)
  nested         a template resource (file type or resource_registry
                 alias): correct, properties unknown/misspelled/miscased/
                 missing/wrongly typed, unknown attributes, update_policy,
                 and nested templates broken in nine ways (46)
  attrpath       get_attr path components of every type, and attribute
                 names from get_param, in four HOT versions (72)
  external_id    external_id empty/0/false/null/from parameters (12)
  param_attr     parameter description/label/hidden/immutable (HOT) and
                 Description/Label/NoEcho/Immutable (CFN) of wrong types (24)
  update_policy  update_policy on types with and without a schema (12)

Output, in the layout of build_held.py's sets (a templates root the runner
reads), analyze.py reading it as it reads mutate.py's:
  OUT/templates/probe/<group>/<name>.yaml   the probe, beside its nested
      template <name>.nested.yaml and environment file <name>_env.yaml when
      it has them
  OUT/ids.txt          one id a line, in the order the probes are built
  OUT/manifest.jsonl   {id, orig: "probe", op: "probe_<group>", detail}
  OUT/expected/<id>.json   gen.py's result

Nothing is random: the output depends only on this file, mutate.py's
PY_PATTERNS and nested template, and Heat (PYTHONHASHSEED=0, heatenv.py).

usage (with the Heat venv's python):
  probe.py [--out DIR] [--only-copy]
  --out  default $OUT/probes (OUT defaulting to /tmp/heatgen)
HEAT_SRC and HEAT_VERSION_LABEL are read by heatenv.py / gen.py.
"""
import argparse
import copy
import json
import os
import shutil
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_held as bh  # noqa: E402  (imports gen.py: sets Heat up)
import mutate  # noqa: E402

dump = mutate.dump


def hot(ver='2016-10-14'):
    return {
        'heat_template_version': ver,
        'parameters': {'length': {'type': 'number', 'default': 8}},
        'resources': {
            'rand': {'type': 'OS::Heat::RandomString',
                     'properties': {'length': {'get_param': 'length'}}},
            'val': {'type': 'OS::Heat::Value',
                    'properties': {'value': {'get_attr': ['rand', 'value']}}},
        },
        'outputs': {'out': {'value': {'get_attr': ['val', 'value']}}},
    }


def cfn(aws=True):
    t = {
        'AWSTemplateFormatVersion' if aws else 'HeatTemplateFormatVersion':
        '2010-09-09' if aws else '2012-12-12',
        'Parameters': {'Length': {'Type': 'Number', 'Default': 8}},
        'Resources': {
            'Rand': {'Type': 'OS::Heat::RandomString',
                     'Properties': {'length': {'Ref': 'Length'}}},
            'Val': {'Type': 'OS::Heat::Value',
                    'Properties': {'value': {'Fn::GetAtt': ['Rand',
                                                            'value']}}},
        },
        'Outputs': {'Out': {'Value': {'Fn::GetAtt': ['Val', 'value']}}},
    }
    return t


PROBES = []   # (group, name, template dict or text, detail, extra files)


def add(group, name, t, detail, files=None, fmt='yaml'):
    PROBES.append((group, name, t, detail, files or {}, fmt))


def build():
    # 1. allowed_pattern engines
    for i, (pat, default, note) in enumerate(mutate.PY_PATTERNS +
                                             [('[a-z', None, 'invalid'),
                                              ('\\', None, 'invalid'),
                                              ('a{2,1}', None, 'invalid'),
                                              ('[[:alpha:]]+', 'yikes',
                                               'POSIX look-alike')]):
        for with_default in (True, False):
            if with_default and default is None:
                continue
            t = hot()
            p = {'type': 'string', 'constraints': [{'allowed_pattern': pat}]}
            if with_default:
                p['default'] = default
            t['parameters']['pat'] = p
            add('pattern', 'p%02d_%s' % (i, 'def' if with_default else
                                        'nodef'), t,
                'allowed_pattern %r (%s)%s' % (pat, note, ', default %r' %
                                               default if with_default
                                               else ''))
    # 2. null resource keys
    for dialect in ('hot2016', 'hot2013', 'aws', 'heatcfn'):
        keys = ['properties', 'metadata', 'depends_on', 'deletion_policy',
                'update_policy', 'description', 'condition', 'external_id',
                'type']
        for k in keys:
            if dialect.startswith('hot'):
                t = hot('2016-10-14' if dialect == 'hot2016' else
                        '2013-05-23')
                rk = k
                r = t['resources']['rand']
            else:
                t = cfn(dialect == 'aws')
                rk = {'properties': 'Properties', 'metadata': 'Metadata',
                      'depends_on': 'DependsOn',
                      'deletion_policy': 'DeletionPolicy',
                      'update_policy': 'UpdatePolicy',
                      'description': 'Description', 'condition': 'Condition',
                      'external_id': 'external_id', 'type': 'Type'}[k]
                r = t['Resources']['Rand']
            r[rk] = None
            add('nullkey', '%s_%s' % (dialect, k), t,
                '%s: resource key %s: null' % (dialect, rk))
    # 3. falsy / scalar sections
    vals = [('list0', []), ('str0', ''), ('false', False), ('zero', 0),
            ('null', None), ('map0', {}), ('str', 'x'), ('int', 5),
            ('true', True), ('list', ['a'])]
    for dialect in ('hot', 'aws'):
        secs = ['resources', 'outputs', 'parameters', 'conditions',
                'parameter_groups', 'description'] if dialect == 'hot' else \
            ['Resources', 'Outputs', 'Parameters', 'Conditions', 'Mappings',
             'Description']
        for s in secs:
            for vn, v in vals:
                t = hot() if dialect == 'hot' else cfn()
                t[s] = copy.deepcopy(v)
                if s.lower() == 'resources':
                    t.pop('outputs', None)
                    t.pop('Outputs', None)
                if s.lower() == 'parameters':
                    # keep get_param/Ref working without the parameter
                    if dialect == 'hot':
                        t['resources']['rand']['properties']['length'] = 8
                    else:
                        t['Resources']['Rand']['Properties']['length'] = 8
                add('section', '%s_%s_%s' % (dialect, s, vn), t,
                    '%s: section %s = %r' % (dialect, s, v))
    # 4. nested template resources
    nested_ok = mutate._nested_text(type('X', (), {'hot': True, 't': {
        'heat_template_version': '2016-10-14'}})())

    def nested_root(props, attr='inner_value', upd=None, via_env=False):
        t = hot()
        typ = 'My::Nested' if via_env else 'nested.yaml'
        t['resources']['nest'] = {'type': typ}
        if props is not None:
            t['resources']['nest']['properties'] = props
        if upd is not None:
            t['resources']['nest']['update_policy'] = upd
        if attr is not None:
            t['outputs']['nout'] = {'value': {'get_attr': ['nest', attr]}}
        return t
    okp = {'name': 'n', 'size': 8}
    for via in (False, True):
        env = {'probe_env': 'resource_registry:\n  My::Nested: nested.yaml\n'} \
            if via else {}
        sfx = '_reg' if via else ''
        add('nested', 'ok' + sfx, nested_root(okp, via_env=via),
            'correct nested resource', dict({'nested.yaml': nested_ok}, **env))
        for pn, props in (('unknown', dict(okp, flavor='x')),
                          ('typo', {'nmae': 'n', 'size': 8}),
                          ('case', {'name': 'n', 'Size': 8}),
                          ('missing_required', {'name': 'n'}),
                          ('no_props', None),
                          ('wrong_type', {'name': 'n', 'size': 'big'}),
                          ('list_for_string', {'name': ['n'], 'size': 8})):
            add('nested', 'props_%s%s' % (pn, sfx),
                nested_root(props, via_env=via),
                'nested resource properties %s' % json.dumps(props),
                dict({'nested.yaml': nested_ok}, **env))
        for an in ('inner_valu', 'inner', 'OS::stack_id', 'outputs_list'):
            add('nested', 'attr_%s%s' % (an.replace(':', '_'), sfx),
                nested_root(okp, attr=an, via_env=via),
                'get_attr of nested resource: %r' % an,
                dict({'nested.yaml': nested_ok}, **env))
        for un, upd in (('rolling', {'rolling_update': {'max_batch_size': 1}}),
                        ('str', 'x')):
            add('nested', 'update_policy_%s%s' % (un, sfx),
                nested_root(okp, upd=upd, via_env=via),
                'nested resource update_policy %r' % (upd,),
                dict({'nested.yaml': nested_ok}, **env))
        for b in ('param_no_type', 'section_typo', 'res_no_type', 'bad_version',
                  'unknown_type', 'get_param_missing', 'default_violates',
                  'prop_unknown', 'yaml_syntax'):
            m = type('X', (), {'hot': True, 't': {
                'heat_template_version': '2016-10-14'}})()
            add('nested', 'broken_%s%s' % (b, sfx),
                nested_root(okp, via_env=via),
                'nested template broken: %s' % b,
                dict({'nested.yaml': mutate._nested_text(m, b)}, **env))
    # 5. get_attr path components
    for ver in ('2013-05-23', '2014-10-16', '2015-10-15', '2021-04-16'):
        for cn, comp in (('map', {'a': 'b'}), ('list', ['a']), ('null', None),
                         ('float', 1.5), ('bool', True), ('int', 0),
                         ('fn_missing_param', {'get_param': 'nope'}),
                         ('fn_param', {'get_param': 'length'})):
            t = hot(ver)
            t['outputs']['p'] = {'value': {'get_attr': ['rand', 'value',
                                                        comp]}}
            add('attrpath', '%s_%s' % (ver, cn), t,
                'HOT %s output get_attr [rand, value, %s]' % (
                    ver, json.dumps(comp)))
            t = hot(ver)
            t['resources']['val']['properties']['value'] = {
                'get_attr': ['rand', 'value', comp]}
            add('attrpath', '%s_%s_inprop' % (ver, cn), t,
                'HOT %s property get_attr [rand, value, %s]' % (
                    ver, json.dumps(comp)))
        # attribute name from a function
        for an, attr in (('param_missing', {'get_param': 'nope'}),
                         ('param', {'get_param': 'length'})):
            t = hot(ver)
            t['outputs']['p'] = {'value': {'get_attr': ['rand', attr]}}
            add('attrpath', '%s_attrname_%s' % (ver, an), t,
                'HOT %s get_attr [rand, %s]' % (ver, json.dumps(attr)))
    # 6. external_id
    for en, ev in (('empty', ''), ('zero', 0), ('false', False),
                   ('null', None), ('param', {'get_param': 'ext'}),
                   ('param_empty', {'get_param': 'ext0'})):
        t = hot()
        t['parameters']['ext'] = {'type': 'string', 'default': 'abc'}
        t['parameters']['ext0'] = {'type': 'string', 'default': ''}
        t['resources']['val']['external_id'] = ev
        add('external_id', en, t, 'external_id %r on a resource with a '
            'get_attr dependency' % (ev,))
        t = hot()
        t['parameters']['ext'] = {'type': 'string', 'default': 'abc'}
        t['parameters']['ext0'] = {'type': 'string', 'default': ''}
        t['resources']['val']['external_id'] = ev
        t['resources']['val']['depends_on'] = 'rand'
        add('external_id', en + '_dep', t, 'external_id %r with depends_on'
            % (ev,))
    # 7. parameter description / label / hidden types
    for k, v in (('description', ['a', 'b']), ('description', {'a': 1}),
                 ('description', 42), ('description', True),
                 ('label', 123), ('label', ['a']), ('label', {'en': 'x'}),
                 ('hidden', 'yes'), ('hidden', 'true'), ('hidden', 1),
                 ('immutable', 'yes'), ('immutable', 1)):
        t = hot()
        t['parameters']['length'][k] = v
        add('param_attr', '%s_%s' % (k, type(v).__name__ + str(v)[:6]
                                     .replace(' ', '')
                                     .replace("'", '')), t,
            'parameter %s %r' % (k, v))
        t = cfn()
        ck = {'description': 'Description', 'label': 'Label',
              'hidden': 'NoEcho', 'immutable': 'Immutable'}[k]
        t['Parameters']['Length'][ck] = v
        add('param_attr', 'cfn_%s_%s' % (ck, type(v).__name__ +
                                         str(v)[:6].replace(' ', '')
                                         .replace("'", '')), t,
            'CFN parameter %s %r' % (ck, v))
    # 8. update_policy on plain types (schema known) vs OS::Heat::None
    for typ in ('OS::Heat::RandomString', 'OS::Heat::ResourceGroup',
                'OS::Heat::None', 'OS::Heat::AutoScalingGroup'):
        for un, upd in (('unknown', {'rolling_updates': {}}),
                        ('rolling', {'rolling_update': {'max_batch_size': 1}}),
                        ('empty', {})):
            t = hot()
            t['resources']['x'] = {'type': typ, 'update_policy': upd}
            if typ in ('OS::Heat::ResourceGroup',):
                t['resources']['x']['properties'] = {
                    'resource_def': {'type': 'OS::Heat::None'}}
            if typ == 'OS::Heat::AutoScalingGroup':
                t['resources']['x']['properties'] = {
                    'min_size': 1, 'max_size': 2,
                    'resource': {'type': 'OS::Heat::None'}}
            add('update_policy', '%s_%s' % (typ.split('::')[-1], un), t,
                '%s update_policy %r' % (typ, upd))


def parse_args():
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', help='output directory (default $OUT/probes, '
                    'OUT defaulting to /tmp/heatgen)')
    ap.add_argument('--only-copy', action='store_true',
                    help='write the probes, do not run gen.py')
    a = ap.parse_args()
    if a.out is None:
        a.out = os.path.join(os.environ.get('OUT', '/tmp/heatgen'), 'probes')
    a.out = os.path.abspath(a.out)
    return a


def main():
    a = parse_args()
    build()
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    tdir = os.path.join(a.out, 'templates', 'probe')
    ids, man = [], []
    for group, name, t, detail, files, fmt in PROBES:
        d = os.path.join(tdir, group)
        os.makedirs(d, exist_ok=True)
        stem = name
        text = t if isinstance(t, str) else dump(t, fmt)
        nested = '%s.nested.yaml' % stem
        text = text.replace('nested.yaml', nested)
        with open(os.path.join(d, stem + '.yaml'), 'w',
                  encoding='utf-8') as fh:
            fh.write(text)
        for fname, ftext in files.items():
            if fname == 'probe_env':
                out = os.path.join(d, stem + '_env.yaml')
                ftext = ftext.replace('nested.yaml', nested)
            else:
                out = os.path.join(d, fname.replace('nested.yaml', nested))
            with open(out, 'w', encoding='utf-8') as fh:
                fh.write(ftext)
        mid = 'probe/%s/%s.yaml' % (group, stem)
        ids.append(mid)
        man.append({'id': mid, 'orig': 'probe', 'op': 'probe_' + group,
                    'detail': detail})
    bh.write_ids(a.out, ids)
    mutate.write_manifest(a.out, man, ensure_ascii=True)
    print('%d probes' % len(ids), file=sys.stderr)
    if not a.only_copy:
        bh.gen_expected(a.out)


if __name__ == '__main__':
    main()
