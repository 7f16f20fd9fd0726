"""Where a user waits: sgd7_nb's training loops against the fastest correct loop, and start-up.

1. Loops (MNIST 3 vs 7, batch size 256, one thread). For `linear` and `simple_net`, one
   epoch (train + validate) timed seven ways over the same tensors:

     floor            the analytic gradient, written out: no autograd at all
     bare loop        the fastest correct loop we could write: raw weight tensors laid out
                      (in, out) so `addmm` needs no transpose, autograd, each batch gathered
                      into a buffer made once, one in-place update per tensor under no_grad,
                      the loss summed in place, the validation set in one call: the base
                      every ratio is taken against
     train_model      sgd7_nb's loop with BasicOptim and TensorLoader
     make_learner     sgd7_nb's QuickLearner + QuickSGD over tensor_dls, quiet
     fastai Learner   fastai's own Learner and SGD over tensor_dls, quiet
     book Learner     fastai's Learner over the book's DataLoader(list(zip(x, y))), quiet

   Before timing, the floor, the bare loop, train_model and make_learner each train one epoch
   from the same weights over the same batches, and must end with the same weights.

2. Deeper models (sgd7_nb.settings.DEEPER_SETTINGS, with the threads the package chooses for
   them): train_model and make_learner against a raw PyTorch loop
   (`torch.optim.SGD`, batches by `index_select`) for the same model on the same tensors.

3. Start-up: `sgd7 train --epochs 1` (scratch and learner loops) against
   `python -c "import torch"`, as whole commands, taking turns.

Every way runs a warm-up epoch, then `--epochs` timed epochs, `--repeats` times; the ways take
turns within each repeat, so that a busy spell slows them all alike. An epoch is timed in CPU
seconds, this process's time (all its threads), which other programs on the machine change far
less than the wall clock; start-up is timed by the wall clock, as a user waits for it. Reported:
min and median seconds per epoch, and the median's ratio to the base, with PASS/FAIL against the
targets:

    make_learner <= 1.5x the bare loop (linear), <= 1.3x (simple_net)
    train_model and make_learner <= 1.2x the raw PyTorch loop (deeper models)
    sgd7 train --epochs 1 --loop scratch <= import torch + 1.0 s

The tables are printed as Markdown and written to bench/train_speed.md; the exit status is 1
when a target is missed.

    python bench/train_speed.py [--epochs 8] [--repeats 5] [--starts 7] [--only loops,deeper,startup]
"""
import argparse, contextlib, io, os, statistics, subprocess, sys, tempfile, time, warnings
from pathlib import Path

import torch
from torch import nn

from sgd7_nb.notebook import JIT_NOTICE
warnings.filterwarnings('ignore', message=JIT_NOTICE)   # PyTorch's notice when fastai is imported

SEED, BS = 42, 256
LOOP_TARGETS = {('linear', 'make_learner'): 1.5, ('simple_net', 'make_learner'): 1.3}
DEEP_TARGET, START_TARGET = 1.2, 1.0   # x the raw PyTorch loop; seconds over `import torch`

# ---------------------------------------------------------------- the hand-written lower bounds

def mnist_loss(out, y):
    "The book's loss, inline: the lower bounds depend on nothing in the package."
    p = out.sigmoid()
    return torch.where(y == 1, 1 - p, p).mean()

def raw_params(model) -> list:
    "`model`'s linear layers as raw contiguous tensors [w1 (in, out), b1, w2, b2, ...]: no transposes."
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    # a (784, 1) weight kept as the transpose of (1, 784) keeps its strides, and addmm treats it as
    # transposed: contiguous_format lays each one out as the (in, out) matrix addmm wants
    return [t.detach().clone(memory_format=torch.contiguous_format)
            for l in layers for t in (l.weight.t(), l.bias)]

def forward(ps, x, keep=None):
    "Linear layers with a ReLU between them; `keep` collects (input, pre-activation) per layer."
    for i in range(0, len(ps), 2):
        if i: x = x.relu()
        z = torch.addmm(ps[i + 1], x, ps[i])
        if keep is not None: keep.append((x, z))
        x = z
    return x

def validate(ps, data):
    "Validation loss and accuracy of the whole set in one call: no batches to loop over."
    with torch.inference_mode():
        out = forward(ps, data.valid_x)
        right = ((out > 0).float() == data.valid_y).float().mean()
        return mnist_loss(out, data.valid_y).item(), right.item()

def batches(data, epoch_seed):
    "A TensorLoader's order: one generator seeded once, a fresh permutation per epoch."
    gen, n = torch.Generator().manual_seed(epoch_seed), len(data.train_x)
    while True:
        order = torch.randperm(n, generator=gen)
        yield [order[i:i + BS] for i in range(0, n, BS)]

def batch_buffers(x, y):
    "Gather each batch into buffers made once per batch size: no new tensors per batch."
    bufs = {}
    def take(idx):
        k = len(idx)
        if k not in bufs: bufs[k] = x.new_empty(k, *x.shape[1:]), y.new_empty(k, *y.shape[1:])
        xb, yb = bufs[k]
        return torch.index_select(x, 0, idx, out=xb), torch.index_select(y, 0, idx, out=yb)
    return take

def bare_loop(name, data, epochs, stamp, lr):
    "Autograd on raw contiguous tensors, batches gathered into buffers, fused in-place updates."
    from sgd7_nb.deeper import make_model
    ps = [p.requires_grad_() for p in raw_params(make_model(name, seed=SEED, device='cpu'))]
    x, orders, take = data.train_x, batches(data, SEED), batch_buffers(data.train_x, data.train_y)
    history = []
    for _ in range(epochs):
        total = torch.zeros(())
        for idx in next(orders):
            xb, yb = take(idx)
            loss = mnist_loss(forward(ps, xb), yb)
            loss.backward()
            with torch.no_grad():
                for p in ps: p.sub_(p.grad, alpha=lr); p.grad = None   # one op per tensor
                total.add_(loss, alpha=len(xb))
        history.append(((total / len(x)).item(), *validate(ps, data)))
        stamp()
    return ps

def floor_loop(name, data, epochs, stamp, lr):
    "The analytic gradient of the loss, written out: no autograd, the least work there is."
    from sgd7_nb.deeper import make_model
    ps = raw_params(make_model(name, seed=SEED, device='cpu'))
    x, orders, take = data.train_x, batches(data, SEED), batch_buffers(data.train_x, data.train_y)
    history = []
    for _ in range(epochs):
        total = torch.zeros(())
        for idx in next(orders):
            (xb, yb), keep = take(idx), []
            p = forward(ps, xb, keep).sigmoid()
            total.add_(torch.where(yb == 1, 1 - p, p).sum())
            dz = torch.where(yb == 1, -1., 1.) * p * (1 - p) / len(xb)   # d loss / d output
            grads = []
            for i in reversed(range(len(keep))):
                inp, _ = keep[i]
                grads[:0] = [inp.t() @ dz, dz.sum(0)]
                if i: dz = (dz @ ps[2 * i].t()) * (keep[i - 1][1] > 0)   # through the ReLU
            for q, g in zip(ps, grads): q.sub_(g, alpha=lr)
        history.append(((total / len(x)).item(), *validate(ps, data)))
        stamp()
    return ps

# ---------------------------------------------------------------- the package's ways, and fastai's

def train_model_loop(name, data, epochs, stamp, lr):
    "sgd7_nb's train_model with BasicOptim over TensorLoaders."
    from sgd7_nb.dataloader import TensorLoader
    from sgd7_nb.deeper import make_model
    from sgd7_nb.optim import BasicOptim
    from sgd7_nb.training import train_model
    model = make_model(name, seed=SEED, device='cpu')
    trn = TensorLoader(data.train_x, data.train_y, bs=BS, shuffle=True, seed=SEED, device='cpu')
    vld = TensorLoader(data.valid_x, data.valid_y, bs=BS, device='cpu')
    train_model(model, trn, vld, BasicOptim(model.parameters(), lr), epochs, on_epoch=lambda r: stamp())
    return raw_params(model)

def learner_loop(kind):
    "A fit by make_learner ('quick'), fastai's own Learner ('fastai') or the book's ('book')."
    def run(name, data, epochs, stamp, lr):
        from fastai.callback.core import Callback
        from sgd7_nb.dataloader import book_dls, tensor_dls
        from sgd7_nb.quick_learner import make_learner
        from sgd7_nb.deeper import make_model
        class Stamp(Callback):
            order = 100   # after every other callback's end-of-epoch work
            def after_epoch(self): stamp()
        model = make_model(name, seed=SEED, device='cpu')
        dls = (book_dls(data, bs=BS, device='cpu') if kind == 'book' else
               tensor_dls(data, bs=BS, seed=SEED, device='cpu'))
        learn = make_learner(dls, model, lr, quiet=True, quick=kind == 'quick')
        learn.fit(epochs, cbs=Stamp())
        return raw_params(model)
    return run

LOOP_WAYS = {'floor (analytic gradient)': floor_loop, 'bare loop': bare_loop,
             'train_model + TensorLoader': train_model_loop,
             'make_learner + tensor_dls': learner_loop('quick'),
             "fastai's Learner + tensor_dls": learner_loop('fastai'),
             "the book's Learner + DataLoader": learner_loop('book')}
SHORT = {'make_learner + tensor_dls': 'make_learner'}
SAME_STEPS = list(LOOP_WAYS)[:4]   # the ways that share weights and batch order

# ---------------------------------------------------------------- timing and tables

def time_epochs(run, epochs, *args) -> list:
    "A warm-up epoch and `epochs` timed ones; the CPU seconds of each timed epoch."
    stamps = []
    run(*args, epochs + 1, lambda: stamps.append(time.process_time()))
    return [b - a for a, b in zip(stamps, stamps[1:])]

def table(title, rows, unit='CPU s/epoch') -> list:
    "Markdown lines: way, min, median, ratio to the base, target and verdict."
    out = [f'\n**{title}**\n', f'| way | min {unit} | median {unit} | x base | target |',
           '|---|---:|---:|---:|---|']
    for way, ts, ratio, target in rows:
        verdict = '' if target is None else f"<= {target} {'PASS' if ratio <= target else 'FAIL'}"
        out.append(f'| {way} | {min(ts):.4f} | {statistics.median(ts):.4f} | {ratio:.2f} | {verdict} |')
    return out

def same_steps(name, data, lr) -> str:
    "Train one epoch each way from the same start; the largest weight difference to the bare loop."
    final = {w: torch.cat([p.detach().flatten() for p in LOOP_WAYS[w](name, data, 1, lambda: None, lr)])
             for w in SAME_STEPS}
    diffs = {w: (final[w] - final['bare loop']).abs().max().item() for w in SAME_STEPS}
    bad = {w: d for w, d in diffs.items() if d > 1e-4}
    if bad: raise SystemExit(f'{name}: these ways do not take the bare loop\'s steps: {bad}')
    return f"same steps after one epoch: largest weight difference {max(diffs.values()):.1e}"

def loops(args, data, lines, failed):
    from sgd7_nb.settings import seed_settings
    torch.set_num_threads(1)
    for name in ('linear', 'simple_net'):
        lr = seed_settings('mnist', name)['lr']
        note = same_steps(name, data, lr)
        times = {w: [] for w in LOOP_WAYS}
        for _ in range(args.repeats):
            for w, run in LOOP_WAYS.items():
                times[w] += time_epochs(lambda e, s: run(name, data, e, s, lr), args.epochs)
        base = statistics.median(times['bare loop'])
        rows = []
        for w, ts in times.items():
            ratio, target = statistics.median(ts) / base, LOOP_TARGETS.get((name, SHORT.get(w, w)))
            if target is not None and ratio > target: failed.append(f'{name}: {w} {ratio:.2f}x')
            rows.append((w, ts, ratio, target))
        lines += table(f'{name}, MNIST 3 vs 7, lr {lr:g}, 1 thread; {note}', rows)

# ---------------------------------------------------------------- deeper models

def raw_torch_loop(name, data, epochs, stamp, lr, loss_func):
    "Plain PyTorch: the model, torch.optim.SGD, batches by index_select, batched validation."
    from sgd7_nb.deeper import make_model
    model = make_model(name, seed=SEED, device='cpu')
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x, y, orders = data.train_x, data.train_y, batches(data, SEED)
    for _ in range(epochs):
        model.train()
        for idx in next(orders):
            loss = loss_func(model(x.index_select(0, idx)), y.index_select(0, idx))
            loss.backward(); opt.step(); opt.zero_grad()
        model.eval()
        with torch.no_grad():
            for i in range(0, len(data.valid_x), BS): loss_func(model(data.valid_x[i:i + BS]), data.valid_y[i:i + BS])
        stamp()

def deeper(args, data, lines, failed):
    from sgd7_nb.threads import threads_for
    from sgd7_nb.deeper import make_model
    from sgd7_nb.settings import DEEPER_SETTINGS, seed_settings
    from sgd7_nb.loss import mnist_loss as loss_func
    # resnet18's epoch takes seconds of a CPU: its overhead ratio is smaller still, and not timed here
    names = [m for m in dict.fromkeys(k[1] for k in DEEPER_SETTINGS) if m != 'resnet18']
    if not names: lines.append('\n(no deeper models in this version)'); return
    for name in names:
        lr = seed_settings('mnist', name)['lr']
        torch.set_num_threads(args.default_threads)   # PyTorch's own choice, which threads_for keeps
        threads = threads_for(make_model(name, device='cpu'))
        torch.set_num_threads(threads)
        ways = {'raw PyTorch loop': lambda e, s: raw_torch_loop(name, data, e, s, lr, loss_func),
                'train_model + TensorLoader': lambda e, s: train_model_loop(name, data, e, s, lr),
                'make_learner + tensor_dls': lambda e, s: learner_loop('quick')(name, data, e, s, lr)}
        times = {w: [] for w in ways}
        for _ in range(args.deep_repeats):
            for w, run in ways.items(): times[w] += time_epochs(run, args.deep_epochs)
        base = statistics.median(times['raw PyTorch loop'])
        rows = []
        for w, ts in times.items():
            ratio = statistics.median(ts) / base
            target = None if w == 'raw PyTorch loop' else DEEP_TARGET
            if target is not None and ratio > target: failed.append(f'{name}: {w} {ratio:.2f}x')
            rows.append((w, ts, ratio, target))
        lines += table(f'{name}, MNIST 3 vs 7, lr {lr:g}, {threads} threads', rows)
    torch.set_num_threads(1)

# ---------------------------------------------------------------- start-up

def startup(args, lines, failed):
    "Whole commands, taking turns: `import torch`, then `sgd7 train --epochs 1` with each loop."
    sgd7 = Path(sys.executable).with_name('sgd7')
    if not sgd7.exists(): lines.append('\n(start-up: no sgd7 command beside this Python)'); return
    out = Path(tempfile.mkdtemp(prefix='sgd7-bench-'))
    commands = {'python -c "import torch"': [sys.executable, '-c', 'import torch'],
                'sgd7 train --epochs 1 --loop scratch': [str(sgd7), 'train', '--epochs', '1', '--loop', 'scratch'],
                'sgd7 train --epochs 1 --loop learner': [str(sgd7), 'train', '--epochs', '1', '--loop', 'learner']}
    times = {c: [] for c in commands}
    for i in range(args.starts + 1):   # the first round warms the caches and is not counted
        for c, argv in commands.items():
            extra = ['--out', str(out/'run'), '--overwrite'] if argv[0] == str(sgd7) else []
            start = time.perf_counter()
            subprocess.run(argv + extra, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i: times[c].append(time.perf_counter() - start)
    torch_s = statistics.median(times['python -c "import torch"'])
    lines += [f'\n**Start-up, whole commands, {args.starts} turns each (wall-clock seconds)**\n',
              '| command | min | median | over `import torch` | target |', '|---|---:|---:|---:|---|']
    for c, ts in times.items():
        over = statistics.median(ts) - torch_s
        target = START_TARGET if 'scratch' in c else None
        if target is not None and over > target: failed.append(f'{c}: +{over:.2f} s')
        verdict = '' if target is None else f"<= +{target} s {'PASS' if over <= target else 'FAIL'}"
        lines.append(f'| `{c}` | {min(ts):.2f} | {statistics.median(ts):.2f} | +{over:.2f} | {verdict} |')

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=8, help='timed epochs per repeat, loops')
    p.add_argument('--repeats', type=int, default=5, help='turns per way, loops')
    p.add_argument('--deep-epochs', type=int, default=1, help='timed epochs per repeat, deeper models')
    p.add_argument('--deep-repeats', type=int, default=3, help='turns per way, deeper models')
    p.add_argument('--starts', type=int, default=7, help='turns per command, start-up')
    p.add_argument('--only', default='loops,deeper,startup', help='which parts, comma-separated')
    p.add_argument('--out', default=str(Path(__file__).with_name('train_speed.md')), help='the Markdown file')
    args = p.parse_args(argv)
    parts, args.default_threads = set(args.only.split(',')), torch.get_num_threads()
    from sgd7_nb.data import two_class_data
    data = two_class_data('mnist', device='cpu') if parts & {'loops', 'deeper'} else None
    lines, failed, load = [], [], os.getloadavg()[0]
    if 'loops' in parts: loops(args, data, lines, failed)
    if 'deeper' in parts: deeper(args, data, lines, failed)
    if 'startup' in parts: startup(args, lines, failed)
    # how busy the machine was: other programs slow the wall clock most, CPU seconds less
    lines[:0] = [f'Measured {time.strftime("%Y-%m-%d")} by `python bench/train_speed.py`; '
                 f'{os.cpu_count()} CPU cores, PyTorch {torch.__version__}; one-minute load average '
                 f'{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.']
    lines.append('\n' + ('All targets met.' if not failed else 'Missed: ' + '; '.join(failed)))
    text = '\n'.join(lines) + '\n'
    print(text)
    Path(args.out).write_text(text)
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
