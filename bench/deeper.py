"""The going-further models at their settings, over several seeds: the small CNN and resnet18 on both
data sets, by `run_training` (the function behind `sgd7 train`); the CNN with the three tools of
`train_one_cycle` (binary cross-entropy, Adam in one cycle, mirrored clothes, shifted images), one tool at a time, and
resnet18 the same way; and the book's resnet18 recipe.

Prints a markdown table and writes bench/deeper.md.

    python bench/deeper.py [--seeds 5] [--resnet]
"""
import argparse, os, statistics, time, warnings
from sgd7_nb.notebook import JIT_NOTICE
warnings.filterwarnings('ignore', message=JIT_NOTICE)
from pathlib import Path

FIRST_SEED = 42
NAMES = {'mnist': 'MNIST 3 vs 7', 'fashion': 'Fashion dress vs pullover'}
BOOK = {'mnist': 99.7}   # the book's resnet18, one epoch, on a GPU
CONDITIONS = ('one run at a time, each on the threads the package chooses (`threads_for`: every core for '
              "the CNN and resnet18; the book's recipe on PyTorch's default, also every core). Seconds "
              'per run are wall-clock seconds.')

def row(name, model, loop, epochs, lr, accs, secs, book=None):
    "One markdown row: mean ± std, min – max, and seconds per run."
    a = [100 * x for x in accs]
    sd = statistics.stdev(a) if len(a) > 1 else 0.
    fig = f'{book:.2f}%' if book else '–'
    return (f'| {name} | {model} | {loop} | {epochs} | {lr:g} | {fig} | {statistics.mean(a):.2f}% ± {sd:.2f} '
            f'| {min(a):.2f} – {max(a):.2f} | {statistics.mean(secs):.0f} s |')

CYCLE_ROWS = (  # data set, model, epochs, peak lr, batch size, mirrored, max shift, loss, with TTA
    ('fashion', 'cnn', 20, 1e-2, 256, True, 1, 'binary_cross_entropy', False),
    ('fashion', 'cnn', 20, 1e-2, 256, True, 1, 'binary_cross_entropy', True),
    ('fashion', 'cnn', 20, 1e-2, 256, True, 1, 'mnist_loss', False),
    ('fashion', 'cnn', 20, 1e-2, 256, False, 1, 'binary_cross_entropy', False),
    ('fashion', 'cnn', 20, 1e-2, 256, True, 0, 'binary_cross_entropy', False),
    ('mnist', 'cnn', 20, 1e-2, 256, False, 1, 'binary_cross_entropy', False),
    ('mnist', 'resnet18', 1, 1e-2, 64, False, 1, 'binary_cross_entropy', False),
    ('fashion', 'resnet18', 1, 1e-2, 64, True, 1, 'binary_cross_entropy', True))

def cycle_rows(seeds) -> list:
    "Rows of `train_one_cycle`, each tool on or off; a TTA row reuses the runs before it."
    from sgd7_nb import deeper, loss
    from sgd7_nb.runs import load_data
    lines, runs = [], {}
    for d, m, epochs, lr, bs, mirrored, max_shift, lf, tta in CYCLE_ROWS:
        data, accs, secs = load_data(d), [], []
        for seed in seeds:
            key = d, m, mirrored, max_shift, lf, seed
            if key not in runs:
                t = time.perf_counter()
                model, h = deeper.train_one_cycle(data, m, epochs, lr, seed, mirrored,
                                                  getattr(deeper, lf, None) or getattr(loss, lf), bs,
                                                  max_shift=max_shift)
                runs[key] = model, h[-1]['accuracy'], time.perf_counter() - t
            model, acc, sec = runs[key]
            if tta: acc = loss.batch_accuracy(deeper.tta_logits(model, data.valid_x), data.valid_y).item()
            accs.append(acc); secs.append(sec)
            print(f'{d:8} {m} one cycle {lf} mirrored={mirrored} shift={max_shift} tta={tta} seed {seed}: '
                  f'{100 * acc:.2f}%', flush=True)
        how = (f"`train_one_cycle`, bs {bs}: `{lf}`{', mirrored' if mirrored else ''}"
               f"{', shifted' if max_shift else ''}{', + TTA' if tta else ''}")
        lines.append(row(NAMES[d], m, how, epochs, lr, accs, secs, BOOK.get(d) if m == 'resnet18' else None))
    return lines

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, default=5, help='seeds per row (from 42 up)')
    p.add_argument('--resnet', action='store_true', help="also the book's resnet18 (minutes per run on a CPU)")
    args = p.parse_args(argv)
    from sgd7_nb.runs import run_training
    from sgd7_nb.settings import DEEPER_SETTINGS
    seeds = list(range(FIRST_SEED, FIRST_SEED + args.seeds))
    lines = ['| data set | model | loop | epochs | lr | book | sgd7_nb, mean ± std | min – max | s per run (wall) |',
             '|---|---|---|---:|---:|---:|---:|---:|---:|']
    start = time.time()
    for (d, m), s in DEEPER_SETTINGS.items():
        accs, secs = [], []
        for seed in seeds:
            r = run_training(d, model=m, loop='scratch', seed=seed)
            accs.append(r['accuracy']); secs.append(r['seconds'])
            print(f'{d:8} {m} scratch seed {seed}: {100 * r["accuracy"]:.2f}% ({r["seconds"]:.1f} s)', flush=True)
        lines.append(row(NAMES[d], m, 'scratch', s['epochs'], s['lr'], accs, secs,
                         BOOK.get(d) if m == 'resnet18' else None))
    lines += cycle_rows(seeds)
    if args.resnet:
        from sgd7_nb.deeper import book_learner
        accs, secs = [], []
        for seed in seeds:
            t = time.perf_counter(); learn = book_learner(seed=seed); learn.fit_one_cycle(1, 0.1)
            accs.append(float(learn.recorder.values[-1][2])); secs.append(time.perf_counter() - t)
            print(f'mnist resnet18 book seed {seed}: {100 * accs[-1]:.2f}% ({secs[-1]:.0f} s)', flush=True)
        lines.append(row(NAMES['mnist'], 'resnet18 (book)', 'fit_one_cycle', 1, 0.1, accs, secs, BOOK['mnist']))
    md = '\n'.join(lines)
    text = (f'# Going further\n\nFinal validation accuracy over {len(seeds)} seeds ({seeds[0]}–{seeds[-1]}), '
            f'on a CPU ({os.cpu_count()} cores), {CONDITIONS} Generated by `python bench/deeper.py`.\n\n'
            + md + '\n')
    (Path(__file__).parent/'deeper.md').write_text(text)
    print('\n' + md + f'\n\n({time.time() - start:.0f} s; written to bench/deeper.md)')

if __name__ == '__main__': main()
