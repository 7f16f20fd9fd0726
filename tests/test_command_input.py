"""The command's input and output at their edges: a full disk while drawing, bad SGD7_THREADS and
SGD7_DEVICE, odd options, a closed stdout, and the ways the command is started. Bad input ends
with status 2 and one line naming where it came from (the option or the variable), before any
work: nothing printed on stdout, no data loaded. On the postage-stamp MNIST_SAMPLE of
test_reliability."""
import errno, json, os, re, subprocess, sys
from pathlib import Path

import pytest
import torch

from sgd7_nb import runs
from test_reliability import env_for, home, sgd7   # noqa: F401 (home is a fixture)
from test_saving import SGD7, fake_result, leftovers

def refused(code, out, err, *want):
    "Status 2, nothing on stdout, one line on stderr holding every `want`."
    assert (code, out) == (2, ''), (code, out, err)
    assert err.count('\n') == 1 and all(w in err for w in want) and 'Traceback' not in err, err

def no_work_done(home):
    "No data was extracted into fastai's home and no run folder was made (runs/ may be, empty)."
    assert not (home/'fastai'/'data').exists() and not list(home.glob('runs/*'))

# ------------------------------------------------------------------ 11: a full disk while drawing

needs_dev_full = pytest.mark.skipif(not Path('/dev/full').exists(), reason='no /dev/full here')

@pytest.fixture
def full_png(tmp_path):
    "A path where every write fails as on a full disk: a link to /dev/full."
    (tmp_path/'full.png').symlink_to('/dev/full')
    return tmp_path/'full.png'

@needs_dev_full
def test_11_plot_worker_reports_a_full_disk_as_one(full_png):
    with pytest.raises(OSError) as e: runs.PlotWorker().draw(fake_result(), full_png)
    assert e.value.errno == 28 and runs.explain(e.value)[0].endswith('the disk is full; free some space and run again')

@needs_dev_full
def test_11_full_disk_while_drawing_says_so(home, capsys, monkeypatch, full_png):
    class FullDisk(runs.PlotWorker):    # the real worker, drawing where every write fails
        def draw(self, result, path): return super().draw(result, full_png)
    monkeypatch.setattr(runs, 'PlotWorker', FullDisk)
    code, out, err = sgd7('train', '--epochs', '1', '--out', 'run', capsys=capsys)
    assert code == 1 and 'the disk is full' in err and 'bug' not in err and err.count('\n') == 1, err
    assert not (home/'run').exists() and leftovers(home) == []

# ------------------------------------------------------------------ 12: SGD7_THREADS, SGD7_DEVICE, --device

@pytest.mark.parametrize('value', ['0', '-1', 'abc', '1e9', '2.5', '2147483648'])
def test_12_bad_sgd7_threads_refused_first(home, capsys, monkeypatch, value):
    monkeypatch.setenv('SGD7_THREADS', value)
    refused(*sgd7('train', '--epochs', '1', capsys=capsys), f'SGD7_THREADS={value}')
    no_work_done(home)

def test_12_threads_option_wins_over_the_variable(home, capsys, monkeypatch):
    monkeypatch.setenv('SGD7_THREADS', 'abc')
    assert sgd7('train', '--epochs', '1', '--threads', '1', capsys=capsys)[0] == 0

@pytest.mark.parametrize('args, env, want', [
    (['--device', 'meta'], '', "--device 'meta'"),
    (['--device', 'tpu'], '', "--device 'tpu'"),
    (['--device', 'cuda:x'], '', "--device 'cuda:x'"),
    ([], 'meta', "SGD7_DEVICE='meta'"),
    ([], 'gpu', "SGD7_DEVICE='gpu'"),
    ([], 'cuda' if not torch.cuda.is_available() else 'cuda:999', "SGD7_DEVICE='cuda"),
])
def test_12_bad_devices_refused_first(home, capsys, monkeypatch, args, env, want):
    monkeypatch.setenv('SGD7_DEVICE', env)
    refused(*sgd7('train', '--epochs', '1', *args, capsys=capsys), want)
    no_work_done(home)

# ------------------------------------------------------------------ 13: odd options, a closed stdout

@pytest.mark.parametrize('args, want', [
    (['--classes', '³', '7'], 'only the digits 3 and 7, not ³'),
    (['--dataset', 'fashion', '--classes', '٣', '²'], "'²'"),
    (['--lr', '1e-320'], 'is 0 as a 32-bit float'),
    (['--lr', '1e-46'], 'is 0 as a 32-bit float'),
    (['--epochs', '99999999999999999999'], 'epochs must be at most'),
])
def test_13_odd_options_get_a_clear_line(home, capsys, args, want):
    code, out, err = sgd7('train', *args, capsys=capsys)
    refused(code, out, err, want)
    assert 'invalid literal' not in err
    no_work_done(home)

def test_13_closed_stdout_is_no_bug(home):
    "Started with its stdout closed (`sgd7 train >&-`), the command trains and saves without a word."
    r = subprocess.run(SGD7 + ['train', '--epochs', '1', '--out', 'quiet'], stderr=subprocess.PIPE, text=True,
                       env=env_for(home), cwd=home, preexec_fn=lambda: os.close(1))
    assert (r.returncode, r.stderr) == (0, '')
    assert sorted(p.name for p in (home/'quiet').iterdir()) == ['accuracy.png', 'metrics.json']

# ------------------------------------------------------------------ 14: whatever the reader's environment

def test_14_explain_finds_fastai_home_with_or_without_the_variable(monkeypatch, tmp_path):
    denied = lambda path: PermissionError(errno.EACCES, 'Permission denied', str(path))
    for home in (None, tmp_path/'elsewhere'):
        if home: monkeypatch.setenv('FASTAI_HOME', str(home))
        else: monkeypatch.delenv('FASTAI_HOME', raising=False)
        assert runs.explain(denied('/home/me/.fastai/config.ini'))[0].endswith('set FASTAI_HOME to a folder you can write')
        assert runs.explain(denied(tmp_path/'out'/'run'))[0].endswith('choose a folder you can write')
    assert runs.explain(denied(tmp_path/'elsewhere'/'data'))[0].endswith('set FASTAI_HOME to a folder you can write')

def test_14_python_m_runs_the_command(tmp_path):
    "With nothing of the environment on PATH, `python -m sgd7_nb.cli` is the command."
    env = {**os.environ, 'PATH': os.defpath}
    r = subprocess.run([sys.executable, '-m', 'sgd7_nb.cli', 'train', '--epochs', '0'], capture_output=True, text=True,
                       env=env, cwd=tmp_path)
    assert (r.returncode, r.stdout) == (2, '') and 'epochs must be at least 1' in r.stderr

def test_14_the_command_page_starts_no_sgd7_by_name():
    "The page's processes start `python -m sgd7_nb.cli` with the kernel's Python, never `sgd7` from PATH."
    nb = json.loads((Path(__file__).parents[1]/'nbs'/'16_cli.ipynb').read_text())
    cells = [''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code']
    by_name = [c for c in cells if 'subprocess' in c and re.search(r"""['"]sgd7[ '"]""", c)]
    assert by_name == [] and any("'-m', 'sgd7_nb.cli'" in c for c in cells)
