#!/usr/bin/env python3
"""fails.py: list the disagreements in the output of heat-rs's conformance
runner (plain python3).

usage: fails.py RESULT.jsonl [CASES.json]

RESULT.jsonl is what `conformance templates DIR` or `conformance cases FILE`
printed (one JSON object per line with `id`, `agrees` and, on a
disagreement, `why`).  Prints `id: why` for every disagreement; with the
CASES.json the runner read, also each case's context, snippet and Heat's
answer.
"""
import json
import sys


def heat_answer(c):
    if 'expected_error' in c:
        e = c['expected_error']
        return 'error %s/%s: %s' % (e['stage'], e['type'], e['message'][:160])
    return json.dumps(c.get('expected_result'), ensure_ascii=False)[:200]


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ('-h', '--help'):
        print(__doc__, file=sys.stderr)
        return 2
    cases = {}
    if len(argv) == 3:
        with open(argv[2], encoding='utf-8') as f:
            cases = {c['id']: c for c in json.load(f)['cases']}
    n = 0
    with open(argv[1], encoding='utf-8') as f:
        for line in f:
            if not line.startswith('{'):
                continue
            r = json.loads(line)
            if r.get('agrees'):
                continue
            n += 1
            c = cases.get(r['id'])
            if c is None:
                print('%s: %s' % (r['id'], r.get('why', '')))
                continue
            print('%s | %s | %s' % (r['id'], c.get('context'), json.dumps(
                c.get('snippet'), ensure_ascii=False)[:200]))
            print('    heat: %s' % heat_answer(c))
            print('    why : %s' % r.get('why', '')[:300])
    print('%d disagreements' % n)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
