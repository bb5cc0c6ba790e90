import csv, json, collections, itertools, os
D = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cats = json.load(open('/work/main/src/gridgov/cases/data/categories.json'))['categories']
leaves = {c['code']: c for c in cats if c['parent']}
fam = {c['code']: c['parent'] for c in cats if c['parent']}
def load(n):
    with open(os.path.join(D, n), encoding='utf-8', newline='') as f: return list(csv.DictReader(f))
zh, ml, sp, lh = load('zh.csv'), load('multilingual.csv'), load('spam.csv'), load('legit_hard.csv')
ok = True
for name, rs in [('zh', zh), ('multilingual', ml), ('legit_hard', lh)]:
    bad = [r for r in rs if r['category'] not in leaves]
    if bad: ok = False; print(name, 'BAD CODES', bad[:5])
kinds = {'adult','gambling','loan','invoice','contact','seo_run','repeat','gibberish','other'}
assert all(r['kind'] in kinds for r in sp)
langs = {'en','ko','ja','vi','th','ru','pt','es','fr','ar'}
assert all(r['lang'] in langs for r in ml)
per = collections.Counter(r['category'] for r in zh)
missing = [c for c in leaves if per[c] < 6]
if missing: ok = False; print('LEAVES <6 in zh:', missing)
alltexts = [r['text'] for rs in (zh, ml, sp, lh) for r in rs]
dups = [t for t, n in collections.Counter(alltexts).items() if n > 1]
if dups: ok = False; print('EXACT DUPS', dups)
def grams(t): t = t.replace(' ', ''); return {t[i:i+2] for i in range(len(t)-1)} or {t}
near = []
pool = [(r['text'], grams(r['text'])) for rs in (zh, ml, lh) for r in rs]
for (a, ga), (b, gb) in itertools.combinations(pool, 2):
    if len(ga) > 3 and len(gb) > 3 and len(ga & gb) / len(ga | gb) > 0.6: near.append((a, b))
print('near-duplicate pairs (bigram Jaccard>0.6):', len(near)); [print('  ', a, '|', b) for a, b in near[:20]]
print('zh rows', len(zh), '| leaves', len(leaves), '| min per leaf', min(per[c] for c in leaves), '| max', max(per.values()))
print('multilingual rows', len(ml), dict(collections.Counter(r['lang'] for r in ml)))
print('spam rows', len(sp), dict(collections.Counter(r['kind'] for r in sp)))
print('legit_hard rows', len(lh))
print('zh per family', dict(sorted(collections.Counter(fam[r['category']] for r in zh).items())))
en_f = {fam[r['category']] for r in ml if r['lang'] == 'en'}
print('en families covered', len(en_f), 'of', len(set(fam.values())))
for l in sorted(langs - {'en'}):
    print(' ', l, 'families', len({fam[r['category']] for r in ml if r['lang'] == l}))
print('legit_hard per family', dict(sorted(collections.Counter(fam[r['category']] for r in lh).items())))
print('ALL CHECKS PASSED' if ok else 'CHECKS FAILED')
