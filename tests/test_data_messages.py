"""Data that cannot be used gets one true line: an unreadable file or folder is not "choose a
folder you can write", a file that is not gzip is not five lines of tarfile's, an incomplete
mnist_sample/ is not "no mnist_sample/ folder", and a failed download leaves no stray '█'."""
import io, json, os, shutil, subprocess, sys, tarfile, tempfile
from pathlib import Path

import pytest

from sgd7_nb import fetch
from sgd7_nb.fetch import DATA_ENV, DataNotFoundError, mnist_sample_path

ROOT = Path(__file__).resolve().parent.parent

def sample_files(n=2) -> dict:
    "Member name -> bytes of a tiny mnist_sample (the bytes of each image do not matter here)."
    imgs = {f'mnist_sample/{s}/{c}/{i}.png': b'png' for s in ('train', 'valid') for c in '37' for i in range(n)}
    csv = 'name,label\n' + ''.join(f'{k[13:]},{int("/7/" in k)}\n' for k in imgs)
    return {'mnist_sample/labels.csv': csv.encode(), **imgs}

def write_tgz(path, files):
    with tarfile.open(path, 'w:gz') as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name); info.size = len(data); tf.addfile(info, io.BytesIO(data))
    return path

@pytest.fixture(autouse=True)
def no_env(monkeypatch): monkeypatch.delenv(DATA_ENV, raising=False)

# ------------------------------------------------------------------ not gzip, incomplete, the download bar

def test_a_tgz_that_is_not_gzip_is_one_line(tmp_path):
    (tmp_path/'d').mkdir(); (tmp_path/'d'/'mnist_sample.tgz').write_bytes(b'<html>Not Found</html>\n' * 20)
    with pytest.raises(ValueError) as e: mnist_sample_path(tmp_path/'d', cache=tmp_path/'c', download=False)
    msg = str(e.value)
    assert '\n' not in msg and 'mnist_sample.tgz is not a readable archive' in msg and 'replace it' in msg, msg

def test_an_incomplete_mnist_sample_folder_is_called_incomplete(tmp_path):
    with tarfile.open(write_tgz(tmp_path/'a.tgz', sample_files())) as tf: tf.extractall(tmp_path/'d')
    (tmp_path/'d'/'mnist_sample'/'valid'/'7'/'1.png').unlink()
    with pytest.raises(DataNotFoundError) as e: mnist_sample_path(tmp_path/'d', cache=tmp_path/'c', download=False)
    msg = str(e.value)
    assert f"{tmp_path/'d'/'mnist_sample'} is incomplete: 1 of the 8 images in its labels.csv is missing" in msg, msg
    assert 'no mnist_sample/ folder' not in msg

def test_a_failed_download_prints_no_progress_bar(tmp_path, monkeypatch, capsys):
    import fastdownload.core as fd
    def offline(url, dest, reporthook=None, timeout=None): raise OSError('<urlopen error no network>')
    monkeypatch.setattr(fd, 'urlsave', offline)
    (tmp_path/'empty').mkdir()
    with pytest.raises(DataNotFoundError, match='no network'): mnist_sample_path(tmp_path/'empty', cache=tmp_path/'c')
    out = capsys.readouterr().out
    assert out == '', repr(out)

# ------------------------------------------------------------------ unreadable: mode 000, as a user who is not root

CASES = ['data folder', 'mnist_sample.tgz', 'mnist_sample folder', 'labels.csv', 'fashion gz']

def nobody_run(code:str, cwd:Path, env:dict) -> subprocess.CompletedProcess:
    "Run `code` in a Python as this user, or as nobody when this user is root (root reads anything)."
    cmd = [sys.executable, '-c', code]
    if os.geteuid() == 0:
        if not shutil.which('setpriv'): pytest.skip('root reads mode 000 files, and setpriv is missing to drop it')
        cmd = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] + cmd
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)

@pytest.fixture
def world(tmp_path):
    "A folder anyone may enter (pytest's own is root's alone); removed at the end."
    d = Path(tempfile.mkdtemp(prefix='sgd7-unreadable-')); d.chmod(0o777)
    yield d
    for p in [d, *d.rglob('*')]: p.chmod(0o777) if p.is_dir() else p.chmod(0o666)
    shutil.rmtree(d)

def unreadable(world:Path, case:str) -> Path:
    "SGD7_DATA for `case`, with the one thing it names made unreadable; returns that thing."
    data = world/case.replace(' ', '-'); data.mkdir(); data.chmod(0o755)
    if case == 'fashion gz':
        for f in fetch.FASHION_FILES: (data/f'{f}.gz').write_bytes(b'')
        bad = data/'train-labels-idx1-ubyte.gz'
    elif case in ('mnist_sample folder', 'labels.csv'):
        with tarfile.open(write_tgz(world/'a.tgz', sample_files())) as tf: tf.extractall(data)
        bad = data/'mnist_sample'/('labels.csv' if case == 'labels.csv' else '')
    else:
        bad = write_tgz(data/'mnist_sample.tgz', sample_files())
        if case == 'data folder': bad = data
    for p in data.rglob('*'): p.chmod(0o755 if p.is_dir() else 0o644)
    bad.chmod(0o000)
    return data

@pytest.mark.parametrize('case', CASES)
def test_unreadable_data_is_called_unreadable(world, case):
    data = unreadable(world, case)
    find = 'fashion_root' if case == 'fashion gz' else 'mnist_sample_path'
    code = (f'import json, sgd7_nb.fetch as f\n'
            f'try: f.{find}(cache={str(world/"cache")!r}, download=False); print("loaded")\n'
            f'except Exception as e: print(json.dumps([type(e).__name__, str(e)]))')
    env = {**os.environ, DATA_ENV: str(data), 'HOME': str(world), 'PYTHONPATH': str(ROOT)}
    r = nobody_run(code, world, env)
    assert r.returncode == 0, r.stderr
    kind, msg = json.loads(r.stdout)
    assert 'may not read' in msg and 'write' not in msg and '\n' not in msg, msg
    assert str(data) in msg

def test_the_command_says_unreadable_in_one_line(world):
    "Through `sgd7 train`: once 'permission denied; choose a folder you can write', which was not the cause."
    data = unreadable(world, 'mnist_sample.tgz')
    env = {**os.environ, DATA_ENV: str(data), 'HOME': str(world), 'FASTAI_HOME': str(world/'fastai'),
           'PYTHONPATH': str(ROOT), 'MPLBACKEND': 'Agg'}
    code = ('import sgd7_nb.runs as runs\n'
            'class HereInstead:   # the plot drawn in this Python: one that is not root may not start another here\n'
            '    def draw(self, result, path): runs._draw_here(result, path)\n'
            '    def close(self): pass\n'
            'runs.PlotWorker = HereInstead\n'
            'from sgd7_nb.cli import main; raise SystemExit(main(["train", "--epochs", "1"]))')
    r = nobody_run(code, world, env)
    assert r.returncode == 1 and r.stderr.count('\n') == 1, r.stderr
    assert f'may not read {data/"mnist_sample.tgz"}' in r.stderr and 'write' not in r.stderr, r.stderr
