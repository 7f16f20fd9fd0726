"""Harsh tests a reader need not see: unsafe archives on both extraction paths (tarfile's 'data'
filter, and our own checks for Pythons without it), SGD7_DATA's one meaning in the library and in
the scripts, and devices that do not match. All on fixtures made here; no real data needed."""
import io, os, subprocess, tarfile
from pathlib import Path

import pytest
import torch

from sgd7_nb.fetch import DATA_ENV, DataNotFoundError, UnsafeMember, _extract_all, _user_dirs, safe_extract
from sgd7_nb.core import DeviceMismatchError, as_device
from sgd7_nb.dataloader import TensorLoader
from sgd7_nb.optim import BasicOptim
from sgd7_nb.training import train_model

ROOT = Path(__file__).resolve().parent.parent
PATHS = [False] + ([True] if hasattr(tarfile, 'data_filter') else [])   # our checks; tarfile's filter where it exists

def tgz(path, *members):
    "A .tgz at `path` of (TarInfo, bytes or None) members."
    with tarfile.open(path, 'w:gz') as tf:
        for info, data in members:
            if data is not None: info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return path

def member(name, kind=tarfile.REGTYPE, linkname=''):
    info = tarfile.TarInfo(name); info.type, info.linkname = kind, linkname
    return info

UNSAFE = {
    'absolute path': (member('/tmp/sgd7-evil.txt'), b'x'),
    'dot-dot path': (member('top/../../evil.txt'), b'x'),
    'symlink to an absolute path': (member('top/link', tarfile.SYMTYPE, '/etc/passwd'), None),
    'symlink inside the folder': (member('top/link', tarfile.SYMTYPE, 'ok.txt'), None),   # our archives need none
    'hard link inside the folder': (member('top/hard', tarfile.LNKTYPE, 'top/ok.txt'), None),
    'symlink leaving the folder': (member('top/link', tarfile.SYMTYPE, '../../outside'), None),
    'hard link leaving the folder': (member('top/hard', tarfile.LNKTYPE, '../outside'), None),
    'character device': (member('top/dev', tarfile.CHRTYPE), None),
    'fifo': (member('top/fifo', tarfile.FIFOTYPE), None),
}

@pytest.mark.parametrize('use_filter', PATHS, ids=lambda f: 'tarfile-filter' if f else 'own-checks')
@pytest.mark.parametrize('case', UNSAFE)
def test_unsafe_members_are_refused(tmp_path, use_filter, case):
    archive = tgz(tmp_path/'a.tgz', (member('top/ok.txt'), b'ok'), UNSAFE[case])
    dest = tmp_path/'out'; dest.mkdir()
    with tarfile.open(archive) as tf, pytest.raises(UnsafeMember):
        _extract_all(tf, dest, use_filter)
    assert list(dest.iterdir()) == []   # refused before anything is written, on both paths
    assert not (tmp_path/'evil.txt').exists() and not Path('/tmp/sgd7-evil.txt').exists()

@pytest.mark.parametrize('use_filter', PATHS, ids=lambda f: 'tarfile-filter' if f else 'own-checks')
def test_safe_members_extract(tmp_path, use_filter):
    archive = tgz(tmp_path/'a.tgz', (member('top/a.txt'), b'a'), (member('top/sub', tarfile.DIRTYPE), None),
                  (member('top/sub/b.txt'), b'b'))
    with tarfile.open(archive) as tf: _extract_all(tf, tmp_path/'out', use_filter)
    assert (tmp_path/'out'/'top'/'a.txt').read_bytes() == b'a'
    assert (tmp_path/'out'/'top'/'sub'/'b.txt').read_bytes() == b'b'

def chained_links(path, n=3):
    "top/l1 -> .., top/l2 -> l1/.., ...: each link stays inside while none is on disk; then a file under the last."
    links = [member('top/l1', tarfile.SYMTYPE, '..')] + [member(f'top/l{k}', tarfile.SYMTYPE, f'l{k - 1}/..')
                                                         for k in range(2, n + 1)]
    return tgz(path, (member('top/ok.txt'), b'ok'), *[(m, None) for m in links], (member(f'top/l{n}/evil.txt'), b'x'))

@pytest.mark.parametrize('use_filter', PATHS, ids=lambda f: 'tarfile-filter' if f else 'own-checks')
def test_chained_links_write_nothing_outside(tmp_path, use_filter):
    archive = chained_links(tmp_path/'chain.tgz')
    dest = tmp_path/'a'/'b'/'c'/'out'; dest.mkdir(parents=True)   # deeper than the chain climbs
    with tarfile.open(archive) as tf, pytest.raises(UnsafeMember, match="'top/l1' is a link"):
        _extract_all(tf, dest, use_filter)
    assert list(tmp_path.rglob('evil.txt')) == [] and list(dest.iterdir()) == []

@pytest.mark.parametrize('use_filter', PATHS, ids=lambda f: 'tarfile-filter' if f else 'own-checks')
def test_safe_extract_refuses_chained_links(tmp_path, monkeypatch, use_filter):
    "Through the public entry, each path forced: one clear line, nothing written anywhere."
    if not use_filter: monkeypatch.delattr(tarfile, 'data_filter', raising=False)   # as on Python 3.11.2
    archive = chained_links(tmp_path/'chain.tgz', n=4)
    cache = tmp_path/'a'/'b'/'c'/'d'/'cache'
    with pytest.raises(ValueError) as e: safe_extract(archive, cache/'top')
    msg = str(e.value)
    assert '\n' not in msg and "'top/l1' is a link" in msg and 'nothing was extracted' in msg, msg
    assert list(tmp_path.rglob('evil.txt')) == [] and list(cache.iterdir()) == []

def test_safe_extract_leaves_nothing_on_refusal(tmp_path):
    archive = tgz(tmp_path/'a.tgz', (member('top/ok.txt'), b'ok'), UNSAFE['dot-dot path'])
    with pytest.raises(ValueError, match='nothing was extracted'): safe_extract(archive, tmp_path/'cache'/'top')
    assert list((tmp_path/'cache').iterdir()) == []

def test_sgd7_data_is_absolute_and_must_exist(tmp_path, monkeypatch):
    (tmp_path/'d').mkdir(); (tmp_path/'d'/'mnist_sample.tgz').write_bytes(b'')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(DATA_ENV, 'd')
    assert _user_dirs() == [(f'${DATA_ENV}', tmp_path/'d')]
    monkeypatch.setenv(DATA_ENV, 'd/mnist_sample.tgz')                 # the archive itself: its folder
    assert _user_dirs() == [(f'${DATA_ENV}', tmp_path/'d')]
    monkeypatch.setenv(DATA_ENV, 'missing')
    with pytest.raises(DataNotFoundError, match=f'is {tmp_path/"missing"}, which is not a folder'): _user_dirs()

def data_dir_sh(env_value, cwd):
    "What .ci/data-dir.sh makes of SGD7_DATA=env_value, started in `cwd`: (exit status, value, stderr)."
    script = f'. "{ROOT}/.ci/data-dir.sh"; echo "$SGD7_DATA"'
    r = subprocess.run(['bash', '-c', script], cwd=cwd, capture_output=True, text=True,
                       env={**os.environ, 'SGD7_DATA': env_value})
    return r.returncode, r.stdout.strip(), r.stderr

def test_scripts_export_sgd7_data_absolute(tmp_path):
    (tmp_path/'data').mkdir(); (tmp_path/'clone').mkdir()
    assert data_dir_sh('../data', tmp_path/'clone') == (0, str(tmp_path/'data'), '')
    code, _, err = data_dir_sh('../nowhere', tmp_path/'clone')
    assert code == 1 and f'SGD7_DATA is {tmp_path/"nowhere"}, which is not a folder' in err and err.count('\n') == 1

def test_model_and_batches_on_different_devices():
    model = torch.nn.Linear(784, 1)
    x, y = torch.rand(8, 784), torch.ones(8, 1)
    dl = TensorLoader(x, y, device='meta')
    with pytest.raises(DeviceMismatchError, match='model is on cpu but the batches are on meta'):
        train_model(model, dl, dl, BasicOptim(model.parameters(), 0.1), 1)

@pytest.mark.skipif(torch.cuda.is_available(), reason='this machine has a GPU')
def test_cuda_asked_for_without_a_gpu():
    with pytest.raises(ValueError, match='sees no GPU'): as_device('cuda')
    r = subprocess.run(['sgd7', 'train', '--device', 'cuda', '--epochs', '1'], capture_output=True, text=True)
    assert r.returncode == 2 and 'sees no GPU' in r.stderr and r.stderr.count('\n') == 1 and 'Traceback' not in r.stderr
