"The going-further pages through the command line: the CNN and our own Learner run like any other model and loop."
import json, subprocess, sys

def sgd7(*args, cwd):
    code = 'import sys; from sgd7_nb.cli import main; sys.exit(main(sys.argv[1:]))'
    return subprocess.run([sys.executable, '-c', code, *args], cwd=cwd, capture_output=True, text=True)

def test_cnn_and_own_loop(tmp_path):
    for args in (('--model', 'cnn', '--epochs', '1'), ('--loop', 'own', '--epochs', '2')):
        r = sgd7('train', *args, '--out', 'run', '--overwrite', cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        m = json.loads((tmp_path/'run'/'metrics.json').read_text())
        assert m['accuracy'] > 0.95 and (tmp_path/'run'/'accuracy.png').is_file()

def test_bad_model_or_loop_is_one_line(tmp_path):
    for args in (('--model', 'resnet'), ('--loop', 'keras')):
        r = sgd7('train', *args, cwd=tmp_path)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
