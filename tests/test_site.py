"""The docs site in a real browser: Chromium, driven by Playwright, over the site that
`bash .ci/build-docs` wrote into _docs/, served on 127.0.0.1.

For every notebook in nbs/ the page nbdev names for it (00_data.ipynb -> data.html) must load with
HTTP 200 and no console error, show the notebook's title, show every plot stored in the notebook as
a visible image, show an API entry for each function or class the notebook exports, and link only
to pages and anchors that exist. What a reader notices is checked too: at 1280 px no code block,
API signature or output scrolls sideways, no code line wraps and no table is cut off or scrolls; no
raw Markdown link is left in the text, no output shows a failed download, each class's API entry
reads as a class, and a name that fastai has too links to our entry only where the page means ours;
every API entry has its own anchor (the one nbdev's links use), shown once; every plot has alt
text; at 390 px (a phone) no page is wider than the screen and no name in code is broken in two.
The site must load nothing from outside 127.0.0.1. Screenshots of the home page (at 1280 px, at
390 px and in dark mode) and of the first notebook page with plots go to _docs/_screenshots/,
where a test checks that they have the expected size and are not blank.

The browser is the Chromium that is there: $SGD7_CHROMIUM, Debian's (`apt-get install chromium`),
another on PATH, or Playwright's own (`playwright install chromium`, where it can download one).
With none, the browser tests are skipped with the reason, except under CI (CI=true), where they fail."""
import ast, functools, json, os, re, shutil, threading, warnings
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urlsplit
from urllib.request import urlopen
from urllib.error import HTTPError

import pytest
from nbdev.doclinks import _nbpath2html  # the page name nbdev gives a notebook (its output-file)
from nbdev.showdoc import showdoc_nm     # the name show_doc gives a definition

ROOT = Path(__file__).resolve().parent.parent
NBS, DOCS = ROOT/'nbs', ROOT/'_docs'
SHOTS = DOCS/'_screenshots'

def find_chromium():
    "The Chromium to drive: $SGD7_CHROMIUM, Debian's, one on PATH, or Playwright's own; None if there is none."
    for c in (os.environ.get('SGD7_CHROMIUM'), '/usr/bin/chromium', shutil.which('chromium'),
              shutil.which('chromium-browser'), shutil.which('google-chrome')):
        if c and Path(c).exists(): return c
    try:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p: own = p.chromium.executable_path
        return own if own and Path(own).exists() else None
    except Exception: return None
# Quiet, offline Chromium: no sandbox (CI runs as root), no GPU, no calls home.
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
                 '--no-first-run', '--no-default-browser-check', '--metrics-recording-only', '--mute-audio']
IMAGE_MIMES = ('image/png', 'image/jpeg', 'image/gif')
HIDDEN = {'hide', 'export', 'exporti', 'default_exp'}  # cells nbdev leaves out of the docs
# Pages whose plots do not yet have alt text, reported by test_figures_have_alt_text as a skip
# that names them rather than a failure (a notebook being rewritten). Every page has it now.
ALT_PENDING = set()
# Problems found on pages whose notebooks are being rewritten, by the start of their message:
# reported as warnings in the test summary, not failures. None now.
# Known defects of pages just moved or merged, reported as warnings until they are mended (each
# entry: the page, and the starts of its messages); the list may only shrink. None now.
PENDING = {}

# ------------------------------------------------------------------ what each notebook should show

def directives(src):
    "The `#| key: value` lines at the top of a cell, as {key: value}."
    out = {}
    for line in src.splitlines():
        if not line.startswith('#|'): break
        key, _, value = line[2:].strip().partition(' ')
        out[key.rstrip(':')] = value.strip()
    return out

def shown(cell):
    "Whether the docs show this cell's output."
    d = directives(''.join(cell['source']))
    return not (HIDDEN & d.keys() or d.get('include') == 'false' or d.get('output') == 'false')

def title(cells):
    "The page title nbdev takes from a notebook: frontmatter, else the first `# heading`."
    for c in cells:
        src = ''.join(c['source'])
        if c['cell_type'] == 'raw' and (m := re.search(r'^title:\s*(.+)$', src, re.M)): return m.group(1).strip('\'" ')
        if c['cell_type'] == 'markdown' and (m := re.search(r'^#\s+(\S.*?)\s*$', src, re.M)): return m.group(1)
    raise AssertionError('the notebook has no title: start it with a `# Title` markdown cell')

def exports(cells, kinds=(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
    "The public functions and classes (of `kinds`) a notebook exports, which nbdev documents (show_doc)."
    names = []
    for c in cells:
        src, d = ''.join(c['source']), directives(''.join(c['source']))
        if c['cell_type'] != 'code' or not {'export', 'exports'} & d.keys(): continue
        if 'hide' in d or d.get('include') == 'false': continue
        for node in ast.parse(src).body:
            if isinstance(node, kinds) and not node.name.startswith('_'):
                names.append(showdoc_nm(node))
    return names

class Notebook:
    def __init__(self, path):
        self.path, cells = path, json.loads(path.read_text())['cells']
        self.page = _nbpath2html(Path(path.name)).name
        self.title = title(cells)
        self.figures = sum(1 for c in cells if c['cell_type'] == 'code' and shown(c)
                           for o in c.get('outputs', []) if any(m in o.get('data', {}) for m in IMAGE_MIMES))
        self.exports = exports(cells)
        self.classes = exports(cells, ast.ClassDef)
        self.module = next((m.group(1) for c in cells if c['cell_type'] == 'code' and (m := re.match(
            r'#\|\s*default_exp\s+(\S+)', ''.join(c['source'])))), None)
        self.source = '\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')
    def __repr__(self): return self.path.name

NOTEBOOKS = [Notebook(p) for p in sorted(NBS.glob('*.ipynb'))]
FIRST_WITH_PLOTS = next((nb for nb in NOTEBOOKS if nb.page != 'index.html' and nb.figures), None)
BY_PAGE = {nb.page: nb for nb in NOTEBOOKS}

@functools.lru_cache(maxsize=None)
def clashes():
    """Our names that another library in nbdev's index also has (fastai's `accuracy`, `fit`,
    `Recorder`...), each with that library's full name for it (`fastai.metrics.accuracy`). nbdev
    links `name` in a page's text to our entry, whichever one the text means; the full name links
    to the other library's."""
    from nbdev.doclinks import _build_lookup_table
    entries, _ = _build_lookup_table()
    def names(lib): return {k.rsplit('.', 1)[-1]: k for mod in entries[lib]['syms'].values() for k in mod}
    ours, theirs = names('sgd7_nb'), {}
    for lib in sorted(entries, key=lambda o: o != 'fastai'):   # fastai's name first
        if lib != 'sgd7_nb': theirs = {**names(lib), **theirs}
    return {n: theirs[n] for n in ours if n in theirs and not n.startswith('_')}

def imports_from(nb, module, name):
    "Does notebook `nb`'s code import `name` from our `module`?"
    pat = rf'from\s+(?:sgd7_nb)?\.{re.escape(module)}\s+import\s+(?:\([^)]*|[^\n]*)\b{re.escape(name)}\b'
    return bool(re.search(pat, nb.source))

# ------------------------------------------------------------------ the server and the browser

class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

class Server(ThreadingHTTPServer):
    # Chromium opens many connections at once; with the default backlog of 5, on a busy machine
    # some are dropped and retried after ever longer waits, and a page can take minutes to load
    request_queue_size = 128
    daemon_threads = True

@pytest.fixture(scope='module')
def base_url():
    if not (DOCS/'index.html').exists(): pytest.fail('no _docs/index.html: run `bash .ci/build-docs` first')
    server = Server(('127.0.0.1', 0), functools.partial(QuietHandler, directory=str(DOCS)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{server.server_address[1]}/'
    server.shutdown(); server.server_close()

@pytest.fixture(scope='module')
def browser():
    from playwright.sync_api import sync_playwright
    chromium = find_chromium()
    if chromium is None:
        why = 'no Chromium here: apt-get install chromium, or playwright install chromium, or set SGD7_CHROMIUM'
        if os.environ.get('CI'): pytest.fail(why)   # CI installs it: its absence there is a failure
        pytest.skip(why)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, chromium_sandbox=False, args=CHROMIUM_ARGS)
        yield b
        b.close()

def short(s, n=120):
    "A message cut to one readable line (data: URLs run to megabytes)."
    s = str(s or '').replace('\n', ' ')
    return s if len(s) <= n else s[:n] + '...'

class Visit:
    "One page opened in a fresh browser context, with everything that went wrong while it loaded."
    def __init__(self, browser, base_url, page_name, width=1280, dark=False):
        self.base, self.errors, self.external = base_url, [], []
        self.context = browser.new_context(viewport={'width': width, 'height': 900},
                                           color_scheme='dark' if dark else 'light')
        self.context.route('**/*', self._route)
        self.page = p = self.context.new_page()
        p.on('console', lambda m: m.type == 'error' and self.errors.append(f'console: {short(m.text)} ({short(m.location.get("url"))})'))
        p.on('pageerror', lambda e: self.errors.append(f'page error: {short(e)}'))
        p.on('requestfailed', lambda r: self._local(r.url) and self.errors.append(f'failed: {short(r.url)} ({r.failure})'))
        p.on('response', lambda r: self._local(r.url) and r.status >= 400 and self.errors.append(f'HTTP {r.status}: {short(r.url)}'))
        # generous limits: on a busy shared machine Chromium may take more than the default 30 s
        self.response = p.goto(base_url + page_name, wait_until='load', timeout=120_000)
        p.wait_for_load_state('networkidle', timeout=120_000)

    def _local(self, url): return url.startswith(self.base) or url.startswith('data:')

    def _route(self, route):
        "Serve 127.0.0.1 (and data: URLs); refuse, and note, anything that would leave the machine."
        if self._local(route.request.url): route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def close(self): self.context.close()

@pytest.fixture
def visit(browser, base_url):
    opened = []
    def _open(page_name, **kw):
        v = Visit(browser, base_url, page_name, **kw); opened.append(v); return v
    yield _open
    for v in opened: v.close()

@functools.lru_cache(maxsize=None)
def fetch(url):
    "HTTP status and the ids in the page at `url` (without its fragment)."
    try:
        with urlopen(url) as r: status, text = r.status, r.read().decode('utf-8', 'replace')
    except HTTPError as e: return e.code, frozenset()
    return status, frozenset(re.findall(r'''\s(?:id|name)=["']([^"']+)["']''', text))

# Code blocks, signatures and outputs wider than their box (what a reader would scroll sideways),
# each named by its first characters.
OVERFLOWING = """() => [...document.querySelectorAll('main pre, main div.sourceCode, main .cell-output')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.tagName.toLowerCase() + ': ' + e.innerText.trim().slice(0, 80))"""
# The heading that the anchor #name opens (the element with that id, or the first heading in it)
# and how many headings read exactly `name`.
ANCHOR = """name => {
  const el = document.getElementById(name.toLowerCase());
  const h = el && (el.matches('h1,h2,h3,h4,h5,h6') ? el : el.querySelector('h1,h2,h3,h4,h5,h6'));
  const count = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
    .filter(x => x.innerText.trim() === name).length;
  return [h ? h.innerText.trim() : null, count];
}"""
# Plots on the page (pictures in cell outputs and figures, not the badge) without alt text.
NO_ALT = """() => [...document.querySelectorAll('main .cell-output-display img, main .cell-output-display svg, main figure img, main figure svg')]
  .filter(e => !(e.getAttribute('alt') || e.getAttribute('aria-label') || '').trim())
  .map(e => (e.getAttribute('src') || e.tagName).slice(0, 60))"""
# Tables wider than the text column: cut off at its edge, or scrolling inside their own box.
CUT_TABLES = """() => {
  const main = document.querySelector('main'), right = main.getBoundingClientRect().right;
  const scrolls = t => { for (let e = t; e && e !== main; e = e.parentElement)
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') return true;
    return false; };
  return [...main.querySelectorAll('table')].filter(t => t.offsetParent !== null)
    .filter(t => t.getBoundingClientRect().right > right + 1 || scrolls(t))
    .map(t => `${Math.round(t.scrollWidth)} px in a ${Math.round(main.clientWidth)} px column: `
              + t.innerText.trim().replace(/\\s+/g, ' ').slice(0, 60)); }"""
# Visible text outside code: every text node of the page's main part not inside code, with text.
PROSE = """() => { const out = [], main = document.querySelector('main');
  const walk = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) { const n = walk.currentNode, el = n.parentElement;
    if (!n.textContent.trim() || el.closest('pre, code, script, style')) continue;
    if (el.getClientRects().length) out.push(n.textContent); }
  return out; }"""
# The printed outputs of cells (what the page says ran), as text.
OUTPUTS = """() => [...document.querySelectorAll('main .cell-output')].map(e => e.innerText)"""
# Names in code shown split over two lines: for each word of the visible code whose element can
# wrap, the line boxes it sits on. `pre` text only wraps where CSS lets it, so only those are read.
BROKEN_NAMES = """() => { const out = [], main = document.querySelector('main');
  const walk = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) { const n = walk.currentNode, el = n.parentElement;
    if (!el.closest('pre, code') || !el.getClientRects().length) continue;
    if (['pre', 'nowrap'].includes(getComputedStyle(el).whiteSpace)) continue;
    for (const m of n.textContent.matchAll(/[A-Za-z_][A-Za-z0-9_]+/g)) {
      const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
      const tops = new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top)));
      if (tops.size > 1) out.push(m[0]);
    } }
  return out; }"""
# Code blocks whose lines wrap: more line boxes than the block has lines.
WRAPPED_CODE = """() => [...document.querySelectorAll('main pre')].filter(e => e.offsetParent !== null)
  .filter(pre => { if (['pre', 'nowrap'].includes(getComputedStyle(pre.querySelector('code') || pre).whiteSpace)) return false;
    const r = document.createRange(); r.selectNodeContents(pre);
    const tops = new Set([...r.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top)));
    return tops.size > pre.innerText.replace(/\\n$/, '').split('\\n').length; })
  .filter(pre => !pre.closest('.cell-output') || pre.closest('.cell-output-markdown'))
  .map(pre => pre.innerText.trim().slice(0, 80))"""
# The code block of the API entry at #name: the first one after its heading, as text.
ENTRY_CODE = """name => { const h = document.getElementById(name.toLowerCase()); if (!h) return null;
  for (let e = h.nextElementSibling; e; e = e.nextElementSibling) {
    const pre = e.matches('pre') ? e : e.querySelector('pre'); if (pre) return pre.innerText.trim(); }
  return null; }"""
# What a reader must never see in an output: a download that failed where the page was built.
NETWORK_ERROR = re.compile(r'urlopen error|URLError|Name or service not known|Temporary failure in name '
                           r'resolution|Network is unreachable|Failed to establish a new connection|'
                           r'Max retries exceeded|getaddrinfo failed|is not available here', re.I)

# ------------------------------------------------------------------ the tests

def test_every_notebook_has_a_page():
    pages = {nb.page for nb in NOTEBOOKS}
    missing = sorted(nb.path.name for nb in NOTEBOOKS if not (DOCS/nb.page).exists())
    assert not missing, f'no page for {missing}: run `bash .ci/build-docs`'
    assert 'index.html' in pages

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda nb: nb.path.name)
def test_page(nb, visit, base_url):
    v = visit(nb.page)
    p, problems = v.page, []
    assert v.response is not None and v.response.status == 200, f'{nb.page}: HTTP {v.response and v.response.status}'

    # the title, as the heading and in the window title
    h1 = p.locator('h1')
    if not (h1.count() and h1.first.is_visible() and nb.title in h1.first.inner_text()):
        problems.append(f'title {nb.title!r} is not the visible heading')
    if nb.title not in p.title(): problems.append(f'title {nb.title!r} is not in the window title {p.title()!r}')

    # every image loads and has a size; every plot stored in the notebook is one of them
    imgs, plots = p.locator('img'), 0
    for i in range(imgs.count()):
        img = imgs.nth(i)
        src = short(img.get_attribute('src'), 60)
        img.scroll_into_view_if_needed()
        w, h = img.evaluate('el => el.decode().then(() => [el.naturalWidth, el.naturalHeight], () => [0, 0])')
        box = img.bounding_box()
        if not (w > 0 and h > 0): problems.append(f'image {src!r} does not load')
        elif not (img.is_visible() and box and box['width'] > 0 and box['height'] > 0): problems.append(f'image {src!r} is not visible')
        else: plots += bool(src.startswith('data:image/') or re.search(r'\.(png|jpe?g|gif)$', src))
    if plots < nb.figures: problems.append(f'{nb.figures} plot(s) stored in the notebook, {plots} shown')

    # an API entry (show_doc's heading) for each exported function and class
    headings = p.locator('h1, h2, h3, h4, h5, h6')
    for name in nb.exports:
        entry = headings.filter(has_text=re.compile(rf'^\s*{re.escape(name)}\s*$'))
        if not entry.count(): problems.append(f'no API entry for {name}, which the notebook exports')
        elif not entry.first.is_visible(): problems.append(f'the API entry for {name} is not visible')

    # nothing scrolls sideways: code blocks, API signatures and outputs fit the column (outputs wrap)
    for what in p.evaluate(OVERFLOWING):
        problems.append(f'scrolls sideways at 1280 px: {short(what, 100)}')
    # no table wider than the column: cut off at its edge, or scrolling in its own box
    for what in p.evaluate(CUT_TABLES):
        problems.append(f'a table does not fit the column at 1280 px: {short(what, 120)}')
    # code is never wrapped: a wrapped line loses its indentation
    for what in p.evaluate(WRAPPED_CODE):
        problems.append(f'code wraps at 1280 px: {short(what, 80)}')

    # no raw Markdown link in the text (what nbdev leaves when it links a name inside a link's text)
    for text in p.evaluate(PROSE):
        if '](' in text: problems.append(f'raw Markdown link in the text: {short(text.strip(), 100)}')
    # no failed download in what the cells printed: outputs come from what really ran
    for text in p.evaluate(OUTPUTS):
        if m := NETWORK_ERROR.search(text):
            problems.append(f'an output shows a network error: ...{short(text[max(0, m.start() - 60):m.end() + 40])}')

    # a class's API entry reads as a class (`class Name(Base):` and its constructor), not `def Name(`
    for name in nb.classes:
        code = p.evaluate(ENTRY_CODE, name)
        if code is not None and not code.startswith('class '):
            problems.append(f'the API entry for class {name} reads {short(code.splitlines()[0], 60)!r}: '
                            'call show_doc from sgd7_nb.core and re-run the notebook')

    # each API entry at its own anchor, the one nbdev's links use (#name in lower case), shown once;
    # two exports whose names differ only in case would share it, so that is refused too
    for name in nb.exports:
        at, count = p.evaluate(ANCHOR, name)
        same = [n for n in nb.exports if n.lower() == name.lower()]
        if len(same) > 1: problems.append(f'{same} share the anchor #{name.lower()}: rename one')
        if count > 1: problems.append(f'the API entry for {name} is shown {count} times')
        if at != name: problems.append(f'#{name.lower()} opens {at!r}, not the API entry for {name}')

    # code blocks, API signatures included, show code: no Markdown link syntax left in them
    for text in p.eval_on_selector_all('pre', 'els => els.map(e => e.innerText)'):
        if m := re.search(r'\[`?[\w.]+`?\]\((https?:|\.?/|#|[\w-]+\.html)', text): problems.append(f'Markdown link inside a code block: {short(m.group(0))}')

    # a name that another library also has links to our entry only where the page means ours: on the
    # page that defines it, one that imports it from us, or the home page (an overview of ours)
    for href, name in p.eval_on_selector_all('main a[href] > code', 'els => els.map(c => [c.parentElement.href, c.innerText])'):
        url, frag = urldefrag(href)
        target = BY_PAGE.get(url.removeprefix(base_url))
        if (not url.startswith(base_url) or target is None or target is nb or nb.page == 'index.html'
                or name not in clashes() or (target.module and imports_from(nb, target.module, name))):
            continue
        problems.append(f'`{name}` links to {target.page}#{frag}, ours, but this page does not import ours, '
                        f'and `{clashes()[name]}` is a `{name}` too: write the one meant (its full name, '
                        f"or `'{name}'` for a key, or `learn.{name}`), so that nbdev links it rightly")

    # every link inside the site goes to a page that exists, and to an anchor that exists there
    here = p.url.split('#')[0]
    ids = set(p.eval_on_selector_all('[id], a[name]', 'els => els.map(e => e.id || e.getAttribute("name"))'))
    for href in sorted(set(p.eval_on_selector_all('a[href]', 'els => els.map(a => a.href)'))):
        if not href.startswith(base_url): continue
        url, frag = urldefrag(href)
        status, target_ids = (200, ids) if url == here else fetch(url)
        if status != 200: problems.append(f'broken link {href} (HTTP {status})')
        elif frag and frag not in target_ids: problems.append(f'broken link {href} (no #{frag} there)')

    # nothing went wrong while loading, and nothing came from outside the site
    problems += [f'asked for an outside resource (the site must render offline): {u}' for u in v.external]
    problems += v.errors

    pending = [m for m in problems if m.startswith(PENDING.get(nb.page, ()))]
    for m in pending: warnings.warn(f'{nb.page}: {m} (PENDING in tests/test_site.py)')
    problems = [m for m in problems if m not in pending]
    assert not problems, f'{nb.page} ({nb.path.name}):\n  ' + '\n  '.join(problems)

def test_sidebar_in_notebook_order(visit):
    "The sidebar lists the home page, then the notebooks in the order of their numbers."
    v = visit('index.html')
    links = v.page.eval_on_selector_all('#quarto-sidebar a.sidebar-link[href]', 'els => els.map(a => a.getAttribute("href"))')
    order = [h.split('#')[0].removeprefix('./') for h in links]
    expected = ['index.html'] + [nb.page for nb in NOTEBOOKS if nb.page != 'index.html']
    assert [h for h in order if h in expected] == expected, f'sidebar order {order}, expected {expected}'

def test_search_index_has_every_page(base_url):
    status, _ = fetch(base_url + 'search.json')
    assert status == 200
    with urlopen(base_url + 'search.json') as r: entries = json.load(r)
    found = {urlsplit(e.get('href', '')).path.split('/')[-1] for e in entries}
    missing = [nb.page for nb in NOTEBOOKS if nb.page not in found]
    assert not missing, f'search index lacks {missing}'

@pytest.mark.parametrize('nb', [nb for nb in NOTEBOOKS if nb.figures or nb.page == 'index.html'],
                         ids=lambda nb: nb.path.name)
def test_figures_have_alt_text(nb, visit):
    "Every plot says in words what it shows (its notebook cell's `#| fig-alt`), for readers who cannot see it."
    missing = visit(nb.page).page.evaluate(NO_ALT)
    if missing and nb.page in ALT_PENDING:
        pytest.skip(f'{nb.page}: {len(missing)} plot(s) without alt text (ALT_PENDING)')
    assert not missing, (f'{nb.page} ({nb.path.name}): {len(missing)} plot(s) without alt text: add '
                         f'`#| fig-alt: ...` (and `#| fig-cap: ...`) to the cell that draws each: {missing}')

def test_home_page_shows_the_seven_steps(visit):
    "The book's seven-step diagram, as SVG drawn by graphviz, with alt text, on the home page."
    p = visit('index.html').page
    img = p.locator('img[src$="seven_steps.svg"]')
    assert img.count() == 1, 'the home page does not show images/seven_steps.svg'
    assert img.first.is_visible() and (img.first.get_attribute('alt') or '').strip()
    svg = (ROOT/'nbs'/'images'/'seven_steps.svg').read_text()
    assert 'Generated by graphviz' in svg and all(s in svg for s in ('init', 'predict', 'repeat', 'stop'))

def test_diagram_is_what_graphviz_draws():
    "The committed drawing shows what a fresh graphviz drawing shows (where graphviz's `dot` is installed)."
    import subprocess, sys
    if not shutil.which('dot'): pytest.skip('no graphviz `dot` here (apt-get install graphviz)')
    r = subprocess.run([sys.executable, str(ROOT/'.ci'/'diagram.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=lambda nb: nb.path.name)
def test_phone_layout(nb, visit):
    """At 390 px, a phone's width, no page is wider than the screen (a wide table or code block scrolls
    in its own box), and no name in code is broken over two lines."""
    p = visit(nb.page, width=390).page
    wide = p.evaluate('() => document.documentElement.scrollWidth')
    assert wide <= 390, f'{nb.page} is {wide} px wide on a 390 px screen: the reader must scroll sideways'
    broken = p.evaluate(BROKEN_NAMES)
    assert not broken, f'{nb.page}: at 390 px code breaks inside the names {sorted(set(broken))[:10]}'

SHOTS_TAKEN = [('index.html', 1280, False), ('index.html', 390, False), ('index.html', 1280, True)]
if FIRST_WITH_PLOTS: SHOTS_TAKEN.append((FIRST_WITH_PLOTS.page, 1280, False))

@pytest.mark.parametrize('page,width,dark', SHOTS_TAKEN, ids=lambda v: str(v))
def test_screenshot(page, width, dark, visit):
    "A full-page screenshot of what a reader sees; it must have the window's width and not be blank."
    from PIL import Image, ImageStat
    p = visit(page, width=width, dark=dark).page
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS/f"{page.replace('.html', '')}-{width}{'-dark' if dark else ''}.png"
    p.screenshot(path=str(path), full_page=True)
    with Image.open(path) as im:
        w, h = im.size
        spread = ImageStat.Stat(im.convert('L')).stddev[0]
        corner = im.convert('RGB').getpixel((5, h - 5))
    assert w == width and h >= 900, f'{path.name}: {w}x{h}, expected {width} px wide and at least a screen high'
    assert spread > 10, f'{path.name} is blank (grey level spread {spread:.1f})'
    if dark: assert sum(corner) < 3 * 128, f'{path.name}: dark mode asked for, but the page is light {corner}'
