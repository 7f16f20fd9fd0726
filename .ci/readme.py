"""Write README.md from nbs/index.ipynb without Quarto (nbdev_readme needs it).

First the home page's figures are brought up to date: in the notebook's Markdown, the text between
`<!-- generated from bench/FILE [PART] by .ci/readme.py -->` and `<!-- end of generated text -->`
is made again from that file (`fill`): the results table, the sentences that say which rows fall
short of their seed figure or beat it, and the conditions, from bench/results.json; the speed
tables from bench/train_speed.md. So no figure there is typed by hand, and CI's check that the
generated files are in sync fails when a benchmark has been rerun and the page not remade.

Then markdown cells are copied; a code cell is shown with its text output unless it is hidden
(`#| hide`, `#| echo: false`, `#| include: false`). Run from the repository root."""
import json, re, sys
from pathlib import Path

BLOCK = re.compile(r'(<!-- generated from (bench/[\w.]+)(?: ([\w-]+))? by \.ci/readme\.py -->)\n'
                   r'(?:(.*?)\n)??(<!-- end of generated text -->)', re.S)

VERDICTS = {'above': ('Short of', 'above all {n} of our seeds'),
            'within': ('Level with', 'within the range of our {n} seeds'),
            'below': ('Past', 'below all {n} of our seeds')}

def _pct(x): return f'{x:.2f}%'

def _count(n): return {2: 'two', 3: 'three', 4: 'four', 5: 'five'}.get(n, str(n))

def results_table(res) -> str:
    "The home page's results table: few columns, so that it fits the page."
    n = _count(len(res['parts'][0]['conditions']['seeds']))
    lines = [f'| data set | model | loop | seed article | sgd7_nb, {n} seeds |', '|---|---|---|---:|---:|']
    for r in _rows(res):
        if 'mean' not in r: continue
        ref = '–' if r['reference'] is None else _pct(r['reference']) + (' (book)' * (r['source'] == 'book'))
        if 'target' in r: ref = f"– (target {r['target']}%)"
        lines.append(f"| {r['short_data']} | {r['short_model']} | {r['short_loop']} | {ref} "
                     f"| {r['mean']:.2f}% ± {r['std']:.2f} |")
    return '\n'.join(lines)

def _row_words(r) -> str:
    "A row in words, with its figures: ours over the seeds against the seed's run."
    epochs = f"{r['epochs']} epoch{'s' * (r['epochs'] != 1)}"
    return (f"{r['short_data']}, {r['short_model']}, {r['short_loop']}, {epochs}: "
            f"{r['mean']:.2f}% ± {r['std']:.2f} ({r['min']:.2f} to {r['max']:.2f}) against "
            f"{_pct(r['reference'])}")

def results_verdicts(res) -> str:
    "One line per verdict, naming every row the numbers put there."
    out, n = [], _count(len(res['parts'][0]['conditions']['seeds']))
    for book, whose in ((False, "the seed article's run"), (True, "the book's resnet18")):
        for verdict, (words, where) in VERDICTS.items():
            rows = [r for r in _rows(res) if r.get('verdict') == verdict
                    and (r['source'] == 'book') == book]
            if rows: out.append(f"- **{words} {whose}** (its figure lies {where.format(n=n)}): "
                                + '; '.join(_row_words(r) for r in rows) + '.')
    return '\n'.join(out)

def results_conditions(res) -> str:
    "How the results were measured, in one sentence: what the parts share once, then each date."
    def how(c):
        at_once = 'one run at a time' if c['workers'] == 1 else f"{_count(c['workers'])} runs at a time"
        threads = 'one thread' if c.get('threads', 1) == 1 else f"{_count(c['threads'])} threads"
        return (f"{at_once} with {threads} each, on a {c['cores']}-core {c['machine']} CPU "
                f"(PyTorch {c['torch']})")
    parts = [(p['name'].replace('going further', 'going-further rows'), p['conditions'])
             for p in res['parts']]
    shared = len({how(c) for _, c in parts}) == 1
    each = '; '.join(f"the {name} on {c['date']}" + ('' if shared else f", {how(c)}")
                     for name, c in parts)
    return (f"Measured by `python bench/results.py` with seeds {_seeds(res)}, batches of 256"
            + (f", {how(parts[0][1])}: " if shared else ': ') + each + '.')

def _rows(res) -> list: return [r for p in res['parts'] for r in p['rows']]

def _seeds(res) -> str:
    s = res['parts'][0]['conditions']['seeds']
    return f'{s[0]}–{s[-1]}'

RENDER = {('bench/results.json', 'table'): results_table,
          ('bench/results.json', 'verdicts'): results_verdicts,
          ('bench/results.json', 'conditions'): results_conditions,
          ('bench/train_speed.md', None): lambda text: text.strip()}

def _render(path, part) -> str:
    text = Path(path).read_text()
    return RENDER[path, part](json.loads(text) if path.endswith('.json') else text)

def fill(nb_path='nbs/index.ipynb'):
    "Remake the generated text in the notebook's Markdown cells; write it back if it changed."
    raw = Path(nb_path).read_text()
    nb = json.loads(raw)
    for c in nb['cells']:
        if c['cell_type'] != 'markdown': continue
        src = ''.join(c['source'])
        new = BLOCK.sub(lambda m: f'{m[1]}\n{_render(m[2], m[3])}\n{m[5]}', src)
        if new != src: c['source'] = new.splitlines(True)
    out = json.dumps(nb, indent=1, ensure_ascii=False) + '\n'
    if out != raw: Path(nb_path).write_text(out)

def _directives(src):
    return {m.group(1).strip(): m.group(2).strip() for m in re.finditer(r'^#\|\s*([\w-]+):?\s*(.*)$', src, re.M)}

def _code(src): return '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()

def _output_text(outputs):
    parts = []
    for o in outputs:
        if o.get('output_type') == 'stream': parts.append(''.join(o['text']))
        elif 'data' in o and 'text/markdown' in o['data']: parts.append(''.join(o['data']['text/markdown']))
        elif 'data' in o and 'text/plain' in o['data']: parts.append(''.join(o['data']['text/plain']))
    return '\n'.join(p.rstrip() for p in parts if p.strip())

def readme(nb_path='nbs/index.ipynb'):
    cells, out = json.loads(Path(nb_path).read_text())['cells'], []
    for c in cells:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            if not out: src = re.sub(r'^(# .*)\n> ', r'\1\n\n> ', src)  # title then summary, as nbdev does
            out.append(src.strip())
            continue
        d = _directives(src)
        if 'hide' in d or d.get('echo') == 'false' or d.get('include') == 'false': continue
        if _code(src): out.append(f'```python\n{_code(src)}\n```')
        text = _output_text(c.get('outputs', []))
        if text: out.append(text if 'text/markdown' in json.dumps(c.get('outputs', [])) else f'    ' + text.replace('\n', '\n    '))
    text = '\n\n'.join(out)
    # links between notebooks are relative to nbs/; from the repository root they need the folder
    text = re.sub(r'\]\((\d\d_\w+\.ipynb)\)(?!`)', r'](nbs/\1)', text)  # not in `code`
    # pictures: GitHub shows Markdown images but not Quarto's {fig-alt="..."}: the alt text becomes
    # the image's text, and the path is taken from the repository root
    text = re.sub(r'!\[([^\]]*)\]\((images/[^)\s]+)\)\{fig-alt="([^"]*)"\}', r'![\3](nbs/\2)', text)
    note = '<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->'
    return note + '\n\n' + text + '\n'

if __name__ == '__main__':
    fill(*sys.argv[1:])
    Path('README.md').write_text(readme(*sys.argv[1:]))
