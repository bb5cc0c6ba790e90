"""Assemble the hand-written row files in _src/ into the frozen CSVs.
No generation: every row below comes verbatim from the literal *.txt files."""
import csv, glob, json, os, collections
HERE = os.path.dirname(os.path.abspath(__file__)); OUT = os.path.dirname(HERE)
def rows(pattern, nfields):
    out = []
    for f in sorted(glob.glob(os.path.join(HERE, pattern))):
        for line in open(f, encoding='utf-8'):
            line = line.rstrip('\n').strip()
            if not line: continue
            parts = line.split(' ', nfields - 1)
            assert len(parts) == nfields and parts[-1].strip(), (f, line)
            out.append([p.strip() for p in parts])
    return out
def write(name, header, data):
    with open(os.path.join(OUT, name), 'w', encoding='utf-8', newline='') as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator='\r\n'); w.writerow(header); w.writerows(data)
zh = rows('zh_*.txt', 3)             # register, code, text
write('zh.csv', ['text', 'category'], [[t, c] for r, c, t in zh])
with open(os.path.join(HERE, 'zh_registers.csv'), 'w', encoding='utf-8', newline='') as fh:
    w = csv.writer(fh); w.writerow(['text', 'register']); w.writerows([[t, r] for r, c, t in zh])
ml = rows('ml_*.txt', 3)             # lang, code, text
write('multilingual.csv', ['text', 'category', 'lang'], [[t, c, l] for l, c, t in ml])
sp = rows('spam.txt', 2)             # kind, text
write('spam.csv', ['text', 'kind'], [[t, k] for k, t in sp])
lh = rows('legit_hard.txt', 2)       # code, text
write('legit_hard.csv', ['text', 'category'], [[t, c] for c, t in lh])
