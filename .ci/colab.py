"""Give every notebook an "Open in Colab" badge and a Colab-only install cell, both derived from
settings.ini (user, repo, branch, git_url), so moving the repository means editing one file.
The docs navbar's GitHub and "Open in Colab" links (nbs/_quarto.yml) follow the same settings.

Rewrites only the files that change. CI runs it and fails if it changed anything, like nbdev_clean."""
import json, os, re
from configparser import ConfigParser
from pathlib import Path

BADGE_SVG = 'https://colab.research.google.com/assets/colab-badge.svg'

def settings():
    cp = ConfigParser(delimiters=['=']); cp.read('settings.ini')
    return cp['DEFAULT']

def badge_cell(cfg, nb_path):
    url = f"https://colab.research.google.com/github/{cfg['user']}/{cfg['repo']}/blob/{cfg['branch']}/{nb_path.as_posix()}"
    return {'cell_type': 'markdown', 'metadata': {}, 'source': [f'[![Open In Colab]({BADGE_SVG})]({url})']}

def uses_fastbook(nb) -> bool:
    "Whether a notebook uses the book's own package, fastbook (for gv or plot_function)."
    return any(c['cell_type'] == 'code' and re.search(r"fastbook", ''.join(c['source'])) for c in nb['cells'])

def setup_cell(cfg, fastbook=False):
    src = ['#| hide\n',
           ("# Only in Colab: install this package and the book's fastbook (installed elsewhere).\n"
            if fastbook else "# Only in Colab: install this project's package (elsewhere it is installed already).\n"),
           "if 'google.colab' in str(get_ipython()):\n",
           f"    !pip install -q git+{cfg['git_url']}@{cfg['branch']}" + ('\n    !pip install -q fastbook' if fastbook else '')]
    return {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [], 'source': src}

def _is_badge(c): return c['cell_type'] == 'markdown' and BADGE_SVG in ''.join(c['source'])
def _is_setup(c): return c['cell_type'] == 'code' and "'google.colab' in" in ''.join(c['source'])

def fix(nb_path, cfg):
    "Put the badge right after the title cell and the setup cell right after the badge."
    nb = json.loads(nb_path.read_text())
    old = [c for c in nb['cells']]
    rest = [c for c in nb['cells'][1:] if not (_is_badge(c) or _is_setup(c))]
    new = [nb['cells'][0], badge_cell(cfg, nb_path), setup_cell(cfg, uses_fastbook({'cells': rest}))] + rest
    strip = lambda cs: [(c['cell_type'], ''.join(c['source'])) for c in cs]
    if strip(new) == strip(old): return False
    nb['cells'] = new
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return True

def colab_repo_url(cfg):
    "Colab's view of the repository: it lists the notebooks on the branch, to open any of them."
    return f"https://colab.research.google.com/github/{cfg['user']}/{cfg['repo']}/blob/{cfg['branch']}"

def fix_navbar(quarto_yml, cfg):
    "Point the navbar's `href:` lines for GitHub and Colab at this repository."
    text = quarto_yml.read_text()
    new = re.sub(r'^(\s*href:\s*)https://github\.com/\S+$', lambda m: m.group(1) + cfg['git_url'], text, flags=re.M)
    new = re.sub(r'^(\s*href:\s*)https://colab\.research\.google\.com/\S+$', lambda m: m.group(1) + colab_repo_url(cfg), new, flags=re.M)
    if new == text: return False
    quarto_yml.write_text(new)
    return True

if __name__ == '__main__':
    os.chdir(Path(__file__).resolve().parent.parent)  # paths below are relative to the repository root
    cfg = settings()
    nbs = Path(cfg.get('nbs_path', 'nbs'))
    for p in sorted(nbs.glob('*.ipynb')):
        if fix(p, cfg): print(f'updated {p}')
    if (nbs/'_quarto.yml').exists() and fix_navbar(nbs/'_quarto.yml', cfg): print(f"updated {nbs/'_quarto.yml'}")
