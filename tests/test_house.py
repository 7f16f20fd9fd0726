"""The house on three floors, checked: the lesson (chapter 4, in its order), going further, the
command, and the ground (the appendix). Read from nbs/sidebar.yml, the notebooks and the package's
own imports, so a page that moves or an import that points the wrong way fails here."""
import ast, json, re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NBS, LIB = ROOT/'nbs', ROOT/'sgd7_nb'
SECTIONS = ['The lesson', 'Going further', 'The command', 'Appendix']
# plumbing a learner should not meet on a lesson page (it lives in the ground or the command)
PLUMBING = ['subprocess', 'set_num_threads', 'threads_for', 'PlotWorker', 'pid_alive',
            'clean_leftovers', 'quiet_import', 'QuickLearner', 'QuickSGD', 'QuickRecorder',
            'DEVICE_ENV', 'umask', 'BrokenPipe']

def sidebar():
    "[(notebook, section)] in reading order, from nbs/sidebar.yml."
    pages, sec = [], None
    for line in (NBS/'sidebar.yml').read_text().splitlines():
        m = re.match(r'\s*-\s*section:\s*(.+)', line)
        if m: sec = m.group(1).strip(); continue
        m = re.match(r'\s*-\s*(\S+\.ipynb)', line)
        if m: pages.append((m.group(1), sec))
    return pages

def cells(nb): return json.loads((NBS/nb).read_text())['cells']

def module_of(nb):
    for c in cells(nb):
        m = re.search(r'#\|\s*default_exp\s+(\S+)', ''.join(c['source']))
        if m: return m.group(1)

def shown_code(nb):
    "The source of each code cell the page shows (not `#| hide`, not `echo: false`)."
    for c in cells(nb):
        s = ''.join(c['source'])
        if c['cell_type'] == 'code' and not re.search(r'^#\|\s*(hide|echo:\s*false)\s*$', s, re.M):
            yield s

def code_lines(src): return [l for l in src.splitlines() if not l.startswith('#|')]

PAGES = sidebar()
# floors from the ground up: a page may import its own floor's earlier pages and lower floors
RANK = {'Appendix': 0, 'The lesson': 1, 'Going further': 2, 'The command': 3}
FLOOR = {nb: RANK[sec] for nb, sec in PAGES if sec in RANK}
ORDER = [nb for nb, _ in PAGES]
MODULE = {module_of(nb): nb for nb in ORDER if module_of(nb)}
LESSON = [nb for nb, sec in PAGES if sec == 'The lesson']

def imports(mod):
    "The package modules that module `mod` imports, anywhere in its code."
    tree = ast.parse((LIB/f'{mod}.py').read_text())
    found = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom):
            name = n.module or ''
            if n.level == 1: found.add(name.split('.')[0] or None)
            elif name.startswith('sgd7_nb.'): found.add(name.split('.')[1])
            elif name == 'sgd7_nb': found.update(a.name for a in n.names)
        elif isinstance(n, ast.Import):
            found.update(a.name.split('.')[1] for a in n.names if a.name.startswith('sgd7_nb.'))
    return found & set(MODULE)

def test_sidebar_reads_home_lesson_further_command_appendix():
    assert ORDER[0] == 'index.ipynb'
    secs = list(dict.fromkeys(sec for _, sec in PAGES[1:]))
    assert secs == SECTIONS, secs
    assert module_of(LESSON[0]) == 'data', 'the lesson starts with the data page'
    nbs = {p.name for p in NBS.glob('*.ipynb')}
    assert nbs == set(ORDER), f'pages missing from the sidebar: {nbs - set(ORDER)}'

def test_numbers_follow_reading_order():
    numbered = [nb for nb in ORDER if nb[0].isdigit()]
    assert numbered == sorted(numbered), numbered
    assert [int(nb.split('_')[0]) for nb in numbered] == list(range(len(numbered)))

@pytest.mark.parametrize('mod', sorted(MODULE))
def test_imports_point_back_or_down(mod):
    "A page imports lower floors, and earlier pages of its own floor (the ground: any)."
    nb = MODULE[mod]
    for dep in imports(mod) - {mod}:
        d = MODULE[dep]
        assert FLOOR[d] <= FLOOR[nb], f'{mod} ({PAGES[ORDER.index(nb)][1]}) imports {dep}'
        if FLOOR[nb] > 0 and FLOOR[d] == FLOOR[nb]:
            assert ORDER.index(d) < ORDER.index(nb), f'{mod} imports {dep}, a later page'

def test_no_import_cycle():
    graph = {m: imports(m) - {m} for m in MODULE}
    seen, done = set(), set()
    def visit(m, path):
        assert m not in path, 'cycle: ' + ' -> '.join(path + [m])
        if m in done: return
        for d in graph[m]: visit(d, path + [m])
        done.add(m)
    for m in graph: visit(m, [])

@pytest.mark.parametrize('nb', LESSON)
def test_lesson_shows_no_plumbing(nb):
    shown = '\n'.join(shown_code(nb))
    found = [w for w in PLUMBING if re.search(rf'\b{w}\b', shown)]
    assert not found, f'{nb} shows plumbing: {found}'

def test_lesson_cells_are_small():
    sizes = [len(code_lines(s)) for nb in LESSON for s in shown_code(nb) if code_lines(s)]
    big = sum(n >= 15 for n in sizes)
    assert max(sizes) < 30, f'a lesson code cell has {max(sizes)} lines'
    assert big <= 0.08 * len(sizes), f'{big} of {len(sizes)} lesson code cells have 15+ lines'

def test_one_make_model():
    homes = [f.stem for f in LIB.glob('*.py')
             if re.search(r'^def make_model\b', f.read_text(), re.M)]
    assert len(homes) == 1, homes

def test_package_functions_are_short():
    longest = max((n.end_lineno - n.lineno + 1, f'{f.stem}.{n.name}')
                  for f in LIB.glob('[!_]*.py') for n in ast.walk(ast.parse(f.read_text()))
                  if isinstance(n, ast.FunctionDef))
    assert longest[0] <= 40, longest

@pytest.mark.parametrize('nb', ORDER)
def test_figures_are_stored(nb):
    "A cell with a figure's alt text holds its picture (a page run with a non-interactive\n    matplotlib backend would store none)."
    missing = [i for i, c in enumerate(cells(nb)) if c['cell_type'] == 'code'
               and re.search(r'^#\|\s*fig-alt:', ''.join(c['source']), re.M)
               and not any(k.startswith('image/') for o in c.get('outputs', [])
                           for k in o.get('data', {}))]
    assert not missing, f'{nb}: cells {missing} have fig-alt but no stored picture'

def test_pages_never_run_sgd7_by_name():
    "A kernel's environment need not be on PATH (`.venv/bin/jupyter lab`, not activated): a\n    page runs the command as `sys.executable -m sgd7_nb.cli`, never as `sgd7`."
    by_name = re.compile(r'''(subprocess\.\w+|Popen)\(\s*(\[\s*)?f?['"]sgd7\b''')
    found = [nb for nb in ORDER for s in shown_code(nb) if by_name.search(s)]
    hidden = [nb for nb in ORDER for c in cells(nb) if c['cell_type'] == 'code'
              and by_name.search(''.join(c['source']))]
    assert not found + hidden, sorted(set(found + hidden))

@pytest.mark.parametrize('nb', [nb for nb, sec in PAGES if sec in ('The lesson', 'Going further')])
def test_pages_end_with_questions(nb):
    "Every lesson and going-further page ends with questions for the reader."
    last = ''.join([c for c in cells(nb) if c['cell_type'] == 'markdown'][-1]['source'])
    assert re.match(r'##\s+Question', last), f'{nb} ends with: {last[:60]!r}'
