"""How much do the package's training loops cost over the cheapest loop PyTorch allows?

Times one epoch (train + validate) of MNIST 3 vs 7 with a linear model, batch size 256, five ways:

  raw                  batches by index from a permutation, torch.optim.SGD, written out below: the lower bound
  hand + TensorLoader  sgd7_nb's train_model + BasicOptim, batches from TensorLoader
  hand + DataLoader    the same loop, batches from fastai's DataLoader over list(zip(x, y)) (the book's way)
  Learner + TensorLoader, Learner + DataLoader   fastai's Learner.fit over tensor_dls / book_dls

make_learner builds a QuickLearner: fastai's Learner, offering each event only to the callbacks that
handle it, without CastToTensor for TensorLoader batches. With --explain (or when a Learner target is
missed) it is timed again with bars and table on, and as fastai's plain Learner, to show where time goes.

Each way runs a warm-up epoch first, then `--epochs` timed epochs, `--repeats` times; the ways take turns
within each repeat, so a busy machine slows them all alike. Reported: the median seconds per epoch and
its ratio to the lower bound, with PASS/FAIL against the targets (hand loop <= 1.3x, Learner <= 2x).

    python bench/train_speed.py [--epochs 8] [--repeats 5] [--threads 1] [--explain auto|yes|no]
"""
import argparse, contextlib, io, statistics, time, warnings
warnings.filterwarnings('ignore', message='.*torch.jit.script.* is deprecated', category=FutureWarning)  # from fastai's import

import torch
from torch import nn

TARGETS = {'hand + TensorLoader': 1.3, 'Learner + TensorLoader': 2.0}

def mnist_loss(preds, targs):
    "The book's loss on raw outputs, written inline so the lower bound depends on nothing in the package."
    p = preds.sigmoid()
    return torch.where(targs == 1, 1 - p, p).mean()

def raw_loop(data, epochs, lr=1.0, bs=256, stamp=None):
    "The lower bound: shuffle by a random permutation, slice batches by index, step torch.optim.SGD."
    model = nn.Linear(784, 1).to(data.train_x.device)   # where the data is: a GPU when there is one
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y, vx, vy = data.train_x, data.train_y, data.valid_x, data.valid_y
    for _ in range(epochs):
        perm = torch.randperm(len(x), device=x.device)
        for i in range(0, len(x), bs):
            idx = perm[i:i + bs]  # index_select is the cheapest gather; x[idx] costs ~3x more on CPU
            loss = mnist_loss(model(x.index_select(0, idx)), y.index_select(0, idx))
            loss.backward(); opt.step(); opt.zero_grad()
        with torch.no_grad():  # validation in one pass over the whole set: the cheapest way
            out = model(vx)
            valid_loss, acc = mnist_loss(out, vy).item(), ((out > 0).float() == vy).float().mean().item()
        stamp()

def hand_loop(loader):
    "sgd7_nb's own loop: train_model + BasicOptim over batches from `loader` ('tensor' or 'fastai')."
    def run(data, epochs, stamp, lr=1.0, bs=256):
        from sgd7_nb.training import train_model
        from sgd7_nb.optim import BasicOptim
        from sgd7_nb.neural_net import make_model
        from sgd7_nb.dataloader import TensorLoader, tensor_dls, book_dls
        if loader == 'tensor':
            trn = TensorLoader(data.train_x, data.train_y, bs=bs, shuffle=True)
            vld = TensorLoader(data.valid_x, data.valid_y, bs=bs)
        else:
            dls = book_dls(data, bs=bs); trn, vld = dls.train, dls.valid
        model = make_model('linear')
        train_model(model, trn, vld, BasicOptim(model.parameters(), lr), epochs, on_epoch=lambda row: stamp())
    return run

def learner_loop(loader, variant='quiet'):
    """fastai's Learner.fit, as sgd7_nb.learner.make_learner sets it up, over tensor_dls or book_dls.
    `variant`: 'quiet' (make_learner(quiet=True): a QuickLearner, no bars, no table), 'bars' (the same with
    bars and table drawn to a discarded stream), 'plain' (quiet, but fastai's own Learner: quick=False)."""
    def run(data, epochs, stamp, lr=1.0, bs=256):
        from fastai.callback.core import Callback
        from sgd7_nb.learner import make_learner
        from sgd7_nb.neural_net import make_model
        from sgd7_nb.dataloader import tensor_dls, book_dls
        dls = tensor_dls(data, bs=bs) if loader == 'tensor' else book_dls(data, bs=bs)
        class Stamp(Callback):
            order = 100  # after the recorder and the progress bar have done their end-of-epoch work
            def after_epoch(self): stamp()
        learn = make_learner(dls, make_model('linear'), lr, quiet=variant != 'bars', quick=variant != 'plain')
        if variant == 'bars':
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                learn.fit(epochs, cbs=Stamp())
        else: learn.fit(epochs, cbs=Stamp())
    return run

WAYS = {'raw': lambda data, epochs, stamp: raw_loop(data, epochs, stamp=stamp),
        'hand + TensorLoader': hand_loop('tensor'),
        'hand + DataLoader': hand_loop('fastai'),
        'Learner + TensorLoader': learner_loop('tensor'),
        'Learner + DataLoader': learner_loop('fastai')}

# Where the Learner's time goes: the same run with parts of fastai's machinery added or taken away.
EXPLAIN = {'Learner + TensorLoader, bars and table': learner_loop('tensor', 'bars'),
           "Learner + TensorLoader, fastai's plain Learner": learner_loop('tensor', 'plain')}

def time_epochs(run, data, epochs) -> list:
    "Run a warm-up epoch plus `epochs` timed ones; return the seconds of each timed epoch."
    stamps = []
    def stamp(): stamps.append(time.perf_counter())
    run(data, epochs + 1, stamp)
    return [b - a for a, b in zip(stamps, stamps[1:])]  # the first interval starts after the warm-up epoch

def report(times, base, title):
    print(f"\n{title}\n\n| {'way':<48} | {'s/epoch':>8} | {'x raw':>6} | target |")
    print(f"|{'-' * 50}|{'-' * 9}:|{'-' * 7}:|--------|")
    verdicts = {}
    for w, ts in times.items():
        med = statistics.median(ts)
        ratio = med / base
        target = TARGETS.get(w)
        if target is not None: verdicts[w] = ratio <= target
        verdict = '' if target is None else f"<= {target}x {'PASS' if ratio <= target else 'FAIL'}"
        print(f'| {w:<48} | {med:8.4f} | {ratio:6.2f} | {verdict} |')
    return verdicts

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=8, help='timed epochs per repeat (after one warm-up epoch)')
    p.add_argument('--repeats', type=int, default=5, help='times each way is run')
    p.add_argument('--threads', type=int, default=1, help='torch.set_num_threads (fixed, for steady timings)')
    p.add_argument('--explain', choices=('auto', 'yes', 'no'), default='auto',
                   help="time the Learner's variants too (auto: when a Learner target fails)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    from sgd7_nb.data import two_class_data
    data = two_class_data('mnist')

    def measure(ways):
        times = {w: [] for w in ['raw', *ways]}
        for _ in range(args.repeats):  # the ways take turns, so that a busy spell slows them all alike
            for w in times: times[w] += time_epochs({**WAYS, **EXPLAIN}[w], data, args.epochs)
        return times

    times = measure([w for w in WAYS if w != 'raw'])
    base = statistics.median(times['raw'])
    print(f'MNIST 3 vs 7, linear, bs 256, {args.threads} thread(s): median seconds per epoch (train + validate) '
          f'over {args.epochs} epochs x {args.repeats} repeats, after a warm-up epoch')
    ok = report(times, base, 'Loops')
    if args.explain == 'yes' or (args.explain == 'auto' and not ok['Learner + TensorLoader']):
        times = measure(['Learner + TensorLoader', *EXPLAIN])
        report(times, statistics.median(times['raw']), "Where the Learner's time goes (measured again, with its own lower bound)")

if __name__ == '__main__': main()
