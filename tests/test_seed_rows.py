"""The seed-row helpers (seed_rows): the settings stay light to import, and the articles' run on tiny data."""
import subprocess, sys
import pytest, torch
from sgd7_nb.data import TwoClassData
from sgd7_nb.seed_rows import stuck_share, train_from_scratch

def tiny(n=64, seed=0):
    "Two separable classes of 784 'pixels': bright left half against bright right half."
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(2 * n, 784, generator=g) * 0.2
    x[:n, :392] += 0.8; x[n:, 392:] += 0.8
    y = torch.cat([torch.ones(n, 1), torch.zeros(n, 1)])
    return TwoClassData(x, y, x.clone(), y.clone(), ('a', 'b'))

def test_import_stays_light():
    code = "import sys, sgd7_nb.settings; print('torch' in sys.modules)"
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.stdout.strip() == 'False', r.stderr

def test_train_from_scratch_learns_and_records_stuck():
    model, hist = train_from_scratch(tiny(), epochs=3, lr=1.0, std=0.01, seed=1, bs=32,
                                     device='cpu')
    assert len(hist) == 3 and all('stuck' in r for r in hist)
    assert hist[-1]['accuracy'] == 1.0 and hist[-1]['stuck'] == 0.0
    d = tiny()
    assert stuck_share(model, d.train_x, d.train_y) == hist[-1]['stuck']

def test_same_seed_same_run():
    runs = [train_from_scratch(tiny(), epochs=2, lr=1.0, seed=5, device='cpu')[1] for _ in range(2)]
    assert [r['accuracy'] for r in runs[0]] == [r['accuracy'] for r in runs[1]]

def test_bad_settings_refused():
    with pytest.raises(ValueError, match='unknown dataset'): train_from_scratch(tiny())
    with pytest.raises(ValueError, match='above 0'): train_from_scratch(tiny(), epochs=1, lr=0)
