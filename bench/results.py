"""Validation accuracy of every seed row, over several seeds: each data set x model x loop at the seed
articles' settings, the articles' own from-scratch linear model (and the change that makes it reliable),
and the going-deeper CNN.

- Seed rows: each combination in sgd7_nb.settings.SEED_SETTINGS, trained by `run_training` (the function
  behind `sgd7 train`); its linear model is PyTorch's `nn.Linear`, beside the seed article's `nn.Linear`
  run with the same loop.
- From-scratch rows: `train_from_scratch`, the articles' own run (`Linear1Model` with `init_params`, std 1,
  `BasicOptim`, `train_model`), and the same with a smaller starting standard deviation.
- Deeper rows: `run_training(model='cnn')` and `run_training(model='resnet18')` at DEEPER_SETTINGS, beside
  the book's resnet18 figure (the book trained no small CNN), and both with `one_cycle=True`, as
  `train_one_cycle` (binary cross-entropy, Adam in one cycle, images shifted by up to a pixel, clothes
  mirrored), without and with test-time augmentation.
  Slow on a CPU, so they run last; `--no-cnn` leaves them out (they keep their earlier figures).
- Ten-class rows: `run_training('fashion', 'all', model)` for linear, simple_net and the CNN at TEN_SETTINGS
  (cross-entropy, the learning rate falling to 0), on all 60,000 training images and the 10,000 test
  images, beside the going-further targets (the articles trained none); `--no-cnn` leaves them out too.
- How far: the ten-class page's small ResNet, `run_training('fashion', 'all', 'resnet', one_cycle=True)`
  at TEN_ONE_CYCLE_SETTINGS with the ten-class page's `climb_parts` (label smoothing, Adam in one cycle),
  beside course22p2's figures on the same data; one run at a time on every core, as a learner runs it,
  with wall-clock seconds (what the learner waits) as well as CPU seconds.

Every run but the ResNet's has one thread (the workers are the parallelism). Each row gives the mean ± standard deviation
and the range of the final validation accuracy over the seeds, where the seed article's (or the book's)
single run lies against that range (`seed_verdict`: above, within or below it), and the CPU seconds per
run: the process time of the run itself, training and validation, without loading the data or importing
the libraries (each worker does both before its first timed run).

The rows come in three parts, the seed rows (from scratch and seed), going further (deeper and ten-class)
and how far (the ResNet), each with the conditions of the run that measured it. `--parts` measures the
parts it names and keeps the others, figures and conditions, as bench/results.json holds them;
`--no-cnn` measures the seed rows only. The tables are written
to bench/results.md, and every figure with its conditions to bench/results.json (which the README's
results section is made from, by .ci/readme.py), after every group of rows, so an interrupted run still
leaves what it measured.

    python bench/results.py [--seeds 5] [--workers 1] [--no-cnn] [--parts 'seed rows,going further,how far']
"""
import argparse, json, multiprocessing as mp, os, platform, statistics, time, warnings
from sgd7_nb.notebook import JIT_NOTICE
warnings.filterwarnings('ignore', message=JIT_NOTICE)  # from fastai's import
from pathlib import Path

FIRST_SEED = 42  # the seed every notebook uses; the others follow it
NAMES = {'mnist': 'MNIST 3 vs 7', 'fashion': 'Fashion dress vs pullover'}
SHORT_NAMES = {'mnist': 'MNIST 3 vs 7', 'fashion': 'dress vs pullover'}
SCRATCH_STDS = (1.0, 0.3, 0.1)  # the articles' init_params std, and the smaller starts that pass every seed
TEN_TARGETS = {'linear': 84, 'simple_net': 87, 'cnn': 91}  # the going-further floors (%) for ten classes
RESNET_TARGET = 93.4  # course22p2's wider ResNet, 5 epochs (14_augment); its 8-256 channel one: 92.8
BOOK_RESNET = 99.7  # the book's resnet18 on MNIST 3 vs 7, one epoch on a GPU
HERE = Path(__file__).parent

def _warm():
    "Each worker, before its first timed run: one thread, and the libraries every kind of run imports."
    import torch
    torch.set_num_threads(1)  # one thread per worker: the workers are the parallelism
    import fastai.learner, fastai.optimizer, torchvision.models  # the Learner loop's and resnet18's
    from sgd7_nb.notebook import quiet_import
    quiet_import('fastai.vision.learner')  # resnet18's body
    import sgd7_nb.runs, sgd7_nb.deeper, sgd7_nb.multiclass

def _timed(f, *args, **kwargs):
    "f's result, its CPU seconds (this process's time) and its wall seconds."
    cpu, wall = time.process_time(), time.perf_counter()
    r = f(*args, **kwargs)
    return r, time.process_time() - cpu, time.perf_counter() - wall

def train_one(job):
    "Train one job; return the job, its final accuracy, its CPU seconds and its wall seconds."
    from sgd7_nb.runs import load_data, run_training
    kind, d, what, seed = job
    if kind == 'from_scratch':
        from sgd7_nb.seed_rows import train_from_scratch
        data = load_data(d)   # loaded (or remembered) before the clock starts
        (_, hist), cpu, wall = _timed(train_from_scratch, data, std=what, seed=seed, device='cpu')
        return job, hist[-1]['accuracy'], cpu, wall
    classes = 'all' if kind in ('ten', 'resnet') else None
    data = load_data(d, classes)
    if kind == 'resnet':   # as a learner runs it: alone, on every core; one row (no mirrored images)
        import torch
        torch.set_num_threads(os.cpu_count())   # also for the test-time mirroring after training
        try: r, cpu, wall = _timed(run_training, d, 'all', model=what, seed=seed, device='cpu',
                                   one_cycle=True, data=data, threads=os.cpu_count())
        finally: torch.set_num_threads(1)
        return job, r['accuracy'], cpu, wall
    if kind == 'cycle':   # one run, two rows: as trained, and (clothes) with test-time augmentation
        r, cpu, wall = _timed(run_training, d, model=what, seed=seed, device='cpu', one_cycle=True,
                              data=data)
        return job, (r['accuracy'], r.get('tta_accuracy')), cpu, wall
    if kind == 'ten':
        r, cpu, wall = _timed(run_training, d, 'all', model=what, seed=seed, device='cpu', data=data)
        return job, r['accuracy'], cpu, wall
    model, loop = what
    r, cpu, wall = _timed(run_training, d, model=model, loop=loop, seed=seed, device='cpu', data=data)
    return job, r['accuracy'], cpu, wall

def groups(seeds, cnn=True, parts=None) -> dict:
    "Group name -> {row key: [jobs]}, in the order they run; only `parts`' groups if given."
    from sgd7_nb.settings import SEED_SETTINGS, DEEPER_SETTINGS, DATASETS, TEN_ONE_CYCLE_SETTINGS
    g = {'from_scratch': {('from_scratch', d, std): [('from_scratch', d, std, s) for s in seeds]
                          for d in DATASETS for std in SCRATCH_STDS},
         'seed': {('seed', d, (m, l)): [('seed', d, (m, l), s) for s in seeds] for (d, m, l) in SEED_SETTINGS}}
    if cnn:
        g['cnn'] = {('cnn', d, (m, 'scratch')): [('cnn', d, (m, 'scratch'), s) for s in seeds]
                    for (d, m) in DEEPER_SETTINGS}
        # each job fills two rows, (model, 'plain') and (model, 'tta'): the jobs sit under the first
        from sgd7_nb.settings import ONE_CYCLE_SETTINGS
        g['cycle'] = {}
        from sgd7_nb.multiclass import TEN_SETTINGS
        g['ten'] = {('ten', 'fashion', m): [('ten', 'fashion', m, s) for s in seeds] for m in TEN_SETTINGS}
        for d in DATASETS:
            for m in ONE_CYCLE_SETTINGS:
                g['cycle'][('cycle', d, (m, 'plain'))] = [('cycle', d, m, s) for s in seeds]
                if d == 'fashion': g['cycle'][('cycle', d, (m, 'tta'))] = []
        g['resnet'] = {}
        for m in TEN_ONE_CYCLE_SETTINGS:
            g['resnet'][('resnet', 'fashion', m)] = [('resnet', 'fashion', m, s) for s in seeds]
    if parts is not None: g = {k: v for k, v in g.items() if any(k in PARTS[p] for p in parts)}
    return g

def _key(key) -> str:
    "A row key as one string: 'seed/mnist/linear/scratch', 'from_scratch/fashion/0.1', ..."
    kind, d, what = key
    return '/'.join([kind, d] + [f'{w:g}' if isinstance(w, float) else w
                                 for w in (what if isinstance(what, tuple) else (what,))])

def describe(key) -> dict:
    "What a row is: names (long for bench/results.md, short for the README), settings, reference figure."
    from sgd7_nb.settings import SEED_SETTINGS, DEEPER_SETTINGS, ONE_CYCLE_SETTINGS
    kind, d, what = key
    deep_name = lambda m: 'small CNN (`simple_cnn`)' if m == 'cnn' else "resnet18 (fastai's, untrained)"
    deep_short = lambda m: 'small CNN' if m == 'cnn' else 'resnet18, untrained'
    book = dict(reference=BOOK_RESNET, source='book') if d == 'mnist' else dict(reference=None, source=None)
    if kind == 'seed':
        (m, l), s = what, SEED_SETTINGS[d, *what]
        r = dict(model='linear (`nn.Linear`)' if m == 'linear' else m,
                 loop='`train_model`' if l == 'scratch' else 'fastai `Learner`',
                 short_model='linear, `nn.Linear`' if m == 'linear' else m,
                 short_loop='scratch' if l == 'scratch' else 'Learner',
                 reference=s['article'], source=s['source'])
    elif kind == 'from_scratch':
        s = SEED_SETTINGS[d, 'linear', 'scratch']
        articles = what == 1.0   # the articles' own start; the smaller ones have no figure
        r = dict(model=f'linear (`init_params`, std {what:g})', loop='`train_model`, from scratch',
                 short_model=f'linear, `init_params` std {what:g}', short_loop='scratch',
                 reference=s['init_params'] if articles else None, source=s['source'] if articles else None)
    elif kind == 'ten':
        from sgd7_nb.multiclass import TEN_SETTINGS
        s = TEN_SETTINGS[what]
        r = dict(model={'linear': 'linear (`nn.Linear`)', 'cnn': 'small CNN (`simple_cnn`)'}.get(what, what),
                 loop='`train_model`, cross-entropy, lr falling to 0',
                 short_model={'linear': 'linear, `nn.Linear`', 'cnn': 'small CNN'}.get(what, what),
                 short_loop='scratch, lr falling to 0', reference=None, source=None,
                 target=TEN_TARGETS[what])
        return dict(key=_key(key), kind=kind, dataset=d, data_name='Fashion-MNIST, all ten classes',
                    short_data='Fashion, ten classes', epochs=s['epochs'], lr=s['lr'], valid_n=10_000, **r)
    elif kind == 'resnet':
        from sgd7_nb.settings import TEN_ONE_CYCLE_SETTINGS
        s = TEN_ONE_CYCLE_SETTINGS[what]
        r = dict(model='small ResNet (`small_resnet`)', short_model='small ResNet',
                 loop=f"`train_model`, one cycle, bs {s['bs']}, label smoothing (`climb_parts`)",
                 short_loop='one cycle, label smoothing', reference=None, source=None,
                 target=RESNET_TARGET)
        return dict(key=_key(key), kind=kind, dataset=d, data_name='Fashion-MNIST, all ten classes',
                    short_data='Fashion, ten classes', epochs=s['epochs'], lr=s['lr'], valid_n=10_000, **r)
    elif kind == 'cycle':
        m, s = what[0], ONE_CYCLE_SETTINGS[what[0]]
        r = dict(model=deep_name(m), short_model=deep_short(m),
                 loop=(f"`train_model`, one cycle, bs {s['bs']}, shifted" + (', mirrored' if d == 'fashion' else '')
                       + (', + TTA' if what[1] == 'tta' else '')),
                 short_loop=('one cycle' + (f", bs {s['bs']}" if s['bs'] != 256 else '')
                             + (', + TTA' if what[1] == 'tta' else '')), **book)
    else:
        m, s = what[0], DEEPER_SETTINGS[d, what[0]]
        r = dict(model=deep_name(m), short_model=deep_short(m), loop='`train_model`', short_loop='scratch',
                 **book)
    return dict(key=_key(key), kind=kind, dataset=d, data_name=NAMES[d], short_data=SHORT_NAMES[d],
                epochs=s['epochs'],
                lr=s['lr'], valid_n=2038 if d == 'mnist' else 2000, **r)

def figures(accs, cpus, walls, reference=None) -> dict:
    "The measured figures of a row, in %: mean, std, min, max, the seed's verdict; seconds per run."
    from sgd7_nb.settings import seed_verdict
    if not accs: return {}
    a = [round(100 * x, 4) for x in accs]
    return dict(accuracies=a, mean=round(statistics.mean(a), 2),
                std=round(statistics.stdev(a) if len(a) > 1 else 0., 2),
                min=round(min(a), 2), max=round(max(a), 2),
                verdict=None if reference is None else seed_verdict(reference, a),
                cpu_s=round(statistics.mean(cpus), 2), wall_s=round(statistics.mean(walls), 2))

VERDICT_WORDS = {'above': 'above ours', 'within': 'within ours', 'below': 'below ours', None: ''}

def fmt_row(r, seconds='cpu') -> str:
    "One markdown row of bench/results.md; `seconds`: which time the row's run measured."
    if r['reference'] is None:
        ref = (f"– (target {r['target']}%)" if 'target' in r else
               '– (book ran none)' if r['kind'] in ('cnn', 'cycle') else '–')
        if r['kind'] == 'resnet': ref = f"– (target {r['target']}%; course22p2: 92.8% in 5 epochs, GPU)"
    else:
        ref = f"{r['reference']:.2f}%" + (' (book, resnet18, 1 epoch)' if r['source'] == 'book' else '')
    head = f"| {r['data_name']} | {r['model']} | {r['loop']} | {r['epochs']} | {r['lr']:g} | {ref} "
    if 'mean' not in r: return head + '| not measured | | | |'
    if seconds == 'cpu': secs = f"{r['cpu_s']:.1f}"
    elif r.get('cpu_s') is None: secs = f"{r['wall_s']:.1f}"   # earlier runs: wall only
    else: secs = f"{r['wall_s']:.0f} ({r['cpu_s']:.0f})"
    return (head + f"| {r['mean']:.2f}% ± {r['std']:.2f} | {r['min']:.2f} – {r['max']:.2f} "
            f"| {VERDICT_WORDS[r['verdict']]} | {secs} |")

PARTS = {'seed rows': ('from_scratch', 'seed'), 'going further': ('cnn', 'cycle', 'ten'),
         'how far': ('resnet',)}

def conditions(seeds, workers, part=None) -> dict:
    "How a part's figures were made: for its header in bench/results.md, and for the README."
    import torch
    alone = part == 'how far'   # the ResNet: one run at a time, on every core
    return dict(seeds=seeds, workers=1 if alone else workers, threads=os.cpu_count() if alone else 1,
                cores=os.cpu_count(), machine=platform.machine(), torch=torch.__version__,
                date=time.strftime('%Y-%m-%d'), bs=256, seconds='wall' if alone else 'cpu')

def header(c) -> str:
    "A part's conditions in one sentence."
    at_once = 'one run at a time' if c['workers'] == 1 else f"{c['workers']} runs at a time"
    secs = ('CPU seconds per run are the process time of the run itself (training and validation), '
            'without loading the data or importing the libraries.' if c['seconds'] == 'cpu' else
            'Seconds per run are wall-clock seconds (what a learner waits), with the CPU seconds of all '
            'threads in brackets where they were measured.')
    if c.get('load') is not None:
        secs += (f" Other work shared the machine (mean one-minute load average {c['load']:.1f} on its "
                 f"{c['cores']} cores), which makes the seconds larger than on an idle machine, and noisy.")
    threads = 'one thread' if c.get('threads', 1) == 1 else f"{c['threads']} threads"
    return (f"Final validation accuracy over {len(c['seeds'])} seeds ({c['seeds'][0]}–{c['seeds'][-1]}), "
            f"batch size {c['bs']}, measured {c['date']} on a CPU ({c['machine']}, {c['cores']} cores, "
            f"PyTorch {c['torch']}), {at_once}, {threads} each. {secs}")

def sources_note() -> str:
    "Which article each seed figure comes from."
    from sgd7_nb.settings import ARTICLES, SEED_SETTINGS
    rows = {}
    for (d, m, l), s in SEED_SETTINGS.items():
        rows.setdefault(s['source'], {}).setdefault(SHORT_NAMES[d], {})[m] = 1
    return 'Seed figures: ' + '; '.join(
        ', '.join(f"{d} {' and '.join(ms)}" for d, ms in r.items()) + f': *{ARTICLES[k]}*'
        for k, r in rows.items()) + '.'

def table(part) -> str:
    "The markdown table of a part's rows, measured or not."
    seconds = part['conditions']['seconds']
    lines = ['| data set | model | loop | epochs | lr | seed article / book | sgd7_nb, mean ± std '
             "| min – max | seed's run vs our range | "
             + ('CPU s per run |' if seconds == 'cpu' else 'wall s per run (CPU s) |'),
             '|---|---|---|---:|---:|---:|---:|---:|---|---:|']
    return '\n'.join(lines + [fmt_row(r, seconds) for r in part['rows']])

INTRO = ("- `nn.Linear` rows: `run_training`, the function behind `sgd7 train`, at the seed articles' "
         "settings, beside the article's own `nn.Linear` run with that loop. The articles trained the "
         "simple net with the Learner only; its figure is repeated for the `train_model` loop.\n"
         "- `init_params` rows: the articles' own from-scratch model (`Linear1Model`, starting weights of "
         "standard deviation 1, `BasicOptim`, `train_model`), by `train_from_scratch`, beside the "
         "article's run with `BasicOptim`; with std 1 some "
         "seeds stall at 50% on dress vs pullover (see the settings notebook). Std 0.3 is the largest "
         "of 1, 0.5, 0.3, 0.1 that passes all five seeds there; 0.1 is the fix the notebook takes.\n"
         "- Deeper rows: `run_training(model='cnn')` and `(model='resnet18')` (plain SGD, `mnist_loss`), "
         "and both the way the going-deeper page closes the gap, `run_training(one_cycle=True)` as "
         "`train_one_cycle` (binary cross-entropy, Adam in one cycle, images shifted by up to a pixel and "
         "clothes mirrored at random; + TTA: "
         "each validation image averaged with its mirror). The book trained no small "
         "CNN; its resnet18 figure (one epoch, on a GPU) is shown for MNIST. The book's resnet18 recipe "
         "itself was not run here: `python bench/deeper.py --resnet` runs it.\n"
         "- Ten-class rows: `run_training('fashion', 'all', model)`, cross-entropy with the learning rate "
         "falling to 0, measured on Fashion-MNIST's 10,000 test images.\n"
         "- How far: the ten-class page's small ResNet, `run_training('fashion', 'all', 'resnet', "
         "one_cycle=True)`, the command's `--classes all --model resnet --one-cycle`: Adam in one cycle "
         "with label smoothing, for 5 epochs, one run at a time on both cores, against the target of "
         "93.4% (course22p2's ResNet with 16 to 512 channels in 5 epochs; with 8 to 256, as ours: 92.8%; "
         "single runs on a GPU).\n"
         "- Seed's run vs our range: where the seed article's (or the book's) single run lies against "
         "the lowest and highest of our seeds, at two decimals (`seed_verdict`, in the settings "
         "notebook): above ours (we fall short of it), within ours, or below ours (we beat it).\n")

def write(parts):
    "bench/results.md (the tables and how they were made) and bench/results.json (the same, as data)."
    from sgd7_nb.settings import ARTICLES
    text = ("# Results\n\nGenerated by `python bench/results.py`; each part's conditions are above its "
            "table.\n\n" + INTRO
            + ''.join(f"\n## {p['name'].capitalize()}\n\n{header(p['conditions'])}\n\n{table(p)}\n"
                      for p in parts)
            + '\n' + sources_note() + '\n')
    (HERE/'results.md').write_text(text)
    data = dict(articles=ARTICLES, parts=parts)
    (HERE/'results.json').write_text(json.dumps(data, indent=1, ensure_ascii=False) + '\n')

def earlier(name) -> dict|None:
    "The part `name` as bench/results.json holds it from an earlier run, or None."
    path = HERE/'results.json'
    if not path.exists(): return None
    return next((p for p in json.loads(path.read_text())['parts'] if p['name'] == name), None)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--seeds', type=int, default=5, help='number of seeds per row (from 42 up)')
    p.add_argument('--workers', type=int, default=1, help='processes training at once')
    p.add_argument('--no-cnn', action='store_true',
                   help='leave out the CNN rows (minutes per run): they keep their earlier figures')
    p.add_argument('--parts', help='measure only these parts, comma-separated (of: '
                   + ', '.join(PARTS) + '); the others keep their earlier figures')
    args = p.parse_args(argv)
    seeds = list(range(FIRST_SEED, FIRST_SEED + args.seeds))
    wanted = None if args.parts is None else [w.strip() for w in args.parts.split(',')]
    unknown = set(wanted or ()) - set(PARTS)
    if unknown: p.error(f"unknown parts {sorted(unknown)}; valid: {', '.join(PARTS)}")
    gs = groups(seeds, cnn=not args.no_cnn, parts=wanted)
    measured, start, loads = {}, time.time(), []
    # a part this run leaves out keeps the figures, and the conditions, of the run that measured it
    kept = {name: earlier(name) for name, kinds in PARTS.items() if not set(kinds) <= set(gs)}
    def parts():
        out = []
        for name, kinds in PARTS.items():
            if kept.get(name): out.append(kept[name]); continue
            keys = [k for g in kinds for k in groups(seeds)[g]]
            rows = [dict(r, **figures(*measured.get(k, ([], [], [])), r['reference']))
                    for k in keys for r in [describe(k)]]
            load = round(statistics.mean(loads), 1) if loads else None   # how busy the machine was
            cond = conditions(seeds, args.workers, name)
            out.append(dict(name=name, conditions=dict(cond, load=load), rows=rows))
        return out
    with mp.get_context('spawn').Pool(args.workers, initializer=_warm) as pool:
        for name, rows in gs.items():
            jobs = [j for js in rows.values() for j in js]
            for (kind, d, what, s), a, cpu, wall in pool.imap_unordered(train_one, jobs):
                two = kind == 'cycle'   # as trained, and with test-time mirroring
                pairs = zip(((what, 'plain'), (what, 'tta')), a) if two else ((what, a),)
                for w, acc in pairs:
                    if acc is None: continue
                    for series, v in zip(measured.setdefault((kind, d, w), ([], [], [])), (acc, cpu, wall)):
                        series.append(v)
                a = a[0] if two else a
                loads.append(os.getloadavg()[0])
                print(f'{kind:12} {d:8} {str(what):24} seed {s}: {100 * a:.2f}% '
                      f'({cpu:.1f} CPU s, {wall:.1f} s)', flush=True)
            write(parts())
    print('\n'.join('\n' + table(p) for p in parts())
          + f'\n\n({time.time() - start:.0f} s; written to bench/results.md and bench/results.json)')

if __name__ == '__main__': main()
