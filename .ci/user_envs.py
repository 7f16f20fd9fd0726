"""Run every notebook top to bottom, in a real Jupyter kernel, in the environments our readers have.

    python .ci/user_envs.py [dev] [colab] [pypi]      (default: all three)

- dev:   the development stack (.venv, as `bash .ci/setup dev` makes it), notebooks in place.
- colab: Colab as published (.ci/envs/colab.txt: its Python and package versions, no nbdev). Each
         notebook is copied alone into an empty folder, as Colab opens it; the install lines of its
         Colab cell run first, pointed at this checkout instead of GitHub; then the notebook runs
         as it is. nbdev is removed first, as Colab starts without it, and the Colab cell must not
         change any of Colab's own versions.
- pypi:  today's PyPI (.ci/envs/pypi.txt: the package, nbdev and Jupyter, unpinned), notebooks in
         place in the clone, where nbdev 3 meets our nbdev 2 settings.ini.

One line per notebook and environment, then `environments: N passed, M failed`. Exit status 1 if
anything failed. The environments are made once by .ci/setup and reused."""
import json, re, shutil, subprocess, sys, tempfile
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = sorted((ROOT/'nbs').glob('*.ipynb'))

def sh(*cmd, **kw):
    "Run `cmd`, failing loudly with its output if it fails."
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode: sys.exit(f'user_envs: {" ".join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}')
    return r.stdout

def make_env(name) -> Path:
    "The environment's folder, made or updated by .ci/setup (its last line of output)."
    print(f'== {name}: bash .ci/setup env {name}', flush=True)
    return Path(sh('bash', ROOT/'.ci'/'setup', 'env', name).strip().splitlines()[-1])

def py(env:Path) -> Path: return env/'bin'/'python'

def versions(env:Path, names) -> dict:
    code = ('import json, sys, importlib.metadata as m\nout = {}\nfor n in sys.argv[1:]:\n'
            '    try: out[n] = m.version(n)\n    except m.PackageNotFoundError: out[n] = None\nprint(json.dumps(out))')
    return json.loads(sh(py(env), '-c', code, *names))

def colab_lines(nb:Path) -> list:
    "The `!pip install ...` lines of a notebook's Colab cell, pointed at this checkout."
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini'); cfg = cfg['DEFAULT']
    url = f"git+{cfg['git_url'].replace('%(user)s', cfg['user']).replace('%(repo)s', cfg['repo'])}@{cfg['branch']}"
    out = []
    for c in json.loads(nb.read_text())['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] != 'code' or "'google.colab' in" not in src: continue
        for line in src.splitlines():
            if m := re.match(r'\s*!pip install (.*)$', line): out.append(m.group(1).replace(url, str(ROOT)).split())
    return out

def run_nbs(env:Path, label:str, nbs) -> tuple:
    "Run `nbs` with the environment's Python; return (passed, failed)."
    args = [py(env), ROOT/'.ci'/'nbrun.py', '--label', label, *nbs]
    r = subprocess.run([str(a) for a in args], text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    print(r.stdout, end='', flush=True)
    failed = r.stdout.count(f'{label} FAIL ')
    return r.stdout.count(f'{label} PASS '), failed

def dev():
    env = ROOT/'.venv'
    if not py(env).exists(): sys.exit('user_envs: run `bash .ci/setup dev` first')
    return run_nbs(env, 'dev', NBS)

def colab():
    env = make_env('colab')
    spec = (ROOT/'.ci'/'envs'/'colab.txt').read_text()
    pinned = dict(re.findall(r'^([\w.-]+)==(\S+)$', spec, re.M))
    sh(py(env), '-m', 'pip', 'uninstall', '-y', '-q', 'nbdev', 'sgd7_nb')   # as Colab starts: neither is there
    before = versions(env, [*pinned, 'nbdev'])
    assert before['nbdev'] is None, 'nbdev is still installed'
    assert all(before[n] == v for n, v in pinned.items()), f'the environment is not Colab as published: {before}'
    lines = []
    for nb in NBS:
        for l in colab_lines(nb):
            if l not in lines: lines.append(l)
    for l in lines:
        print(f"== colab: the Colab cell's `pip install {' '.join(l)}`", flush=True)
        sh(py(env), '-m', 'pip', 'install', '--disable-pip-version-check', *l)
    after = versions(env, [*pinned, 'nbdev'])
    changed = {n: (before[n], after[n]) for n in after if after[n] != before[n]}
    if changed: print(f'colab FAIL the Colab cell changed versions Colab has: {changed}', flush=True); return 0, len(NBS)
    top = Path(tempfile.mkdtemp(prefix='colab-'))
    copies = []
    for nb in NBS:   # each notebook alone in an empty folder, as Colab opens it; it runs there
        (top/nb.stem).mkdir()
        copies.append(Path(shutil.copy(nb, top/nb.stem/nb.name)))
    try: return run_nbs(env, 'colab', copies)
    finally: shutil.rmtree(top, ignore_errors=True)

def pypi():
    env = make_env('pypi')
    v = versions(env, ['fastai', 'fastcore', 'torch', 'nbdev'])
    print('== pypi: ' + ', '.join(f'{k} {x}' for k, x in v.items()), flush=True)
    return run_nbs(env, 'pypi', NBS)

if __name__ == '__main__':
    names = sys.argv[1:] or ['dev', 'colab', 'pypi']
    total = [0, 0]
    for name in names:
        p, f = {'dev': dev, 'colab': colab, 'pypi': pypi}[name]()
        total[0] += p; total[1] += f
    print(f'environments: {total[0]} passed, {total[1]} failed', flush=True)
    sys.exit(1 if total[1] else 0)
