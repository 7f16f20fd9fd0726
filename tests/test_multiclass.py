"All ten classes: full MNIST read from tiny IDX files written here, and the from-scratch losses against PyTorch's."
import gzip
from pathlib import Path
import pytest, torch, torchvision
import torch.nn.functional as F
from sgd7_nb.fetch import DataNotFoundError, FASHION_FILES, mnist_root
from sgd7_nb.multiclass import (MNIST_DIGITS, TenClassData, accuracy, confusion_matrix,
                                cross_entropy, log_softmax, most_confused, nll,
                                ten_class_data)

def idx_bytes(a:torch.Tensor) -> bytes:
    "The IDX format: two zero bytes, 0x08 (uint8), the number of dimensions, each size (4 bytes, big-endian), the data."
    head = b'\0\0\x08' + bytes([a.ndim]) + b''.join(int(n).to_bytes(4, 'big') for n in a.shape)
    return head + a.to(torch.uint8).numpy().tobytes()

def fixture(n_train=20, n_test=10):
    "Images whose first pixel is their index, labels cycling through 0..9."
    imgs = {s: torch.zeros(n, 28, 28, dtype=torch.uint8) for s, n in (('train', n_train), ('t10k', n_test))}
    for s, x in imgs.items(): x[:, 0, 0] = torch.arange(len(x))
    return {f'{s}-images-idx3-ubyte': idx_bytes(x) for s, x in imgs.items()} | {
            f'{s}-labels-idx1-ubyte': idx_bytes(torch.arange(len(x)) % 10) for s, x in imgs.items()}

def write(folder, gz=False, files=None):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (files or fixture()).items():
        if gz: (folder/f'{name}.gz').write_bytes(gzip.compress(data))
        else: (folder/name).write_bytes(data)

@pytest.fixture(autouse=True)
def no_env(monkeypatch): monkeypatch.delenv('SGD7_DATA', raising=False)

def check(d):
    assert isinstance(d, TenClassData) and d.classes == MNIST_DIGITS and d.dataset == 'mnist'
    assert d.train_x.shape == (20, 784) and d.valid_x.shape == (10, 784)
    assert d.train_y.dtype == torch.int64 and d.train_y.tolist() == [i % 10 for i in range(20)]
    assert torch.equal(d.train_x[:, 0] * 255, torch.arange(20.)) and d.train_x.max() <= 1

def test_torchvision_layout_is_used_in_place(tmp_path):
    write(tmp_path/'mine'/'MNIST'/'raw')
    assert mnist_root(tmp_path/'mine', cache=tmp_path/'cache') == tmp_path/'mine'
    check(ten_class_data('mnist', tmp_path/'mine', cache=tmp_path/'cache', device='cpu'))
    assert not (tmp_path/'cache').exists()          # nothing written

def test_gz_files_from_sgd7_data(tmp_path, monkeypatch):
    write(tmp_path/'data', gz=True)
    monkeypatch.setenv('SGD7_DATA', str(tmp_path/'data'))
    check(ten_class_data('mnist', cache=tmp_path/'cache', device='cpu'))
    assert all((tmp_path/'cache'/'data'/'MNIST'/'raw'/f).is_file() for f in FASHION_FILES)
    check(ten_class_data('mnist', cache=tmp_path/'cache', device='cpu'))   # from the cache

def test_missing_mnist_names_every_place_and_fix(tmp_path):
    with pytest.raises(DataNotFoundError) as e:
        ten_class_data('mnist', tmp_path, cache=tmp_path/'c', download=False)
    msg = str(e.value)
    assert str(tmp_path) in msg and 'SGD7_DATA' in msg and 'connect to the internet' in msg
    assert 'download with' not in msg                 # download=False: not tried

class OfflineMNIST(torchvision.datasets.MNIST):
    "torchvision's MNIST with its download failing as it does with no network."
    def download(self): raise RuntimeError('Error downloading train-images-idx3-ubyte.gz')

class FixtureMNIST(torchvision.datasets.MNIST):
    "torchvision's MNIST, its download writing the fixture instead of the internet's files."
    def download(self):
        if not self._check_exists(): write(Path(self.raw_folder))  # as torchvision does

def test_download_failure_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(torchvision.datasets, 'MNIST', type('MNIST', (OfflineMNIST,), {}))
    with pytest.raises(DataNotFoundError, match='download with torchvision: Error downloading'):
        ten_class_data('mnist', cache=tmp_path/'c')

def test_download_is_the_last_resort(tmp_path, monkeypatch):
    monkeypatch.setattr(torchvision.datasets, 'MNIST', type('MNIST', (FixtureMNIST,), {}))
    raw = tmp_path/'c'/'data'/'MNIST'/'raw'; write(raw)
    # a killed run's truncated file: torchvision alone would take it as there
    (raw/FASHION_FILES[0]).write_bytes((raw/FASHION_FILES[0]).read_bytes()[:-7])
    check(ten_class_data('mnist', cache=tmp_path/'c', device='cpu'))

def test_truncated_gz_is_refused(tmp_path):
    files = fixture(); files['train-images-idx3-ubyte'] = files['train-images-idx3-ubyte'][:-5]
    write(tmp_path/'data', gz=True, files=files)
    with pytest.raises(ValueError, match='truncated'): mnist_root(tmp_path/'data', cache=tmp_path/'c')

def test_unknown_dataset():
    with pytest.raises(ValueError, match="valid: 'fashion', 'mnist'"): ten_class_data('cifar10')

def test_labels_must_be_class_numbers():
    x, y = torch.rand(10, 784), torch.arange(10)
    with pytest.raises(ValueError, match=r'y \(n,\) int64'): TenClassData(x, y[:, None].float(), x, y, MNIST_DIGITS)
    with pytest.raises(ValueError, match='0 to 9'): TenClassData(x, y, x, y + 5, MNIST_DIGITS)

@pytest.mark.parametrize('scale', [1., 100., 1e4])
def test_losses_match_pytorch(scale):
    torch.manual_seed(0)
    x, t = torch.randn(64, 10) * scale, torch.randint(0, 10, (64,))
    assert torch.allclose(log_softmax(x), F.log_softmax(x, -1), atol=1e-3)
    assert torch.allclose(nll(F.log_softmax(x, -1), t), F.nll_loss(F.log_softmax(x, -1), t))
    assert torch.allclose(cross_entropy(x, t), F.cross_entropy(x, t), rtol=1e-4)
    assert torch.isclose(accuracy(x, t), (x.argmax(1) == t).float().mean())

def test_wrong_targets_are_refused():
    with pytest.raises(ValueError, match='integer class numbers'): cross_entropy(torch.zeros(4, 10), torch.zeros(4, 1))

def test_confusion():
    p, t = torch.tensor([0, 1, 2, 2, 1]), torch.tensor([0, 2, 2, 1, 2])
    cm = confusion_matrix(p, t, 3)
    assert cm.tolist() == [[1, 0, 0], [0, 0, 1], [0, 2, 1]]
    assert most_confused(cm, 'abc') == [('c', 'b', 2), ('b', 'c', 1)]

def test_fashion_files_are_never_taken_for_digits(tmp_path, monkeypatch):
    "Same four names, same format: the training labels (6,000 of each class) give Fashion-MNIST away."
    files = fixture()
    head = b'\0\0\x08\x01' + (60_000).to_bytes(4, 'big')
    files['train-labels-idx1-ubyte'] = head + bytes(c for c in range(10) for _ in range(6000))
    write(tmp_path/'data', gz=True, files=files)
    monkeypatch.setenv('SGD7_DATA', str(tmp_path/'data'))
    with pytest.raises(DataNotFoundError, match=r"\(the ones there are Fashion-MNIST's clothes\)"):
        mnist_root(cache=tmp_path/'c', download=False)
    assert not (tmp_path/'c'/'data'/'MNIST').exists()
