"The going-further pages through the command line: the CNN, resnet18, the one-cycle way, the ten-class ResNet and our own Learner run like any other model and loop."
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
    for args in (('--model', 'resnet34'), ('--loop', 'keras')):
        r = sgd7('train', *args, cwd=tmp_path)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr

def test_resnet18_from_the_command_line(tmp_path):
    r = sgd7('train', '--model', 'resnet18', '--out', 'run', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path/'run'/'metrics.json').read_text())
    assert m['model'] == 'resnet18' and m['epochs'] == 1 and m['accuracy'] > 0.98
    assert (tmp_path/'run'/'accuracy.png').is_file()

def test_resnet18_has_no_ten_class_settings(tmp_path):
    r = sgd7('train', '--model', 'resnet18', '--dataset', 'fashion', '--classes', 'all', cwd=tmp_path)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert 'resnet18' in r.stderr and 'cnn' in r.stderr

def test_one_cycle_from_the_command_line(tmp_path):
    r = sgd7('train', '--model', 'cnn', '--one-cycle', '--dataset', 'fashion', '--epochs', '1', cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path/'runs'/'fashion-cnn-scratch-onecycle-1ep-lr0.01-bs256-seed42'
    m = json.loads((out/'metrics.json').read_text())
    assert m['one_cycle'] is True and m['accuracy'] > 0.95 and 0.95 < m['tta_accuracy'] <= 1
    assert 'with mirrored test images' in r.stdout and (out/'accuracy.png').is_file()

def test_one_cycle_bad_combinations_are_one_line(tmp_path):
    for args in (('--model', 'linear'), ('--model', 'cnn', '--loop', 'learner'),
                 ('--model', 'cnn', '--dataset', 'fashion', '--classes', 'all')):
        r = sgd7('train', '--one-cycle', *args, cwd=tmp_path)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert 'one-cycle training is for cnn or resnet18' in r.stderr
    assert not (tmp_path/'runs').exists()

def test_ten_class_resnet_is_one_cycle_on_all_ten_only(tmp_path):
    for args, says in ((('--model', 'resnet', '--dataset', 'fashion'), '--classes all --one-cycle'),
                       (('--model', 'resnet', '--dataset', 'fashion', '--classes', 'all'), 'with one cycle: resnet'),
                       (('--model', 'resnet', '--dataset', 'fashion', '--classes', 'all', '--one-cycle',
                         '--loop', 'learner'), 'or resnet on all ten')):
        r = sgd7('train', *args, cwd=tmp_path)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert says in r.stderr, r.stderr
    assert not (tmp_path/'runs').exists()

def test_ten_class_resnet_takes_the_pages_steps():
    "The command's way (run_training) and the ten-class page's (train_one_cycle with climb_parts) agree."
    from sgd7_nb.deeper import train_one_cycle
    from sgd7_nb.multiclass import climb_parts, ten_class_data
    from sgd7_nb.runs import run_training
    data = ten_class_data('fashion', device='cpu').subset(2560)   # 10 batches: one cycle needs some
    r = run_training('fashion', 'all', 'resnet', epochs=1, data=data, device='cpu', threads=1, one_cycle=True)
    images, kw = climb_parts()
    _, h = train_one_cycle(data, 'resnet', 1, r['lr'], 42, bs=r['bs'], threads=1, **images, **kw)
    keys = ('train_loss', 'valid_loss', 'accuracy')
    assert [[row[k] for k in keys] for row in r['history']] == [[row[k] for k in keys] for row in h]
    assert 'tta_accuracy' not in r   # trained on the images as they are: no mirrors to test
