#!/usr/bin/env python3
"""gen.py: compute, with the real OpenStack Heat engine in-process, the
expected conformance JSON of templates (the schema of expected/<id>.json in
the conformance corpus, see its README.md and tests/oracle/README.md).

usage (with the Heat venv's python, e.g. $HEAT_VENV/bin/python):
  gen.py --root TEMPLATES_ROOT --out EXPECTED_DIR [--list FILE] [REL ...]

REL are template paths relative to TEMPLATES_ROOT (`<source>/<path>`); the
id is REL, the source its first component, corpus_path `templates/REL`, and
the output EXPECTED_DIR/REL.json.  With --list, REL are also read from FILE
(one per line).  An environment file `<stem>_env.yaml` / `<stem>-env.yaml`
beside a template is used, and the files it references are read from disk.

No server, no cloud, no DB:
* template_validate is the body of Heat's own
  EngineService.validate_template (unwrapped from its RPC decorator) with the
  real global registry; custom constraints accept everything, every service
  is available, no resource is ever found in the DB;
* "generic" is a stack (name `oracle_stack`, fixed id, tenant
  `test_tenant_id`) in which every resource type is instantiated as one
  generic class (OracleGeneric: any property, any attribute).

Environment: HEAT_SRC (Heat checkout, default /tmp/heatsrc),
HEAT_VERSION_LABEL (written as heat_version, default 27.0.1).
"""
import argparse
import collections
import hashlib
import inspect
import json
import os
import signal
import sys
import time
import traceback

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heatenv  # noqa: E402  (re-execs with PYTHONHASHSEED=0, sets Heat up)
from heatenv import (HEAT_VERSION, STACK_ID, STACK_NAME,  # noqa: E402
                     new_context)

from heat.common import environment_format  # noqa: E402
from heat.common import exception  # noqa: E402
from heat.common import template_format  # noqa: E402
from heat.engine import api  # noqa: E402
from heat.engine import constraints as _constraints  # noqa: E402
from heat.engine import environment  # noqa: E402
from heat.engine import resource  # noqa: E402
from heat.engine import service  # noqa: E402
from heat.engine import stack as parser  # noqa: E402
from heat.engine import template as templatem  # noqa: E402

HEATSRC = heatenv.HEAT_SRC

# --------------------------------------------------------------------------
# Offline stubs.

# No resources are ever in a DB.
parser.Stack.db_resource_get = lambda self, name: None
# No cloud: custom constraints (nova.flavor, glance.image...) accept any value.
_constraints.BaseCustomConstraint.validate = lambda self, value, context: True
# No cloud: every service is available (no keystone/neutron catalog).
resource.Resource._validate_service_availability = classmethod(
    lambda cls, context, resource_type: None)


class OracleGeneric(resource.Resource):
    """Every resource of the generic stack: any properties, any attribute."""
    properties_schema = {}
    attributes_schema = {}

    @classmethod
    def is_service_available(cls, context):
        return (True, None)

    def get_attribute(self, key, *path):
        return None

    def validate_template(self):
        # Resource.validate_template without the plugin-specific parts
        # (properties and update policy schemas): any properties.
        try:
            self.t.validate()
            self.validate_deletion_policy(self.t.deletion_policy())
        except exception.StackValidationFailed as ex:
            path = [self.stack.t.RESOURCES, self.t.name]
            if ex.path:
                path.append(self.stack.t.get_section_name(ex.path[0]))
                path.extend(ex.path[1:])
            raise exception.StackValidationFailed(
                error=ex.error, path=path, message=ex.error_message)
        return None


def generic_registry(registry):
    """Make an environment's registry instantiate OracleGeneric for any
    (string, non-empty) resource type, keeping Heat's checks of the type."""
    def get_class_to_instantiate(resource_type, resource_name=None):
        if resource_type == "":
            msg = 'Resource "%s" has no type' % resource_name
            raise exception.StackValidationFailed(message=msg)
        elif resource_type is None:
            msg = ('Non-empty resource type is required '
                   'for resource "%s"') % resource_name
            raise exception.StackValidationFailed(message=msg)
        elif not isinstance(resource_type, str):
            msg = 'Resource "%s" type is not a string' % resource_name
            raise exception.StackValidationFailed(message=msg)
        return OracleGeneric
    registry.get_class_to_instantiate = get_class_to_instantiate
    return registry


def err(ex):
    d = {'type': type(ex).__name__,
         'module': type(ex).__module__,
         'message': str(ex)}
    if isinstance(ex, exception.HeatExceptionWithPath):
        d['error'] = ex.error
        d['error_message'] = ex.error_message
        d['path'] = list(ex.path)
    return d


def jsonable(v):
    """A JSON-serialisable copy of a resolved value (sets, tuples...)."""
    try:
        return json.loads(json.dumps(v))
    except (TypeError, ValueError):
        if isinstance(v, dict):
            return {str(k): jsonable(x) for k, x in v.items()}
        if isinstance(v, (list, tuple, set)):
            return [jsonable(x) for x in v]
        return repr(v)


# --------------------------------------------------------------------------
# Files referenced by a template.

TEMPLATE_EXTS = ('.yaml', '.template')


def _is_url(ref):
    return '://' in ref


def template_refs(tmpl):
    """Relative file references of a parsed template: get_file arguments,
    resource types that are template files, TemplateURL values."""
    refs = []

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if k in ('get_file', 'TemplateURL') and isinstance(x, str):
                    refs.append(x)
                elif (k in ('type', 'Type') and isinstance(x, str) and
                        x.endswith(TEMPLATE_EXTS)):
                    refs.append(x)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(tmpl)
    for section in ('resources', 'Resources'):
        res = tmpl.get(section)
        if isinstance(res, dict):
            for r in res.values():
                if isinstance(r, dict):
                    for tk in ('type', 'Type'):
                        t = r.get(tk)
                        if isinstance(t, str) and t.endswith(TEMPLATE_EXTS):
                            refs.append(t)
    return [r for r in refs if not _is_url(r)]


def env_refs(env):
    refs = []
    reg = env.get('resource_registry') if isinstance(env, dict) else None

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if isinstance(x, str) and x.endswith(TEMPLATE_EXTS):
                    refs.append(x)
                else:
                    walk(x)
    walk(reg)
    return [r for r in refs if not _is_url(r)]


def collect_files(tdir, tmpl, env, env_name):
    """(provided {ref: content}, missing [ref]) for a template in tdir."""
    provided = {}
    missing = set()
    if env_name is not None:
        with open(os.path.join(tdir, env_name), encoding='utf-8') as f:
            provided[env_name] = f.read()
    todo = list(template_refs(tmpl)) + (env_refs(env) if env else [])
    seen = set()
    while todo:
        ref = todo.pop(0)
        if ref in seen:
            continue
        seen.add(ref)
        p = os.path.normpath(os.path.join(tdir, ref))
        if os.path.isfile(p):
            try:
                with open(p, encoding='utf-8') as f:
                    content = f.read()
            except UnicodeDecodeError:
                missing.add(ref)
                continue
            provided[ref] = content
            if ref.endswith(TEMPLATE_EXTS) or ref.endswith(('.yml', '.json')):
                try:
                    sub = template_format.parse(content)
                except Exception:
                    continue
                # only references that resolve from the root template's
                # directory too (the runner reads files relative to it)
                sdir = os.path.dirname(p)
                for r in template_refs(sub):
                    if os.path.normpath(os.path.join(sdir, r)) == \
                            os.path.normpath(os.path.join(tdir, r)):
                        todo.append(r)
        else:
            missing.add(ref)
    return provided, sorted(missing)


def find_env(path):
    d, base = os.path.split(path)
    stem = os.path.splitext(base)[0]
    for cand in (stem + '_env.yaml', stem + '-env.yaml'):
        if os.path.isfile(os.path.join(d, cand)):
            return cand
    return None


# --------------------------------------------------------------------------
# The validate API (Heat's own body, without the RPC wrapper).

_validate_template = inspect.unwrap(service.EngineService.validate_template)


class _Svc(object):
    _validate_template = service.EngineService._validate_template


def api_env(env_dict=None):
    env = {} if env_dict is None else dict(env_dict)
    environment_format.default_for_missing(env)
    return env


def template_validate(tmpl_dict, files, env_name):
    ctx = new_context()
    params = api_env()
    out = {}
    try:
        res = _validate_template(
            _Svc(), ctx, tmpl_dict, params, files=dict(files),
            environment_files=[env_name] if env_name else None)
        out['result'] = jsonable(res)
    except Exception as ex:
        out['raised'] = err(ex)
    return out


def type_lookups(tmpl_dict, env):
    out = {}
    for section in ('resources', 'Resources'):
        res = tmpl_dict.get(section)
        if not isinstance(res, dict):
            continue
        for r in res.values():
            if not isinstance(r, dict):
                continue
            t = r.get('type', r.get('Type'))
            if not isinstance(t, str) or t in out:
                continue
            try:
                cls = env.get_class_to_instantiate(t)
                out[t] = {'ok': True, 'class': cls.__name__}
            except Exception as ex:
                out[t] = {'ok': False, 'error': err(ex)}
    return out


# --------------------------------------------------------------------------
# The generic stack.

def synthesize(schema):
    """A value for a parameter with no value."""
    from heat.engine import constraints as constr
    for c in schema.constraints:
        if isinstance(c, constr.AllowedValues) and c.allowed:
            return c.allowed[0]
    t = schema.type
    if t == schema.NUMBER:
        return 1
    if t == schema.MAP:
        return {}
    if t == schema.BOOLEAN:
        return False
    return 'placeholder'


def param_info(p):
    s = p.schema
    cons = []
    for c in s.constraints:
        d = {'kind': type(c).__name__, 'description': c.description}
        for a in ('allowed', 'min', 'max', 'pattern', 'name', 'step',
                  'offset'):
            if hasattr(c, a):
                d[a] = jsonable(getattr(c, a))
        cons.append(d)
    try:
        value = jsonable(p.value())
    except Exception as ex:
        value = {'unknown': True, 'why': 'no value (%s)' % err(ex)['type']}
    return {'type': s.type, 'default': jsonable(s.default),
            'has_default': p.has_default(), 'hidden': p.hidden(),
            'label': s.label, 'description': s.description,
            'constraints': cons, 'value': value}


def build_graph(stk):
    deps = stk._explicit_dependencies()
    g = deps.graph()
    requires = {}
    for node, n in g.items():
        requires[node.name] = sorted(r.name for r in n.require)
    nodes = sorted(requires)
    edges = sorted([a, b] for a, rs in requires.items() for b in rs)
    out = {'nodes': nodes, 'requires': dict(sorted(requires.items())),
           'edges': edges, 'cycle': None}
    # levels: parallel creation waves
    placed = set()
    levels = []
    remaining = set(nodes)
    while remaining:
        wave = sorted(n for n in remaining
                      if all(r in placed for r in requires[n]))
        if not wave:
            break
        levels.append(wave)
        placed.update(wave)
        remaining -= set(wave)
    out['levels'] = levels
    try:
        list(deps)
    except exception.CircularDependencyException as ex:
        out['cycle'] = {'error': err(ex), 'remaining': sorted(remaining)}
    return out


def generic_part(tmpl_dict, files, env_dict):
    g = {}
    ctx = new_context()
    # Values as given (the environment only)
    tmpl0 = templatem.Template(tmpl_dict, files=files)
    tmpl0.env = environment.Environment(env_dict)
    generic_registry(tmpl0.env.registry)
    try:
        stk0 = parser.Stack(ctx, STACK_NAME, tmpl0, stack_id=STACK_ID)
    except Exception as ex:
        return {'stack_error': err(ex)}

    def flt(p):
        return p.name not in stk0.parameters.PSEUDO_PARAMETERS
    try:
        g['parameters_api'] = jsonable(stk0.parameters.map(
            api.format_validate_parameter, filter_func=flt))
    except Exception as ex:
        g['parameters_api_error'] = err(ex)
    params = {}
    syn = {}
    for name, p in stk0.parameters.params.items():
        if name in stk0.parameters.PSEUDO_PARAMETERS:
            continue
        try:
            params[name] = param_info(p)
        except Exception as ex:
            params[name] = {'error': err(ex)}
        if p.user_value is None and not p.has_default():
            syn[name] = synthesize(p.schema)
    g['parameters'] = params
    g['pseudo_parameters'] = sorted(stk0.parameters.PSEUDO_PARAMETERS)
    g['synthesized_parameters'] = syn
    try:
        stk0.validate()
        g['validate_as_given'] = {'ok': True}
    except Exception as ex:
        g['validate_as_given'] = {'ok': False, 'error': err(ex)}

    # The generic stack, with synthesized values
    env2 = json.loads(json.dumps(env_dict))
    env2.setdefault('parameters', {})
    for k, v in syn.items():
        env2['parameters'].setdefault(k, v)
    tmpl = templatem.Template(tmpl_dict, files=files)
    tmpl.env = environment.Environment(env2)
    generic_registry(tmpl.env.registry)
    try:
        stk = parser.Stack(ctx, STACK_NAME, tmpl, stack_id=STACK_ID)
    except Exception as ex:
        g['stack_error'] = err(ex)
        return g
    # Validate it (as Heat's validate would: this also adopts external ids),
    # then compute everything on that same stack.
    try:
        stk.validate()
        vres = {'ok': True}
    except Exception as ex:
        vres = {'ok': False, 'error': err(ex)}
    if syn:
        g['validate_with_synthesized'] = vres

    # Each resource's own validation
    try:
        try:
            stk._update_all_resource_data(for_resources=True,
                                          for_outputs=True)
        except Exception:
            pass
        rv = {}
        for n, r in sorted(stk.resources.items()):
            try:
                r.validate()
                rv[n] = {'ok': True}
            except Exception as ex:
                rv[n] = {'ok': False, 'error': err(ex)}
        g['resource_validation'] = rv
    except Exception as ex:
        g['resource_validation'] = {'error': err(ex)}

    # Conditions
    cond_names = []
    csec = getattr(stk.t, 'CONDITIONS', None)
    if csec is not None:
        craw = stk.t.t.get(csec)
        if isinstance(craw, dict):
            cond_names = list(craw)
    conds = {}
    try:
        cobj = stk.t.conditions(stk)
        for n in cond_names:
            try:
                conds[n] = bool(cobj.is_enabled(n))
            except Exception as ex:
                conds[n] = {'error': err(ex)}
    except Exception as ex:
        conds = {'error': err(ex)}
    g['conditions'] = conds

    # Resources after conditions
    rsec = stk.t.RESOURCES if hasattr(stk.t, 'RESOURCES') else 'resources'
    rraw = stk.t.t.get(rsec) or {}
    declared = list(rraw) if isinstance(rraw, dict) else []
    try:
        enabled = stk.defn.enabled_rsrc_names()
        res = {}
        for n in declared:
            snip = rraw[n] if isinstance(rraw[n], dict) else {}
            t = snip.get('type', snip.get('Type'))
            res[n] = {'type': jsonable(t), 'enabled': n in enabled}
        g['resources'] = res
    except Exception as ex:
        g['resources'] = {'declared': sorted(declared), 'error': err(ex)}

    # Graph
    try:
        stk.resources  # instantiate the resources first (may raise)
        g['graph'] = build_graph(stk)
    except Exception as ex:
        g['graph'] = {'error': err(ex)}

    # Outputs
    outs = {}
    disabled = []
    try:
        try:
            stk._update_all_resource_data(for_resources=True,
                                          for_outputs=True)
        except Exception:
            pass
        osec = stk.t.OUTPUTS
        oraw = stk.t.t.get(osec) or {}
        defs = stk.outputs
        for n in (oraw if isinstance(oraw, dict) else {}):
            od = defs.get(n)
            if od is None:
                continue
            o = {}
            if od._value is None and _output_has_condition(stk, oraw, n):
                disabled.append(n)
            try:
                o['required_resources'] = sorted(od.required_resource_names())
            except Exception as ex:
                o['required_resources'] = {'error': err(ex)}
            try:
                od.validate()
                o['validate'] = {'ok': True}
            except Exception as ex:
                o['validate'] = {'ok': False, 'error': err(ex)}
            try:
                o['value_uncreated'] = jsonable(od.get_value())
            except Exception as ex:
                o['value_uncreated'] = {'error': err(ex)}
            outs[n] = o
        g['outputs'] = outs
        g['outputs_disabled'] = sorted(disabled)
    except Exception as ex:
        g['outputs'] = {'error': err(ex)}
    return g


def _output_has_condition(stk, oraw, n):
    c = getattr(stk.t, 'OUTPUT_CONDITION', None)
    return c is not None and isinstance(oraw.get(n), dict) and c in oraw[n]


# --------------------------------------------------------------------------

class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout('timed out')


def generate(root, rel, extra=None):
    path = os.path.join(root, rel)
    tdir = os.path.dirname(path)
    source = rel.split('/', 1)[0]
    with open(path, 'rb') as f:
        raw = f.read()
    out = collections.OrderedDict()
    out['id'] = rel
    out['source'] = source
    out['corpus_path'] = 'templates/' + rel
    out['heat_version'] = HEAT_VERSION
    out['schema_version'] = 1
    out['sha256'] = hashlib.sha256(raw).hexdigest()
    if extra:
        out.update(extra)
    text = raw.decode('utf-8')
    try:
        tmpl_dict = template_format.parse(text)
        try:
            json.loads(text)
            fmt = 'json'
        except ValueError:
            fmt = 'yaml'
        out['parse'] = {'ok': True, 'format': fmt,
                        'top_level_keys': sorted(map(str, tmpl_dict))}
    except Exception as ex:
        out['parse'] = {'ok': False, 'error': err(ex)}
        for k in ('version', 'environment', 'files', 'template_validate',
                  'generic'):
            out[k] = None
        return out
    # version
    try:
        tmpl = templatem.Template(tmpl_dict)
        out['version'] = {'key': tmpl.version[0], 'value': tmpl.version[1],
                          'class': type(tmpl).__name__}
    except Exception as ex:
        out['version'] = {'error': err(ex)}
        for k in ('environment', 'files', 'template_validate', 'generic'):
            out[k] = None
        return out
    # environment
    env_name = find_env(path)
    env_dict = {}
    env_ok = True
    if env_name is not None:
        env_id = os.path.join(os.path.dirname(rel), env_name)
        try:
            with open(os.path.join(tdir, env_name), encoding='utf-8') as f:
                env_dict = environment_format.parse(f.read())
            out['environment'] = {'id': env_id, 'parse': {'ok': True}}
        except Exception as ex:
            env_ok = False
            out['environment'] = {'id': env_id,
                                  'parse': {'ok': False, 'error': err(ex)}}
            env_dict = {}
    else:
        out['environment'] = None
    files, missing = collect_files(tdir, tmpl_dict, env_dict, env_name)
    out['files'] = {'provided': sorted(files), 'missing': missing}
    # validate API
    tv = template_validate(tmpl_dict, files, env_name)
    try:
        tenv = environment.Environment(api_env(env_dict) if env_ok else {})
        tv['type_lookups'] = type_lookups(tmpl_dict, tenv)
    except Exception:
        pass
    out['template_validate'] = tv
    # generic stack
    try:
        env_for_stack = api_env(env_dict) if env_ok else api_env()
        out['generic'] = generic_part(tmpl_dict, files, env_for_stack)
    except Exception as ex:
        out['generic'] = {'stack_error': err(ex),
                          'traceback': traceback.format_exc()}
    return out


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--root', required=True,
                    help='templates root (contains <source>/...)')
    ap.add_argument('--out', required=True, help='expected dir to write')
    ap.add_argument('--list', help='file with one REL per line')
    ap.add_argument('--timeout', type=int, default=60,
                    help='seconds per template (default 60)')
    ap.add_argument('rel', nargs='*')
    a = ap.parse_args()
    rels = list(a.rel)
    if a.list:
        with open(a.list) as f:
            rels += [ln.strip() for ln in f if ln.strip()]
    signal.signal(signal.SIGALRM, _alarm)
    n_ok = n_err = 0
    for rel in rels:
        t0 = time.time()
        signal.alarm(a.timeout)
        try:
            out = generate(a.root, rel)
            n_ok += 1
        except BaseException as ex:  # noqa
            if isinstance(ex, KeyboardInterrupt):
                raise
            out = {'id': rel, 'generator_error': repr(ex),
                   'traceback': traceback.format_exc()}
            n_err += 1
            print('GENERATOR ERROR %s: %r' % (rel, ex), file=sys.stderr)
        finally:
            signal.alarm(0)
        if time.time() - t0 > 2:
            print('slow (%.1fs): %s' % (time.time() - t0, rel),
                  file=sys.stderr)
        dst = os.path.join(a.out, rel + '.json')
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, 'w') as f:
            json.dump(out, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write('\n')
    print('%d generated, %d generator errors' % (n_ok, n_err),
          file=sys.stderr)


if __name__ == '__main__':
    main()
