"""The four IDX files of Fashion-MNIST and full MNIST, wrong in each way a user's copy can be:
images not 28×28, fewer images than labels, labels that are no class, one data set's files where
the other's belong. Each is refused by name, and nothing that failed its checks is ever cached.
All on tiny fixtures written here (the real files only where a check needs 60,000 labels)."""
import gzip, shutil
from pathlib import Path

import numpy as np
import pytest

from sgd7_nb import fetch
from sgd7_nb.fetch import DATA_ENV, FASHION_FILES, IDX_SETS, fashion_root, mnist_root

ROOTS = {'fashion': fashion_root, 'mnist': mnist_root}

def idx(a:np.ndarray) -> bytes:
    "IDX bytes of a uint8 array: 0, 0, 8 (uint8), the number of dimensions, each size, the data."
    return b'\0\0\x08' + bytes([a.ndim]) + b''.join(int(n).to_bytes(4, 'big') for n in a.shape) + a.tobytes()

def idx_set(n_train=20, n_test=10, size=(28, 28), labels=None):
    "File name -> IDX bytes: image i filled with i, labels cycling 0..9 (or `labels`, per split)."
    out = {}
    for split, n in (('train', n_train), ('t10k', n_test)):
        out[f'{split}-images-idx3-ubyte'] = idx(np.repeat(np.arange(n, dtype=np.uint8), np.prod(size)).reshape(n, *size))
        y = labels[split] if labels and split in labels else np.arange(n) % 10
        out[f'{split}-labels-idx1-ubyte'] = idx(np.asarray(y, dtype=np.uint8))
    return out

def write(folder:Path, files:dict, gz=True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        if gz: (folder/f'{name}.gz').write_bytes(gzip.compress(data, compresslevel=1))
        else: (folder/name).write_bytes(data)
    return folder

@pytest.fixture(autouse=True)
def no_system_copy(tmp_path, monkeypatch):
    "No SGD7_DATA from the reader's environment, and no Debian copy unless a test puts one."
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setattr(fetch, 'DEBIAN_FASHION', tmp_path/'debian')

def cached(cache:Path, kind:str) -> list:
    "Everything under the cache's folder for `kind`, leftovers included."
    data = cache/'data'
    return sorted(str(p.relative_to(data)) for p in data.rglob('*')) if data.exists() else []

# ------------------------------------------------------------------ 7, 10: refused by name, never cached

BAD = {'32x32 images': (dict(size=(32, 32)), 'train-images-idx3-ubyte', 'not 28×28'),
       '14x56 images': (dict(size=(14, 56)), 'train-images-idx3-ubyte', 'not 28×28'),
       '19 images for 20 labels': (dict(n_train=19, labels={'train': np.arange(20) % 10}),
                                   'train-images-idx3-ubyte', 'holds 19 images but'),
       'labels of 200': (dict(labels={'t10k': [200] * 3 + list(np.arange(7) % 10)}),
                         't10k-labels-idx1-ubyte', '3 labels are not class numbers 0 to 9')}

@pytest.mark.parametrize('kind', ROOTS)
@pytest.mark.parametrize('case', BAD)
def test_bad_files_are_refused_by_name_and_never_cached(tmp_path, kind, case):
    kw, name, want = BAD[case]
    mine = write(tmp_path/'mine', idx_set(**kw))
    with pytest.raises(ValueError) as e: ROOTS[kind](mine, cache=tmp_path/'c', download=False)
    msg = str(e.value)
    assert want in msg and f'{mine/name}.gz' in msg and 'replace it' in msg and '\n' not in msg, msg
    assert cached(tmp_path/'c', kind) == []                 # nothing unzipped stays, not even a leftover
    good = write(tmp_path/'good', idx_set())
    assert ROOTS[kind](good, cache=tmp_path/'c', download=False) == tmp_path/'c'/'data'

@pytest.mark.parametrize('kind', ROOTS)
def test_bad_files_in_place_are_refused_by_name(tmp_path, kind):
    "torchvision's layout in the user's folder is used in place, so it is checked in place."
    raw = write(tmp_path/'mine'/IDX_SETS[kind]['tv']/'raw', idx_set(size=(14, 56)), gz=False)
    with pytest.raises(ValueError) as e: ROOTS[kind](tmp_path/'mine', cache=tmp_path/'c', download=False)
    assert f"{raw/'train-images-idx3-ubyte'} holds images of 14×56 pixels, not 28×28" in str(e.value)

@pytest.mark.parametrize('kind', ROOTS)
def test_a_bad_cache_gives_way_to_good_files_named(tmp_path, kind):
    "What an earlier version left in the cache (a 32x32 set, unchecked) must not fail a run that names good files."
    write(tmp_path/'c'/'data'/IDX_SETS[kind]['tv']/'raw', idx_set(size=(32, 32)), gz=False)
    good = write(tmp_path/'good', idx_set())
    root = ROOTS[kind](good, cache=tmp_path/'c', download=False)
    raw = root/IDX_SETS[kind]['tv']/'raw'
    assert (raw/'train-images-idx3-ubyte').read_bytes() == idx_set()['train-images-idx3-ubyte']
    write(tmp_path/'c2'/'data'/IDX_SETS[kind]['tv']/'raw', idx_set(size=(32, 32)), gz=False)
    with pytest.raises(fetch.DataNotFoundError, match='not 28×28'):   # named nothing: the bad cache is not used
        ROOTS[kind](cache=tmp_path/'c2', download=False)

@pytest.mark.parametrize('kind', ROOTS)
def test_the_files_named_win_over_an_older_copy_in_the_cache(tmp_path, kind):
    "A different (good) copy in the cache must not silently replace the one the user names."
    old = write(tmp_path/'old', idx_set())
    ROOTS[kind](old, cache=tmp_path/'c', download=False)
    changed = idx_set(labels={'train': (np.arange(20) + 1) % 10})
    mine = write(tmp_path/'mine', changed)
    root = ROOTS[kind](mine, cache=tmp_path/'c', download=False)
    raw = root/IDX_SETS[kind]['tv']/'raw'
    assert (raw/'train-labels-idx1-ubyte').read_bytes() == changed['train-labels-idx1-ubyte']

def test_the_command_says_what_is_wrong_in_one_line(tmp_path, monkeypatch, capsys):
    "Once 'this is a bug; please report it': now the file, what is wrong, and the fix."
    from fastai.data.external import fastai_cfg
    from sgd7_nb import runs
    from sgd7_nb.cli import main
    write(tmp_path/'data', idx_set(size=(32, 32)))
    monkeypatch.setenv(DATA_ENV, str(tmp_path/'data'))
    monkeypatch.setenv('FASTAI_HOME', str(tmp_path/'fastai'))
    monkeypatch.chdir(tmp_path)
    runs._load.cache_clear(); fastai_cfg.cache_clear()
    try: code = main(['train', '--dataset', 'fashion', '--classes', 'all', '--epochs', '1'])
    finally: runs._load.cache_clear(); fastai_cfg.cache_clear()
    err = capsys.readouterr().err
    assert code == 1 and err.count('\n') == 1 and 'not 28×28' in err and 'bug' not in err, err
    assert not (tmp_path/'fastai'/'data'/'FashionMNIST').exists()

# ------------------------------------------------------------------ 5, 6: one data set's files never taken for the other's

# training images per class in the real files: Fashion-MNIST's are equal, MNIST's digits are not
COUNTS = {'fashion': [6000] * 10, 'mnist': [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]}
OTHER = {'fashion': 'mnist', 'mnist': 'fashion'}
WHAT = {'fashion': "Fashion-MNIST's clothes", 'mnist': "MNIST's digits"}

def real_like(kind, changed=0) -> dict:
    "The four files with the real 60,000 training labels of `kind` (blank images), `changed` of them moved to class 9."
    y = np.repeat(np.arange(10), COUNTS[kind]).astype(np.uint8)
    y[np.flatnonzero(y != 9)[:changed]] = 9
    return idx_set(n_train=60_000, labels={'train': y})

def put(folder:Path, kind:str, gz:bool, changed=0) -> Path:
    return write(folder, real_like(kind, changed), gz=gz)

def test_unzipped_fashion_in_sgd7_data_mnist_raw_is_refused(tmp_path, monkeypatch):
    raw = put(tmp_path/'data'/'MNIST'/'raw', 'fashion', gz=False)
    monkeypatch.setenv(DATA_ENV, str(tmp_path/'data'))
    with pytest.raises(ValueError) as e: mnist_root(cache=tmp_path/'c', download=False)
    assert f"{raw} holds Fashion-MNIST's clothes, not MNIST's digits" in str(e.value)

def test_unzipped_fashion_in_the_cache_is_not_taken_for_digits(tmp_path):
    raw = put(tmp_path/'fastai'/'data'/'MNIST'/'raw', 'fashion', gz=False)   # fastai's data folder, FASTAI_HOME's
    with pytest.raises(fetch.DataNotFoundError, match=f"{raw}: they are Fashion-MNIST's clothes"):
        mnist_root(cache=tmp_path/'fastai', download=False)

@pytest.mark.parametrize('kind', ROOTS)
def test_the_other_sets_files_in_this_sets_own_place_are_refused(tmp_path, kind):
    "torchvision's folder for `kind` in place, or (gzipped) MNIST/raw/ for MNIST and the top for Fashion-MNIST."
    place = {'fashion': '.', 'mnist': 'MNIST/raw'}[kind]
    gz = put(tmp_path/'gz'/place, OTHER[kind], gz=True)
    inplace = put(tmp_path/'tv'/IDX_SETS[kind]['tv']/'raw', OTHER[kind], gz=False)
    for folder, mine in ((gz, tmp_path/'gz'), (inplace, tmp_path/'tv')):
        with pytest.raises(ValueError) as e: ROOTS[kind](mine, cache=tmp_path/'c', download=False)
        assert f"{folder} holds {WHAT[OTHER[kind]]}, not {WHAT[kind]}" in str(e.value), str(e.value)
    assert cached(tmp_path/'c', kind) == []

def test_fashion_at_the_top_and_mnist_in_mnist_raw_live_together(tmp_path):
    put(tmp_path/'data', 'fashion', gz=True); put(tmp_path/'data'/'MNIST'/'raw', 'mnist', gz=True)
    assert fetch.idx_holds(mnist_root(tmp_path/'data', cache=tmp_path/'c')/'MNIST'/'raw') == 'mnist'
    assert fetch.idx_holds(fashion_root(tmp_path/'data', cache=tmp_path/'c')/'FashionMNIST'/'raw') == 'fashion'

def test_the_users_fashion_files_with_changed_labels_are_used(tmp_path, monkeypatch):
    "50 training labels changed: still the user's Fashion-MNIST, not a reason to take Debian's copy instead."
    put(tmp_path/'debian', 'fashion', gz=True)
    mine = put(tmp_path/'mine', 'fashion', gz=True, changed=50)
    raw = fashion_root(mine, cache=tmp_path/'c', download=False)/'FashionMNIST'/'raw'
    assert (raw/'train-labels-idx1-ubyte').read_bytes() == real_like('fashion', 50)['train-labels-idx1-ubyte']
