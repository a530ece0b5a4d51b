#!/usr/bin/env python3
"""extract_embedded.py: extract the templates embedded in Heat's functional
tests and in Heat's documentation into a directory of files (plain python3,
no Heat needed).

usage: extract_embedded.py [--heat-src DIR] --out DIR [--check REF_DIR]

--heat-src  the openstack/heat checkout (default $HEAT_SRC or /tmp/heatsrc)
--out       directory to write (emptied first)
--check     compare the result with an earlier extraction: same set of files,
            same bytes; prints the agreement and every difference

What is extracted (a template is a text holding a template version key,
`heat_template_version`, `HeatTemplateFormatVersion` or
`AWSTemplateFormatVersion`, followed by `:`, quoted or not):

* Functional tests, heat_integrationtests/**.py: every Python string literal
  (as `ast` sees it: implicit concatenations are one literal, the value is
  the literal's value, `{placeholders}` of a later `.format()` are kept) that
  holds a template, wherever it is (module variable, class attribute, local
  variable, keyword argument).  Written to

      OUT/heat_integrationtests/<module path without .py>/template_L<N>.yaml

  where N is the line on which the literal starts.  build_held.py renames
  these to `<variable>_L<N>.yaml` by reading line N of the source (the last
  `name = '''...` / `name = (` on it); string literals that are bare dict
  keys (`'heat_template_version'` in templates written as Python dicts) are
  not templates and are skipped by the `:` requirement.

* Docs, doc/**/*.rst: every literal block (`.. code-block:: yaml|json`,
  `.. code::`, `.. sourcecode::`, or a paragraph ending in `::`) that holds a
  template.  Written to

      OUT/doc/<rst path without .rst>/L<N>.yaml

  where N is the line of the block's first non-blank line.  The text is the
  block dedented by its first line's indentation, from its first non-blank
  line up to the text that ends it, joined with newlines: the first blank
  line after the block ends its last line and any further ones stay as empty
  lines (as in the original extraction); a final newline is added when
  missing.

Every file is named .yaml (JSON is YAML too).
"""
import argparse
import ast
import os
import re
import shutil
import sys

VERSION_KEY = re.compile(
    r'(heat_template_version|HeatTemplateFormatVersion|'
    r'AWSTemplateFormatVersion)["\']?\s*:')
DIRECTIVE = re.compile(
    r'^(\s*)\.\. (?:code-block|code|sourcecode)::\s*(\S*)\s*$')
OPTION = re.compile(r'^\s+:[\w-]+:')
DOC_LANGS = ('', 'yaml', 'yml', 'json', 'javascript')


def indent(line):
    return len(line) - len(line.lstrip())


def python_templates(path):
    """(line, text) of every string literal of a .py file holding a
    template."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and VERSION_KEY.search(node.value):
            yield node.lineno, node.value


def rst_blocks(path):
    """(line, language, text) of every literal block of an .rst file."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        m = DIRECTIVE.match(line)
        literal = (not m and line.rstrip().endswith('::') and
                   not line.lstrip().startswith('..'))
        if not (m or literal):
            i += 1
            continue
        lang = m.group(2) if m else ''
        j = i + 1
        while j < len(lines) and OPTION.match(lines[j]):
            j += 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or indent(lines[j]) <= indent(line):
            i += 1          # no indented body: not a block
            continue
        start, body_indent = j, indent(lines[j])
        k = start
        while k < len(lines) and (not lines[k].strip() or
                                  indent(lines[k]) >= body_indent):
            k += 1
        # joined with the blank lines that follow: the first of them ends
        # the last line, any more stay as empty lines
        text = '\n'.join(x[body_indent:] for x in lines[start:k])
        if not text.endswith('\n'):
            text += '\n'
        yield start + 1, lang, text
        i = k


def extract(heat_src):
    """{relative output path: text}."""
    out = {}
    base = os.path.join(heat_src, 'heat_integrationtests')
    for d, dirs, files in os.walk(base):
        dirs.sort()
        for f in sorted(files):
            if not f.endswith('.py'):
                continue
            p = os.path.join(d, f)
            mod = os.path.relpath(p, heat_src)[:-3]
            for line, text in python_templates(p):
                out.setdefault(
                    os.path.join(mod, 'template_L%d.yaml' % line), text)
    base = os.path.join(heat_src, 'doc')
    for d, dirs, files in os.walk(base):
        dirs.sort()
        for f in sorted(files):
            if not f.endswith('.rst'):
                continue
            p = os.path.join(d, f)
            stem = os.path.relpath(p, heat_src)[:-4]
            for line, lang, text in rst_blocks(p):
                if lang.lower() in DOC_LANGS and VERSION_KEY.search(text):
                    out[os.path.join(stem, 'L%d.yaml' % line)] = text
    return out


def read_tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, 'rb') as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--heat-src',
                    default=os.environ.get('HEAT_SRC', '/tmp/heatsrc'))
    ap.add_argument('--out', required=True)
    ap.add_argument('--check', metavar='REF_DIR')
    a = ap.parse_args()
    got = extract(a.heat_src)
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    for rel, text in sorted(got.items()):
        p = os.path.join(a.out, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w', encoding='utf-8', newline='') as fh:
            fh.write(text)
    n_ft = sum(1 for r in got if r.startswith('heat_integrationtests'))
    print('%d templates extracted (%d functional tests, %d docs) -> %s'
          % (len(got), n_ft, len(got) - n_ft, a.out))
    if not a.check:
        return 0
    mine, ref = read_tree(a.out), read_tree(a.check)
    same = sorted(r for r in mine if ref.get(r) == mine[r])
    differ = sorted(r for r in mine if r in ref and ref[r] != mine[r])
    only_mine = sorted(set(mine) - set(ref))
    only_ref = sorted(set(ref) - set(mine))
    for r in differ:
        print('DIFFERENT CONTENT', r)
    for r in only_mine:
        print('ONLY HERE', r)
    for r in only_ref:
        print('ONLY IN %s' % a.check, r)
    print('%d/%d files of %s reproduced byte for byte; %d differ, '
          '%d extra, %d missing' % (len(same), len(ref), a.check,
                                    len(differ), len(only_mine),
                                    len(only_ref)))
    return 0 if len(same) == len(ref) == len(mine) else 1


if __name__ == '__main__':
    sys.exit(main())
