"""Write README.md from nbs/index.ipynb without Quarto (nbdev_readme needs it).

Markdown cells are copied; a code cell is shown with its text output unless it is hidden
(`#| hide`, `#| echo: false`, `#| include: false`). Run from the repository root."""
import json, re, sys
from pathlib import Path

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
    # (02a_gradient too, and with an #anchor)
    text = re.sub(r'\]\((\d\d\w*\.ipynb(?:#[\w-]+)?)\)(?!`)', r'](nbs/\1)', text)  # not in `code`
    # pictures: GitHub shows Markdown images but not Quarto's {fig-alt="..."}: the alt text becomes
    # the image's text, and the path is taken from the repository root
    text = re.sub(r'!\[([^\]]*)\]\((images/[^)\s]+)\)\{fig-alt="([^"]*)"\}', r'![\3](nbs/\2)', text)
    note = '<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->'
    return note + '\n\n' + text + '\n'

if __name__ == '__main__':
    Path('README.md').write_text(readme(*sys.argv[1:]))
