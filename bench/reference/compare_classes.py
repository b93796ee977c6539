#!/usr/bin/env python3
"""Run-for-run comparison of two ensemble CSVs (columns run, class, family_n, final_loss).

    /usr/bin/python3 bench/reference/compare_classes.py ours.csv numpy.csv

Typically `scmv ensemble --out ours.csv` against `ode_numpy.py --out numpy.csv` on the same
initial conditions. Prints the class cross-table, the family-index agreement of runs that are
local in both, the largest |Δ final_loss| among runs of the same class, and every disagreeing run.
Standard library only.
"""
import csv
import sys
from collections import Counter


def read(path):
    with open(path, newline='') as f:
        return {int(r['run']): r for r in csv.DictReader(f)}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = read(sys.argv[1]), read(sys.argv[2])
    runs = sorted(set(a) & set(b))
    print(f'{len(runs)} runs in both ({len(a)} in {sys.argv[1]}, {len(b)} in {sys.argv[2]})')
    table = Counter((a[r]['class'], b[r]['class']) for r in runs)
    classes = ['global', 'local', 'none', 'diverged']
    print('rows: ' + sys.argv[1] + ', columns: ' + sys.argv[2])
    print(f'{"":>10}' + ''.join(f'{c:>10}' for c in classes))
    for ca in classes:
        print(f'{ca:>10}' + ''.join(f'{table[(ca, cb)]:>10}' for cb in classes))
    same = sum(table[(c, c)] for c in classes)
    both_local = [r for r in runs if a[r]['class'] == b[r]['class'] == 'local']
    fam_same = sum(a[r]['family_n'] == b[r]['family_n'] for r in both_local)
    print(f'class agrees: {same}/{len(runs)}; family n agrees on {fam_same}/{len(both_local)} runs local in both')
    dl = [(abs(float(a[r]['final_loss']) - float(b[r]['final_loss'])), r) for r in both_local]
    if dl:
        d, r = max(dl)
        print(f'local in both: max |Δ final_loss| = {d:.3e} (run {r})')
    for r in runs:
        if a[r]['class'] != b[r]['class'] or a[r]['family_n'] != b[r]['family_n']:
            print(f'  run {r}: {a[r]["class"]} n={a[r]["family_n"]} ε={float(a[r]["final_loss"]):.6g}'
                  f'  vs  {b[r]["class"]} n={b[r]["family_n"]} ε={float(b[r]["final_loss"]):.6g}')


if __name__ == '__main__':
    main()
