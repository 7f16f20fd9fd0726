"""Inputs the lesson's functions must refuse in one clear line, not compute with: targets other
than 0 and 1, or empty, for `mnist_loss` and `batch_accuracy`, and two classes given without an
order (a set) to `check_classes`. Each of these used to give a number, or a class pair that
depended on PYTHONHASHSEED, without a word."""
import os, subprocess, sys

import pytest
import torch

from sgd7_nb.data import TwoClassData, check_classes
from sgd7_nb.loss import batch_accuracy, mnist_loss

PREDS = torch.tensor([[2.], [-1.], [0.5], [-3.]])
GOOD = torch.tensor([[1.], [0.], [0.], [1.]])

@pytest.mark.parametrize('f', [mnist_loss, batch_accuracy], ids=lambda f: f.__name__)
@pytest.mark.parametrize('bad', [2., -1., 0.5, float('nan')])
def test_targets_other_than_0_or_1_are_refused(f, bad):
    targets = GOOD.clone(); targets[2] = bad
    with pytest.raises(ValueError, match='must be 0 or 1') as e: f(PREDS, targets)
    assert '\n' not in str(e.value)

@pytest.mark.parametrize('f', [mnist_loss, batch_accuracy], ids=lambda f: f.__name__)
def test_empty_input_is_refused(f):
    with pytest.raises(ValueError, match='are empty'): f(PREDS[:0], GOOD[:0])

@pytest.mark.parametrize('f', [mnist_loss, batch_accuracy], ids=lambda f: f.__name__)
def test_shapes_must_match(f):
    with pytest.raises(ValueError, match='must have the same shape'): f(PREDS, GOOD[:, 0])

@pytest.mark.parametrize('f', [mnist_loss, batch_accuracy], ids=lambda f: f.__name__)
@pytest.mark.parametrize('kind', [torch.float32, torch.float64, torch.int64, torch.bool])
def test_0_and_1_of_any_type_still_work(f, kind):
    assert torch.isclose(f(PREDS, GOOD.to(kind)), f(PREDS, GOOD))

def test_loss_and_gradient_unchanged():
    "The check changes nothing for good targets: value and gradient as the book's one-liner."
    p = PREDS.clone().requires_grad_()
    mnist_loss(p, GOOD).backward()
    q = PREDS.clone().requires_grad_()
    s = q.sigmoid(); torch.where(GOOD == 1, 1 - s, s).mean().backward()
    assert torch.equal(p.grad, q.grad)
    assert batch_accuracy(PREDS, GOOD) == 0.5

def test_meta_tensors_have_only_their_shapes_checked():
    mnist_loss(PREDS.to('meta'), GOOD.to('meta'))
    with pytest.raises(ValueError, match='same shape'): mnist_loss(PREDS.to('meta'), GOOD[:2].to('meta'))

def test_data_labels_checked_as_the_loss_checks_them():
    x = torch.rand(4, 784)
    with pytest.raises(ValueError, match='the training labels must be 0 or 1'):
        TwoClassData(x, GOOD * 0.5 + 0.5, x, GOOD, ('a', 'b'))

@pytest.mark.parametrize('classes', [{'dress', 'coat'}, frozenset({'dress', 'coat'}), {3: 1, 4: 0}],
                         ids=['set', 'frozenset', 'dict'])
def test_classes_without_an_order_are_refused(classes):
    with pytest.raises(ValueError, match='has no order') as e: check_classes('fashion', classes)
    assert 'tuple or a list' in str(e.value) and '\n' not in str(e.value)

def test_ordered_classes_still_work():
    assert check_classes('fashion', ('dress', 'coat')) == ('dress', 'coat')
    assert check_classes('fashion', ['coat', 'dress']) == ('coat', 'dress')

def test_positive_class_does_not_depend_on_the_hash_seed():
    "What a set would have given: a different positive class under different PYTHONHASHSEEDs."
    code = ("from sgd7_nb.data import check_classes\n"
            "try: print(check_classes('fashion', {'dress', 'coat'}))\n"
            "except ValueError as e: print('refused')")
    seen = set()
    for seed in ('0', '1', '2', '3'):
        env = {**os.environ, 'PYTHONHASHSEED': seed}
        r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env)
        seen.add(r.stdout.strip())
    assert seen == {'refused'}, seen
