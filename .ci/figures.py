"""One figure per claim: every "mean ± std" on the README and the pages is one a benchmark wrote.

The benchmarks in bench/ write their tables to bench/*.md. This check reads every "98.24% ± 0.04"
in README.md and in the notebooks (Markdown and text outputs) and fails when

  1. the figure is in no bench/*.md: typed by hand, or left over from an older run; or
  2. it sits in a table row whose other figures (seed figure, range, seconds, learning rate: every
     number with a decimal point) are not all in one bench/*.md row that has the same mean ± std:
     the README or a page and bench/ disagree about the row.

Run from the repository root: `python .ci/figures.py`. Exit status 1, with each problem on a line,
when either fails."""
import json, re, sys
from pathlib import Path

FIGURE = re.compile(r'(\d+\.\d+)%? ± (\d+\.\d+)')
NUMBER = re.compile(r'\d+\.\d+')

def _key(m) -> str: return f'{m[1]}% ± {m[2]}'

def bench_rows(folder='bench') -> dict:
    "mean ± std -> the bench/*.md table rows that hold it, as (file, row)."
    rows = {}
    for f in sorted(Path(folder).glob('*.md')):
        for line in f.read_text().splitlines():
            for m in FIGURE.finditer(line): rows.setdefault(_key(m), []).append((f.as_posix(), line))
    return rows

def _notebook_text(path: Path) -> str:
    "A notebook's Markdown and text outputs, one cell after another."
    parts = []
    for c in json.loads(path.read_text())['cells']:
        if c['cell_type'] == 'markdown': parts.append(''.join(c['source']))
        for o in c.get('outputs', []):
            text = o.get('text') or o.get('data', {}).get('text/markdown') or o.get('data', {}).get('text/plain')
            if text: parts.append(''.join(text))
    return '\n'.join(parts)

def pages(root='.') -> dict:
    "README.md and every notebook: name -> text."
    out = {'README.md': (Path(root)/'README.md').read_text()}
    for p in sorted((Path(root)/'nbs').glob('*.ipynb')): out[p.as_posix()] = _notebook_text(p)
    return out

def problems(texts: dict, rows: dict) -> list:
    "Every figure in no bench file, and every table row that disagrees with bench/."
    out = []
    for name, text in texts.items():
        for line in text.splitlines():
            found = [_key(m) for m in FIGURE.finditer(line)]
            for f in found:
                if f not in rows: out.append(f'{name}: {f} is in no bench/*.md: {line.strip()[:100]}')
            if not (found and line.lstrip().startswith('|')): continue
            candidates = [r for f in found for r in rows.get(f, [])]
            mine = NUMBER.findall(FIGURE.sub('', line))
            if candidates and not any(all(n in NUMBER.findall(r) for n in mine) for _, r in candidates):
                files = sorted({f for f, _ in candidates})
                out.append(f'{name}: this row disagrees with {", ".join(files)}: {line.strip()[:100]}')
    return out

def main() -> int:
    found = problems(pages(), bench_rows())
    for p in found: print(p, file=sys.stderr)
    if found:
        print(f'{len(found)} figure(s) not from bench/: rerun the benchmark, or copy its figures '
              '(python .ci/readme.py remakes the README\'s)', file=sys.stderr)
        return 1
    print('figures: every mean ± std on the README and the pages is in bench/*.md')
    return 0

if __name__ == '__main__': sys.exit(main())
