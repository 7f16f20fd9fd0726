"""Run notebooks top to bottom in a real Jupyter kernel of the Python that runs this script.

    python .ci/nbrun.py [--save] [--cwd DIR] [--jobs N] [--label L] NOTEBOOK...

Each notebook runs in its own kernel, started from this interpreter (so from its environment),
with DIR (default: the notebook's folder) as the working directory. One line per notebook:
`L PASS 00_data.ipynb (12 s)` or `L FAIL ...` followed by the failing cell's error. With --save the
outputs are written back into the notebook (how the stored outputs that the docs show are made).
Exit status: the number of failed notebooks (at most 100)."""
import argparse, json, os, sys, tempfile, time, warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

def kernel_dir() -> str:
    "A Jupyter data folder with one kernel spec, 'sgd7-run', that starts this very interpreter."
    d = Path(tempfile.mkdtemp(prefix='sgd7-kernel-'))
    spec = d/'kernels'/'sgd7-run'
    spec.mkdir(parents=True)
    (spec/'kernel.json').write_text(json.dumps({
        'argv': [sys.executable, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
        'display_name': 'sgd7-run', 'language': 'python'}))
    return str(d)

def run(path:Path, cwd, save:bool, timeout:int):
    "Execute one notebook; return (ok, seconds, error text)."
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    with warnings.catch_warnings():  # old notebooks without cell ids: nbformat adds them
        warnings.simplefilter("ignore"); nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, kernel_name='sgd7-run', timeout=timeout, record_timing=False,
                            resources={'metadata': {'path': str(cwd or path.parent)}})
    try: client.execute()
    except CellExecutionError as e: return False, time.perf_counter() - start, str(e)
    except Exception as e: return False, time.perf_counter() - start, f'{type(e).__name__}: {e}'
    if save: nbformat.write(nb, path)
    return True, time.perf_counter() - start, ''

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='+', type=Path)
    p.add_argument('--save', action='store_true', help='write the outputs back into each notebook')
    p.add_argument('--cwd', help='working directory of the kernels (default: each notebook\'s folder)')
    p.add_argument('--jobs', type=int, default=2, help='notebooks run at once (default: 2)')
    p.add_argument('--label', default='', help='a word printed before each result line')
    p.add_argument('--timeout', type=int, default=900, help='seconds one cell may take (default: 900)')
    a = p.parse_args()
    # as an activated environment would: its scripts (e.g. `sgd7`) come first on PATH
    os.environ['PATH'] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')
    # stored outputs need the kernel's own inline backend: a non-interactive MPLBACKEND (Agg)
    # would run every plot and show none of them
    if a.save: os.environ.pop('MPLBACKEND', None)
    os.environ['JUPYTER_PATH'] = kernel_dir() + os.pathsep + os.environ.get('JUPYTER_PATH', '')
    label = f'{a.label} ' if a.label else ''
    def one(nb):
        ok, secs, err = run(nb, a.cwd, a.save, a.timeout)
        print(f"{label}{'PASS' if ok else 'FAIL'} {nb.name} ({secs:.0f} s)", flush=True)
        if not ok: print('\n'.join('    ' + l for l in err.strip().splitlines()[-25:]), flush=True)
        return ok
    with ThreadPoolExecutor(max(1, a.jobs)) as ex: results = list(ex.map(one, a.notebooks))
    return min(100, results.count(False))

if __name__ == '__main__': sys.exit(main())
