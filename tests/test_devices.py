"""One device for the model and the batches: on the CPU the device plumbing changes no number.
Needs the real MNIST_SAMPLE (as the notebooks do: SGD7_DATA, fastai's cache or the download)."""
import pytest, torch
from torch import nn
from sgd7_nb.core import default_device
from sgd7_nb.runs import load_data, run_training
from sgd7_nb.dataloader import TensorLoader
from sgd7_nb.optim import BasicOptim
from sgd7_nb.training import train_model

def no_time(h): return [{k: v for k, v in r.items() if k != 'seconds'} for r in h]

@pytest.fixture(scope='module')
def mnist(): return load_data('mnist')

@pytest.mark.skipif(default_device().type != 'cpu', reason='checks the CPU path')
def test_seed_42_history_unchanged_on_cpu(mnist):
    "run_training, with the device chosen for it or named, takes exactly the steps of the plain CPU loop."
    torch.manual_seed(42); model = nn.Linear(784, 1)          # no device anywhere: PyTorch's own CPU defaults
    cpu = lambda t: t.cpu()
    trn = TensorLoader(cpu(mnist.train_x), cpu(mnist.train_y), bs=256, shuffle=True, seed=42, device='cpu')
    val = TensorLoader(cpu(mnist.valid_x), cpu(mnist.valid_y), bs=256, device='cpu')
    plain = train_model(model, trn, val, BasicOptim(model.parameters(), 1.0), 3)
    for device in (None, 'auto', 'cpu'):
        assert no_time(run_training(epochs=3, data=mnist, device=device)['history']) == no_time(plain)
    assert no_time(run_training(epochs=3, data=mnist, loop='learner', device='cpu')['history']) == no_time(plain)

def test_thread_choice_does_not_change_results(mnist):
    a = run_training(epochs=2, data=mnist, threads=1)['history']
    b = run_training(epochs=2, data=mnist, threads=2)['history']
    for ra, rb in zip(a, b): assert ra['accuracy'] == pytest.approx(rb['accuracy'], abs=1e-6)
    assert torch.get_num_threads() >= 1
