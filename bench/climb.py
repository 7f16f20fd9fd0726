"""How far the seven steps go: the ten-class page's small ResNet and its recipe, each tool left out in turn.

All ten Fashion-MNIST classes, 60,000 training images, measured on the 10,000 test images. Every row is
`train_one_cycle` (Adam in one cycle, at TEN_ONE_CYCLE_SETTINGS' epochs, learning rate and batch size)
with the ten-class page's `climb_parts`, and each row after the first changes one thing:

    recipe          the small ResNet, label smoothing (eps 0.1), the training images as they are
    augmented       the same with shifted and mirrored training images (`augment=True`), and + TTA:
                    the same runs, each test image averaged with its mirror (tta_logits)
    no-smoothing    plain cross-entropy (`eps=0`)
    cnn             going deeper's small CNN instead of the ResNet

One run at a time, on every core, as a learner runs it; seconds are wall-clock, with CPU seconds (all
threads) beside them. The recipe's five-seed figures for the README come from `bench/results.py`
(`--parts 'how far'`); this script gives the rows that leave a tool out, over `--seeds` seeds (the ResNet
runs take minutes each on a CPU) and `--cnn-seeds` for the CNN.

Prints a markdown table and writes bench/climb.md after every row.

    python bench/climb.py [--seeds 1] [--cnn-seeds 5] [--ways augmented,no-smoothing,cnn]
"""
import argparse, os, statistics, time, warnings
from sgd7_nb.notebook import JIT_NOTICE
warnings.filterwarnings('ignore', message=JIT_NOTICE)
from pathlib import Path

FIRST_SEED = 42
WAYS = {'recipe': dict(model='resnet'), 'augmented': dict(model='resnet', augment=True),
        'no-smoothing': dict(model='resnet', eps=0.), 'cnn': dict(model='cnn')}
NAMES = {'recipe': 'small ResNet, the recipe', 'augmented': 'small ResNet, shifted and mirrored images',
         'no-smoothing': 'small ResNet, no label smoothing', 'cnn': 'small CNN, the recipe'}

def one_run(data, way, seed):
    "Train one way with one seed; its accuracy, with TTA, and its wall and CPU seconds."
    from sgd7_nb.deeper import train_one_cycle, tta_logits
    from sgd7_nb.multiclass import accuracy, climb_parts
    from sgd7_nb.settings import TEN_ONE_CYCLE_SETTINGS
    w, s = dict(WAYS[way]), TEN_ONE_CYCLE_SETTINGS['resnet']
    images, kw = climb_parts(**{k: v for k, v in w.items() if k != 'model'})
    wall, cpu = time.perf_counter(), time.process_time()
    model, h = train_one_cycle(data, w['model'], s['epochs'], s['lr'], seed, bs=s['bs'],
                               threads=os.cpu_count(), **images, **kw)
    tta = accuracy(tta_logits(model, data.valid_x), data.valid_y).item()
    return h[-1]['accuracy'], tta, time.perf_counter() - wall, time.process_time() - cpu

def row(name, accs, s, walls, cpus) -> str:
    "One markdown row: what, seeds, mean ± std and min – max (or the one run), seconds."
    a = [100 * x for x in accs]
    fig = (f'{statistics.mean(a):.2f}% ± {statistics.stdev(a):.2f} | {min(a):.2f} – {max(a):.2f}' if len(a) > 1
           else f'{a[0]:.2f}% (one run) | –')
    return (f"| {name} | {len(a)} | {s['epochs']} | {s['lr']:g} | {fig} "
            f"| {statistics.mean(walls):.0f} ({statistics.mean(cpus):.0f}) |")

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, default=1, help='seeds for the ResNet rows (minutes per run)')
    p.add_argument('--cnn-seeds', type=int, default=5, help='seeds for the CNN row')
    p.add_argument('--ways', default='augmented,no-smoothing,cnn',
                   help='which rows, comma-separated: ' + ', '.join(WAYS))
    args = p.parse_args(argv)
    import torch
    from sgd7_nb.multiclass import ten_class_data
    from sgd7_nb.settings import TEN_ONE_CYCLE_SETTINGS
    torch.set_num_threads(os.cpu_count())
    data, s = ten_class_data('fashion', device='cpu'), TEN_ONE_CYCLE_SETTINGS['resnet']
    lines = ['| model and images | seeds | epochs | peak lr | mean ± std | min – max | wall s per run (CPU s) |',
             '|---|---:|---:|---:|---:|---:|---:|']
    start = time.time()
    for way in args.ways.split(','):
        n = args.cnn_seeds if way == 'cnn' else args.seeds
        runs = [one_run(data, way, seed) for seed in range(FIRST_SEED, FIRST_SEED + n)]
        for seed, r in zip(range(FIRST_SEED, FIRST_SEED + n), runs):
            print(f'{way} seed {seed}: {100 * r[0]:.2f}%, TTA {100 * r[1]:.2f}% ({r[2]:.0f} s)', flush=True)
        acc, tta, walls, cpus = map(list, zip(*runs))
        lines.append(row(NAMES[way], acc, s, walls, cpus))
        if WAYS[way].get('augment'):   # only a model trained on mirrors gains from testing them
            lines.append(row(NAMES[way] + ', + TTA', tta, s, walls, cpus))
        text = ('# How far: the ten-class ResNet, one change at a time\n\nFashion-MNIST, all ten classes: final '
                f'accuracy on the 10,000 test images, seeds from {FIRST_SEED} up, `train_one_cycle` with '
                f"`climb_parts`, batches of {s['bs']}; one run at a time on a CPU ({os.cpu_count()} cores, "
                f'PyTorch {torch.__version__}), every core; seconds per run are wall-clock, CPU seconds of all '
                f"threads in brackets: training, validation and the mirrored test (+ TTA rows: the same runs). Measured "
                f"{time.strftime('%Y-%m-%d')} by `python bench/climb.py`.\n\n" + '\n'.join(lines) + '\n')
        (Path(__file__).parent/'climb.md').write_text(text)
    print('\n' + '\n'.join(lines) + f'\n\n({time.time() - start:.0f} s; written to bench/climb.md)')

if __name__ == '__main__': main()
