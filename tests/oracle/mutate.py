#!/usr/bin/env python3
"""mutate.py: mutation testing of heat-rs against Heat: templates with one
realistic mistake each, and Heat's verdict on them.

Why: the visible corpus and the held-out sets are mostly *valid* templates
(or whatever mistakes their authors happened to make).  A user's template is
often wrong in small ways: a misspelled key, a wrong type, a dangling
reference, a bad function argument.  A mutant is a template Heat validates,
changed by exactly ONE such mistake (an "operator"); Heat's answer on it
(refusal and error text, or acceptance) is computed with gen.py like any
other held-out template, and heat-rs must say the same.

What it does:
1. candidates: every template of the visible corpus ($CONFORMANCE_DIR) and
   of the held-out set built by build_held.py ($OUT/held) that Heat parses,
   validates (template_validate and the generic stack) and gives a graph,
   without Fn::Sub, at most 40,000 characters, with at least one resource,
   minus the few in KNOWN_BAD (heat-rs already disagreed on them unmutated
   when the sample was fixed);
2. sample: --n templates (default 150) stratified by dialect/version band
   and format (`hot-2013`, `hot-2014..2015`, `hot-2016`, `hot-2017+`, `aws`,
   `heatcfn`, each `/json` or `/yaml`), taken in turns, richer templates
   (parameters, outputs, conditions, parameter groups, mappings, files,
   environment, >= 2 resources) first (see sample and SHUFFLE_ORDER);
3. per template: one unmutated round-trip control (op `roundtrip`, the
   template re-serialised by `dump`: if a control disagrees, the
   re-serialisation is the cause, not a mutation) and --per mutants (default
   10), the least used operators so far first (ties in a seeded random
   order), each operator with its own random.Random('<id>|<op>|<seed>');
   an operator that does not apply to a template raises Skip;
4. gen.py computes OUT/expected/<id>.json (unless --only-copy).

The 119 operators (OPS, grouped as in this file): top level (13: section
and version-key typos, sections missing, null, lists, duplicated), YAML and
JSON syntax (7: tabs, indentation, YAML 1.1 scalars, trailing/missing
commas, single quotes), resources (23: key typos, unknown keys, type
missing/unknown/miscased/not a string/missing file, depends_on missing,
self, cycles, wrong shape, deletion/update policies, conditions,
external_id), properties (9: typos, unknown, wrong case, wrong type,
required missing, constraint violations, nested keys), intrinsic functions
(19: dangling get_resource/get_attr/get_param/Ref, wrong arguments of
list_join, str_replace, Fn::Join, Fn::Select, Fn::GetAtt, Fn::FindInMap,
functions of another version, misspelled, extra keys, in conditions),
conditions (5), parameters (17: types, defaults against constraints,
malformed constraints and patterns, unknown keys), parameter groups (3),
outputs (6), null/falsy/scalar sections, allowed_pattern regex engines,
get_attr paths and nested template resources (11), environment files (6).
`probe.py` covers the same gaps as systematic cross products.

Output (the layout of build_held.py's sets, so the runner reads it as a
templates root):
  OUT/templates/<source>/<dir>/<stem>.mNN-<op>.<ext>   the mutant (NN = 00
      for the control, 01..--per for the mutants; `_` in op written `-`),
      beside its environment file renamed to the mutant's stem
      (<stem>.mNN-<op>_env.yaml or -env.yaml), the files the original
      references copied with their relative paths, and a nested template
      <stem>.mNN-<op>.nested.yaml when the operator adds one
  OUT/ids.txt          one id (<source>/<dir>/<file>) per line, sorted
  OUT/manifest.jsonl   {id, orig, op, detail, stratum} per mutant, in
                       writing order (analyze.py reads it)
  OUT/expected/<id>.json   gen.py's result

Deterministic: the same inputs (visible corpus, held-out set, seed, --n,
--per) give byte-identical output; heatenv.py re-execs with
PYTHONHASHSEED=0 and every random choice comes from seeded
random.Random objects.  The sample depends on the held-out set: rebuild
$OUT/held (generate.sh held) first.

usage (with the Heat venv's python):
  mutate.py [--out DIR] [--conformance DIR] [--held DIR] [--n 150]
            [--per 10] [--seed 7] [--only-copy]
Options, environment variables and defaults:
  --out          $OUT/mutants   (OUT defaulting to /tmp/heatgen)
  --conformance  CONFORMANCE_DIR   /work/shared/conformance
  --held         HELD_SRC   $OUT/held   (a set built by build_held.py;
                 `none`: sample the visible corpus only)
HEAT_SRC and HEAT_VERSION_LABEL are read by heatenv.py / gen.py.
"""
import argparse
import copy
import json
import os
import random
import re
import shutil
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_held as bh  # noqa: E402  (imports gen.py: sets Heat up)
import gen  # noqa: E402

import yaml  # noqa: E402

from heat.common import template_format  # noqa: E402
from heat.engine import resources as heat_resources  # noqa: E402
from heat.engine import properties as heat_props  # noqa: E402

# Templates heat-rs already disagreed on unmutated when the sample was fixed
# (not mutation material).  Kept as it is so that the sample, and with it
# every mutant, stays the same; a template heat-rs later gets wrong is not
# added here (its round-trip control m00 then disagrees, which shows it).
KNOWN_BAD = {
    'aws-cfn-templates/community/solutions/StaticWebSiteWithPipeline/stacks/pipeline.json',
    'aws-cfn-templates-longform/aws/services/RDS/RDS_MySQL_With_Read_Replica.json',
    'aws-cfn-templates-longform/aws/services/S3/S3_Website_With_CloudFront_Distribution.json',
    'aws-cfn-templates-longform/aws/solutions/DirectoryServiceSettings/templates/DIRECTORY_SETTINGS.cfn.json',
    'aws-cfn-templates-longform/aws/solutions/VPCPeering/templates/VPCPeering-Accepter-Tag.cfn.json',
    'heat-templates/cfn/F17/WordPress_Single_Instance_With_HA.yaml',
}

HOT_RANK = {}
for i, vs in enumerate([('2013-05-23',), ('2014-10-16',), ('2015-04-30',),
                        ('2015-10-15',), ('2016-04-08',),
                        ('2016-10-14', 'newton'), ('2017-02-24', 'ocata'),
                        ('2017-09-01', 'pike'), ('2018-03-02', 'queens'),
                        ('2018-08-31', 'rocky'), ('2021-04-16', 'wallaby')]):
    for v in vs:
        HOT_RANK[v] = i
R = {v: HOT_RANK[v] for v in ('2013-05-23', '2014-10-16', '2015-04-30',
                              '2015-10-15', '2016-04-08', '2016-10-14',
                              '2017-02-24', '2017-09-01', '2018-03-02',
                              '2018-08-31', '2021-04-16')}

GENV = heat_resources.global_env()


def type_class(tname):
    if not isinstance(tname, str) or tname.endswith(('.yaml', '.template')):
        return None
    try:
        return GENV.get_class_to_instantiate(tname)
    except Exception:
        return None


# --------------------------------------------------------------------------
# serialisation

class _Dumper(yaml.SafeDumper):
    pass


def _str_rep(dumper, s):
    if '\n' in s:
        return dumper.represent_scalar('tag:yaml.org,2002:str', s, style='|')
    return dumper.represent_scalar('tag:yaml.org,2002:str', s)


_Dumper.add_representer(str, _str_rep)


def dump(t, fmt):
    if fmt == 'json':
        return json.dumps(t, indent=2, ensure_ascii=False) + '\n'
    return yaml.dump(t, Dumper=_Dumper, sort_keys=False,
                     default_flow_style=False, allow_unicode=True, width=4096)


# --------------------------------------------------------------------------
# helpers

def typo(name, rng, avoid=()):
    """A realistic misspelling of name, not in avoid."""
    for _ in range(50):
        s = name
        k = rng.randrange(5)
        if len(s) < 2:
            s = s + s
        i = rng.randrange(len(s) - 1)
        if k == 0:            # drop a char
            s = s[:i] + s[i + 1:]
        elif k == 1:          # swap adjacent
            s = s[:i] + s[i + 1] + s[i] + s[i + 2:]
        elif k == 2:          # double a char
            s = s[:i] + s[i] + s[i:]
        elif k == 3:          # trailing s / missing s
            s = s[:-1] if s.endswith('s') else s + 's'
        else:                 # digit suffix
            s = s + str(rng.randrange(1, 3))
        if s != name and s not in avoid and s:
            return s
    return name + '_x'


def rename_key(d, old, new):
    """Rename a key keeping the order."""
    items = list(d.items())
    d.clear()
    for k, v in items:
        d[new if k == old else k] = v


def insert_after(d, after, key, value):
    items = list(d.items())
    d.clear()
    done = False
    for k, v in items:
        d[k] = v
        if k == after:
            d[key] = value
            done = True
    if not done:
        d[key] = value


def walk(v, path=()):
    """(path, container, key, value) of every node below v."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield path + (k,), v, k, x
            yield from walk(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield path + (i,), v, i, x
            yield from walk(x, path + (i,))


def fn_nodes(v, names, path=()):
    """(path, dict) of single-key maps whose key is in names."""
    out = []
    if isinstance(v, dict) and len(v) == 1 and next(iter(v)) in names:
        out.append((path, v))
    for p, c, k, x in walk(v, path):
        if isinstance(x, dict) and len(x) == 1 and next(iter(x)) in names:
            out.append((p, x))
    return out


def pstr(path):
    return '.'.join(str(p) for p in path)


class Skip(Exception):
    pass


class M(object):
    """One template being mutated."""

    def __init__(self, t, fmt, env_text, rel):
        self.t = t
        self.fmt = fmt
        self.text = None          # set by text-level ops
        self.env_text = env_text  # None: no environment file
        self.rel = rel
        self.extra_files = {}     # name (with NESTEDFILE) -> text
        if 'heat_template_version' in t:
            self.d = 'hot'
            self.v = HOT_RANK.get(str(t['heat_template_version']), 0)
        elif 'AWSTemplateFormatVersion' in t:
            self.d = 'aws'
            self.v = None
        else:
            self.d = 'heatcfn'
            self.v = None

    # names
    @property
    def hot(self):
        return self.d == 'hot'

    def S(self, name):
        if self.hot:
            return name
        return {'resources': 'Resources', 'parameters': 'Parameters',
                'outputs': 'Outputs', 'description': 'Description',
                'conditions': 'Conditions', 'mappings': 'Mappings'}[name]

    def K(self, name):
        if self.hot:
            return name
        return {'type': 'Type', 'properties': 'Properties',
                'metadata': 'Metadata', 'depends_on': 'DependsOn',
                'deletion_policy': 'DeletionPolicy',
                'update_policy': 'UpdatePolicy', 'condition': 'Condition',
                'value': 'Value', 'description': 'Description',
                'default': 'Default'}[name]

    def has_conditions(self):
        return self.d == 'aws' or (self.hot and self.v >= R['2016-10-14'])

    def sec(self, name):
        v = self.t.get(self.S(name))
        return v if isinstance(v, dict) else {}

    def res(self):
        return {n: r for n, r in self.sec('resources').items()
                if isinstance(r, dict)}

    def rtype(self, r):
        return r.get(self.K('type'))

    def params(self):
        return {n: p for n, p in self.sec('parameters').items()
                if isinstance(p, dict)}

    def ptype(self, p):
        return str(p.get('type' if self.hot else 'Type', '')).lower()

    def outputs(self):
        return {n: o for n, o in self.sec('outputs').items()
                if isinstance(o, dict)}

    def conds(self):
        return self.sec('conditions') if self.has_conditions() else {}

    # function names
    def fn_getres(self):
        return 'get_resource' if self.hot else 'Ref'

    def fn_getattr(self):
        return 'get_attr' if self.hot else 'Fn::GetAtt'

    def fn_getparam(self):
        return 'get_param' if self.hot else 'Ref'

    def res_with_props(self):
        return {n: r for n, r in self.res().items()
                if isinstance(r.get(self.K('properties')), dict)
                and r.get(self.K('properties'))}

    def pick(self, rng, d):
        if not d:
            raise Skip()
        k = rng.choice(sorted(d, key=str))
        return k, d[k]

    def ghost(self, rng, base, avoid):
        return typo(base, rng, avoid)

    def all_names(self):
        return set(self.sec('resources')) | set(self.sec('parameters')) | \
            set(self.sec('outputs')) | set(self.conds())


# --------------------------------------------------------------------------
# mutation operators: op(m, rng) -> detail string (raise Skip when the op
# does not apply)

OPS = {}


def op(name):
    def deco(f):
        OPS[name] = f
        return f
    return deco


# ---- top level -----------------------------------------------------------

SECTION_TYPOS = {
    'resources': ['resource', 'ressources', 'resouces', 'Resources'],
    'parameters': ['parameter', 'paramters', 'params', 'Parameters'],
    'outputs': ['output', 'ouputs', 'Outputs'],
    'description': ['desciption', 'Description', 'descripton'],
    'parameter_groups': ['parameter_group', 'parametergroups',
                         'parameter-groups'],
    'conditions': ['condition', 'Conditions'],
    'Resources': ['Resource', 'resources', 'Ressources'],
    'Parameters': ['Parameter', 'parameters', 'Params'],
    'Outputs': ['Output', 'outputs', 'OutPuts'],
    'Description': ['description', 'Desription'],
    'Mappings': ['Mapping', 'mappings', 'Maps'],
    'Conditions': ['Condition', 'conditions'],
}


@op('section_typo')
def op_section_typo(m, rng):
    cands = [k for k in m.t if k in SECTION_TYPOS]
    if not cands:
        raise Skip()
    k = rng.choice(cands)
    new = rng.choice(SECTION_TYPOS[k])
    rename_key(m.t, k, new)
    return 'top-level section %r renamed %r' % (k, new)


@op('section_not_in_version')
def op_section_not_in_version(m, rng):
    if m.hot and m.v < R['2016-10-14']:
        m.t['conditions'] = {'is_prod': {'equals': ['prod', 'prod']}}
        return 'conditions section in HOT %s' % m.t['heat_template_version']
    if m.d == 'heatcfn':
        m.t['Conditions'] = {'IsProd': {'Fn::Equals': ['prod', 'prod']}}
        return 'Conditions section in HeatTemplateFormatVersion'
    if m.d == 'aws':
        m.t['Rules'] = {'R1': {'Assertions': [{'Assert': {
            'Fn::Equals': ['a', 'a']}}]}}
        return 'Rules section (modern CloudFormation) in AWS template'
    if m.hot:
        m.t['mappings'] = {'Region': {'RegionOne': {'image': 'cirros'}}}
        return 'mappings section in HOT'
    raise Skip()


@op('version_typo')
def op_version_typo(m, rng):
    if m.hot:
        cur = str(m.t['heat_template_version'])
        choices = ['2016-10-41', '2013-05-32', '2019-01-01', cur + ' ',
                   cur.replace('-', '/'), 'Newton', '2016-10-14T00:00:00',
                   cur[:7]]
        new = rng.choice([c for c in choices if c != cur])
        m.t['heat_template_version'] = new
        return 'heat_template_version %r -> %r' % (cur, new)
    if m.d == 'aws':
        new = rng.choice(['2010-09-10', '2010-9-9', '2010-09-09 ', '2012-12-12'])
        m.t['AWSTemplateFormatVersion'] = new
        return 'AWSTemplateFormatVersion -> %r' % new
    new = rng.choice(['2012-12-13', '2010-09-09', '2012-12-12 '])
    m.t['HeatTemplateFormatVersion'] = new
    return 'HeatTemplateFormatVersion -> %r' % new


@op('version_key_typo')
def op_version_key_typo(m, rng):
    k = [k for k in m.t if k in ('heat_template_version',
                                 'AWSTemplateFormatVersion',
                                 'HeatTemplateFormatVersion')][0]
    new = {'heat_template_version': ['heat_template_verison',
                                     'heat_version', 'Heat_Template_Version',
                                     'heat-template-version'],
           'AWSTemplateFormatVersion': ['AWSTemplateVersion',
                                        'AwsTemplateFormatVersion'],
           'HeatTemplateFormatVersion': ['HeatTemplateVersion',
                                         'heatTemplateFormatVersion']}[k]
    new = rng.choice(new)
    rename_key(m.t, k, new)
    return 'version key %r -> %r' % (k, new)


@op('version_number')
def op_version_number(m, rng):
    if not m.hot:
        raise Skip()
    cur = str(m.t['heat_template_version'])
    if not re.match(r'\d{4}-\d\d-\d\d$', cur):
        raise Skip()
    m.text = dump(m.t, m.fmt)
    if m.fmt == 'json':
        m.text = m.text.replace('"heat_template_version": "%s"' % cur,
                                '"heat_template_version": %s' % cur[:4], 1)
        return 'heat_template_version as number %s' % cur[:4]
    m.text = re.sub(r"^heat_template_version: .*$",
                    'heat_template_version: %s' % cur.replace('-', ''),
                    m.text, count=1, flags=re.M)
    return 'heat_template_version as number %s' % cur.replace('-', '')


@op('empty_resources')
def op_empty_resources(m, rng):
    k = m.S('resources')
    if k not in m.t:
        raise Skip()
    # keep what refers to resources out of the way: drop outputs too
    new = rng.choice([{}, None])
    m.t[k] = new
    for o in (m.S('outputs'),):
        m.t.pop(o, None)
    return 'resources section %r (outputs dropped)' % (new,)


@op('empty_resources_keep_outputs')
def op_empty_resources_keep_outputs(m, rng):
    k = m.S('resources')
    if k not in m.t or not m.outputs():
        raise Skip()
    m.t[k] = None
    return 'resources section left empty (null), outputs kept'


@op('resources_as_list')
def op_resources_as_list(m, rng):
    k = m.S('resources')
    if not m.res():
        raise Skip()
    m.t[k] = [{n: r} for n, r in m.sec('resources').items()]
    return 'resources written as a list of one-entry maps'


@op('section_as_list')
def op_section_as_list(m, rng):
    cands = [s for s in ('parameters', 'outputs', 'conditions')
             if m.sec(s) and m.S(s) in m.t]
    if not cands:
        raise Skip()
    s = m.S(rng.choice(cands))
    m.t[s] = [{n: v} for n, v in m.t[s].items()]
    return '%s written as a list of one-entry maps' % s


@op('description_not_string')
def op_description_not_string(m, rng):
    k = m.S('description')
    old = m.t.get(k, 'x')
    new = rng.choice([[str(old)], {'text': str(old)}, 42])
    m.t[k] = new
    return 'top-level %s as %s' % (k, type(new).__name__)


@op('dup_section_wrong_shape')
def op_dup_section_wrong_shape(m, rng):
    cands = [s for s in ('resources', 'parameters', 'outputs')
             if m.S(s) in m.t]
    if not cands:
        raise Skip()
    s = m.S(rng.choice(cands))
    text = dump(m.t, m.fmt)
    val = rng.choice(['[]', '"none"'])
    if m.fmt == 'json':
        i = text.rstrip().rfind('}')
        text = text[:i].rstrip() + ',\n  "%s": %s\n}\n' % (s, val)
    else:
        text = text + '%s: %s\n' % (s, val)
    m.text = text
    return 'duplicate top-level key %s: %s after the real one' % (s, val)


@op('dup_section_same_shape')
def op_dup_section_same_shape(m, rng):
    s = m.S('resources')
    res = m.sec('resources')
    if len(res) < 2:
        raise Skip()
    first = next(iter(res))
    text = dump(m.t, m.fmt)
    extra = {s: {first: res[first]}}
    if m.fmt == 'json':
        body = json.dumps(extra, indent=2, ensure_ascii=False)[1:-1].strip()
        i = text.rstrip().rfind('}')
        text = text[:i].rstrip() + ',\n  ' + body + '\n}\n'
    else:
        text = text + dump(extra, 'yaml')
    m.text = text
    return ('second %s section (only %s) after the first: the last one '
            'wins in Heat' % (s, first))


@op('dup_resource_key')
def op_dup_resource_key(m, rng):
    """A resource with its type key given twice, the second wrong."""
    if m.fmt != 'yaml':
        raise Skip()
    name, r = m.pick(rng, m.res())
    tk = m.K('type')
    if tk not in r:
        raise Skip()
    text = dump(m.t, m.fmt)
    # find the resource's type line
    lines = text.split('\n')
    for i, ln in enumerate(lines):
        if ln.strip() == '%s:' % name or ln.strip() == "'%s':" % name:
            ind = len(ln) - len(ln.lstrip())
            for j in range(i + 1, len(lines)):
                lj = lines[j]
                if lj.strip() and len(lj) - len(lj.lstrip()) <= ind:
                    break
                if lj.lstrip().startswith(tk + ':'):
                    ind2 = len(lj) - len(lj.lstrip())
                    lines.insert(j + 1, ' ' * ind2 + tk + ': [' +
                                 str(r[tk]) + ']')
                    m.text = '\n'.join(lines)
                    return ('resource %s: %s given twice, the second a list'
                            % (name, tk))
            break
    raise Skip()


# ---- YAML / JSON syntax ----------------------------------------------------

@op('yaml_tab_indent')
def op_yaml_tab_indent(m, rng):
    if m.fmt != 'yaml':
        raise Skip()
    text = dump(m.t, m.fmt)
    lines = text.split('\n')
    idx = [i for i, ln in enumerate(lines) if ln.startswith('    ')
           and ':' in ln]
    if not idx:
        raise Skip()
    i = rng.choice(idx)
    lines[i] = '\t' + lines[i][4:]
    m.text = '\n'.join(lines)
    return 'line %d indented with a tab' % (i + 1)


@op('yaml_bad_indent')
def op_yaml_bad_indent(m, rng):
    if m.fmt != 'yaml':
        raise Skip()
    text = dump(m.t, m.fmt)
    lines = text.split('\n')
    idx = [i for i, ln in enumerate(lines) if ln.startswith('    ')
           and re.match(r'\s+[A-Za-z_]+:', ln) and i > 0]
    if not idx:
        raise Skip()
    i = rng.choice(idx)
    lines[i] = ' ' + lines[i]
    m.text = '\n'.join(lines)
    return 'line %d indented one space too far' % (i + 1)


@op('yaml11_scalars')
def op_yaml11_scalars(m, rng):
    """YAML 1.1 scalars a user writes unquoted (PyYAML reads yes as a
    boolean, 0755 as octal, 1:30 as sexagesimal...)."""
    if m.fmt != 'yaml':
        raise Skip()
    k = m.S('outputs')
    t = copy.deepcopy(m.t)
    t.setdefault(k, {})
    if not isinstance(t[k], dict):
        raise Skip()
    t[k]['yaml_scalars'] = {m.K('value'): 'PLACEHOLDER'}
    text = dump(t, m.fmt)
    text = text.replace(
        'PLACEHOLDER',
        '[yes, No, on, OFF, y, 0755, 0x1F, 0o17, 1_000, 1e3, 1.5e3, '
        '1:30, ~, Null, 2001-12-14, 0b101, +12, 012345678]', 1)
    m.text = text
    return 'output yaml_scalars: a list of YAML 1.1 plain scalars'


@op('yaml_param_default_yes')
def op_yaml_param_default_yes(m, rng):
    if m.fmt != 'yaml' or not m.hot:
        raise Skip()
    t = copy.deepcopy(m.t)
    t.setdefault('parameters', {})
    if not isinstance(t['parameters'], dict):
        raise Skip()
    val = rng.choice(['yes', 'off', '0755', '1:30', '1e3', '2001-12-14'])
    typ = rng.choice(['string', 'string', 'number', 'boolean'])
    t['parameters']['mut_flag'] = {'type': typ, 'default': 'PLACEHOLDER'}
    m.text = dump(t, m.fmt).replace("'PLACEHOLDER'", val).replace(
        'PLACEHOLDER', val)
    return 'new %s parameter with unquoted default %s' % (typ, val)


@op('json_trailing_comma')
def op_json_trailing_comma(m, rng):
    if m.fmt != 'json':
        raise Skip()
    text = dump(m.t, m.fmt)
    idx = [mm.start() for mm in re.finditer(r'"\n(\s*)\}', text)]
    if not idx:
        raise Skip()
    i = rng.choice(idx)
    m.text = text[:i + 1] + ',' + text[i + 1:]
    return 'JSON trailing comma at offset %d' % i


@op('json_missing_comma')
def op_json_missing_comma(m, rng):
    if m.fmt != 'json':
        raise Skip()
    text = dump(m.t, m.fmt)
    idx = [mm.start() for mm in re.finditer(r'",\n', text)]
    if not idx:
        raise Skip()
    i = rng.choice(idx)
    m.text = text[:i + 1] + text[i + 2:]
    return 'JSON missing comma at offset %d' % i


@op('json_single_quotes')
def op_json_single_quotes(m, rng):
    """JSON with single-quoted strings: not JSON, but YAML (flow) may read
    it."""
    if m.fmt != 'json':
        raise Skip()
    text = dump(m.t, m.fmt)
    if "'" in text:
        raise Skip()
    m.text = text.replace('"', "'")
    return 'JSON written with single quotes'


# ---- resources -------------------------------------------------------------

RES_KEY_TYPOS = {
    'properties': ['propertes', 'property', 'Properties', 'props',
                   'properites'],
    'depends_on': ['depend_on', 'dependson', 'depends-on', 'DependsOn',
                   'depends'],
    'metadata': ['meta_data', 'Metadata', 'metdata'],
    'type': ['Type', 'typ', 'tpye'],
    'deletion_policy': ['deletionpolicy', 'DeletionPolicy', 'delete_policy'],
    'update_policy': ['updatepolicy', 'UpdatePolicy', 'update-policy'],
    'condition': ['conditions', 'Condition'],
    'Properties': ['Propertes', 'properties', 'Property'],
    'DependsOn': ['DependOn', 'Dependson', 'depends_on', 'DependsON'],
    'Metadata': ['metadata', 'MetaData', 'Metdata'],
    'Type': ['type', 'Typ'],
    'DeletionPolicy': ['deletion_policy', 'Deletionpolicy'],
    'UpdatePolicy': ['update_policy', 'Updatepolicy'],
    'Condition': ['Conditions', 'condition'],
}


@op('res_key_typo')
def op_res_key_typo(m, rng):
    cands = [(n, k) for n, r in m.res().items() for k in r
             if k in RES_KEY_TYPOS]
    if not cands:
        raise Skip()
    n, k = rng.choice(sorted(cands))
    new = rng.choice(RES_KEY_TYPOS[k])
    rename_key(m.sec('resources')[n], k, new)
    return 'resource %s: key %r -> %r' % (n, k, new)


@op('res_unknown_key')
def op_res_unknown_key(m, rng):
    n, r = m.pick(rng, m.res())
    key, val = rng.choice([('count', 2), ('name', n), ('tags', ['a']),
                           ('Tags', ['a']), ('description' if not m.hot
                                             else 'Description', 'x'),
                           ('requires', []), ('external_id', 'abc')
                           if m.hot and m.v < R['2016-10-14'] else
                           ('external-id', 'abc')])
    if key in r:
        raise Skip()
    r[key] = val
    return 'resource %s: unknown key %r' % (n, key)


@op('res_no_type')
def op_res_no_type(m, rng):
    n, r = m.pick(rng, m.res())
    k = m.K('type')
    if k not in r:
        raise Skip()
    v = rng.choice(['delete', 'empty', 'null'])
    if v == 'delete':
        del r[k]
    else:
        r[k] = '' if v == 'empty' else None
    return 'resource %s: type %s' % (n, {'delete': 'removed',
                                         'empty': "''", 'null': 'null'}[v])


def _case_typo(t, rng):
    parts = t.split('::')
    c = rng.randrange(4)
    if c == 0:
        return t.lower()
    if c == 1:
        return t.upper()
    i = rng.randrange(len(parts))
    parts[i] = parts[i].lower() if parts[i] != parts[i].lower() \
        else parts[i].capitalize()
    s = '::'.join(parts)
    return s if s != t else t.lower()


@op('res_type_wrong_case')
def op_res_type_wrong_case(m, rng):
    cands = {n: r for n, r in m.res().items()
             if isinstance(m.rtype(r), str) and '::' in m.rtype(r)}
    n, r = m.pick(rng, cands)
    old = m.rtype(r)
    new = _case_typo(old, rng)
    r[m.K('type')] = new
    return 'resource %s: type %r -> %r' % (n, old, new)


@op('res_type_unknown')
def op_res_type_unknown(m, rng):
    cands = {n: r for n, r in m.res().items()
             if isinstance(m.rtype(r), str) and '::' in m.rtype(r)}
    n, r = m.pick(rng, cands)
    old = m.rtype(r)
    parts = old.split('::')
    c = rng.randrange(4)
    if c == 0:
        parts[-1] = parts[-1] + 's'
    elif c == 1:
        parts[-1] = typo(parts[-1], rng)
    elif c == 2:
        parts[1] = typo(parts[1], rng) if len(parts) > 1 else parts[0]
    else:
        parts = ['OS' if parts[0] == 'AWS' else 'AWS'] + parts[1:]
    new = '::'.join(parts)
    if type_class(new) is not None:
        raise Skip()
    r[m.K('type')] = new
    return 'resource %s: type %r -> %r' % (n, old, new)


@op('res_type_whitespace')
def op_res_type_whitespace(m, rng):
    cands = {n: r for n, r in m.res().items()
             if isinstance(m.rtype(r), str) and '::' in m.rtype(r)}
    n, r = m.pick(rng, cands)
    old = m.rtype(r)
    new = rng.choice([old + ' ', ' ' + old, old.replace('::', ': :', 1),
                      old.replace('::', ':', 1)])
    r[m.K('type')] = new
    return 'resource %s: type %r -> %r' % (n, old, new)


@op('res_type_not_string')
def op_res_type_not_string(m, rng):
    n, r = m.pick(rng, m.res())
    old = m.rtype(r)
    new = rng.choice([[old], {'name': old}, 42])
    r[m.K('type')] = new
    return 'resource %s: type as %s' % (n, type(new).__name__)


@op('res_type_missing_file')
def op_res_type_missing_file(m, rng):
    n, r = m.pick(rng, m.res())
    new = rng.choice(['nested_missing.yaml', 'lib/missing.template',
                      'file:///nonexistent/x.yaml'])
    r[m.K('type')] = new
    return 'resource %s: type -> missing template %r' % (n, new)


@op('res_defn_not_map')
def op_res_defn_not_map(m, rng):
    n, r = m.pick(rng, m.res())
    c = rng.randrange(3)
    sec = m.sec('resources')
    if c == 0:
        sec[n] = m.rtype(r)
        return 'resource %s written as its type string' % n
    if c == 1:
        sec[n] = [r]
        return 'resource %s written as a list' % n
    sec[n] = None
    return 'resource %s left empty (null)' % n


@op('res_properties_not_map')
def op_res_properties_not_map(m, rng):
    n, r = m.pick(rng, m.res_with_props())
    k = m.K('properties')
    c = rng.randrange(3)
    if c == 0:
        r[k] = [{a: b} for a, b in r[k].items()]
        return 'resource %s: properties as a list of one-entry maps' % n
    if c == 1:
        r[k] = ' '.join('%s=%s' % (a, b) for a, b in r[k].items()
                        if isinstance(b, str)) or 'x'
        return 'resource %s: properties as a string' % n
    r[k] = None
    return 'resource %s: properties null' % n


@op('res_metadata_not_map')
def op_res_metadata_not_map(m, rng):
    n, r = m.pick(rng, m.res())
    k = m.K('metadata')
    old = r.get(k)
    new = rng.choice([['a', 'b'], 'some text', 7])
    r[k] = new
    return 'resource %s: metadata as %s (was %s)' % (
        n, type(new).__name__, type(old).__name__)


@op('res_name_bad')
def op_res_name_bad(m, rng):
    n, r = m.pick(rng, m.res())
    new = rng.choice([n + '/a', n + ' ', 'my res', n + '.x', ''])
    if new in m.sec('resources'):
        raise Skip()
    rename_key(m.sec('resources'), n, new)
    return 'resource %r renamed %r (references left as they are)' % (n, new)


@op('res_dup_name_case')
def op_res_dup_name_case(m, rng):
    """A second resource whose name differs in case only."""
    n, r = m.pick(rng, m.res())
    new = n.upper() if n != n.upper() else n.lower()
    if new in m.sec('resources') or new == n:
        raise Skip()
    insert_after(m.sec('resources'), n, new, copy.deepcopy(r))
    return 'resource %s copied as %s' % (n, new)


@op('depends_on_missing')
def op_depends_on_missing(m, rng):
    n, r = m.pick(rng, m.res())
    k = m.K('depends_on')
    names = set(m.sec('resources'))
    other = sorted(x for x in names if x != n) or [n]
    g = typo(rng.choice(other), rng, names)
    old = r.get(k)
    if isinstance(old, list):
        r[k] = old + [g]
    elif isinstance(old, str):
        r[k] = [old, g]
    else:
        r[k] = g
    return 'resource %s: depends on missing %r' % (n, g)


@op('depends_on_self')
def op_depends_on_self(m, rng):
    n, r = m.pick(rng, m.res())
    k = m.K('depends_on')
    old = r.get(k)
    if isinstance(old, list):
        r[k] = old + [n]
    else:
        r[k] = n
    return 'resource %s: depends on itself' % n


@op('depends_on_wrong_shape')
def op_depends_on_wrong_shape(m, rng):
    res = m.res()
    if len(res) < 2:
        raise Skip()
    n, r = m.pick(rng, res)
    other = rng.choice(sorted(x for x in res if x != n))
    k = m.K('depends_on')
    new = rng.choice([{other: True}, [[other]], 1, '%s, %s' % (other, other),
                      [{m.fn_getres(): other}], None, []])
    r[k] = new
    return 'resource %s: depends_on %r' % (n, new)


@op('depends_on_cycle')
def op_depends_on_cycle(m, rng):
    res = m.res()
    if len(res) < 2:
        raise Skip()
    names = sorted(res)
    a, b = rng.sample(names, 2)
    k = m.K('depends_on')
    for x, y in ((a, b), (b, a)):
        old = res[x].get(k)
        if isinstance(old, list):
            res[x][k] = old + [y]
        elif isinstance(old, str):
            res[x][k] = [old, y]
        else:
            res[x][k] = y
    return 'resources %s and %s depend on each other' % (a, b)


DEL_POLICIES = ['Keep', 'Destroy', 'retain', 'delete', 'snapshot',
                'RETAIN', 'Snapshot', ['Retain'], True, '']


@op('deletion_policy_bad')
def op_deletion_policy_bad(m, rng):
    n, r = m.pick(rng, m.res())
    new = rng.choice(DEL_POLICIES)
    r[m.K('deletion_policy')] = new
    return 'resource %s (%s): deletion policy %r' % (n, m.rtype(r), new)


@op('deletion_policy_param')
def op_deletion_policy_param(m, rng):
    n, r = m.pick(rng, m.res())
    pk = m.S('parameters')
    if not isinstance(m.t.get(pk, {}), dict) and m.t.get(pk) is not None:
        raise Skip()
    m.t[pk] = m.t.get(pk) or {}
    val = rng.choice(['Retain', 'retain', 'Keep'])
    if m.hot:
        m.t[pk]['policy'] = {'type': 'string', 'default': val}
    else:
        m.t[pk]['Policy'] = {'Type': 'String', 'Default': val}
    r[m.K('deletion_policy')] = {m.fn_getparam(): 'policy' if m.hot
                                 else 'Policy'}
    return 'resource %s: deletion policy from a parameter defaulting to %r' \
        % (n, val)


@op('update_policy_bad')
def op_update_policy_bad(m, rng):
    n, r = m.pick(rng, m.res())
    new = rng.choice(['replace', ['rolling_update'],
                      {'rolling_updates': {'max_batch_size': 1}},
                      {'rolling_update': {'max_batch_size': 'two'}},
                      {'AutoScalingRollingUpdate': {'MaxBatchSize': 1}},
                      {'rolling_update': {'batch': 1}}])
    r[m.K('update_policy')] = new
    return 'resource %s (%s): update policy %r' % (n, m.rtype(r), new)


@op('res_condition_missing')
def op_res_condition_missing(m, rng):
    n, r = m.pick(rng, m.res())
    names = set(m.conds())
    base = rng.choice(sorted(names)) if names else 'is_production'
    g = typo(base, rng, names) if names else base
    r[m.K('condition')] = g
    return 'resource %s: condition %r (missing; version %s)' % (
        n, g, m.t.get('heat_template_version', m.d))


@op('res_condition_wrong_type')
def op_res_condition_wrong_type(m, rng):
    if not m.has_conditions():
        raise Skip()
    n, r = m.pick(rng, m.res())
    new = rng.choice([['a', 'b'], 1, 'yes', {'equals': [1, 1]}
                      if m.hot else {'Fn::Equals': [1, 1]}, False])
    r[m.K('condition')] = new
    return 'resource %s: condition %r' % (n, new)


@op('external_id_bad')
def op_external_id_bad(m, rng):
    if not (m.hot and m.v >= R['2016-10-14']):
        raise Skip()
    n, r = m.pick(rng, m.res())
    new = rng.choice([['abc'], {'id': 'abc'}, 123, ''])
    r['external_id'] = new
    return 'resource %s: external_id %r' % (n, new)


# ---- properties ------------------------------------------------------------

def _schema_props(m):
    """[(res name, r, props, class, schema)] for resources of known types."""
    out = []
    for n, r in sorted(m.res().items()):
        cls = type_class(m.rtype(r))
        if cls is None or not getattr(cls, 'properties_schema', None):
            continue
        props = r.get(m.K('properties'))
        out.append((n, r, props if isinstance(props, dict) else None, cls,
                    heat_props.schemata(cls.properties_schema)))
    return out


PROP_TYPOS = {'image': 'imgae', 'flavor': 'flavour', 'key_name': 'keyname',
              'networks': 'network', 'network': 'net', 'user_data': 'userdata',
              'security_groups': 'security_group', 'name': 'Name',
              'fixed_ips': 'fixed_ip', 'ImageId': 'ImageID',
              'InstanceType': 'Instancetype', 'KeyName': 'Keyname',
              'UserData': 'Userdata', 'SecurityGroups': 'SecurityGroup'}


@op('prop_typo')
def op_prop_typo(m, rng):
    cands = [(n, r, p) for n, r, p, c, s in _schema_props(m) if p]
    if not cands:
        cands = [(n, r, r[m.K('properties')]) for n, r in
                 m.res_with_props().items()]
    if not cands:
        raise Skip()
    n, r, p = rng.choice(cands)
    k = rng.choice(sorted(p))
    new = PROP_TYPOS.get(k) or typo(k, rng, set(p))
    rename_key(p, k, new)
    return 'resource %s (%s): property %r -> %r' % (n, m.rtype(r), k, new)


@op('prop_unknown')
def op_prop_unknown(m, rng):
    cands = _schema_props(m)
    if not cands:
        raise Skip()
    n, r, p, c, s = rng.choice(cands)
    key = rng.choice(['description', 'tags', 'enabled', 'count', 'labels',
                      'timeout', 'region'])
    if key in s:
        key = key + '_x'
    if p is None:
        r[m.K('properties')] = p = {}
    p[key] = rng.choice(['x', 1, ['a'], {'a': 'b'}])
    return 'resource %s (%s): unknown property %r' % (n, m.rtype(r), key)


@op('prop_wrong_case')
def op_prop_wrong_case(m, rng):
    cands = [(n, r, p) for n, r, p, c, s in _schema_props(m) if p]
    if not cands:
        raise Skip()
    n, r, p = rng.choice(cands)
    k = rng.choice(sorted(p))
    new = k[0].upper() + k[1:] if k[0].islower() else k[0].lower() + k[1:]
    if new in p:
        raise Skip()
    rename_key(p, k, new)
    return 'resource %s (%s): property %r -> %r' % (n, m.rtype(r), k, new)


def _wrong_value(stype, old, rng):
    s = str(old) if not isinstance(old, (dict, list)) else 'x'
    if stype == 'String':
        return rng.choice([[s], {'value': s}])
    if stype == 'List':
        return rng.choice(['a,b', {'a': 'b'}, 'single'])
    if stype == 'Map':
        return rng.choice(['key=value', ['key', 'value'], 'x'])
    if stype in ('Integer', 'Number'):
        return rng.choice(['ten', [10], {'n': 10}, '1.5' if
                           stype == 'Integer' else 'one'])
    if stype == 'Boolean':
        return rng.choice([42, 'maybe', ['true'], 'yes please'])
    return ['?']


@op('prop_wrong_type')
def op_prop_wrong_type(m, rng):
    cands = [(n, r, p, k, s[k]) for n, r, p, c, s in _schema_props(m)
             if p for k in p if k in s]
    if not cands:
        raise Skip()
    n, r, p, k, sch = rng.choice(cands)
    new = _wrong_value(sch.type, p[k], rng)
    p[k] = new
    return 'resource %s (%s): %s property %r given %r' % (
        n, m.rtype(r), sch.type, k, new)


@op('prop_wrong_type_absent')
def op_prop_wrong_type_absent(m, rng):
    """A property the template did not set, set with the wrong type."""
    cands = [(n, r, p, k, sch) for n, r, p, c, s in _schema_props(m)
             for k, sch in s.items()
             if (p is None or k not in p) and sch.implemented
             and sch.support_status.status == 'SUPPORTED'
             and sch.type in ('String', 'List', 'Map', 'Integer', 'Boolean',
                              'Number')]
    if not cands:
        raise Skip()
    n, r, p, k, sch = rng.choice(cands)
    if p is None:
        r[m.K('properties')] = p = {}
    new = _wrong_value(sch.type, 'x', rng)
    p[k] = new
    return 'resource %s (%s): unset %s property %r given %r' % (
        n, m.rtype(r), sch.type, k, new)


@op('prop_required_missing')
def op_prop_required_missing(m, rng):
    cands = [(n, r, p, k) for n, r, p, c, s in _schema_props(m)
             if p for k in p if k in s and s[k].required]
    if not cands:
        raise Skip()
    n, r, p, k = rng.choice(cands)
    del p[k]
    return 'resource %s (%s): required property %r removed' % (
        n, m.rtype(r), k)


@op('prop_constraint_violation')
def op_prop_constraint_violation(m, rng):
    from heat.engine import constraints as C
    cands = []
    for n, r, p, c, s in _schema_props(m):
        for k, sch in s.items():
            for con in sch.constraints:
                if isinstance(con, C.AllowedValues):
                    cands.append((n, r, k, 'allowed', con))
                elif isinstance(con, C.Range) and sch.type in (
                        'Integer', 'Number'):
                    cands.append((n, r, k, 'range', con))
                elif isinstance(con, C.Length) and sch.type == 'String':
                    cands.append((n, r, k, 'length', con))
    if not cands:
        raise Skip()
    n, r, k, kind, con = rng.choice(cands)
    if kind == 'allowed':
        val = str(con.allowed[0]).lower() + '_x' if con.allowed else 'x'
    elif kind == 'range':
        val = (con.max + 1) if con.max is not None else (con.min - 1)
    else:
        val = 'x' * ((con.max or 0) + 1) if con.max else ''
        if con.max is None and not con.min:
            raise Skip()
    p = r.get(m.K('properties'))
    if not isinstance(p, dict):
        r[m.K('properties')] = p = {}
    p[k] = val
    return 'resource %s (%s): property %r violates its %s constraint: %r' % (
        n, m.rtype(r), k, kind, val if len(str(val)) < 40 else
        '%d chars' % len(val))


@op('prop_nested_unknown_key')
def op_prop_nested_unknown_key(m, rng):
    cands = []
    for n, r, p, c, s in _schema_props(m):
        if not p:
            continue
        for k, sch in s.items():
            if k not in p:
                continue
            v = p[k]
            if sch.type == 'Map' and sch.schema and isinstance(v, dict) \
                    and not any(x in ('get_param', 'Ref') for x in v):
                cands.append((n, r, k, v))
            elif sch.type == 'List' and isinstance(v, list) and v and \
                    isinstance(v[0], dict) and sch.schema and \
                    not any(str(x).startswith(('get_', 'Fn::', 'Ref'))
                            for x in v[0]):
                cands.append((n, r, k, v[0]))
    if not cands:
        raise Skip()
    n, r, k, d = rng.choice(cands)
    if not d:
        raise Skip()
    kk = rng.choice(sorted(d))
    new = typo(kk, rng, set(d))
    rename_key(d, kk, new)
    return 'resource %s (%s): property %s: nested key %r -> %r' % (
        n, m.rtype(r), k, kk, new)


@op('template_res_unknown_prop')
def op_template_res_unknown_prop(m, rng):
    cands = {n: r for n, r in m.res().items()
             if isinstance(m.rtype(r), str) and
             m.rtype(r).endswith(('.yaml', '.template'))}
    reg = _env_registry_types(m)
    cands.update({n: r for n, r in m.res().items() if m.rtype(r) in reg})
    n, r = m.pick(rng, cands)
    p = r.get(m.K('properties'))
    if not isinstance(p, dict):
        r[m.K('properties')] = p = {}
    if p and rng.random() < 0.5:
        k = rng.choice(sorted(p))
        new = typo(k, rng, set(p))
        rename_key(p, k, new)
        return 'template resource %s (%s): property %r -> %r' % (
            n, m.rtype(r), k, new)
    p['not_a_parameter'] = 'x'
    return 'template resource %s (%s): unknown property not_a_parameter' % (
        n, m.rtype(r))


def _env_registry_types(m):
    if not m.env_text:
        return set()
    try:
        env = yaml.safe_load(m.env_text) or {}
        reg = env.get('resource_registry') or {}
        return {k for k, v in reg.items() if isinstance(v, str)
                and k != 'resources'}
    except Exception:
        return set()


# ---- intrinsic functions ------------------------------------------------------

def _fn_occ(m, names, where=('resources', 'outputs')):
    out = []
    for s in where:
        sk = m.S(s)
        v = m.t.get(sk)
        if isinstance(v, dict):
            out += [((sk,) + p, d) for p, d in fn_nodes(v, names)]
    return out


def _res_of(path):
    """resource name of a path below resources."""
    if path and path[0] in ('resources', 'Resources') and len(path) > 1:
        return path[1]
    return None


@op('get_resource_missing')
def op_get_resource_missing(m, rng):
    names = set(m.sec('resources')) | set(m.sec('parameters'))
    occ = [(p, d) for p, d in _fn_occ(m, {m.fn_getres()})
           if isinstance(d[m.fn_getres()], str) and
           d[m.fn_getres()] in m.sec('resources')]
    if not occ:
        raise Skip()
    p, d = rng.choice(occ)
    old = d[m.fn_getres()]
    d[m.fn_getres()] = typo(old, rng, names)
    return '%s at %s: %r -> %r' % (m.fn_getres(), pstr(p), old,
                                   d[m.fn_getres()])


@op('get_resource_self')
def op_get_resource_self(m, rng):
    occ = [(p, d) for p, d in _fn_occ(m, {m.fn_getres()}, ('resources',))
           if isinstance(d[m.fn_getres()], str) and
           d[m.fn_getres()] in m.sec('resources')]
    if occ:
        p, d = rng.choice(occ)
        d[m.fn_getres()] = _res_of(p)
        return '%s at %s -> its own resource %r' % (m.fn_getres(), pstr(p),
                                                     _res_of(p))
    n, r = m.pick(rng, m.res_with_props())
    k = rng.choice(sorted(r[m.K('properties')]))
    r[m.K('properties')][k] = {m.fn_getres(): n}
    return 'resource %s: property %s -> %s of itself' % (n, k, m.fn_getres())


@op('get_attr_missing_res')
def op_get_attr_missing_res(m, rng):
    fn = m.fn_getattr()
    occ = [(p, d) for p, d in _fn_occ(m, {fn})
           if isinstance(d[fn], list) and d[fn] and isinstance(d[fn][0], str)]
    names = set(m.sec('resources'))
    if not occ:
        # a new output reading an attribute of a missing resource
        res = m.res()
        if not res:
            raise Skip()
        n = rng.choice(sorted(res))
        g = typo(n, rng, names)
        _add_output(m, 'mut_out', {fn: [g, 'name' if m.hot else 'Arn']})
        return 'new output mut_out: %s of missing resource %r' % (fn, g)
    p, d = rng.choice(occ)
    old = d[fn][0]
    d[fn][0] = typo(old, rng, names)
    return '%s at %s: resource %r -> %r' % (fn, pstr(p), old, d[fn][0])


def _add_output(m, name, value):
    k = m.S('outputs')
    if m.t.get(k) is None:
        m.t[k] = {}
    if not isinstance(m.t[k], dict):
        raise Skip()
    m.t[k][name] = {m.K('value'): value}


@op('get_attr_unknown_attr')
def op_get_attr_unknown_attr(m, rng):
    fn = m.fn_getattr()
    res = m.res()
    occ = [(p, d) for p, d in _fn_occ(m, {fn})
           if isinstance(d[fn], list) and len(d[fn]) > 1 and
           isinstance(d[fn][0], str) and d[fn][0] in res and
           isinstance(d[fn][1], str)]
    if occ and rng.random() < 0.7:
        p, d = rng.choice(occ)
        old = d[fn][1]
        d[fn][1] = typo(old, rng)
        return '%s at %s: attribute %r of %s (%s) -> %r' % (
            fn, pstr(p), old, d[fn][0], m.rtype(res[d[fn][0]]), d[fn][1])
    known = {n: r for n, r in res.items() if type_class(m.rtype(r))}
    n, r = m.pick(rng, known)
    cls = type_class(m.rtype(r))
    attrs = sorted(getattr(cls, 'attributes_schema', {}) or {})
    base = rng.choice(attrs) if attrs else 'ip'
    bad = typo(base, rng, set(attrs))
    _add_output(m, 'mut_attr', {fn: [n, bad]})
    return 'new output mut_attr: %s [%s (%s), %r]' % (fn, n, m.rtype(r), bad)


@op('get_attr_wrong_args')
def op_get_attr_wrong_args(m, rng):
    fn = m.fn_getattr()
    res = m.res()
    if not res:
        raise Skip()
    n = rng.choice(sorted(res))
    c = rng.randrange(5)
    val = [{fn: n}, {fn: [n]}, {fn: '%s.name' % n}, {fn: {n: 'name'}},
           {fn: []}][c]
    where = rng.choice(['output', 'property'])
    props = m.res_with_props()
    if where == 'property' and props:
        rn, r = m.pick(rng, {k: v for k, v in props.items() if k != n} or
                       props)
        k = rng.choice(sorted(r[m.K('properties')]))
        r[m.K('properties')][k] = val
        return 'resource %s: property %s = %r' % (rn, k, val)
    _add_output(m, 'mut_attr', val)
    return 'new output mut_attr = %r' % (val,)


@op('get_param_missing')
def op_get_param_missing(m, rng):
    fn = m.fn_getparam()
    params = m.sec('parameters')
    names = set(params) | set(m.sec('resources'))
    occ = [(p, d) for p, d in _fn_occ(m, {fn}) if isinstance(d[fn], str)
           and d[fn] in params]
    if occ:
        p, d = rng.choice(occ)
        old = d[fn]
        d[fn] = typo(old, rng, names)
        return '%s at %s: %r -> %r' % (fn, pstr(p), old, d[fn])
    n, r = m.pick(rng, m.res_with_props())
    k = rng.choice(sorted(r[m.K('properties')]))
    g = typo(k, rng, names)
    r[m.K('properties')][k] = {fn: g}
    return 'resource %s: property %s = %s %r (missing parameter)' % (
        n, k, fn, g)


@op('get_param_wrong_args')
def op_get_param_wrong_args(m, rng):
    if not m.hot:
        raise Skip()
    params = m.sec('parameters')
    occ = [(p, d) for p, d in _fn_occ(m, {'get_param'})
           if isinstance(d['get_param'], str)]
    if not occ:
        raise Skip()
    p, d = rng.choice(occ)
    old = d['get_param']
    new = rng.choice([[], {old: 0}, [[old]], [old, {'a': 'b'}], 42])
    d['get_param'] = new
    return 'get_param at %s: %r -> %r' % (pstr(p), old, new)


@op('ref_missing')
def op_ref_missing(m, rng):
    """CFN Ref to a missing resource/parameter, or a HOT get_param to a
    pseudo-parameter that does not exist."""
    if m.hot:
        n, r = m.pick(rng, m.res_with_props())
        k = rng.choice(sorted(r[m.K('properties')]))
        g = rng.choice(['OS::stack_nam', 'OS::project_name', 'AWS::Region',
                        'OS::region'])
        r[m.K('properties')][k] = {'get_param': g}
        return 'resource %s: property %s = get_param %r' % (n, k, g)
    occ = [(p, d) for p, d in _fn_occ(m, {'Ref'}) if isinstance(d['Ref'], str)]
    if not occ:
        raise Skip()
    p, d = rng.choice(occ)
    old = d['Ref']
    new = rng.choice(['AWS::StackNam', 'AWS::NoValue', 'AWS::URLSuffix',
                      'AWS::Partition', typo(old, rng, m.all_names())])
    d['Ref'] = new
    return 'Ref at %s: %r -> %r' % (pstr(p), old, new)


def _put_value(m, rng, val, label):
    props = m.res_with_props()
    if props and rng.random() < 0.6:
        n, r = m.pick(rng, props)
        k = rng.choice(sorted(r[m.K('properties')]))
        r[m.K('properties')][k] = val
        return 'resource %s: property %s = %s' % (n, k, json.dumps(val))
    _add_output(m, 'mut_fn', val)
    return 'new output mut_fn = %s' % json.dumps(val)


@op('list_join_bad')
def op_list_join_bad(m, rng):
    if not m.hot:
        raise Skip()
    c = rng.randrange(6)
    val = [{'list_join': ', '},
           {'list_join': [', ', 'a,b']},
           {'list_join': [', ']},
           {'list_join': [[','], ['a', 'b']]},
           {'list_join': [', ', ['a', 1]]},
           {'list_join': {'delimiter': ',', 'list': ['a']}}][c]
    return _put_value(m, rng, val, 'list_join')


@op('str_replace_bad')
def op_str_replace_bad(m, rng):
    if not m.hot:
        raise Skip()
    occ = [(p, d) for p, d in _fn_occ(m, {'str_replace'})
           if isinstance(d['str_replace'], dict)]
    if occ and rng.random() < 0.6:
        p, d = rng.choice(occ)
        a = d['str_replace']
        c = rng.randrange(4)
        if c == 0 and 'params' in a:
            del a['params']
            return 'str_replace at %s: params removed' % pstr(p)
        if c == 1 and 'params' in a:
            rename_key(a, 'params', rng.choice(['parms', 'param',
                                                'parameters']))
            return 'str_replace at %s: params key misspelled' % pstr(p)
        if c == 2 and 'template' in a:
            rename_key(a, 'template', rng.choice(['templte', 'tmpl', 'text']))
            return 'str_replace at %s: template key misspelled' % pstr(p)
        if 'params' in a:
            a['params'] = [a['params']]
            return 'str_replace at %s: params as a list' % pstr(p)
    c = rng.randrange(5)
    val = [{'str_replace': 'host=$h'},
           {'str_replace': {'template': 'host=$h'}},
           {'str_replace': {'template': ['host=$h'], 'params': {'$h': 'x'}}},
           {'str_replace': {'template': 'host=$h', 'params': {'$h': 'x'},
                            'extra': 1}},
           {'str_replace': ['host=$h', {'$h': 'x'}]}][c]
    return _put_value(m, rng, val, 'str_replace')


@op('cfn_join_bad')
def op_cfn_join_bad(m, rng):
    if m.hot and m.v >= R['2014-10-16']:
        raise Skip()
    occ = [(p, d) for p, d in _fn_occ(m, {'Fn::Join'})
           if isinstance(d['Fn::Join'], list) and len(d['Fn::Join']) == 2]
    if occ and rng.random() < 0.6:
        p, d = rng.choice(occ)
        c = rng.randrange(3)
        if c == 0:
            d['Fn::Join'] = d['Fn::Join'][1:]
            return 'Fn::Join at %s: delimiter dropped' % pstr(p)
        if c == 1:
            d['Fn::Join'] = d['Fn::Join'] + ['extra']
            return 'Fn::Join at %s: third argument' % pstr(p)
        d['Fn::Join'] = [d['Fn::Join'][0], {'a': 'b'}]
        return 'Fn::Join at %s: list replaced by a map' % pstr(p)
    c = rng.randrange(4)
    val = [{'Fn::Join': ['-']}, {'Fn::Join': 'a-b'},
           {'Fn::Join': ['-', 'ab']}, {'Fn::Join': [1, ['a', 'b']]}][c]
    return _put_value(m, rng, val, 'Fn::Join')


@op('cfn_select_bad')
def op_cfn_select_bad(m, rng):
    if m.hot and m.v >= R['2015-10-15']:
        raise Skip()
    c = rng.randrange(6)
    val = [{'Fn::Select': ['1', ['a', 'b']]},
           {'Fn::Select': ['one', ['a', 'b']]},
           {'Fn::Select': [1]},
           {'Fn::Select': [1, 'a,b']},
           {'Fn::Select': [-1, ['a', 'b']]},
           {'Fn::Select': ['a', {'a': 'x'}]}][c]
    return _put_value(m, rng, val, 'Fn::Select')


@op('cfn_getatt_bad')
def op_cfn_getatt_bad(m, rng):
    if m.hot:
        raise Skip()
    res = m.res()
    n, r = m.pick(rng, res)
    c = rng.randrange(4)
    val = [{'Fn::GetAtt': [n]}, {'Fn::GetAtt': '%s.Arn' % n},
           {'Fn::GetAtt': [n, 'a', 'b']}, {'Fn::GetAtt': [n, 1]}][c]
    return _put_value(m, rng, val, 'Fn::GetAtt')


@op('find_in_map_bad')
def op_find_in_map_bad(m, rng):
    if m.hot:
        raise Skip()
    maps = m.t.get('Mappings')
    occ = [(p, d) for p, d in _fn_occ(m, {'Fn::FindInMap'})
           if isinstance(d['Fn::FindInMap'], list) and
           len(d['Fn::FindInMap']) == 3]
    if occ and rng.random() < 0.7:
        p, d = rng.choice(occ)
        c = rng.randrange(3)
        a = d['Fn::FindInMap']
        if c == 0 and isinstance(a[0], str):
            old = a[0]
            a[0] = typo(old, rng, set(maps or {}))
            return 'Fn::FindInMap at %s: map %r -> %r' % (pstr(p), old, a[0])
        if c == 1:
            d['Fn::FindInMap'] = a[:2]
            return 'Fn::FindInMap at %s: only 2 arguments' % pstr(p)
        if isinstance(a[2], str):
            old = a[2]
            a[2] = typo(old, rng)
            return 'Fn::FindInMap at %s: key %r -> %r' % (pstr(p), old, a[2])
    val = {'Fn::FindInMap': ['NoSuchMap', 'k', 'v']}
    return _put_value(m, rng, val, 'Fn::FindInMap')


# functions by the HOT version they arrive in (snippet using them)
LATER_FNS = [
    ('2015-04-30', {'repeat': {'for_each': {'%x%': ['a', 'b']},
                               'template': 'v-%x%'}}),
    ('2015-04-30', {'digest': ['sha256', 'abc']}),
    ('2015-10-15', {'str_split': [',', 'a,b']}),
    ('2016-04-08', {'map_merge': [{'a': 1}, {'b': 2}]}),
    ('2016-10-14', {'yaql': {'expression': '$.data', 'data': [1]}}),
    ('2016-10-14', {'map_replace': [{'a': 1}, {'keys': {'a': 'b'}}]}),
    ('2016-10-14', {'if': [True, 'a', 'b']}),
    ('2017-02-24', {'filter': [['a'], ['a', 'b']]}),
    ('2017-02-24', {'str_replace_strict': {'template': 'x$a',
                                           'params': {'$a': 'y'}}}),
    ('2017-09-01', {'list_concat': [['a'], ['b']]}),
    ('2017-09-01', {'list_concat_unique': [['a'], ['a']]}),
    ('2017-09-01', {'make_url': {'host': 'h', 'scheme': 'http'}}),
    ('2017-09-01', {'str_replace_vstrict': {'template': 'x$a',
                                            'params': {'$a': 'y'}}}),
    ('2017-09-01', {'contains': ['a', ['a']]}),
]
REMOVED_FNS = [
    ('2014-10-16', {'Fn::Join': ['-', ['a', 'b']]}),
    ('2014-10-16', {'Ref': 'OS::stack_name'}),
    ('2014-10-16', {'Fn::Base64': 'abc'}),
    ('2014-10-16', {'Fn::Split': [',', 'a,b']}),
    ('2014-10-16', {'Fn::GetAZs': ''}),
    ('2015-10-15', {'Fn::Select': [0, ['a', 'b']]}),
]


@op('fn_not_in_version')
def op_fn_not_in_version(m, rng):
    if m.hot:
        cands = [s for v, s in LATER_FNS if m.v < R[v]] + \
                [s for v, s in REMOVED_FNS if m.v >= R[v]] + \
                [{'Fn::GetAtt': ['x', 'y']}, {'Fn::If': ['c', 'a', 'b']},
                 {'Fn::Sub': 'abc'} if False else {'Fn::FindInMap':
                                                   ['m', 'a', 'b']}]
        if m.v < R['2015-10-15']:
            res = m.res()
            if res:
                cands.append({'get_attr': [rng.choice(sorted(res))]})
        if m.v < R['2021-04-16'] and m.v >= R['2016-10-14']:
            cands.append({'if': [True, 'a']})
    elif m.d == 'heatcfn':
        cands = [{'Fn::If': ['C', 'a', 'b']}, {'Fn::Equals': ['a', 'a']},
                 {'get_param': 'x'}, {'Fn::ImportValue': 'x'}]
    else:
        cands = [{'get_resource': 'x'}, {'Fn::Equals': ['a', 'a']},
                 {'Fn::ImportValue': 'x'}, {'Fn::Cidr': ['10.0.0.0/16', 2, 8]},
                 {'list_join': [',', ['a']]}]
    val = copy.deepcopy(rng.choice(cands))
    return _put_value(m, rng, val, 'fn')


@op('fn_extra_key')
def op_fn_extra_key(m, rng):
    """A sibling key beside a function (bad indentation): a two-key map."""
    fns = {'get_param', 'get_resource', 'get_attr', 'str_replace',
           'list_join', 'Ref', 'Fn::GetAtt', 'Fn::Join', 'get_file'}
    occ = _fn_occ(m, fns)
    if not occ:
        raise Skip()
    p, d = rng.choice(occ)
    fn = next(iter(d))
    extra = rng.choice(['description', 'default', 'Fn::Join' if fn != 'Fn::Join'
                        else 'Ref', 'get_param' if fn != 'get_param'
                        else 'get_resource'])
    d[extra] = 'x'
    return '%s at %s: sibling key %r' % (fn, pstr(p), extra)


@op('fn_hot_misspelled')
def op_fn_hot_misspelled(m, rng):
    fns = {'get_param', 'get_resource', 'get_attr', 'str_replace',
           'list_join', 'Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::FindInMap',
           'get_file', 'Fn::Base64'}
    occ = _fn_occ(m, fns)
    if not occ:
        raise Skip()
    p, d = rng.choice(occ)
    fn = next(iter(d))
    new = {'get_param': 'get_params', 'get_resource': 'get_ressource',
           'get_attr': 'get_attribute', 'str_replace': 'str_repalce',
           'list_join': 'join', 'Ref': 'ref', 'Fn::GetAtt': 'Fn::GetAttr',
           'Fn::Join': 'Fn:Join', 'Fn::FindInMap': 'Fn::FindInMaps',
           'get_file': 'getfile', 'Fn::Base64': 'Fn::base64'}[fn]
    rename_key(d, fn, new)
    return 'function %s at %s misspelled %s' % (fn, pstr(p), new)


@op('hot_fn_bad_args')
def op_hot_fn_bad_args(m, rng):
    if not m.hot:
        raise Skip()
    cands = []
    if m.v >= R['2015-04-30']:
        cands += [{'digest': ['md6', 'abc']}, {'digest': 'abc'},
                  {'repeat': {'template': 'x'}},
                  {'repeat': {'for_each': ['a'], 'template': 'x'}},
                  {'repeat': {'for_each': {'%x%': 'a,b'}, 'template': 'x'}}]
    if m.v >= R['2015-10-15']:
        cands += [{'str_split': [',']}, {'str_split': [',', 'a,b', 'x']},
                  {'str_split': [',', ['a']]}]
    if m.v >= R['2016-04-08']:
        cands += [{'map_merge': [{'a': 1}, ['b']]}, {'map_merge': {'a': 1}}]
    if m.v >= R['2016-10-14']:
        cands += [{'if': ['no_such_condition', 'a', 'b']},
                  {'if': [True, 'a', 'b', 'c']},
                  {'map_replace': [{'a': 1}, {'kyes': {'a': 'b'}}]},
                  {'yaql': {'expression': '$.data.'}},
                  {'yaql': {'data': {}}}]
    if m.v >= R['2017-02-24']:
        cands += [{'filter': ['a', ['a']]}]
    if m.v >= R['2017-09-01']:
        cands += [{'list_concat': ['a', ['b']]},
                  {'make_url': {'hots': 'h'}}, {'make_url': 'http://h'}]
    cands += [{'get_file': 'no_such_file.txt'}, {'get_file': ['a']},
              {'resource_facade': 'metadatas'}, {'resource_facade': 'metadata'}]
    val = copy.deepcopy(rng.choice(cands))
    return _put_value(m, rng, val, 'fn')


@op('fn_in_condition_context')
def op_fn_in_condition_context(m, rng):
    if not m.has_conditions():
        raise Skip()
    k = m.S('conditions')
    res = m.res()
    if m.t.get(k) is None:
        m.t[k] = {}
    if not isinstance(m.t[k], dict):
        raise Skip()
    n = rng.choice(sorted(res)) if res else 'x'
    if m.hot:
        val = rng.choice([{'get_resource': n}, {'get_attr': [n, 'name']},
                          {'equals': [{'get_resource': n}, 'x']},
                          {'str_replace': {'template': 'a', 'params': {}}},
                          {'list_join': [',', ['a']]}])
    else:
        val = rng.choice([{'Fn::GetAtt': [n, 'Arn']},
                          {'Fn::Equals': [{'Fn::GetAtt': [n, 'Arn']}, 'x']},
                          {'Fn::Join': [',', ['a']]},
                          {'Fn::Equals': [{'Ref': n}, 'x']}])
    m.t[k]['mut_cond'] = val
    return 'new condition mut_cond = %s' % json.dumps(val)


# ---- conditions -------------------------------------------------------------

@op('cond_ref_missing')
def op_cond_ref_missing(m, rng):
    conds = m.conds()
    if not conds:
        raise Skip()
    names = set(conds)
    n = rng.choice(sorted(conds))
    g = typo(n, rng, names)
    c = rng.randrange(3)
    if m.hot:
        val = [{'not': g}, {'and': [g, True]}, {'or': [n, g]}][c] \
            if n != g else {'not': g}
    else:
        val = [{'Fn::Not': [{'Condition': g}]},
               {'Fn::And': [{'Condition': g}, {'Condition': n}]},
               {'Fn::Or': [{'Condition': n}, {'Condition': g}]}][c]
    conds[n] = val
    return 'condition %s = %s (%r missing)' % (n, json.dumps(val), g)


@op('cond_param_missing')
def op_cond_param_missing(m, rng):
    conds = m.conds()
    if not conds:
        raise Skip()
    n = rng.choice(sorted(conds))
    names = set(m.sec('parameters'))
    g = typo(rng.choice(sorted(names)) if names else 'env', rng, names)
    if m.hot:
        val = {'equals': [{'get_param': g}, 'prod']}
    else:
        val = {'Fn::Equals': [{'Ref': g}, 'prod']}
    conds[n] = val
    return 'condition %s = %s (parameter %r missing)' % (n, json.dumps(val), g)


@op('cond_bad_fn_args')
def op_cond_bad_fn_args(m, rng):
    conds = m.conds()
    if not m.has_conditions():
        raise Skip()
    k = m.S('conditions')
    if m.t.get(k) is None:
        m.t[k] = conds = {}
    if not isinstance(m.t[k], dict):
        raise Skip()
    if m.hot:
        val = rng.choice([{'equals': ['a']}, {'equals': ['a', 'b', 'c']},
                          {'equals': 'a'}, {'not': [True, False]},
                          {'and': [True]}, {'or': 'x'}, {'and': True},
                          {'not': 'no_such_cond'}, 'yes', 1, [],
                          {'contains': ['a', 'abc']}
                          if m.v >= R['2017-09-01'] else {'equals': [1]}])
    else:
        val = rng.choice([{'Fn::Equals': ['a']},
                          {'Fn::Equals': ['a', 'b', 'c']},
                          {'Fn::Not': True}, {'Fn::And': [{'Fn::Equals':
                                                           ['a', 'a']}]},
                          {'Fn::Or': 'x'}, {'Fn::If': ['x', True, False]},
                          'true', {'Condition': 'nowhere'}])
    conds = m.t[k]
    conds['mut_cond'] = val
    # use it so that it matters
    res = m.res()
    if res and rng.random() < 0.5:
        n = rng.choice(sorted(res))
        if m.K('condition') not in res[n]:
            res[n][m.K('condition')] = 'mut_cond'
            return 'new condition mut_cond = %s, used by resource %s' % (
                json.dumps(val), n)
    return 'new condition mut_cond = %s' % json.dumps(val)


@op('conditions_not_map')
def op_conditions_not_map(m, rng):
    if not m.has_conditions():
        raise Skip()
    k = m.S('conditions')
    old = m.t.get(k)
    m.t[k] = rng.choice([[old] if old else ['x'], 'none',
                         [{'a': {'equals': [1, 1]}}]
                         if m.hot else [{'A': {'Fn::Equals': [1, 1]}}]])
    return 'conditions section as %s' % type(m.t[k]).__name__


@op('if_bad')
def op_if_bad(m, rng):
    if m.d == 'heatcfn' or (m.hot and m.v < R['2016-10-14']):
        raise Skip()
    conds = m.conds()
    fn = 'if' if m.hot else 'Fn::If'
    names = set(conds)
    cn = rng.choice(sorted(names)) if names else 'c'
    g = typo(cn, rng, names)
    val = rng.choice([{fn: [g, 'a', 'b']}, {fn: [cn, 'a']}, {fn: [cn]},
                      {fn: cn}, {fn: [[cn], 'a', 'b']}])
    return _put_value(m, rng, val, fn)


# ---- parameters --------------------------------------------------------------

def _pk(m, name):
    hot = {'type': 'type', 'default': 'default', 'constraints': 'constraints',
           'hidden': 'hidden', 'label': 'label', 'description': 'description',
           'immutable': 'immutable'}
    cfn = {'type': 'Type', 'default': 'Default', 'hidden': 'NoEcho',
           'label': 'Label', 'description': 'Description',
           'immutable': 'Immutable'}
    return (hot if m.hot else cfn)[name]


@op('param_bad_type')
def op_param_bad_type(m, rng):
    n, p = m.pick(rng, m.params())
    k = _pk(m, 'type')
    old = p.get(k)
    if m.hot:
        new = rng.choice(['strin', 'int', 'integer', 'list', 'String',
                          'Number', 'map', 'bool', 'str', 'comma_separated_list',
                          'json_list', ''])
    else:
        new = rng.choice(['string', 'Integer', 'List', 'Map', 'number',
                          'CommaSeparatedList', 'List<String>',
                          'AWS::EC2::Image::Id', 'Str'])
    p[k] = new
    return 'parameter %s: type %r -> %r' % (n, old, new)


@op('param_no_type')
def op_param_no_type(m, rng):
    n, p = m.pick(rng, m.params())
    k = _pk(m, 'type')
    if k not in p:
        raise Skip()
    del p[k]
    return 'parameter %s: type removed' % n


def _hot_constraints(p):
    c = p.get('constraints')
    if c is None:
        p['constraints'] = c = []
    if not isinstance(c, list):
        raise Skip()
    return c


@op('param_default_not_allowed')
def op_param_default_not_allowed(m, rng):
    cands = {n: p for n, p in m.params().items()
             if _pk(m, 'default') in p and
             isinstance(p[_pk(m, 'default')], (str, int, float))
             and not isinstance(p[_pk(m, 'default')], bool)}
    n, p = m.pick(rng, cands)
    d = p[_pk(m, 'default')]
    allowed = [str(d) + 'x', 'other'] if isinstance(d, str) else [
        d + 1, d + 2]
    if m.hot:
        c = _hot_constraints(p)
        c.append({'allowed_values': allowed})
    else:
        p['AllowedValues'] = allowed
    return 'parameter %s: default %r not in new allowed values %r' % (
        n, d, allowed)


@op('param_default_violates_existing')
def op_param_default_violates_existing(m, rng):
    """A default outside the constraints the parameter already has."""
    cands = {}
    for n, p in m.params().items():
        if m.hot and isinstance(p.get('constraints'), list) and \
                p['constraints']:
            cands[n] = p
        if not m.hot and any(k in p for k in ('AllowedValues', 'MinValue',
                                              'MaxValue', 'MinLength',
                                              'MaxLength', 'AllowedPattern')):
            cands[n] = p
    n, p = m.pick(rng, cands)
    t = m.ptype(p)
    if t == 'number':
        new = rng.choice([-99999, 99999999, 'abc'])
    elif t in ('comma_delimited_list', 'commadelimitedlist'):
        new = rng.choice(['zz_not_allowed', ''])
    else:
        new = rng.choice(['zz not allowed!', '', 'A' * 300])
    p[_pk(m, 'default')] = new
    return 'parameter %s (%s): default -> %r against its constraints' % (
        n, t, new if len(str(new)) < 40 else '%d chars' % len(new))


@op('param_range_min_gt_max')
def op_param_range_min_gt_max(m, rng):
    n, p = m.pick(rng, m.params())
    t = m.ptype(p)
    if m.hot:
        c = _hot_constraints(p)
        if t == 'number':
            c.append({'range': {'min': 10, 'max': 1}})
            return 'parameter %s (number): range min 10 > max 1' % n
        c.append({'length': {'min': 10, 'max': 2}})
        return 'parameter %s (%s): length min 10 > max 2' % (n, t)
    if t == 'number':
        p['MinValue'], p['MaxValue'] = 10, 1
        return 'parameter %s (Number): MinValue 10 > MaxValue 1' % n
    p['MinLength'], p['MaxLength'] = '10', '2'
    return 'parameter %s (%s): MinLength 10 > MaxLength 2' % (n, t)


@op('param_constraint_wrong_kind')
def op_param_constraint_wrong_kind(m, rng):
    n, p = m.pick(rng, m.params())
    t = m.ptype(p)
    if m.hot:
        c = _hot_constraints(p)
        new = rng.choice([{'range': {'min': 1}} if t != 'number'
                          else {'length': {'min': 1}},
                          {'allowed_pattern': '[a-z]+'} if t == 'number'
                          else {'modulo': {'step': 2, 'offset': 1}},
                          {'range': {'min': 'one'}},
                          {'range': {'minimum': 1}},
                          {'length': {'max': -1}},
                          {'modulo': {'step': 2}}])
        c.append(new)
        return 'parameter %s (%s): constraint %s' % (n, t, json.dumps(new))
    k, v = rng.choice([('MinValue', 1) if t != 'number' else ('MinLength', 1),
                       ('AllowedPattern', '[a-z]+') if t == 'number'
                       else ('MaxValue', 'ten'),
                       ('MinValue', 'one'), ('MaxLength', -1)])
    p[k] = v
    return 'parameter %s (%s): %s %r' % (n, t, k, v)


@op('param_bad_pattern')
def op_param_bad_pattern(m, rng):
    n, p = m.pick(rng, m.params())
    pat = rng.choice(['[a-z', '(abc', '*abc', 'a{2,1}', '[[:alpha:]]+',
                      '\\', '(?P<x>a)(?P<x>b)'])
    if m.hot:
        _hot_constraints(p).append({'allowed_pattern': pat})
    else:
        p['AllowedPattern'] = pat
    return 'parameter %s (%s): allowed pattern %r' % (n, m.ptype(p), pat)


@op('param_unknown_constraint_key')
def op_param_unknown_constraint_key(m, rng):
    n, p = m.pick(rng, m.params())
    if m.hot:
        c = _hot_constraints(p)
        new = rng.choice([{'allowed_value': ['a']}, {'allowedValues': ['a']},
                          {'pattern': '.*'}, {'ranges': {'min': 1}},
                          {'custom_constraints': 'nova.flavor'},
                          {'description': 'only a description'},
                          {'allowed_values': ['a'], 'length': {'min': 1}}])
        c.append(new)
        return 'parameter %s: constraint %s' % (n, json.dumps(new))
    k = rng.choice(['AllowedValue', 'allowedValues', 'MinVal', 'Pattern',
                    'ConstraintDescriptions'])
    p[k] = ['a'] if 'Allowed' in k or 'allowed' in k else 'x'
    return 'parameter %s: unknown key %r' % (n, k)


@op('param_constraints_not_list')
def op_param_constraints_not_list(m, rng):
    if not m.hot:
        raise Skip()
    n, p = m.pick(rng, m.params())
    c = p.get('constraints')
    if isinstance(c, list) and c:
        p['constraints'] = c[0]
        return 'parameter %s: constraints as a map (first entry)' % n
    p['constraints'] = rng.choice([{'allowed_values': ['a', 'b']},
                                   'allowed_values: [a, b]'])
    return 'parameter %s: constraints %r' % (n, p['constraints'])


@op('param_allowed_values_not_list')
def op_param_allowed_values_not_list(m, rng):
    n, p = m.pick(rng, m.params())
    d = p.get(_pk(m, 'default'))
    val = rng.choice(['%s' % d if d is not None else 'a',
                      {'a': 1}, '%s,other' % d])
    if m.hot:
        _hot_constraints(p).append({'allowed_values': val})
    else:
        p['AllowedValues'] = val
    return 'parameter %s: allowed values %r' % (n, val)


@op('param_attr_wrong_type')
def op_param_attr_wrong_type(m, rng):
    n, p = m.pick(rng, m.params())
    k = rng.choice(['label', 'hidden', 'description', 'immutable'])
    kk = _pk(m, k)
    if k == 'hidden':
        val = rng.choice(['yes', 'True', 'maybe', 1, ['true']])
    elif k == 'immutable':
        val = rng.choice(['yes', 'always', 0])
    elif k == 'label':
        val = rng.choice([['a'], 123, {'en': 'x'}])
    else:
        val = rng.choice([['a', 'b'], 42, {'text': 'x'}])
    p[kk] = val
    return 'parameter %s: %s %r' % (n, kk, val)


@op('param_unknown_key')
def op_param_unknown_key(m, rng):
    n, p = m.pick(rng, m.params())
    if m.hot:
        k = rng.choice(['defualt', 'Default', 'Type', 'descripton', 'values',
                        'allowed_values', 'NoEcho', 'tags', 'required',
                        'constraint'])
    else:
        k = rng.choice(['default', 'type', 'Hidden', 'Required', 'Constraints',
                        'hidden', 'Tags', 'Defualt'])
    if k in p:
        raise Skip()
    p[k] = rng.choice(['x', ['a'], True])
    return 'parameter %s: unknown key %r' % (n, k)


@op('param_default_wrong_type')
def op_param_default_wrong_type(m, rng):
    n, p = m.pick(rng, m.params())
    t = m.ptype(p)
    if t == 'number':
        new = rng.choice(['abc', '1,000', [1], {'a': 1}, '', True])
    elif t == 'boolean':
        new = rng.choice(['maybe', 2, 'tru', ['true']])
    elif t == 'json':
        new = rng.choice(['{bad json', 42, '[1, 2', 'null'])
    elif t in ('comma_delimited_list', 'commadelimitedlist'):
        new = rng.choice([{'a': 'b'}, 42, [1, [2]], ['a', 'b']])
    else:
        new = rng.choice([['a', 'b'], {'a': 'b'}, 42, True, None])
    p[_pk(m, 'default')] = new
    return 'parameter %s (%s): default %r' % (n, t, new)


@op('param_def_not_map')
def op_param_def_not_map(m, rng):
    n, p = m.pick(rng, m.params())
    new = rng.choice([p.get(_pk(m, 'type'), 'string'), None,
                      [p.get(_pk(m, 'type'), 'string')]])
    m.sec('parameters')[n] = new
    return 'parameter %s written as %r' % (n, new)


@op('param_custom_constraint_unknown')
def op_param_custom_constraint_unknown(m, rng):
    if not m.hot:
        raise Skip()
    n, p = m.pick(rng, m.params())
    cc = rng.choice(['nova.flavour', 'glance.images', 'neutron.netwrk',
                     'no.such.constraint', 'nova.keypair'])
    _hot_constraints(p).append({'custom_constraint': cc})
    return 'parameter %s: custom constraint %r' % (n, cc)


@op('param_name_bad')
def op_param_name_bad(m, rng):
    n, p = m.pick(rng, m.params())
    new = rng.choice(['OS::' + n, 'AWS::' + n, n + ' ', ''])
    if new in m.sec('parameters'):
        raise Skip()
    rename_key(m.sec('parameters'), n, new)
    return 'parameter %r renamed %r (references left as they are)' % (n, new)


@op('param_unused_required')
def op_param_unused_required(m, rng):
    """A new parameter without default and with constraints the synthesized
    value does not meet."""
    k = m.S('parameters')
    if m.t.get(k) is None:
        m.t[k] = {}
    if not isinstance(m.t[k], dict):
        raise Skip()
    if m.hot:
        new = rng.choice([
            {'type': 'number', 'constraints': [{'range': {'min': 5}}]},
            {'type': 'string', 'constraints': [{'length': {'min': 20}}]},
            {'type': 'string', 'constraints': [
                {'allowed_pattern': '[0-9]+'}]},
            {'type': 'comma_delimited_list', 'constraints': [
                {'allowed_values': ['a', 'b']}]},
            {'type': 'json', 'constraints': [{'length': {'min': 1}}]}])
    else:
        new = rng.choice([
            {'Type': 'Number', 'MinValue': 5},
            {'Type': 'String', 'MinLength': 20},
            {'Type': 'String', 'AllowedPattern': '[0-9]+'}])
    m.t[k]['mut_param'] = new
    return 'new parameter mut_param %s' % json.dumps(new)


# ---- parameter groups ---------------------------------------------------------

def _groups(m):
    if not m.hot:
        raise Skip()
    g = m.t.get('parameter_groups')
    params = sorted(m.params())
    if g is None:
        if not params:
            raise Skip()
        g = m.t['parameter_groups'] = [{'label': 'Main',
                                        'parameters': params[:2]}]
    if not isinstance(g, list):
        raise Skip()
    return g, params


@op('pgroup_unknown_param')
def op_pgroup_unknown_param(m, rng):
    g, params = _groups(m)
    grp = rng.choice([x for x in g if isinstance(x, dict)] or [None])
    if grp is None:
        raise Skip()
    base = rng.choice(params) if params else 'image'
    ghost = typo(base, rng, set(params))
    grp.setdefault('parameters', [])
    if not isinstance(grp['parameters'], list):
        raise Skip()
    grp['parameters'].append(ghost)
    return 'parameter group %r lists unknown parameter %r' % (
        grp.get('label'), ghost)


@op('pgroup_dup_param')
def op_pgroup_dup_param(m, rng):
    g, params = _groups(m)
    if not params:
        raise Skip()
    p = rng.choice(params)
    g.append({'label': 'Again', 'parameters': [p]})
    return 'parameter %r in two groups' % p


@op('pgroup_bad_shape')
def op_pgroup_bad_shape(m, rng):
    g, params = _groups(m)
    c = rng.randrange(5)
    if c == 0:
        m.t['parameter_groups'] = {'label': 'Main', 'parameters': params}
        return 'parameter_groups as a map'
    if c == 1:
        g[0]['parameters'] = ','.join(params) or 'x'
        return 'parameter group parameters as a string'
    if c == 2:
        g[0].pop('parameters', None)
        return 'parameter group without parameters'
    if c == 3:
        rename_key(g[0], 'parameters', 'params') if 'parameters' in g[0] \
            else None
        return 'parameter group key parameters -> params'
    g.append('Main')
    return 'parameter group as a string'


# ---- outputs ------------------------------------------------------------------

@op('output_no_value')
def op_output_no_value(m, rng):
    n, o = m.pick(rng, m.outputs())
    k = m.K('value')
    if k not in o:
        raise Skip()
    c = rng.randrange(3)
    if c == 0:
        del o[k]
        return 'output %s: value removed' % n
    if c == 1:
        o[k] = None
        return 'output %s: value null' % n
    new = rng.choice(['vaule', 'Value' if m.hot else 'value', 'val',
                      'values'])
    rename_key(o, k, new)
    return 'output %s: key %r -> %r' % (n, k, new)


@op('output_only_value_null')
def op_output_only_value_null(m, rng):
    n, o = m.pick(rng, m.outputs())
    m.sec('outputs')[n] = rng.choice([None, {}, ''])
    return 'output %s: empty definition %r' % (n, m.sec('outputs')[n])


@op('output_bad_condition')
def op_output_bad_condition(m, rng):
    n, o = m.pick(rng, m.outputs())
    conds = m.conds()
    names = set(conds)
    if names and rng.random() < 0.6:
        val = typo(rng.choice(sorted(names)), rng, names)
    else:
        val = rng.choice(['no_such_condition', ['a'], 42, 'yes'])
    o[m.K('condition')] = val
    return 'output %s: condition %r (version %s)' % (
        n, val, m.t.get('heat_template_version', m.d))


@op('output_not_map')
def op_output_not_map(m, rng):
    n, o = m.pick(rng, m.outputs())
    m.sec('outputs')[n] = o.get(m.K('value'), 'x')
    return 'output %s written as its value' % n


@op('output_unknown_key')
def op_output_unknown_key(m, rng):
    n, o = m.pick(rng, m.outputs())
    k = rng.choice(['Export', 'export', 'label', 'Label', 'hidden',
                    'Descripton' if not m.hot else 'descripton'])
    o[k] = {'Name': 'x'} if k == 'Export' else 'x'
    return 'output %s: unknown key %r' % (n, k)


@op('outputs_not_map')
def op_outputs_not_map(m, rng):
    k = m.S('outputs')
    if not m.outputs():
        raise Skip()
    m.t[k] = [dict({'name': n}, **o) for n, o in m.outputs().items()]
    return 'outputs as a list of maps with a name key'


# ---- null / falsy / scalar values, regex engines, get_attr paths, nested
#      templates (gaps the first runs found; probe.py covers them
#      systematically) ----------------------------------------------------

@op('res_key_null')
def op_res_key_null(m, rng):
    """A resource key left empty in YAML (`properties:` with nothing)."""
    n, r = m.pick(rng, m.res())
    keys = ['properties', 'metadata', 'depends_on', 'deletion_policy',
            'update_policy', 'description']
    if m.has_conditions():
        keys.append('condition')
    if m.hot and m.v >= R['2016-10-14']:
        keys.append('external_id')
    k = rng.choice(keys)
    kk = k if m.hot or k == 'external_id' else (
        'Description' if k == 'description' else m.K(k))
    r[kk] = None
    return 'resource %s: %s left empty (null)' % (n, kk)


@op('section_falsy')
def op_section_falsy(m, rng):
    """A section given as an empty list / empty string / false / 0."""
    cands = [s for s in ('resources', 'outputs', 'parameters', 'conditions')
             if m.S(s) in m.t and (s != 'conditions' or m.has_conditions())]
    if m.hot and 'parameter_groups' in m.t:
        cands.append('parameter_groups')
    if not m.hot and 'Mappings' in m.t:
        cands.append('mappings')
    if not cands:
        raise Skip()
    s = rng.choice(cands)
    k = s if s == 'parameter_groups' else m.S(s)
    val = rng.choice([[], '', False, 0])
    m.t[k] = val
    if s == 'resources':
        m.t.pop(m.S('outputs'), None)
    return 'section %s = %r%s' % (k, val, ' (outputs dropped)'
                                  if s == 'resources' else '')


@op('section_scalar')
def op_section_scalar(m, rng):
    """A section given as a non-empty scalar or list."""
    cands = [s for s in ('resources', 'outputs', 'parameters', 'conditions')
             if m.S(s) in m.t and (s != 'conditions' or m.has_conditions())]
    if not m.hot and 'Mappings' in m.t:
        cands.append('mappings')
    if not cands:
        raise Skip()
    s = rng.choice(cands)
    k = m.S(s)
    val = rng.choice(['none', 5, True, ['a']])
    m.t[k] = val
    if s == 'resources':
        m.t.pop(m.S('outputs'), None)
    return 'section %s = %r' % (k, val)


PY_PATTERNS = [
    # (pattern, a default Python's re.match(...).end()==len accepts, note)
    ('^(?=.*[0-9])[a-z0-9]+$', 'abc1', 'lookahead'),
    ('(?=.*[A-Z])(?=.*[0-9]).{8,}', 'Passw0rdX', 'lookaheads (password rule)'),
    ('(?!admin)[a-z]+', 'root', 'negative lookahead'),
    ('[a-z]+(?<!x)', 'abc', 'lookbehind'),
    ('(a)\\1', 'aa', 'backreference'),
    ('[a-z]+\\Z', 'abc', '\\Z'),
    ('a{,3}', 'aa', '{,n} repetition'),
    ('[[:alpha:]]+', 'a]', 'POSIX-class look-alike (a set in Python)'),
    ('(?>a+)b', 'aab', 'atomic group'),
    ('a*+b', 'aab', 'possessive'),
    ('\\p{L}+', 'abc', '\\p{L} (invalid in Python)'),
    ('[a-z]+\\z', 'abc', '\\z (invalid in Python)'),
    ('(?<name>[a-z]+)', 'abc', '(?<name>) (invalid in Python 3.11)'),
    ('\\d+', '\u0663\u0664', 'unicode digits'),
    ('[\\w-]+', 'a-b', 'class with \\w and -'),
    ('(?i)ABC', 'abc', 'inline flag'),
    ('abc(?#comment)', 'abc', 'comment group'),
    ('(?x) a b c', 'abc', 'verbose flag'),
]


@op('param_pattern_engine')
def op_param_pattern_engine(m, rng):
    """A new string parameter whose allowed pattern uses a feature of
    Python's re (or of another engine)."""
    k = m.S('parameters')
    if m.t.get(k) is None:
        m.t[k] = {}
    if not isinstance(m.t[k], dict):
        raise Skip()
    pat, default, note = rng.choice(PY_PATTERNS)
    with_default = rng.random() < 0.7
    if m.hot:
        p = {'type': 'string', 'constraints': [{'allowed_pattern': pat}]}
        if with_default:
            p['default'] = default
    else:
        p = {'Type': 'String', 'AllowedPattern': pat}
        if with_default:
            p['Default'] = default
    m.t[k]['mut_pattern'] = p
    return 'new parameter mut_pattern: allowed pattern %r (%s)%s' % (
        pat, note, ', default %r' % default if with_default else
        ', no default')


@op('get_attr_path_bad')
def op_get_attr_path_bad(m, rng):
    fn = m.fn_getattr()
    known = m.res()
    if not known:
        raise Skip()
    n = rng.choice(sorted(known))
    cls = type_class(m.rtype(known[n]))
    attrs = sorted(getattr(cls, 'attributes_schema', {}) or {}) if cls else []
    attr = rng.choice(attrs) if attrs else 'show'
    comp = rng.choice([{'a': 'b'}, ['a'], None, 1.5, True])
    val = {fn: [n, attr, comp]}
    _add_output(m, 'mut_path', val)
    return 'new output mut_path: %s' % json.dumps(val)


NESTED = 'NESTEDFILE.yaml'


def _nested_text(m, broken=None):
    ver = m.t.get('heat_template_version', '2016-10-14') if m.hot \
        else '2016-10-14'
    t = {'heat_template_version': str(ver),
         'parameters': {'name': {'type': 'string', 'default': 'x'},
                        'size': {'type': 'number'}},
         'resources': {'inner': {'type': 'OS::Heat::RandomString',
                                 'properties': {'length': {
                                     'get_param': 'size'}}}},
         'outputs': {'inner_value': {'value': {'get_attr':
                                               ['inner', 'value']}}}}
    if broken == 'param_no_type':
        del t['parameters']['size']['type']
    elif broken == 'section_typo':
        t['output'] = t.pop('outputs')
    elif broken == 'res_no_type':
        del t['resources']['inner']['type']
    elif broken == 'bad_version':
        t['heat_template_version'] = '2016-13-01'
    elif broken == 'unknown_type':
        t['resources']['inner']['type'] = 'OS::Heat::RandomStrings'
    elif broken == 'get_param_missing':
        t['resources']['inner']['properties']['length'] = {
            'get_param': 'sise'}
    elif broken == 'default_violates':
        t['parameters']['name']['constraints'] = [{'allowed_values': ['y']}]
    elif broken == 'prop_unknown':
        t['resources']['inner']['properties']['lenght'] = 3
    text = dump(t, 'yaml')
    if broken == 'yaml_syntax':
        text = text.replace('resources:\n', 'resources:\n\t', 1)
    return text


def _add_nested(m, rng, props, attr='inner_value', registry=False):
    res = m.sec('resources')
    if m.S('resources') not in m.t or not isinstance(m.t[m.S('resources')],
                                                      dict):
        raise Skip()
    typ = NESTED
    if registry:
        typ = 'My::Nested::Thing'
        e = _env(m)
        e.setdefault('resource_registry', {})
        if not isinstance(e['resource_registry'], dict):
            raise Skip()
        e['resource_registry'][typ] = NESTED
        _set_env(m, e)
    res['mut_nested'] = {m.K('type'): typ}
    if props is not None:
        res['mut_nested'][m.K('properties')] = props
    if attr is not None:
        _add_output(m, 'mut_nested_out', {m.fn_getattr(): ['mut_nested',
                                                          attr]})
    return typ


def _nested_ok_props(rng):
    return {'name': 'n1', 'size': 8}


@op('nested_ok')
def op_nested_ok(m, rng):
    """Control: a correct nested template resource."""
    reg = rng.random() < 0.3
    _add_nested(m, rng, _nested_ok_props(rng), registry=reg)
    m.extra_files[NESTED] = _nested_text(m)
    return 'new resource mut_nested of a correct nested template%s' % (
        ' (via resource_registry)' if reg else '')


@op('nested_unknown_prop')
def op_nested_unknown_prop(m, rng):
    reg = rng.random() < 0.3
    props = _nested_ok_props(rng)
    c = rng.randrange(3)
    if c == 0:
        props['nmae'] = props.pop('name')
        d = "'name' misspelled 'nmae'"
    elif c == 1:
        props['flavor'] = 'm1.small'
        d = "extra property 'flavor'"
    else:
        props['Size'] = props.pop('size')
        d = "'size' written 'Size'"
    _add_nested(m, rng, props, registry=reg)
    m.extra_files[NESTED] = _nested_text(m)
    return 'nested template resource mut_nested%s: %s' % (
        ' (via resource_registry)' if reg else '', d)


@op('nested_missing_required')
def op_nested_missing_required(m, rng):
    props = _nested_ok_props(rng)
    del props['size']
    _add_nested(m, rng, props if rng.random() < 0.7 else None)
    m.extra_files[NESTED] = _nested_text(m)
    return 'nested template resource mut_nested without its required ' \
        'parameter size'


@op('nested_wrong_type')
def op_nested_wrong_type(m, rng):
    props = _nested_ok_props(rng)
    props['size'] = rng.choice(['big', [8], {'n': 8}])
    _add_nested(m, rng, props)
    m.extra_files[NESTED] = _nested_text(m)
    return 'nested template resource mut_nested: number parameter size ' \
        'given %r' % (props['size'],)


@op('nested_bad_attr')
def op_nested_bad_attr(m, rng):
    attr = rng.choice(['inner_valu', 'inner', 'value', 'outputs_list'])
    _add_nested(m, rng, _nested_ok_props(rng), attr=attr)
    m.extra_files[NESTED] = _nested_text(m)
    return 'get_attr of nested template resource mut_nested: %r (not an ' \
        'output)' % attr


@op('nested_broken')
def op_nested_broken(m, rng):
    b = rng.choice(['param_no_type', 'section_typo', 'res_no_type',
                    'bad_version', 'unknown_type', 'get_param_missing',
                    'default_violates', 'prop_unknown', 'yaml_syntax'])
    _add_nested(m, rng, _nested_ok_props(rng))
    m.extra_files[NESTED] = _nested_text(m, b)
    return 'nested template of resource mut_nested broken: %s' % b


# ---- environment ----------------------------------------------------------------

def _env(m):
    if m.env_text is None:
        return {}
    try:
        e = yaml.safe_load(m.env_text)
    except Exception:
        raise Skip()
    if not isinstance(e, dict):
        raise Skip()
    return e


def _set_env(m, e):
    m.env_text = yaml.safe_dump(e, sort_keys=False, default_flow_style=False)


@op('env_unknown_param')
def op_env_unknown_param(m, rng):
    e = _env(m)
    params = sorted(m.params())
    g = typo(rng.choice(params), rng, set(params)) if params else 'flavor'
    e.setdefault('parameters', {})
    if not isinstance(e['parameters'], dict):
        raise Skip()
    e['parameters'][g] = 'x'
    _set_env(m, e)
    return 'environment gives unknown parameter %r' % g


@op('env_param_default_unknown')
def op_env_param_default_unknown(m, rng):
    e = _env(m)
    e.setdefault('parameter_defaults', {})
    if not isinstance(e['parameter_defaults'], dict):
        raise Skip()
    e['parameter_defaults']['not_in_template'] = 'x'
    _set_env(m, e)
    return 'environment parameter_defaults names a parameter not in the ' \
        'template'


@op('env_param_bad_value')
def op_env_param_bad_value(m, rng):
    e = _env(m)
    n, p = m.pick(rng, m.params())
    t = m.ptype(p)
    if t == 'number':
        val = rng.choice(['ten', '', [1]])
    elif t == 'boolean':
        val = rng.choice(['maybe', 3])
    elif t == 'json':
        val = rng.choice(['{bad', 42])
    else:
        has_allowed = (m.hot and any(isinstance(c, dict) and
                                     'allowed_values' in c for c in
                                     p.get('constraints') or [])) or \
            'AllowedValues' in p
        val = 'zz_not_allowed' if has_allowed else rng.choice(
            [{'a': 'b'}, ['a', {'b': 1}]])
    key = rng.choice(['parameters', 'parameter_defaults'])
    e.setdefault(key, {})
    if not isinstance(e[key], dict):
        raise Skip()
    e[key][n] = val
    _set_env(m, e)
    return 'environment %s: %s (%s) = %r' % (key, n, t, val)


@op('env_bad_section')
def op_env_bad_section(m, rng):
    e = _env(m)
    k = rng.choice(['parameter', 'resource-registry', 'Parameters',
                    'resources_registry', 'event_sink'])
    if k == 'parameter' and 'parameters' in e:
        rename_key(e, 'parameters', k)
    else:
        e[k] = {'x': 'y'} if k != 'event_sink' else [{'type': 'zaqar-queue'}]
    _set_env(m, e)
    return 'environment section %r' % k


@op('env_registry_bad')
def op_env_registry_bad(m, rng):
    e = _env(m)
    res = {n: r for n, r in m.res().items() if isinstance(m.rtype(r), str)}
    n, r = m.pick(rng, res)
    t = m.rtype(r)
    c = rng.randrange(4)
    e.setdefault('resource_registry', {})
    if not isinstance(e['resource_registry'], dict):
        raise Skip()
    if c == 0:
        e['resource_registry'][t] = 'missing_nested.yaml'
        d = '%s -> missing_nested.yaml' % t
    elif c == 1:
        e['resource_registry'][t] = 'OS::No::Such'
        d = '%s -> OS::No::Such' % t
    elif c == 2:
        e['resource_registry']['resources'] = {n: {t: 'OS::Heat::None'},
                                               'ghost': {'x': 'y'}}
        d = 'resources: %s maps its type, plus a missing resource' % n
    else:
        e['resource_registry'][t] = ['OS::Heat::None']
        d = '%s -> a list' % t
    _set_env(m, e)
    return 'environment resource_registry %s' % d


@op('env_not_map')
def op_env_not_map(m, rng):
    m.env_text = rng.choice(['- parameters\n', 'parameters: [a, b]\n',
                             'just text\n', 'parameters:\n  x: [\n'])
    return 'environment file %r' % m.env_text


# --------------------------------------------------------------------------
# sample

def candidates(sources):
    """Templates Heat validates, as dicts {root, rel, key, value, fmt, feats,
    env}, from sources [(templates_root, expected_dir)] in that order."""
    out = []
    for troot, eroot in sources:
        for d, dirs, fs in os.walk(eroot):
            dirs.sort()
            for f in sorted(fs):
                with open(os.path.join(d, f), encoding='utf-8') as fh:
                    e = json.load(fh)
                rel = e.get('id')
                if not rel or rel in KNOWN_BAD:
                    continue
                if not e.get('parse', {}).get('ok'):
                    continue
                v = e.get('version') or {}
                if 'error' in v:
                    continue
                tv = e.get('template_validate') or {}
                if 'result' not in tv or 'Error' in tv['result']:
                    continue
                g = e.get('generic') or {}
                gv = g.get('validate_with_synthesized') or \
                    g.get('validate_as_given') or {}
                if not gv.get('ok'):
                    continue
                if not (g.get('graph') or {}).get('requires') is not None:
                    continue
                path = os.path.join(troot, rel)
                try:
                    with open(path, encoding='utf-8') as fh:
                        text = fh.read()
                except Exception:
                    continue
                if 'Fn::Sub' in text or len(text) > 40000:
                    continue
                try:
                    t = template_format.parse(text)
                except Exception:
                    continue
                feats = set()
                for s in ('parameters', 'Parameters'):
                    if t.get(s):
                        feats.add('params')
                for s in ('outputs', 'Outputs'):
                    if t.get(s):
                        feats.add('outputs')
                for s in ('conditions', 'Conditions'):
                    if t.get(s):
                        feats.add('conditions')
                if t.get('parameter_groups'):
                    feats.add('pgroups')
                if t.get('Mappings'):
                    feats.add('mappings')
                if e['files']['provided']:
                    feats.add('files')
                if e.get('environment'):
                    feats.add('env')
                res = t.get('resources') or t.get('Resources') or {}
                if isinstance(res, dict) and len(res) >= 2:
                    feats.add('multires')
                if not res:
                    continue
                out.append({'root': troot, 'rel': rel,
                            'key': v['key'], 'value': v['value'],
                            'fmt': e['parse']['format'], 'feats': feats,
                            'env': (e.get('environment') or {}).get('id')})
    return out


def stratum(c):
    """`<band>/<format>`: the dialect and version band, json or yaml."""
    if c['key'] == 'heat_template_version':
        r = HOT_RANK.get(c['value'], 0)
        band = ('hot-2013' if r == 0 else 'hot-2014..2015' if r <= 3 else
                'hot-2016' if r <= 5 else 'hot-2017+')
    elif c['key'] == 'AWSTemplateFormatVersion':
        band = 'aws'
    else:
        band = 'heatcfn'
    return band + '/' + c['fmt']


# The order in which the strata are shuffled (each shuffle draws from the
# one random generator, so the order matters).  It is the order of first
# appearance in the directory walk of the run that fixed the sample; kept
# as a constant so that the sample does not depend on how the file system
# lists directories.  A stratum not named here comes after, by name.
SHUFFLE_ORDER = ('hot-2014..2015/yaml', 'hot-2013/yaml', 'hot-2013/json',
                 'heatcfn/yaml', 'hot-2016/yaml', 'hot-2017+/yaml',
                 'hot-2014..2015/json', 'hot-2017+/json', 'aws/json',
                 'aws/yaml', 'heatcfn/json')


def sample(cands, n, rng):
    """n candidates, one stratum after the other in turns (strata by name);
    within a stratum shuffled (from the order of the ids; the strata in
    SHUFFLE_ORDER), then the richest first."""
    by = {}
    for c in cands:
        by.setdefault(stratum(c), []).append(c)
    for k in sorted(by, key=lambda k: (
            SHUFFLE_ORDER.index(k) if k in SHUFFLE_ORDER
            else len(SHUFFLE_ORDER), k)):
        by[k].sort(key=lambda c: c['rel'])
        rng.shuffle(by[k])
        # richer templates first
        by[k].sort(key=lambda c: -len(c['feats']))
    chosen = []
    seen_rel = set()
    keys = sorted(by)
    while len(chosen) < n and any(by.values()):
        for k in keys:
            if by[k] and len(chosen) < n:
                c = by[k].pop(0)
                if c['rel'] in seen_rel:
                    continue
                seen_rel.add(c['rel'])
                chosen.append(c)
    return chosen


# --------------------------------------------------------------------------

def write_manifest(out, manifest, ensure_ascii=False):
    """OUT/manifest.jsonl, one {id, orig, op, detail[, stratum]} a line
    (shared with probe.py, which writes non-ASCII characters as \\u
    escapes)."""
    with open(os.path.join(out, 'manifest.jsonl'), 'w',
              encoding='utf-8') as fh:
        for r in manifest:
            fh.write(json.dumps(r, ensure_ascii=ensure_ascii) + '\n')


def parse_args():
    env = os.environ.get
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', help='output directory (default $OUT/mutants, '
                    'OUT defaulting to /tmp/heatgen)')
    ap.add_argument('--conformance', default=env(
        'CONFORMANCE_DIR', '/work/shared/conformance'),
        help='the visible corpus ($CONFORMANCE_DIR)')
    ap.add_argument('--held', default=env('HELD_SRC'),
                    help="build_held.py's set to sample from besides the "
                    "visible corpus ($HELD_SRC, default $OUT/held; 'none': "
                    'the visible corpus only)')
    ap.add_argument('--n', type=int, default=150,
                    help='templates to mutate (default 150)')
    ap.add_argument('--per', type=int, default=10,
                    help='mutants per template (default 10)')
    ap.add_argument('--seed', type=int, default=7,
                    help='random seed (default 7)')
    ap.add_argument('--only-copy', action='store_true',
                    help='write the mutants, do not run gen.py')
    a = ap.parse_args()
    out_root = env('OUT', '/tmp/heatgen')
    if a.out is None:
        a.out = os.path.join(out_root, 'mutants')
    a.out = os.path.abspath(a.out)
    if a.held is None:
        a.held = os.path.join(out_root, 'held')
    return a


def main():
    a = parse_args()
    sources = [(os.path.join(a.conformance, 'templates'),
                os.path.join(a.conformance, 'expected'))]
    if a.held != 'none':
        if not os.path.isdir(os.path.join(a.held, 'expected')):
            sys.exit('no held-out set at %s (run generate.sh held, or '
                     'build_held.py --out %s; --held none: the visible '
                     'corpus only)' % (a.held, a.held))
        sources.append((os.path.join(a.held, 'templates'),
                        os.path.join(a.held, 'expected')))
    rng = random.Random(a.seed)
    cands = candidates(sources)
    chosen = sample(cands, a.n, rng)
    print('%d candidates, %d chosen' % (len(cands), len(chosen)),
          file=sys.stderr)
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    tdir = os.path.join(a.out, 'templates')
    os.makedirs(tdir)
    ids, manifest = [], []
    usage = {k: 0 for k in OPS}
    for c in chosen:
        src_path = os.path.join(c['root'], c['rel'])
        source = c['rel'].split('/', 1)[0]
        env_name = gen.find_env(src_path)
        refs = [r for r in bh.needed_files(src_path) if r != env_name]
        with open(src_path, encoding='utf-8') as fh:
            text = fh.read()
        base_t = template_format.parse(text)
        env_text = None
        if env_name:
            with open(os.path.join(os.path.dirname(src_path), env_name),
                      encoding='utf-8') as fh:
                env_text = fh.read()
        rel_dir = os.path.dirname(c['rel'])
        stem, ext = os.path.splitext(os.path.basename(c['rel']))
        dest_dir = os.path.join(tdir, rel_dir)
        os.makedirs(dest_dir, exist_ok=True)
        for ref in refs:
            s = os.path.normpath(os.path.join(os.path.dirname(src_path), ref))
            dd = os.path.normpath(os.path.join(dest_dir, ref))
            if not dd.startswith(os.path.join(tdir, source) + os.sep):
                continue
            if not os.path.exists(dd):
                bh.copy(s, dd)
        env_suffix = None
        if env_name:
            env_suffix = '-env.yaml' if env_name.endswith('-env.yaml') \
                else '_env.yaml'

        def write(tag, mm, detail, opname):
            name = '%s.%s%s' % (stem, tag, ext)
            out_text = mm.text if mm.text is not None else dump(mm.t, c['fmt'])
            nested = '%s.%s.nested.yaml' % (stem, tag)
            out_text = out_text.replace(NESTED, nested)
            with open(os.path.join(dest_dir, name), 'w',
                      encoding='utf-8') as fh:
                fh.write(out_text)
            for fname, ftext in mm.extra_files.items():
                with open(os.path.join(dest_dir, fname.replace(
                        NESTED, nested)), 'w', encoding='utf-8') as fh:
                    fh.write(ftext)
            if mm.env_text is not None:
                en = '%s.%s%s' % (stem, tag, env_suffix or '_env.yaml')
                with open(os.path.join(dest_dir, en), 'w',
                          encoding='utf-8') as fh:
                    fh.write(mm.env_text.replace(NESTED, nested))
            mid = os.path.join(rel_dir, name)
            ids.append(mid)
            manifest.append({'id': mid, 'orig': c['rel'], 'op': opname,
                             'detail': detail, 'stratum': stratum(c)})

        # control
        m0 = M(copy.deepcopy(base_t), c['fmt'], env_text, c['rel'])
        write('m00-roundtrip', m0, 'unmutated round trip', 'roundtrip')
        # mutants: least used applicable ops first
        names = sorted(OPS)
        rng.shuffle(names)
        names.sort(key=lambda k: usage[k])
        done = 0
        for opname in names:
            if done >= a.per:
                break
            mm = M(copy.deepcopy(base_t), c['fmt'], env_text, c['rel'])
            orng = random.Random('%s|%s|%d' % (c['rel'], opname, a.seed))
            try:
                detail = OPS[opname](mm, orng)
            except Skip:
                continue
            except Exception as ex:
                print('op %s failed on %s: %r' % (opname, c['rel'], ex),
                      file=sys.stderr)
                continue
            if detail is None:
                continue
            done += 1
            usage[opname] += 1
            write('m%02d-%s' % (done, opname.replace('_', '-')), mm, detail,
                  opname)
    bh.write_ids(a.out, sorted(ids))
    write_manifest(a.out, manifest)
    print('%d files (%d mutants + %d controls); op usage:' % (
        len(ids), len(ids) - len(chosen), len(chosen)), file=sys.stderr)
    for k in sorted(usage, key=lambda k: (-usage[k], k)):
        print('  %4d %s' % (usage[k], k), file=sys.stderr)
    if not a.only_copy:
        bh.gen_expected(a.out)


if __name__ == '__main__':
    main()
