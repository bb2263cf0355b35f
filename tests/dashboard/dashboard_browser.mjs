// The dashboard page in Debian's chromium (headless), driven by
// playwright-core. Run by dashboard_test.sh with:
//   DASHBOARD_URL COROUTER_CLI CHROMIUM SCREENSHOT PLAYWRIGHT_CORE SERVER_BIN
//   COROUTER_SERVER SERVER_PID COROUTER_SERVER_B SERVER_B_PID
// Two servers, A at full time and B at --time-scale 0.5, watched by one
// dashboard.
// Requests are sent with the real `corouter call` only after the page is
// open and live. B is stopped and started again on its port (the dashboard
// resumes it); A is stopped at the end (gone). Every wait has a deadline; a
// failed check throws, and the process exits 1.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env('DASHBOARD_URL');
const cli = env('COROUTER_CLI');
const server = env('COROUTER_SERVER');
const serverPid = Number(env('SERVER_PID'));
const serverB = env('COROUTER_SERVER_B');
const serverBPid = Number(env('SERVER_B_PID'));

let passed = 0;
function ok(name) { passed++; console.log(`ok   ${name}`); }
function assert(condition, name, detail) {
  if (!condition) throw new Error(`${name}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
  ok(name);
}

// `corouter call --server TARGET ARGS...`; resolves with its exit code and output.
function callOn(target, ...args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['call', '--server', target, '--timeout', '20s', ...args]);
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`corouter call ${args} hung`)); }, 30000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, output }); });
  });
}
const call = (...args) => callOn(server, ...args);

// Resolves when process `pid` has exited (bounded).
async function exited(pid, what) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} did not exit`);
}
const serverState = (s, state) => `#servers li[data-server="${s}"][data-state="${state}"]`;

// The requests a page's model knows, by route (or request line).
const requestsOf = (page) => page.evaluate(() =>
  [...window.corouterDashboard.model.requests.values()].map((r) => ({
    id: r.id, route: r.route || r.line, status: r.status, done: r.done, step: r.lastStep,
  })));

const browser = await chromium.launch({
  executablePath: env('CHROMIUM'),
  // As root (CI) chromium needs --no-sandbox; containers often have a tiny
  // /dev/shm, and no GPU.
  args: ['--no-sandbox', '--headless=new', '--disable-dev-shm-usage', '--disable-gpu'],
  timeout: 30000,
});
const pageErrors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 760 } });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  await page.goto(url);
  await page.waitForSelector(serverState(server, 'live'));
  await page.waitForSelector(serverState(serverB, 'live'));
  ok('the page shows both servers live');
  assert((await requestsOf(page)).length === 0, 'no request is shown before any was sent', await requestsOf(page));

  // The timeline rules (client/trace_timeline.h's, in the page's script) on
  // made-up events: [state thread start end] per stretch.
  const rules = await page.evaluate(() => {
    const dash = window.corouterDashboard;
    const ev = (seq, step, us, thread, detail = '') => ({ seq, step, us, loop: 0, thread, detail });
    const spans = (events, done = true) => dash.stretchesOf({ events, done }, 100)
      .map((s) => [s.state, s.thread, s.start, s.end].join(' '));
    return {
      detected: spans([ev(1, 'RECEIVED', 0, 'loop-0'), ev(2, 'ROUTE_MATCHED', 1, 'loop-0'),
        ev(3, 'HANDLER_STARTED', 2, 'loop-0'),
        ev(4, 'BLOCKING_CALL', 5, 'loop-0', 'loop 0 held for 3us without an await (slow callback)'),
        ev(5, 'HANDLER_RETURNED', 6, 'loop-0'), ev(6, 'RESPONSE_SENT', 7, 'loop-0')]),
      announced: spans([ev(1, 'RECEIVED', 0, 'loop-0'), ev(2, 'HANDLER_STARTED', 1, 'loop-0'),
        ev(3, 'BLOCKING_CALL', 2, 'loop-0', 'blocking call sleep(2s) holds loop 0'),
        ev(4, 'HANDLER_RETURNED', 6, 'loop-0'), ev(5, 'RESPONSE_SENT', 7, 'loop-0')]),
      def: spans([ev(1, 'RECEIVED', 0, 'loop-0'), ev(2, 'ROUTE_MATCHED', 1, 'loop-0'),
        ev(3, 'OFFLOAD_QUEUED', 2, 'loop-0'), ev(4, 'OFFLOAD_STARTED', 3, 'executor-1'),
        ev(5, 'HANDLER_STARTED', 4, 'executor-1'),
        ev(6, 'BLOCKING_CALL', 4, 'executor-1', 'blocking call sleep(2s) on executor-1; the loop stays free'),
        ev(7, 'OFFLOAD_FINISHED', 8, 'executor-1'), ev(8, 'AWAIT_RESUMED', 9, 'loop-0'),
        ev(9, 'HANDLER_RETURNED', 10, 'loop-0'), ev(10, 'RESPONSE_SENT', 11, 'loop-0')]),
      inFlight: spans([ev(1, 'RECEIVED', 0, 'loop-0'), ev(2, 'AWAIT_STARTED', 1, 'loop-0')], false),
      overlap: dash.resolveOverlaps([
        { state: 'running', key: 'a', start: 0, end: 10, detail: '' },
        { state: 'blocked', key: 'b', start: 2, end: 5, detail: '' },
      ]).map((s) => [s.state, s.key, s.start, s.end].join(' ')),
    };
  });
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  assert(same(rules.detected, ['running loop-0 0 2', 'blocked loop-0 2 5', 'running loop-0 5 7']),
         'rule: a detected blocking call turns the stretch that led to it blocked', rules.detected);
  assert(same(rules.announced, ['running loop-0 0 2', 'blocked loop-0 2 6', 'running loop-0 6 7']),
         'rule: an announced blocking call is blocked until the next event', rules.announced);
  assert(same(rules.def, ['running loop-0 0 2', 'queued loop-0 2 3', 'running executor-1 3 8',
                          'awaiting loop-0 8 9', 'running loop-0 9 11']),
         'rule: a def is queued, then runs on its executor thread (its blocking call holds only the worker)', rules.def);
  assert(same(rules.inFlight, ['running loop-0 0 1', 'awaiting loop-0 1 100']),
         'rule: a request in flight keeps its last state until now', rules.inFlight);
  assert(same(rules.overlap, ['running a 0 2', 'blocked b 2 5', 'running a 5 10']),
         'rule: on a thread lane the later stretch owns an overlap', rules.overlap);

  // Seed 003: A and B await sleep(2s), C blocks the loop 2 s (time.sleep in
  // an async def), D awaits; on B, a def that blocks an executor thread.
  // As in the seed, C and D come once A and B are paused at their awaits.
  const ab = call('GET', '/wait', 'GET', '/wait');
  await page.waitForFunction(() => [...document.querySelectorAll('#inflight tbody tr[data-route="/wait"]')]
    .filter((r) => r.cells[3].textContent === 'AWAIT_STARTED').length === 2);
  ok('A and B are listed in flight, paused at their awaits');
  const cd = call('GET', '/blocking', 'GET', '/wait');
  for (const [name, result] of [['A B', await ab], ['C D', await cd]]) {
    assert(result.code === 0, `corouter call of seed 003's ${name} on server A exits 0`, result.output);
  }
  const defs = await callOn(serverB, 'GET', '/sync-wait');
  assert(defs.code === 0, 'corouter call GET /sync-wait on B exits 0', defs.output);

  // The recent list shows the five, answered 200.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#recent tbody tr')];
    const count = (route) => rows.filter((r) => r.dataset.route === route && r.dataset.status === '200').length;
    return count('/wait') === 3 && count('/blocking') === 1 && count('/sync-wait') === 1;
  });
  ok('the recent list shows the requests sent after the page opened, answered 200');
  const servers = await page.$$eval('#recent tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.route, r.cells[0].textContent])));
  assert(servers['/blocking'] === server && servers['/sync-wait'] === serverB,
         'each request is labelled with its server', servers);

  // The blocked stretch of /blocking, drawn on loop-0's lane: its width is
  // its duration on the timeline's scale.
  // A 30 s window, so that the stretch is whole on screen however slow the
  // machine is.
  await page.selectOption('#window', '30');
  await page.waitForFunction(() => [...document.querySelectorAll('#timeline text.tick')].some((t) => t.textContent === '-30s'));
  await page.waitForSelector('rect[data-state="blocked"][data-lane="loop-0"]');
  const drawn = await page.evaluate(() => {
    const dash = window.corouterDashboard;
    const r = [...dash.model.requests.values()].find((x) => x.route === '/blocking');
    const blocked = dash.stretchesOf(r).filter((s) => s.state === 'blocked');
    const svg = document.getElementById('timeline');
    const plot = svg.querySelector('rect.lane-bg');
    const rect = svg.querySelector(`rect[data-state="blocked"][data-lane="loop-0"][data-server="${CSS.escape(r.server)}"]`);
    const requestRect = svg.querySelector(`rect[data-state="blocked"][data-request="${CSS.escape(r.key)}"]`);
    const box = rect.getBoundingClientRect();
    return {
      stretches: blocked.map((s) => ({ us: s.end - s.start, thread: s.thread })),
      windowSeconds: Number(document.getElementById('window').value),
      plotWidth: Number(plot.getAttribute('width')),
      width: Number(rect.getAttribute('width')),
      boxWidth: box.width,
      boxHeight: box.height,
      fill: getComputedStyle(rect).fill,
      onRequestLane: requestRect !== null,
    };
  });
  assert(drawn.stretches.length === 1 && drawn.stretches[0].thread === 'loop-0', 'the model has one blocked stretch, on loop-0', drawn);
  assert(drawn.stretches[0].us >= 1.95e6 && drawn.stretches[0].us < 3.5e6, 'the blocked stretch lasts the blocking call, 2 s', drawn);
  const expected = (drawn.stretches[0].us / 1e6 / drawn.windowSeconds) * drawn.plotWidth;
  assert(Math.abs(drawn.width - expected) < 3 && drawn.boxWidth > 30 && drawn.boxHeight > 5,
         'the blocked stretch is drawn on loop-0 at its length on screen', { expected, drawn });
  assert(drawn.fill === 'rgb(215, 38, 61)', 'the blocked stretch is drawn in the blocked colour', drawn.fill);
  assert(drawn.onRequestLane, 'the blocked stretch is drawn on /blocking\'s own lane too');
  const overlap = await page.evaluate(() => {
    const dash = window.corouterDashboard;
    const all = [...dash.model.requests.values()];
    const blocked = dash.stretchesOf(all.find((r) => r.route === '/blocking')).find((x) => x.state === 'blocked');
    return all.filter((r) => r.route === '/wait').map((r) => dash.stretchesOf(r).find((x) => x.state === 'awaiting'))
      .filter((a) => a.start < blocked.start && a.end >= blocked.end).length;
  });
  assert(overlap >= 2, 'A and B await while C holds the loop (and resume only after it)', overlap);
  const states = await page.evaluate(() => [...new Set([...document.querySelectorAll('#timeline rect[data-state]')].map((r) => `${r.dataset.lane}:${r.dataset.state}`))]);
  assert(states.includes('request:awaiting'), 'the /wait requests are drawn awaiting on their lanes', states);
  assert(states.some((s) => /^executor-\d+:running$/.test(s)), 'the def runs on an executor lane', states);
  const lanesB = await page.$$eval(`#timeline rect[data-server="${serverB}"][data-lane^="executor-"]`, (rs) => rs.length);
  assert(lanesB > 0, 'B\'s def is drawn on B\'s executor lane', lanesB);
  assert(states.includes('loop-0:running'), 'loop-0 is drawn running', states);
  await page.selectOption('#window', '10');
  const warning = await page.textContent('#warnings');
  assert(/\/blocking on loop-0: blocking call sleep\(2s\) holds loop 0/.test(warning), 'the blocking warning names the route, the thread and the call', warning);

  // Filters: route, then a status nothing has.
  await page.fill('#filter-route', '/blocking');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#recent tbody tr')];
    return rows.length === 1 && rows[0].dataset.route === '/blocking';
  });
  ok('the route filter leaves /blocking only');
  await page.fill('#filter-route', '');
  await page.selectOption('#filter-status', '4xx');
  await page.waitForFunction(() => document.querySelectorAll('#recent tbody tr').length === 0);
  ok('the status filter 4xx leaves nothing');
  await page.selectOption('#filter-status', '2xx');
  await page.waitForFunction(() => document.querySelectorAll('#recent tbody tr').length === 5);
  ok('the status filter 2xx leaves the five');
  await page.selectOption('#filter-status', '');

  // A tab opened mid-request gets a snapshot of what is in flight.
  const slow = call('GET', '/slow_task/1?q=dashboard');  // await sleep(5s)
  await page.waitForSelector('#inflight tbody tr[data-route="/slow_task/{item_id}"]');
  const late = await context.newPage();
  late.on('pageerror', (e) => pageErrors.push(String(e)));
  await late.goto(url);
  await late.waitForFunction(() => {
    const row = document.querySelector('#inflight tbody tr[data-route="/slow_task/{item_id}"]');
    return row && row.cells[3].textContent === 'AWAIT_STARTED';
  });
  ok('a tab opened mid-request lists it in flight, awaiting');
  await late.waitForSelector('#timeline rect[data-lane="request"][data-state="awaiting"][data-open="true"]');
  ok('and draws its open awaiting stretch');
  const lateRecent = await late.$$eval('#recent tbody tr', (rows) => rows.length);
  assert(lateRecent === 5, 'and lists the earlier completions', lateRecent);
  await page.locator('#filter-route').blur();
  await page.screenshot({ path: env('SCREENSHOT'), fullPage: true });
  ok(`screenshot at ${env('SCREENSHOT')}`);
  const slowDone = await slow;
  assert(slowDone.code === 0, 'corouter call of /slow_task exits 0', slowDone.output);
  for (const p of [page, late]) {
    await p.waitForSelector('#recent tbody tr[data-route="/slow_task/{item_id}"][data-status="200"]');
  }
  ok('both tabs see /slow_task complete');
  assert((await page.$$('#inflight tbody tr')).length === 0, 'nothing is left in flight');

  // B goes away and comes back on its port: the page shows it gone, then
  // live again, and its new run's requests (ids start again) are new ones.
  process.kill(serverBPid, 'SIGTERM');
  await exited(serverBPid, 'server B');
  await page.waitForSelector(serverState(serverB, 'gone'), { timeout: 20000 });
  const goneB = await page.textContent(`#servers li[data-server="${serverB}"]`);
  assert(/ended the stream|went away|cannot reach/.test(goneB), 'the page shows B gone, with the reason', goneB);
  assert(await page.$(serverState(server, 'live')), 'A stays live meanwhile');
  const restarted = spawn(env('SERVER_BIN'), ['--listen', serverB, '--time-scale', '0.5'], { stdio: 'ignore' });
  try {
    await page.waitForSelector(serverState(serverB, 'live'), { timeout: 20000 });
    ok('the dashboard reconnects to B once it is back');
    const again = await callOn(serverB, 'GET', '/hello');
    assert(again.code === 0, 'corouter call GET /hello on the new B exits 0', again.output);
    await page.waitForSelector('#recent tbody tr[data-route="/hello"][data-status="200"]');
    const bRows = await page.evaluate((b) => [...window.corouterDashboard.model.requests.values()]
      .filter((r) => r.server === b).map((r) => `${r.run}/${r.id} ${r.route}`).sort(), serverB);
    assert(JSON.stringify(bRows) === JSON.stringify(['0/0-1 /sync-wait', '1/0-1 /hello']),
           'B\'s restart is a new run: its 0-1 is a new request, the old one kept', bRows);
  } finally {
    restarted.kill('SIGTERM');
    await exited(restarted.pid, 'the restarted server B');
  }

  // A goes away for good: the page says so, with the reason.
  process.kill(serverPid, 'SIGTERM');
  await page.waitForSelector(serverState(server, 'gone'), { timeout: 20000 });
  const gone = await page.textContent(`#servers li[data-server="${server}"]`);
  assert(/ended the stream|went away|cannot reach/.test(gone), 'the page shows A gone, with the reason', gone);
  assert((await page.getAttribute('#connection', 'data-state')) === 'open', 'the page is still connected to the dashboard');
  assert(pageErrors.length === 0, 'no script error on the pages', pageErrors);
} finally {
  await browser.close();
}
console.log(`browser: ${passed} checks passed`);
