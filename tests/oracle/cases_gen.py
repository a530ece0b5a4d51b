#!/usr/bin/env python3
"""cases_gen.py: evaluate intrinsic-function CASEs with the real OpenStack
Heat engine in-process.

usage (with the Heat venv's python, e.g. $HEAT_VENV/bin/python):
  cases_gen.py compute IN.json OUT.json     # fill expected_* of every case
  cases_gen.py calibrate CASES.json [-v]    # recompute and compare with the
                                            # expected_* already in the file

IN.json is {"cases": [CASE..]} (or a bare list), e.g. build_held_cases.py's
output; OUT.json gets the corpus' top-level header (schema_version,
heat_version, stack_name, stack_id, tenant_id) and the cases with
expected_result + expected_result_python_type or expected_error.
`calibrate` agrees on a case when the value and Python type are equal, or
when the error stage and exception type are equal (-v: also list the cases
whose error *texts* differ).

CASE schema: functions/cases.json in the conformance corpus' README.md.  How
a case is evaluated (the error stage is the step that raised):
  template       templatem.Template(case.template, files=case.files,
                 env=Environment({parameters: case.parameter_values}))
                 (category "version": the result is {class, version})
  resource_data  one NodeData per entry of resources_attrs (reference_id
                 defaulting to the resource name, action/status defaulting to
                 CREATE/COMPLETE, attribute names = given names + "show";
                 attribute paths are walked with select_from_attribute)
  stack          parser.Stack(ctx, oracle_stack, tmpl, stack_id=..,
                 cache_data=<resource data>); parent_resource -> a proxy
                 whose metadata_get()/t read case.parent_resource;
                 availability zones -> case.availability_zones
  parse          tmpl.parse(stack.defn, snippet) or
                 tmpl.parse_condition(stack.defn, snippet) (context condition)
  validate       function.validate(parsed)
  resolve        function.resolve(parsed)  (nullable=case.resolve_nullable)
expected_result_python_type = type(result).__name__.

Environment: HEAT_SRC (Heat checkout, default /tmp/heatsrc),
HEAT_VERSION_LABEL (written as heat_version, default 27.0.1).
"""
import collections
import collections.abc  # noqa: F401  (yaql needs it imported)
import copy
import json
import os
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heatenv  # noqa: E402,F401  (re-execs with PYTHONHASHSEED=0, sets Heat up)
from heatenv import (HEAT_VERSION, STACK_ID, STACK_NAME,  # noqa: E402
                     TENANT_ID, new_context)

from heat.common import exception  # noqa: E402
from heat.engine import attributes  # noqa: E402
from heat.engine import environment  # noqa: E402
from heat.engine import function  # noqa: E402
from heat.engine import node_data  # noqa: E402
from heat.engine import rsrc_defn  # noqa: E402
from heat.engine import stack as parser  # noqa: E402
from heat.engine import stk_defn  # noqa: E402
from heat.engine import template as templatem  # noqa: E402

# availability zones come from the case (no nova)
_AZS = {'value': None}


def _get_azs(self):
    if _AZS['value'] is None:
        raise RuntimeError('no availability_zones in case')
    return list(_AZS['value'])


stk_defn.StackDefinition.get_availability_zones = _get_azs


class CaseNodeData(node_data.NodeData):
    """NodeData built from a case's resources_attrs entry."""

    __slots__ = ()

    def attribute(self, attr_name):
        if isinstance(attr_name, tuple):
            top, path = attr_name[0], list(attr_name[1:])
        else:
            top, path = attr_name, []
        if top == attributes.SHOW_ATTR and top not in self._attributes:
            val = None
        else:
            val = self._attributes[top]
        if isinstance(val, Exception):
            raise val
        return attributes.select_from_attribute(val, path)

    def attribute_names(self):
        for k in self._attributes:
            yield k
        if attributes.SHOW_ATTR not in self._attributes:
            yield attributes.SHOW_ATTR


def build_resource_data(case):
    out = {}
    ra = case.get('resources_attrs') or {}
    for i, (name, d) in enumerate(ra.items()):
        d = d or {}
        out[name] = CaseNodeData(
            i + 1, name, None,
            d.get('reference_id', name),
            copy.deepcopy(d.get('attributes') or {}),
            d.get('action', 'CREATE'),
            d.get('status', 'COMPLETE'))
    return out


class CaseParent(object):
    """Parent (facade) resource of the case's stack."""

    def __init__(self, d):
        self.name = d.get('name', 'parent')
        self._d = d
        self.t = rsrc_defn.ResourceDefinition(
            self.name, d.get('type', 'nested.yaml'),
            metadata=copy.deepcopy(d.get('metadata')),
            deletion_policy=d.get('deletion_policy'),
            update_policy=copy.deepcopy(d.get('update_policy')))

    def metadata_get(self):
        md = self._d.get('metadata')
        if md is None:
            return self.t.metadata()
        return copy.deepcopy(md)


class StageError(Exception):
    def __init__(self, stage, ex):
        self.stage = stage
        self.ex = ex


def err(stage, ex):
    d = {'stage': stage, 'type': type(ex).__name__,
         'module': type(ex).__module__, 'message': str(ex)}
    if isinstance(ex, exception.HeatExceptionWithPath):
        d['error'] = ex.error
        d['path'] = list(ex.path)
        d['error_message'] = ex.error_message
    return d


def jsonable(v):
    try:
        return json.loads(json.dumps(v))
    except (TypeError, ValueError):
        if isinstance(v, collections.abc.Mapping):
            return {str(k): jsonable(x) for k, x in v.items()}
        if isinstance(v, (list, tuple, set, frozenset)):
            return [jsonable(x) for x in v]
        return repr(v)


def evaluate(case):
    """Return ('ok', value, python_type) or ('err', errdict)."""
    stage = 'template'
    try:
        files = case.get('files') or {}
        env = environment.Environment(
            {'parameters': dict(case.get('parameter_values') or {})})
        tmpl = templatem.Template(copy.deepcopy(case['template']),
                                  files=files, env=env)
        if case.get('category') == 'version':
            return ('ok', {'class': type(tmpl).__name__,
                           'version': list(tmpl.version)}, 'dict')
        stage = 'resource_data'
        rdata = build_resource_data(case)
        stage = 'stack'
        _AZS['value'] = case.get('availability_zones')
        stk = parser.Stack(new_context(), STACK_NAME, tmpl,
                           stack_id=STACK_ID, cache_data=rdata)
        pr = case.get('parent_resource')
        stk.defn._parent_info = CaseParent(pr) if pr is not None else None
        stage = 'parse'
        snippet = copy.deepcopy(case['snippet'])
        if case.get('context') == 'condition':
            parsed = tmpl.parse_condition(stk.defn, snippet)
        else:
            parsed = tmpl.parse(stk.defn, snippet)
        stage = 'validate'
        function.validate(parsed)
        stage = 'resolve'
        res = function.resolve(parsed,
                               nullable=bool(case.get('resolve_nullable')))
    except Exception as ex:  # noqa
        return ('err', err(stage, ex))
    return ('ok', res, type(res).__name__)


def fill(case):
    out = {k: v for k, v in case.items()
           if k not in ('expected_result', 'expected_result_python_type',
                        'expected_error')}
    r = evaluate(case)
    if r[0] == 'ok':
        val = r[1]
        if val is Ellipsis:
            out['expected_result'] = None
            out['expected_result_python_type'] = 'ellipsis'
        else:
            out['expected_result'] = jsonable(val)
            if case.get('category') != 'version':
                out['expected_result_python_type'] = r[2]
    else:
        out['expected_error'] = r[1]
    return out


def same_json(a, b):
    """JSON equality that also tells int from float (1 != 1.0)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return (list(a) == list(b) or set(a) == set(b)) and \
            all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(same_json, a, b))
    return type(a) is type(b) and a == b


def compare(ref, got):
    """'' when they agree, else a reason."""
    if 'expected_error' in ref:
        if 'expected_error' not in got:
            return 'ref error %s/%s, got result %r' % (
                ref['expected_error']['stage'], ref['expected_error']['type'],
                got.get('expected_result'))
        a, b = ref['expected_error'], got['expected_error']
        if (a['stage'], a['type']) != (b['stage'], b['type']):
            return 'ref error %s/%s, got %s/%s: %s' % (
                a['stage'], a['type'], b['stage'], b['type'], b['message'])
        return ''
    if 'expected_error' in got:
        e = got['expected_error']
        return 'ref result %r, got error %s/%s: %s' % (
            ref.get('expected_result'), e['stage'], e['type'], e['message'])
    if not same_json(ref.get('expected_result'), got.get('expected_result')):
        return 'ref %r, got %r' % (ref.get('expected_result'),
                                   got.get('expected_result'))
    if ref.get('expected_result_python_type') != \
            got.get('expected_result_python_type'):
        return 'python type ref %s got %s' % (
            ref.get('expected_result_python_type'),
            got.get('expected_result_python_type'))
    return ''


HEADER = {'schema_version': 1, 'heat_version': HEAT_VERSION,
          'stack_name': STACK_NAME, 'stack_id': STACK_ID,
          'tenant_id': TENANT_ID}


def main(argv):
    if len(argv) >= 3 and argv[1] == 'compute':
        with open(argv[2], encoding='utf-8') as f:
            data = json.load(f)
        cases = data['cases'] if isinstance(data, dict) else data
        out = dict(HEADER)
        out['cases'] = [fill(c) for c in cases]
        with open(argv[3], 'w', encoding='utf-8') as f:
            json.dump(out, f, indent=1, ensure_ascii=False)
        print('%d cases written to %s' % (len(out['cases']), argv[3]))
        return 0
    if len(argv) >= 3 and argv[1] == 'calibrate':
        verbose = '-v' in argv
        with open(argv[2], encoding='utf-8') as f:
            data = json.load(f)
        n = bad = 0
        msgs = 0
        for c in data['cases']:
            n += 1
            got = fill(c)
            why = compare(c, got)
            if why:
                bad += 1
                print('DIFF %s: %s' % (c['id'], why))
            elif verbose and 'expected_error' in c and \
                    c['expected_error']['message'] != \
                    got['expected_error']['message']:
                msgs += 1
                print('MSG %s: %r vs %r' % (
                    c['id'], c['expected_error']['message'],
                    got['expected_error']['message']))
        print('%d/%d agree (stage+type / value+python type); '
              '%d error texts differ' % (n - bad, n, msgs))
        return 0
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
