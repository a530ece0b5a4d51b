#!/usr/bin/env python3
"""extract_unittests.py: extract the templates embedded in Heat's unit tests
(heat/tests/**.py of the openstack/heat checkout) into a directory of files,
named as the conformance corpus names its `heat-unittests` source.

usage (with the Heat venv's python, e.g. $HEAT_VENV/bin/python):
  extract_unittests.py [--heat-src DIR] --out DIR [--all] [--skipped FILE]
                       [--check [VISIBLE_DIR]]

--heat-src  the openstack/heat checkout (default $HEAT_SRC or /tmp/heatsrc)
--out       directory to write (emptied first)
--all       also keep the string literals Heat cannot parse (see below)
--skipped   write the literals that were left out, one per line
            (`<module> <str|dict> <variable> <line> <reason>`)
--check     compare the result with the visible corpus' heat-unittests
            files (default $CONFORMANCE_DIR/templates/heat-unittests,
            CONFORMANCE_DIR defaulting to /work/shared/conformance): every
            visible file must be extracted with the same name and the same
            bytes; prints the agreement and every difference, exit status 1
            when a visible file is not reproduced.  The extracted files that
            are not visible are the held-out candidates (build_held_ut.py).

Heat is needed (through heatenv.py, which re-executes the interpreter with
PYTHONHASHSEED=0 and puts $HEAT_SRC first on sys.path): a string is kept
only when Heat's own `template_format.parse` accepts it.

What is extracted (a version key is `heat_template_version`,
`HeatTemplateFormatVersion` or `AWSTemplateFormatVersion`):

* string literals (as `ast` sees them: implicit concatenations are one
  literal, the value is the literal's Python value) whose text holds a
  version key followed by `:` (quoted or not, so the bare dict key
  `'heat_template_version'` of a template written as a Python dict is not
  taken) and which Heat's `template_format.parse` accepts as a mapping with
  a version key.  Written verbatim.
* dict literals with a version key at their top level, evaluated with
  `ast.literal_eval` and written as `json.dumps(value, indent=2)`, without
  a final newline.

Each is written to

    OUT/heat/tests/<module path without .py>/<variable>_L<N>.<json|yaml>

where <variable> is the target of the nearest enclosing assignment
(`x = ...` -> x, `self.x = ...` -> x, `d['k'] = ...` -> k with non-word
characters made `_`), N is the line on which the literal starts, and the
extension is `.json` when the text starts with `{` (after white space),
otherwise `.yaml`.  Two literals with the same name and line: the last one
wins.

Left out (`--skipped`; none of them is a visible corpus file): dict
literals that are not pure literals (they reference variables), literals
not assigned to anything (function arguments, return values...), and,
unless --all, strings Heat cannot parse (error messages quoting a version,
templates with bare `%s` placeholders filled in later, one deliberately
mis-indented YAML).
"""
import argparse
import ast
import json
import os
import re
import shutil
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

VERSION_KEYS = ('heat_template_version', 'HeatTemplateFormatVersion',
                'AWSTemplateFormatVersion')
# the key as a mapping key of the text (YAML `key:` or JSON `"key" :`)
VERSION_RE = re.compile(r'\b(%s)[\'"]?\s*:' % '|'.join(VERSION_KEYS))


def heat_parses(text):
    """True when Heat's template_format.parse accepts the text and it is a
    mapping with a version key."""
    import heatenv  # noqa: F401  (sets Heat up; a no-op once imported)
    from heat.common import template_format
    try:
        t = template_format.parse(text)
    except Exception:
        return False
    return isinstance(t, dict) and any(k in t for k in VERSION_KEYS)


def parents(tree):
    par = {}
    for node in ast.walk(tree):
        for ch in ast.iter_child_nodes(node):
            par[ch] = node
    return par


def target_name(t):
    """The name an assignment target gives: `x`, `self.x` -> x,
    `d['k']` -> k; None for tuples, lists and the like."""
    if isinstance(t, ast.Name):
        return t.id
    if isinstance(t, ast.Attribute):
        return t.attr
    if isinstance(t, ast.Subscript):
        s = t.slice
        if isinstance(s, ast.Constant) and isinstance(s.value, str):
            return re.sub(r'\W', '_', s.value)
        return target_name(t.value)
    return None


def enclosing_name(node, par):
    """The target of the assignment the literal is (part of) the value of,
    or None when the nearest enclosing statement is not an assignment."""
    n = node
    while n in par:
        p = par[n]
        if isinstance(p, ast.Assign):
            for t in p.targets:
                name = target_name(t)
                if name:
                    return name
            return None
        if isinstance(p, (ast.AnnAssign, ast.AugAssign)):
            return target_name(p.target)
        if isinstance(p, ast.stmt):
            return None
        n = p
    return None


def dict_has_version(node):
    return any(isinstance(k, ast.Constant) and k.value in VERSION_KEYS
               for k in node.keys)


def candidates(path, keep_unparsed=False):
    """(kind, variable, line, text) of every template literal of a module;
    variable or text is None for a literal that is left out."""
    with open(path, encoding='utf-8') as fh:
        tree = ast.parse(fh.read(), path)
    par = parents(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if not VERSION_RE.search(node.value):
                continue
            text = node.value
            if not keep_unparsed and not heat_parses(text):
                text = None
            yield 'str', enclosing_name(node, par), node.lineno, text
        elif isinstance(node, ast.Dict) and dict_has_version(node):
            try:
                text = json.dumps(ast.literal_eval(node), indent=2)
            except Exception:
                text = None
            yield 'dict', enclosing_name(node, par), node.lineno, text


def extract(heat_src, keep_unparsed=False):
    """({relative output path: text}, [skipped (module, kind, variable,
    line, reason)])."""
    out, skipped = {}, []
    for d, dirs, files in os.walk(os.path.join(heat_src, 'heat', 'tests')):
        dirs.sort()
        for f in sorted(files):
            if not f.endswith('.py'):
                continue
            p = os.path.join(d, f)
            mod = os.path.relpath(p, heat_src)[:-3]
            for kind, name, line, text in candidates(p, keep_unparsed):
                if name is None or text is None:
                    skipped.append((mod, kind, name, line,
                                    'no name' if name is None
                                    else 'not literal / not parsed by Heat'))
                    continue
                ext = '.json' if text.lstrip().startswith('{') else '.yaml'
                out[os.path.join(mod, '%s_L%d%s' % (name, line, ext))] = text
    return out, skipped


def write_tree(root, files):
    if os.path.isdir(root):
        shutil.rmtree(root)
    for rel, text in sorted(files.items()):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w', encoding='utf-8', newline='') as fh:
            fh.write(text)


def read_tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, 'rb') as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def check(out, visible):
    """Compare the extraction with the visible files; True when every one
    is reproduced byte for byte."""
    mine, ref = read_tree(out), read_tree(visible)
    same = sorted(r for r in ref if mine.get(r) == ref[r])
    ws = sorted(r for r in ref if r in mine and mine[r] != ref[r] and
                mine[r].strip() == ref[r].strip())
    differ = sorted(r for r in ref if r in mine and
                    mine[r].strip() != ref[r].strip())
    missing = sorted(set(ref) - set(mine))
    for r in ws:
        print('DIFFERENT SURROUNDING WHITE SPACE', r)
    for r in differ:
        print('DIFFERENT CONTENT', r)
    for r in missing:
        print('NOT EXTRACTED', r)
    print('%d/%d visible files of %s reproduced byte for byte; %d identical '
          'up to surrounding white space, %d differ, %d not extracted; '
          '%d extracted files are not visible'
          % (len(same), len(ref), visible, len(ws), len(differ),
             len(missing), len(set(mine) - set(ref))))
    return len(same) == len(ref)


def main():
    env = os.environ.get
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--heat-src', default=env('HEAT_SRC', '/tmp/heatsrc'),
                    help='openstack/heat checkout ($HEAT_SRC)')
    ap.add_argument('--out', required=True, help='directory to write')
    ap.add_argument('--all', action='store_true',
                    help='keep the strings Heat cannot parse')
    ap.add_argument('--skipped', metavar='FILE',
                    help='write the literals left out to FILE')
    ap.add_argument('--check', nargs='?', metavar='VISIBLE_DIR',
                    const=os.path.join(
                        env('CONFORMANCE_DIR', '/work/shared/conformance'),
                        'templates', 'heat-unittests'),
                    help='compare with the visible heat-unittests files')
    a = ap.parse_args()
    # heatenv.py (imported on the first parse) reads HEAT_SRC; setting it
    # before then also carries it over its re-exec
    os.environ['HEAT_SRC'] = a.heat_src
    import heatenv  # noqa: F401  (re-execs with PYTHONHASHSEED=0 first)
    got, skipped = extract(a.heat_src, a.all)
    write_tree(a.out, got)
    if a.skipped:
        with open(a.skipped, 'w', encoding='utf-8') as fh:
            for s in skipped:
                fh.write(' '.join(map(str, s)) + '\n')
    print('%d templates extracted from %s/heat/tests (%d literals left out) '
          '-> %s' % (len(got), a.heat_src, len(skipped), a.out))
    if a.check and not check(a.out, a.check):
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
