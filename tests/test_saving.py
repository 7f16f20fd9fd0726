"""Nothing lost, nothing deleted that is not a run: `sgd7 train` and `save_run` under runs started
together, `--overwrite` pointed at the wrong folder, SIGTERM, and kills that left a save half-done.
On the postage-stamp MNIST_SAMPLE of test_reliability, never the real data. No fixed sleeps: a test
that must act while a run works waits for a line that the run prints."""
import json, os, signal, subprocess, sys, threading

import pytest

from sgd7_nb import runs
from test_reliability import env_for, home, sgd7   # noqa: F401 (home is a fixture)

# `sgd7` without relying on PATH: the Python that runs the tests, the command's own main
SGD7 = [sys.executable, '-c', 'import sys; from sgd7_nb.cli import main; sys.exit(main(sys.argv[1:]))']

def run_files(folder):
    "The names in a folder, and whether it is one whole run."
    names = sorted(p.name for p in folder.iterdir())
    return names == ['accuracy.png', 'metrics.json'] and json.loads((folder/'metrics.json').read_text())

def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith('.'))

def fake_result(seed=1):
    return dict(dataset='mnist', classes=['3', '7'], model='linear', loop='scratch', epochs=1, lr=1.0,
                bs=256, seed=seed, one_cycle=False, accuracy=0.5, seconds=0.1,
                history=[dict(epoch=0, train_loss=0.5, valid_loss=0.5, accuracy=0.5, seconds=0.1)])

def fake_draw(result, path): path.write_bytes(b'\x89PNG not really')

# ------------------------------------------------------------------ 1: runs started together

def test_1_runs_started_together_each_keep_their_results(home):
    "Four default runs at once, same settings: four folders, four results, every run says where."
    ps = [subprocess.Popen(SGD7 + ['train', '--epochs', '1'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=env_for(home), cwd=home) for _ in range(4)]
    done = [p.communicate(timeout=300) for p in ps]
    assert [p.returncode for p in ps] == [0] * 4, [e for _, e in done]
    folders = sorted((home/'runs').iterdir())
    assert [f.name for f in folders] == ['mnist-linear-scratch-1ep-lr1-bs256-seed42' + s for s in ('', '-2', '-3', '-4')]
    assert all(run_files(f) for f in folders)
    said = sorted(out.splitlines()[-1].split('wrote ')[1].split('/metrics.json')[0] for out, _ in done)
    assert said == sorted(str(f.relative_to(home)) for f in folders)

def test_1_saves_at_the_same_moment_keep_every_result(tmp_path):
    "Threads that all passed the check before any of them saved: none replaces another's run."
    ready = threading.Barrier(4)
    def draw(result, path): fake_draw(result, path); ready.wait(timeout=60)
    got = [None] * 4
    def save(i): got[i] = runs.save_run(fake_result(i), tmp_path/'run', draw=draw)
    ts = [threading.Thread(target=save, args=(i,)) for i in range(4)]
    for t in ts: t.start()
    for t in ts: t.join(timeout=120)
    assert sorted(p.name for p in got) == ['run', 'run-2', 'run-3', 'run-4']
    assert sorted(run_files(p)['seed'] for p in got) == [0, 1, 2, 3]
    assert leftovers(tmp_path) == []

# ------------------------------------------------------------------ 2: --overwrite replaces a run, nothing else

@pytest.fixture
def thesis(home):
    "The user's own folders beside the runs: docs/thesis.txt, and notes in the working folder."
    (home/'docs').mkdir(); (home/'docs'/'thesis.txt').write_text('two years of work')
    (home/'notes.txt').write_text('do not lose')
    yield home
    assert (home/'docs'/'thesis.txt').read_text() == 'two years of work'
    assert (home/'notes.txt').read_text() == 'do not lose'
    assert leftovers(home) == []

@pytest.mark.parametrize('out, overwrite, want', [
    ('docs', True, 'holds what no run writes (thesis.txt)'),
    ('docs', False, 'holds what no run writes (thesis.txt)'),
    ('.', True, 'is the folder you are in'),
    ('.', False, 'is the folder you are in'),
    ('PWD', True, 'is the folder you are in'),
    ('..', True, 'is the folder you are in'),
    ('docs/..', True, 'is the folder you are in'),
    ('run+notes', True, 'holds what no run writes (notes.txt)'),
])
def test_2_overwrite_only_replaces_a_run(thesis, capsys, out, overwrite, want):
    "Refused before training (no header, nothing written), with a line that is true."
    if out == 'PWD': out = str(thesis)
    if out == 'run+notes':
        assert sgd7('train', '--epochs', '1', '--out', 'run', capsys=capsys)[0] == 0
        (thesis/'run'/'notes.txt').write_text('mine'); out = 'run'
    code, stdout, err = sgd7('train', '--epochs', '1', '--out', out, *['--overwrite'] * overwrite, capsys=capsys)
    assert (code, stdout) == (2, ''), err
    assert err.count('\n') == 1 and want in err and 'earlier run' not in err, err
    if out == 'run': assert (thesis/'run'/'notes.txt').read_text() == 'mine'

def test_2_save_run_never_replaces_what_is_not_a_run(thesis):
    "Called directly, save_run puts the run beside a folder that is not a run, and refuses the working folder."
    got = runs.save_run(fake_result(), thesis/'docs', overwrite=True, draw=fake_draw)
    assert got == thesis/'docs-2' and run_files(got)
    for here in ('.', str(thesis)):
        with pytest.raises(runs.RunExists, match='is the folder you are in'):
            runs.save_run(fake_result(), here, overwrite=True, draw=fake_draw)

def test_2_a_run_is_still_replaced(home, capsys):
    assert sgd7('train', '--epochs', '1', '--out', 'run', capsys=capsys)[0] == 0
    code, out, err = sgd7('train', '--epochs', '2', '--out', 'run', '--overwrite', capsys=capsys)
    assert code == 0 and run_files(home/'run')['epochs'] == 2 and leftovers(home) == []

# ------------------------------------------------------------------ 3: SIGTERM says so, and leaves no half-done save

# sgd7 train whose plot is drawn here, with a hook: `drawn` and `between` print a line, then wait
# (on stdin, which the test never writes) or signal themselves, so the test acts at that moment
HOOKED = '''
import os, signal, sys
import sgd7_nb.runs as runs
from sgd7_nb.cli import main
hook = os.environ['HOOK']
class HereInstead:
    def draw(self, result, path):
        runs._draw_here(result, path)
        if hook == 'drawn': print('drawn', flush=True); sys.stdin.readline()
    def close(self): pass
runs.PlotWorker = HereInstead
claim = runs._claim
def between(tmp, out):   # the earlier run moved aside, the new one not yet in place
    if hook == 'between': os.kill(os.getpid(), signal.SIGTERM)
    return claim(tmp, out)
runs._claim = between
sys.exit(main(sys.argv[1:]))
'''

def start(home, *args, hook='', script=None):
    cmd = [sys.executable, '-c', script] if script else SGD7
    return subprocess.Popen(cmd + ['train', *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env_for(home, HOOK=hook), cwd=home)

def wait_for(p, word):
    "Read the run's output until a line starting with `word` (an event, not a time)."
    for line in p.stdout:
        if line.startswith(word): return line
    raise AssertionError(f'the run ended before {word!r}: {p.wait()} {p.stderr.read()}')

def terminated(p, send=True):
    if send: p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 143, (p.returncode, err)
    assert err == 'sgd7: terminated (SIGTERM)\n', err
    return out

def test_3_sigterm_while_training(home):
    p = start(home, '--epochs', '100000', '--out', 'run')
    wait_for(p, '0 ')                                  # the first epoch's row of the table
    terminated(p)
    assert not (home/'run').exists() and leftovers(home) == []

@pytest.mark.parametrize('overwrite', [False, True], ids=['new', 'overwrite'])
def test_3_sigterm_while_saving_rolls_back(home, capsys, overwrite):
    if overwrite: assert sgd7('train', '--epochs', '1', '--out', 'run', capsys=capsys)[0] == 0
    before = run_files(home/'run') if overwrite else None
    p = start(home, '--epochs', '2', '--out', 'run', *['--overwrite'] * overwrite, hook='drawn', script=HOOKED)
    wait_for(p, 'drawn')                               # the plot is in the hidden folder: saving
    terminated(p)
    assert leftovers(home) == []                       # no .run.new-*, nothing a later run deletes
    if overwrite: assert run_files(home/'run') == before
    else: assert not (home/'run').exists()

def test_3_sigterm_between_the_renames_finishes_the_save(home, capsys):
    assert sgd7('train', '--epochs', '1', '--out', 'run', capsys=capsys)[0] == 0
    p = start(home, '--epochs', '2', '--out', 'run', '--overwrite', hook='between', script=HOOKED)
    terminated(p, send=False)                          # it sends SIGTERM itself, between the renames
    assert run_files(home/'run')['epochs'] == 2 and leftovers(home) == []

# ------------------------------------------------------------------ 4: what a kill -9 left is finished by the next run

def dead_pid():
    "The id of a process that has ended."
    p = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True)
    return int(p.stdout)

def killed_mid_replace(folder, new_files):
    "What a kill -9 between a replace's two renames leaves: the earlier run aside, the new one hidden."
    pid = dead_pid()
    old = folder.parent/f'.{folder.name}.old-{pid}-abc'; old.mkdir(); folder.rename(old/'run')
    new = folder.parent/f'.{folder.name}.new-{pid}-def'; new.mkdir()
    for name in new_files: (new/name).write_text(json.dumps(fake_result(seed=7)) if name == 'metrics.json' else 'png')
    return run_files(old/'run')

def test_4_kill_9_between_the_renames_then_the_next_run(home, capsys):
    "A real kill -9 mid-replace: the next run puts the killed run's finished result in place."
    assert sgd7('train', '--epochs', '1', '--out', 'run', capsys=capsys)[0] == 0
    hook = HOOKED.replace('signal.SIGTERM)', 'signal.SIGKILL)')
    p = start(home, '--epochs', '2', '--out', 'run', '--overwrite', hook='between', script=hook)
    p.communicate(timeout=300)
    assert p.returncode == -signal.SIGKILL and not (home/'run').exists()
    assert sorted(n.split('-')[0] for n in leftovers(home)) == ['.run.new', '.run.old']
    code, out, err = sgd7('train', '--epochs', '3', '--out', 'run', capsys=capsys)
    assert code == 2 and 'holds an earlier run' in err                        # the killed run's, now in place
    assert run_files(home/'run')['epochs'] == 2 and leftovers(home) == []

def test_4_an_unfinished_new_run_gives_the_earlier_one_back(home, capsys):
    assert sgd7('train', '--epochs', '1', '--out', 'run', capsys=capsys)[0] == 0
    earlier = killed_mid_replace(home/'run', ['accuracy.png'])            # no metrics.json yet: unfinished
    code, out, err = sgd7('train', '--epochs', '2', '--out', 'run', capsys=capsys)
    assert code == 2 and 'holds an earlier run' in err
    assert run_files(home/'run') == earlier and leftovers(home) == []

def test_4_the_default_folder_after_a_kill(home, capsys):
    "The next run with the same settings tidies first, then takes the next free name: exit 0, both kept."
    assert sgd7('train', '--epochs', '1', capsys=capsys)[0] == 0
    (first,) = (home/'runs').iterdir()
    killed_mid_replace(first, ['accuracy.png', 'metrics.json'])
    assert sgd7('train', '--epochs', '1', capsys=capsys)[0] == 0
    assert [run_files(f)['seed'] for f in sorted((home/'runs').iterdir())] == [7, 42]   # the killed run's, then ours
    assert leftovers(home/'runs') == []
