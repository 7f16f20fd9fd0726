"""One figure per claim: .ci/figures.py finds a figure no benchmark wrote and a row that disagrees
with bench/, and .ci/readme.py makes the home page's results, verdicts and conditions from
bench/results.json."""
import importlib.util, json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT/'.ci'/f'{name}.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod

figures, readme = _load('figures'), _load('readme')

BENCH = """| data set | model | seed | mean ± std | min – max | s |
|---|---|---:|---:|---:|---:|
| MNIST | linear | 97.85% | 98.24% ± 0.04 | 98.18 – 98.28 | 0.2 |
"""

def test_the_repository_passes(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert figures.problems(figures.pages(), figures.bench_rows()) == []

def test_a_figure_in_no_bench_file_is_found(tmp_path):
    (tmp_path/'r.md').write_text(BENCH)
    rows = figures.bench_rows(tmp_path)
    page = 'The linear model reaches **98.25% ± 0.04** over five seeds.'
    found = figures.problems({'README.md': page}, rows)
    assert len(found) == 1 and '98.25% ± 0.04 is in no bench' in found[0]
    assert figures.problems({'README.md': 'It reaches 98.24% ± 0.04.'}, rows) == []

def test_a_row_that_disagrees_with_bench_is_found(tmp_path):
    (tmp_path/'r.md').write_text(BENCH)
    rows = figures.bench_rows(tmp_path)
    good = '| MNIST | linear | 97.85% | 98.24% ± 0.04 | 98.18 – 98.28 |'
    assert figures.problems({'README.md': good}, rows) == []
    for stale in ('| MNIST | linear | 97.20% | 98.24% ± 0.04 | 98.18 – 98.28 |',   # seed figure
                  '| MNIST | linear | 97.85% | 98.24% ± 0.04 | 98.18 – 98.28 | 0.6 |'):  # seconds
        found = figures.problems({'README.md': stale}, rows)
        assert len(found) == 1 and 'disagrees with' in found[0], stale

def _results(accs_by_key):
    "A bench/results.json with one row per (key, reference, accuracies)."
    rows = []
    for key, ref, accs in accs_by_key:
        verdict = None if ref is None else ('above' if ref > max(accs) else 'below' if ref < min(accs)
                                            else 'within')
        rows.append(dict(key=key, kind='seed', short_data='MNIST 3 vs 7', short_model=key,
                         short_loop='scratch', epochs=20, reference=ref, source='mnist',
                         mean=sum(accs) / len(accs), std=0.1, min=min(accs), max=max(accs),
                         verdict=verdict))
    cond = dict(seeds=[42, 43], workers=1, cores=2, machine='x86_64', torch='2', date='2026-01-01')
    return dict(parts=[dict(name='seed rows', conditions=cond, rows=rows)])

def test_verdicts_name_exactly_the_rows_the_numbers_put_there():
    res = _results([('short', 96.85, [96.70, 96.80]), ('level', 98.23, [98.09, 98.33]),
                    ('past', 97.85, [98.18, 98.28]), ('none', None, [90., 91.])])
    lines = readme.results_verdicts(res).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith('- **Short of') and 'short,' in lines[0]
    assert lines[1].startswith('- **Level with') and 'level,' in lines[1]
    assert lines[2].startswith('- **Past') and 'past,' in lines[2]
    assert not any('none,' in l for l in lines)

def test_fill_remakes_only_the_marked_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path/'bench').mkdir()
    (tmp_path/'bench'/'results.json').write_text(json.dumps(_results([('lin', 97.85, [98.18, 98.28])])))
    (tmp_path/'bench'/'train_speed.md').write_text('speed table\n')
    start = lambda part: f'<!-- generated from bench/{part} by .ci/readme.py -->'
    end = '<!-- end of generated text -->'
    md = (f"Before.\n\n{start('results.json table')}\nan old table\n{end}\n\nBetween.\n\n"
          f"{start('train_speed.md')}\n{end}\n\nAfter.")
    nb = dict(cells=[dict(cell_type='markdown', id='a', metadata={}, source=md.splitlines(True))],
              metadata={}, nbformat=4, nbformat_minor=5)
    path = tmp_path/'index.ipynb'
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    readme.fill(str(path))
    text = ''.join(json.loads(path.read_text())['cells'][0]['source'])
    assert 'an old table' not in text and '| MNIST 3 vs 7 | lin | scratch | 97.85% | 98.23% ± 0.10 |' in text
    assert f"{start('train_speed.md')}\nspeed table\n{end}" in text
    assert text.startswith('Before.') and 'Between.' in text and text.endswith('After.')
    once = path.read_text()
    readme.fill(str(path))
    assert path.read_text() == once   # a second fill changes nothing
