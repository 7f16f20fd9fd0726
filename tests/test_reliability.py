"""Runs and data under a hostile or careless user: one test (or more) per defect that the
reliability review found, on fixtures made here (a postage-stamp MNIST_SAMPLE), never the real data.

 1 earlier results overwritten, saves not atomic      7 a closed stdout loses the run
 2 an incomplete cache deleted before a replacement   8 --out checked only after training
 3 tracebacks from sgd7 for data, disk, home problems 9 wrong data accepted silently
 4 wrong advice (full disk blamed on the archive)    10 Ctrl-C tracebacks during imports or saving
 5 --threads unbounded                              11 misleading messages
 6 a read-only home breaks loading a complete folder 12 leftovers of killed extractions
"""
import errno, io, json, os, shlex, signal, subprocess, sys, tarfile

import numpy as np
import pytest
import torch
from PIL import Image

from sgd7_nb import fetch, runs
from sgd7_nb.cli import main
from sgd7_nb.data import TwoClassData, two_class_data
from sgd7_nb.fetch import DATA_ENV, mnist_sample_path, safe_extract, mnist_complete

# ------------------------------------------------------------------ fixtures

def png(value, size=(28, 28), mode='L'):
    buf = io.BytesIO(); Image.fromarray(np.full(size[::-1], value, dtype=np.uint8)).convert(mode).save(buf, format='PNG')
    return buf.getvalue()

def mnist_files(n=3, bad=None):
    "Member name -> bytes of a tiny mnist_sample; `bad` replaces one image's bytes."
    files = {f'mnist_sample/{s}/{c}/{i}.png': png(int(c) * 30) for s in ('train', 'valid') for c in '37' for i in range(n)}
    if bad is not None: files['mnist_sample/train/3/0.png'] = bad
    csv = 'name,label\n' + ''.join(f'{k[len("mnist_sample/"):]},{int("/7/" in k)}\n' for k in files)
    return {'mnist_sample/labels.csv': csv.encode(), **files}

def write_tgz(path, files):
    with tarfile.open(path, 'w:gz') as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name); info.size = len(data); tf.addfile(info, io.BytesIO(data))
    return path

@pytest.fixture
def home(tmp_path, monkeypatch):
    "A fresh fastai home and SGD7_DATA with a tiny mnist_sample.tgz; the run's folder is tmp_path/'runs'."
    data = tmp_path/'data'; data.mkdir()
    write_tgz(data/'mnist_sample.tgz', mnist_files())
    monkeypatch.setenv('FASTAI_HOME', str(tmp_path/'fastai'))
    monkeypatch.setenv(DATA_ENV, str(data))
    monkeypatch.chdir(tmp_path)
    from fastai.data.external import fastai_cfg
    runs._load.cache_clear(); fastai_cfg.cache_clear()   # both remember: data sets, and fastai's home
    yield tmp_path
    runs._load.cache_clear(); fastai_cfg.cache_clear()

def sgd7(*args, capsys=None):
    "Call `main` in this process; return (status, stdout, stderr)."
    try: code = main(list(args))
    except SystemExit as e: code = e.code   # argparse's usage errors
    out, err = capsys.readouterr() if capsys else ('', '')
    return code, out, err

# the command as a process, started with the Python that runs the tests: no reliance on PATH
SGD7 = [sys.executable, '-m', 'sgd7_nb.cli']

def env_for(home_dir, **extra):
    return {**os.environ, 'FASTAI_HOME': str(home_dir/'fastai'), DATA_ENV: str(home_dir/'data'), **extra}

# ------------------------------------------------------------------ 1: no result lost

def test_1_two_seeds_leave_two_complete_runs(home, capsys):
    assert sgd7('train', '--epochs', '1', '--seed', '1', capsys=capsys)[0] == 0
    assert sgd7('train', '--epochs', '1', '--seed', '2', capsys=capsys)[0] == 0
    done = sorted(p for p in (home/'runs').iterdir())
    assert [p.name[-5:] for p in done] == ['seed1', 'seed2']
    for p in done: assert json.loads((p/'metrics.json').read_text())['epochs'] == 1 and (p/'accuracy.png').stat().st_size > 0

@pytest.mark.parametrize('failure', [OSError(errno.ENOSPC, 'No space left on device'), KeyboardInterrupt()],
                         ids=['disk-full', 'ctrl-c'])
def test_1_a_failed_save_leaves_the_earlier_run(home, capsys, monkeypatch, failure):
    assert sgd7('train', '--epochs', '1', '--out', 'run', capsys=capsys)[0] == 0
    before = {p.name: p.read_bytes() for p in (home/'run').iterdir()}
    from matplotlib.figure import Figure
    def savefig(self, *a, **k): raise failure
    monkeypatch.setattr(Figure, 'savefig', savefig)
    class HereInstead:   # the command draws in a second Python; here, where the failure is
        def draw(self, result, path): runs._draw_here(result, path)
        def close(self): pass
    monkeypatch.setattr(runs, 'PlotWorker', HereInstead)
    code, out, err = sgd7('train', '--epochs', '2', '--out', 'run', '--overwrite', capsys=capsys)
    assert code == (1 if isinstance(failure, OSError) else 130)
    assert err.count('\n') == 1 and 'Traceback' not in err
    if code == 1: assert 'the disk is full' in err
    assert {p.name: p.read_bytes() for p in (home/'run').iterdir()} == before
    assert [p.name for p in home.iterdir() if p.name.startswith('.run')] == []

# ------------------------------------------------------------------ 2: a cache is replaced only by a whole one

def test_2_incomplete_cache_kept_when_the_download_fails(tmp_path, monkeypatch):
    cache = tmp_path/'cache'; dest = cache/'data'/'mnist_sample'
    write_tgz(tmp_path/'a.tgz', mnist_files())
    safe_extract(tmp_path/'a.tgz', dest)
    (dest/'valid'/'7'/'0.png').unlink()                       # incomplete now
    assert not mnist_complete(dest)
    def no_network(cache=None): raise ConnectionError('no network')
    monkeypatch.setattr(fetch, '_mnist_via_fastai', no_network)
    monkeypatch.delenv(DATA_ENV, raising=False)
    with pytest.raises(fetch.DataNotFoundError, match='left as it was'): mnist_sample_path(cache=cache)
    assert (dest/'labels.csv').exists() and len(list(dest.rglob('*.png'))) == 11

# ------------------------------------------------------------------ 3, 4: one line, the right cause and advice

@pytest.mark.parametrize('case', ['truncated', 'unsafe member', 'empty png', '32x32 png', 'fastai home is a file'])
def test_3_data_and_home_problems_are_one_line(home, capsys, case):
    data = home/'data'
    if case == 'truncated':
        (data/'mnist_sample.tgz').write_bytes((data/'mnist_sample.tgz').read_bytes()[:200]); want = 'not a readable archive'
    elif case == 'unsafe member':
        write_tgz(data/'mnist_sample.tgz', {**mnist_files(), 'mnist_sample/../../evil': b'x'}); want = 'nothing was extracted'
    elif case == 'empty png':
        write_tgz(data/'mnist_sample.tgz', mnist_files(bad=b'')); want = 'not a readable PNG image'
    elif case == '32x32 png':
        write_tgz(data/'mnist_sample.tgz', mnist_files(bad=png(3, (32, 32)))); want = 'is a 32x32 L image'
    else:
        (home/'fastai').write_text('not a folder'); want = 'fastai'
    code, out, err = sgd7('train', '--epochs', '1', capsys=capsys)
    assert code == 1, err
    assert err.startswith('sgd7: ') and err.count('\n') == 1 and want in err and 'Traceback' not in err, err

def test_4_full_disk_is_not_blamed_on_the_archive(tmp_path, monkeypatch):
    write_tgz(tmp_path/'a.tgz', mnist_files())
    def full(tf, dest, use_filter=None): raise OSError(errno.ENOSPC, 'No space left on device')
    monkeypatch.setattr(fetch, '_extract_all', full)
    with pytest.raises(OSError) as e: safe_extract(tmp_path/'a.tgz', tmp_path/'c'/'mnist_sample')
    assert e.value.errno == errno.ENOSPC and not isinstance(e.value, ValueError)
    assert runs.explain(e.value)[0].endswith('the disk is full; free some space and run again')

def test_4_no_advice_to_touch_the_system_package(tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, 'DEBIAN_FASHION', tmp_path)
    (tmp_path/'t10k-labels-idx1-ubyte.gz').write_bytes(b'\x1f\x8b broken')
    with pytest.raises(ValueError, match='reinstall the package dataset-fashion-mnist'):
        fetch._gunzip_to(tmp_path/'t10k-labels-idx1-ubyte.gz', tmp_path/'out')

# ------------------------------------------------------------------ 5, 8: bounded threads; --out checked first

@pytest.mark.parametrize('n', ['0', '100000', '2147483648'])
def test_5_threads_are_bounded(home, capsys, n):
    code, out, err = sgd7('train', '--threads', n, capsys=capsys)
    assert code == 2 and 'between 1 and 1024' in err and out == ''

def test_8_out_is_checked_before_training(home, capsys):
    (home/'file').write_text('')
    code, out, err = sgd7('train', '--out', 'file/run', capsys=capsys)
    assert code in (1, 2) and out == '' and err.count('\n') == 1   # nothing trained: no header was printed
    (home/'run').mkdir(); (home/'run'/'metrics.json').write_text('{}')
    code, out, err = sgd7('train', '--out', 'run', capsys=capsys)
    assert code == 2 and out == '' and 'holds an earlier run' in err

# ------------------------------------------------------------------ 6: loading needs no writable home

def test_6_complete_folder_loads_without_a_home(tmp_path):
    with tarfile.open(write_tgz(tmp_path/'a.tgz', mnist_files())) as tf: tf.extractall(tmp_path/'data')
    blocked = tmp_path/'home-is-a-file'; blocked.write_text('')
    code = ("from sgd7_nb.data import two_class_data; d = two_class_data('mnist'); print(d.counts()['train'])")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                       env={**os.environ, 'HOME': str(blocked), 'FASTAI_HOME': str(blocked/'fastai'), DATA_ENV: str(tmp_path/'data')})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "{'3': 3, '7': 3}"

# ------------------------------------------------------------------ 7, 10: pipes and Ctrl-C

def test_7_closed_stdout_keeps_the_run(home):
    r = subprocess.run(f'{shlex.join(SGD7)} train --epochs 3 --out piped | head -2; echo "status ${{PIPESTATUS[0]}}"', shell=True,
                       executable='/bin/bash', capture_output=True, text=True, env=env_for(home), cwd=home)
    assert r.stdout.splitlines()[-1] == 'status 0', r.stdout + r.stderr
    assert 'Traceback' not in r.stderr and 'BrokenPipe' not in r.stderr, r.stderr
    assert json.loads((home/'piped'/'metrics.json').read_text())['epochs'] == 3

# sgd7 train, saying when it starts to import PyTorch (a second or more): an event to act on, not a time
ANNOUNCE_TORCH = '''
import sys
class Announce:
    def find_spec(self, name, path=None, target=None):
        if name == 'torch': sys.meta_path.remove(self); print('importing torch', flush=True)
sys.meta_path.insert(0, Announce())
from sgd7_nb.cli import main
sys.exit(main(sys.argv[1:]))
'''

def test_10_ctrl_c_during_imports(home):
    # a shell running us in the background may ignore Ctrl-C, and children inherit that: give it back its default
    p = subprocess.Popen([sys.executable, '-c', ANNOUNCE_TORCH, 'train', '--epochs', '1'], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env_for(home), cwd=home,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert p.stdout.readline() == 'importing torch\n'   # torch (then fastai) is importing now
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, (p.returncode, err)
    assert err.strip() == 'sgd7: interrupted' and 'Traceback' not in err

def test_3_learner_loop_says_nothing_on_stderr(home):
    r = subprocess.run(SGD7 + ['train', '--loop', 'learner', '--epochs', '1'], capture_output=True, text=True,
                       env=env_for(home), cwd=home)
    assert r.returncode == 0 and r.stderr == '', r.stderr

def test_10_ctrl_c_while_saving(home, capsys, monkeypatch):
    def interrupted(*a, **k): raise KeyboardInterrupt
    monkeypatch.setattr(runs, 'save_run', interrupted)
    code, out, err = sgd7('train', '--epochs', '1', capsys=capsys)
    assert code == 130 and err == 'sgd7: interrupted\n'

# ------------------------------------------------------------------ 9: wrong data refused, named

def test_9_labels_csv_must_match_the_folders(tmp_path):
    files = mnist_files(); files['mnist_sample/train/3/extra.png'] = png(90)   # not in labels.csv
    with tarfile.open(write_tgz(tmp_path/'a.tgz', files)) as tf: tf.extractall(tmp_path/'d')
    with pytest.raises(ValueError, match='holds 4 images but .*labels.csv lists 3'):
        two_class_data('mnist', data_dir=tmp_path/'d', cache=tmp_path/'c')

def test_9_wrong_targets_empty_class_nan():
    x, y = torch.rand(4, 784), torch.tensor([[1.], [0.], [1.], [0.]])
    with pytest.raises(ValueError, match='must be 0 or 1'): TwoClassData(x, y * 3, x, y, ('a', 'b'))
    with pytest.raises(ValueError, match="zero images of class 'a'"): TwoClassData(x, y, x, y * 0, ('a', 'b'))
    x[2, 5] = float('inf')
    with pytest.raises(ValueError, match=r'NaN or infinite values \(row 2\)'): TwoClassData(x, y, x.nan_to_num(), y, ('a', 'b'))

# ------------------------------------------------------------------ 11: messages that point at the real cause

def test_11_messages():
    from sgd7_nb.dataloader import TensorLoader
    from sgd7_nb.quick_learner import make_learner
    from sgd7_nb.optim import BasicOptim
    from sgd7_nb.settings import check_settings
    with pytest.raises(ValueError, match='not a learning-rate problem'): TensorLoader(torch.full((2, 3), float('nan')), torch.ones(2, 1))
    with pytest.raises(ValueError, match='at least 0'): make_learner(None, torch.nn.Linear(2, 1), lr=-1)
    w = torch.zeros(2, requires_grad=True); w.grad = torch.ones(2); BasicOptim(w, 1.0).step()
    assert w.tolist() == [-1.0, -1.0]
    assert check_settings(epochs=np.int64(2), bs=np.int32(64))['epochs'] == 2

# ------------------------------------------------------------------ 12: leftovers, kill -9, two loaders

def test_12_kill_9_during_extraction_then_clean_next_load(tmp_path):
    big = {**mnist_files(200)}
    write_tgz(tmp_path/'a.tgz', big)
    dest = tmp_path/'cache'/'mnist_sample'
    code = (f"import os, signal, sgd7_nb.fetch as f\n"
            f"real = f._extract_all\n"
            f"def die(tf, d, use_filter=None): real(tf, d, use_filter); os.kill(os.getpid(), signal.SIGKILL)\n"
            f"f._extract_all = die\nf.safe_extract({str(tmp_path/'a.tgz')!r}, {str(dest)!r})")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True)
    assert r.returncode == -signal.SIGKILL
    left = [p for p in dest.parent.iterdir() if p.name.startswith('.mnist_sample-')]
    assert len(left) == 1 and any(left[0].rglob('*.png'))                  # a half-finished copy, as a kill leaves it
    assert not dest.exists()
    safe_extract(tmp_path/'a.tgz', dest, check=mnist_complete)             # the next load
    assert mnist_complete(dest) and [p.name for p in dest.parent.iterdir()] == ['mnist_sample']

def test_12_two_loaders_at_once(tmp_path):
    write_tgz(tmp_path/'a.tgz', mnist_files(100))
    dest = tmp_path/'cache'/'mnist_sample'
    code = (f"import sgd7_nb.fetch as f; p = f.safe_extract({str(tmp_path/'a.tgz')!r}, {str(dest)!r}, check=f.mnist_complete);"
            f"print(f.mnist_complete(p))")
    ps = [subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120)[0].strip() for p in ps]
    assert outs == ['True', 'True'] and mnist_complete(dest)
    assert [p.name for p in dest.parent.iterdir()] == ['mnist_sample']
