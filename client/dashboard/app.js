// corouter dashboard page: no build step, no dependencies.
//
// Reads GET /events (Server-Sent Events from `corouter dashboard`; the frames
// are described in client/dashboard_state.h) and draws:
//  - a timeline, one lane per loop thread, executor thread and recent request
//    of every server, redrawn ten times a second so that open stretches grow;
//  - the requests in flight and the recent completions, filtered by route
//    and status;
//  - the blocking warnings (BLOCKING_CALL events) and each server's state.
//
// The model is on window.corouterDashboard for tests and debugging.
'use strict';

(function () {
  const MAX_DONE = 500;        // completed requests kept
  const MAX_WARNINGS = 20;     // blocking warnings listed
  const RECENT_ROWS = 50;      // completions listed
  const REQUEST_LANES = 12;    // request lanes per server in the timeline

  const model = {
    servers: new Map(),   // address -> {server, state, error, since, run, droppedEvents, lostTraces}
    requests: new Map(),  // key -> request (see requestFor)
    warnings: [],         // newest last
    offsetUs: null,       // dashboard clock minus this page's clock
    droppedFrames: 0,     // frames this tab missed (its queue was full)
    epoch: 0,             // counts the snapshots received (one per connection)
    connection: 'connecting',
  };

  // ---- time ------------------------------------------------------------
  // Event times are proto3-JSON strings of nanoseconds; microseconds fit a
  // double exactly.
  function micros(nanosText) {
    if (!nanosText) return 0;
    return Number(BigInt(nanosText) / 1000n);
  }
  function noteClock(nowUs) {
    if (typeof nowUs !== 'number') return;
    const sample = nowUs - Date.now() * 1000;
    // A frame arrives after it was made: the largest sample is the closest,
    // unless the clocks jumped.
    if (model.offsetUs === null || Math.abs(sample - model.offsetUs) > 1e6) {
      model.offsetUs = sample;
    } else {
      model.offsetUs = Math.max(model.offsetUs, sample);
    }
  }
  function nowUs() { return Date.now() * 1000 + (model.offsetUs || 0); }

  // ---- the model -------------------------------------------------------
  function keyOf(server, run, id) { return server + '|' + run + '|' + id; }

  function requestFor(server, run, id) {
    const key = keyOf(server, run, id);
    let r = model.requests.get(key);
    if (!r) {
      r = {
        key, server, run, id, events: [], seen: new Set(),
        line: '', route: '', status: null, cancelled: false, done: false,
        receivedUs: null, endUs: null, lastStep: '', lastThread: '', blocked: false,
      };
      model.requests.set(key, r);
    }
    return r;
  }

  function stepName(e) { return (e.step || 'STEP_UNSPECIFIED').replace(/^STEP_/, ''); }

  function addEvent(server, run, e) {
    const r = requestFor(server, run, e.requestId);
    r.epoch = model.epoch;  // named by the current connection
    const seq = Number(e.sequence || 0);
    if (r.seen.has(seq)) return;
    r.seen.add(seq);
    const ev = {
      seq, step: stepName(e), us: micros(e.timeUnixNano), loop: e.loop || 0,
      thread: e.thread || ('loop-' + (e.loop || 0)), detail: e.detail || '',
    };
    r.events.push(ev);
    if (r.events.length > 1 && r.events[r.events.length - 2].seq > seq) {
      r.events.sort((a, b) => a.seq - b.seq);
    }
    const last = r.events[r.events.length - 1];
    r.lastStep = last.step;
    r.lastThread = last.thread;
    switch (ev.step) {
      case 'RECEIVED':
        r.line = ev.detail;
        r.receivedUs = ev.us;
        break;
      case 'ROUTE_MATCHED':
        if (e.route && e.route.pathTemplate) r.route = e.route.pathTemplate;
        break;
      case 'BLOCKING_CALL':
        r.blocked = true;
        model.warnings.push({ server, run, id: r.id, key: r.key, us: ev.us, thread: ev.thread,
                              detail: ev.detail });
        if (model.warnings.length > MAX_WARNINGS) model.warnings.shift();
        break;
      case 'RESPONSE_SENT':
        r.status = e.response && e.response.statusCode ? e.response.statusCode : null;
        r.done = true;
        r.endUs = ev.us;
        break;
      case 'CANCELLED':
        r.cancelled = true;
        r.done = true;
        r.endUs = ev.us;
        break;
      default:
        break;
    }
    if (r.receivedUs === null) r.receivedUs = ev.us;
  }

  function forgetOldRequests() {
    const done = [...model.requests.values()].filter((r) => r.done);
    if (done.length <= MAX_DONE) return;
    done.sort((a, b) => a.endUs - b.endUs);
    for (const r of done.slice(0, done.length - MAX_DONE)) model.requests.delete(r.key);
  }

  function onServer(s) {
    const old = model.servers.get(s.server);
    if (old && old.run !== s.run) {
      // The server restarted: what was in flight in its earlier run never ends.
      for (const r of [...model.requests.values()]) {
        if (r.server === s.server && r.run !== s.run && !r.done) model.requests.delete(r.key);
      }
    }
    model.servers.set(s.server, s);
  }

  // ---- the timeline rules ----------------------------------------------
  // The same rules as client/trace_timeline.h (the Perfetto files and the
  // timeline picture), stated in docs/tracing.md. A request's events in
  // sequence order; event i starts a stretch that lasts until event i+1
  // (the last event of a request in flight: until now). By event i's step:
  //   RECEIVED, ROUTE_MATCHED, HANDLER_STARTED, AWAIT_RESUMED,
  //   HANDLER_RETURNED, FAILED, OFFLOAD_STARTED: running on the event's thread;
  //   AWAIT_STARTED, OFFLOAD_FINISHED: awaiting (the loop is free);
  //   OFFLOAD_QUEUED: queued for the executor;
  //   BLOCKING_CALL announced on a loop ("blocking call ... holds loop 0"):
  //     blocked until the next event; on an executor thread: running (only
  //     the worker is held);
  //   BLOCKING_CALL detected by the loop ("loop 0 held for ..."): the running
  //     loop stretch that led to it becomes blocked; after it, running;
  //   RESPONSE_SENT, CANCELLED: the end.
  // Awaiting and queued stretches belong to the request's loop thread.
  // Adjacent stretches with the same state and thread merge; empty ones go.
  const isLoopThread = (thread) => thread.startsWith('loop-');
  const isDetectedBlockingCall = (detail) => detail.startsWith('loop ') && detail.includes(' held for ');

  function spanAfter(e, loopThread) {
    const thread = e.thread || loopThread;
    switch (e.step) {
      case 'RESPONSE_SENT':
      case 'CANCELLED':
        return null;
      case 'AWAIT_STARTED':
      case 'OFFLOAD_FINISHED':
        return { state: 'awaiting', thread: loopThread, detail: e.detail };
      case 'OFFLOAD_QUEUED':
        return { state: 'queued', thread: loopThread, detail: e.detail };
      case 'BLOCKING_CALL':
        return { state: isLoopThread(thread) && !isDetectedBlockingCall(e.detail) ? 'blocked' : 'running',
                 thread, detail: e.detail };
      default:
        return { state: 'running', thread, detail: e.detail };
    }
  }

  // One request's stretches {state, thread, start, end, open, detail}, in
  // time order; `now` ends the last one of a request in flight (open: true).
  function stretchesOf(r, now = nowUs()) {
    const events = r.events;
    if (events.length === 0) return [];
    const loopThread = 'loop-' + events[0].loop;
    const finished = r.done;
    const last = events[events.length - 1].us;
    const requestEnd = !finished && now > last ? now : last;
    const spans = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const prev = spans[spans.length - 1];
      if (e.step === 'BLOCKING_CALL' && isDetectedBlockingCall(e.detail) && prev &&
          prev.state === 'running' && isLoopThread(prev.thread) && prev.end === e.us) {
        prev.state = 'blocked';  // detected after the fact: the stretch that led here held the loop
        prev.detail = e.detail;
      }
      const span = spanAfter(e, loopThread);
      if (span === null) break;
      span.start = e.us;
      span.open = i + 1 >= events.length && !finished;
      span.end = Math.max(i + 1 < events.length ? events[i + 1].us : requestEnd, span.start);
      spans.push(span);
    }
    const out = [];
    for (const span of spans) {
      if (span.start === span.end) continue;
      const l = out[out.length - 1];
      if (l && l.state === span.state && l.thread === span.thread && l.end === span.start) {
        l.end = span.end;
        l.open = span.open;
        continue;
      }
      out.push(span);
    }
    return out;
  }

  // One thread's lane from the running and blocked stretches of every
  // request on it: where two overlap, the one that started later owns the
  // overlap (among equal starts a blocked one, then the later one), and an
  // earlier, longer one resumes after it.
  function resolveOverlaps(slices) {
    slices = slices.map((s, i) => ({ ...s, i })).sort((a, b) => a.start - b.start || a.i - b.i);
    const points = [...new Set(slices.flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
    const out = [];
    let active = [];
    let next = 0;
    for (let p = 0; p + 1 < points.length; p++) {
      const from = points[p];
      const to = points[p + 1];
      while (next < slices.length && slices[next].start <= from) active.push(slices[next++]);
      active = active.filter((s) => s.end > from);
      if (active.length === 0) continue;
      let owner = active[0];
      for (const s of active) {
        const key = (x) => [x.start, x.state === 'blocked' ? 1 : 0, x.i];
        const [a, b] = [key(owner), key(s)];
        if (b[0] > a[0] || (b[0] === a[0] && (b[1] > a[1] || (b[1] === a[1] && b[2] > a[2])))) owner = s;
      }
      const l = out[out.length - 1];
      if (l && l.end === from && l.key === owner.key && l.state === owner.state && l.detail === owner.detail) {
        l.end = to;
        l.open = owner.open && to === owner.end;
        continue;
      }
      out.push({ start: from, end: to, state: owner.state, key: owner.key, detail: owner.detail,
                 open: owner.open && to === owner.end });
    }
    return out;
  }

  function laneOrder(a, b) {
    const rank = (t) => {
      const m = /^(loop|executor)-(\d+)$/.exec(t);
      return m ? [m[1] === 'loop' ? 0 : 1, Number(m[2]), t] : [2, 0, t];
    };
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
  }

  // Every lane of the picture, per server: a group line, the thread lanes
  // (loops, then executor threads), then the latest requests' lanes.
  // [{server, kind: group|thread|request, label, thread, key, rects}].
  function buildLanes(t0, t1) {
    const perServer = new Map();
    for (const address of model.servers.keys()) perServer.set(address, { threads: new Map(), requests: [] });
    const requests = [...model.requests.values()].sort((a, b) => a.receivedUs - b.receivedUs);
    for (const r of requests) {
      const group = perServer.get(r.server);
      if (!group) continue;
      const stretches = stretchesOf(r, t1);
      for (const e of r.events) {
        if (isLoopThread(e.thread) && !group.threads.has(e.thread)) group.threads.set(e.thread, []);
      }
      for (const s of stretches) {
        if (s.state !== 'running' && s.state !== 'blocked') continue;
        if (!group.threads.has(s.thread)) group.threads.set(s.thread, []);
        group.threads.get(s.thread).push({ ...s, key: r.key });
      }
      const visible = stretches.filter((s) => s.end >= t0 && s.start <= t1);
      if (visible.length > 0) group.requests.push({ r, stretches: visible });
    }
    const lanes = [];
    for (const [server, group] of perServer) {
      lanes.push({ server, kind: 'group', label: server + ' (' + ((model.servers.get(server) || {}).state || '?') + ')' });
      for (const thread of [...group.threads.keys()].sort(laneOrder)) {
        const rects = resolveOverlaps(group.threads.get(thread)).filter((s) => s.end >= t0 && s.start <= t1);
        if (rects.length === 0 && !isLoopThread(thread)) continue;
        lanes.push({ server, kind: 'thread', label: thread, thread, rects });
      }
      group.requests.sort((a, b) => b.r.receivedUs - a.r.receivedUs);
      for (const { r, stretches } of group.requests.slice(0, REQUEST_LANES).reverse()) {
        lanes.push({ server, kind: 'request', label: r.id + ' ' + (r.route || r.line), key: r.key, rects: stretches });
      }
    }
    return lanes;
  }

  // ---- drawing -----------------------------------------------------------
  const $ = (id) => document.getElementById(id);
  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }
  function fmtDuration(us) {
    if (us < 1000) return us.toFixed(0) + 'µs';
    if (us < 1e6) return (us / 1000).toFixed(1) + 'ms';
    return (us / 1e6).toFixed(3) + 's';
  }
  function fmtClock(us) {
    return new Date(us / 1000).toISOString().slice(11, 23);
  }

  let frozenAt = null;
  function drawTimeline() {
    const svg = $('timeline');
    const windowUs = Number($('window').value) * 1e6;
    const t1 = frozenAt !== null ? frozenAt : nowUs();
    const t0 = t1 - windowUs;
    const lanes = buildLanes(t0, t1);
    const width = Math.max(400, $('timeline-box').clientWidth);
    const labelW = 230;
    const plotW = width - labelW - 10;
    const laneH = 18;
    const top = 18;
    const height = top + lanes.length * laneH + 4;
    const x = (us) => labelW + Math.max(0, Math.min(plotW, ((us - t0) / windowUs) * plotW));
    const parts = [];
    const stepS = windowUs <= 10e6 ? 1 : windowUs <= 30e6 ? 5 : 10;
    for (let s = 0; s * 1e6 <= windowUs; s += stepS) {
      const xx = labelW + plotW - (s * 1e6 / windowUs) * plotW;
      parts.push(`<line class="grid" x1="${xx}" x2="${xx}" y1="${top - 4}" y2="${height}"></line>`);
      parts.push(`<text class="tick" x="${xx}" y="11" text-anchor="middle">${s === 0 ? 'now' : '-' + s + 's'}</text>`);
    }
    lanes.forEach((lane, i) => {
      const y = top + i * laneH;
      if (lane.kind === 'group') {
        parts.push(`<text class="group" x="2" y="${y + 13}">${esc(lane.label)}</text>`);
        return;
      }
      parts.push(`<rect class="lane-bg" x="${labelW}" y="${y + 2}" width="${plotW}" height="${laneH - 4}"></rect>`);
      parts.push(`<text x="${lane.kind === 'request' ? 18 : 8}" y="${y + 13}">${esc(lane.label.slice(0, 34))}</text>`);
      for (const s of lane.rects) {
        const x0 = x(s.start);
        const w = Math.max(1.5, x(s.end) - x0);
        const attrs = [
          `class="st st-${s.state}"`, `data-state="${s.state}"`, `data-lane="${esc(lane.kind === 'thread' ? lane.thread : 'request')}"`,
          `data-server="${esc(lane.server)}"`, `data-open="${s.open ? 'true' : 'false'}"`,
        ];
        if (lane.key) attrs.push(`data-request="${esc(lane.key)}"`);
        parts.push(`<rect ${attrs.join(' ')} x="${x0.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${laneH - 6}">` +
                   `<title>${esc(s.state + ' ' + (s.thread || lane.thread || '') + ' ' + fmtDuration(s.end - s.start) + (s.detail ? ' ' + s.detail : ''))}</title></rect>`);
      }
    });
    parts.push(`<line class="now" x1="${labelW + plotW}" x2="${labelW + plotW}" y1="${top - 4}" y2="${height}"></line>`);
    svg.setAttribute('height', String(height));
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.innerHTML = parts.join('');
  }

  function statusText(r) {
    if (r.cancelled) return 'cancelled';
    return r.status === null ? '-' : String(r.status);
  }
  function passes(r) {
    const route = $('filter-route').value.trim();
    if (route && !(r.route.includes(route) || r.line.includes(route))) return false;
    const status = $('filter-status').value;
    if (!status) return true;
    if (!r.done) return false;
    if (status === 'cancelled') return r.cancelled;
    return !r.cancelled && r.status !== null && String(r.status)[0] === status[0];
  }

  function drawTables() {
    const now = nowUs();
    const all = [...model.requests.values()];
    const running = all.filter((r) => !r.done).sort((a, b) => a.receivedUs - b.receivedUs);
    const done = all.filter((r) => r.done).sort((a, b) => b.endUs - a.endUs);
    const shownRunning = running.filter(passes);
    const shownDone = done.filter(passes).slice(0, RECENT_ROWS);
    $('inflight-count').textContent = String(shownRunning.length) + (shownRunning.length !== running.length ? ' of ' + running.length : '');
    $('recent-count').textContent = String(shownDone.length) + ' of ' + done.length;
    $('inflight').tBodies[0].innerHTML = shownRunning.map((r) =>
      `<tr data-request="${esc(r.key)}" data-route="${esc(r.route)}"><td>${esc(r.server)}</td><td>${esc(r.id)}</td>` +
      `<td>${esc(r.route || r.line)}</td><td>${esc(r.lastStep)}</td><td class="num">${fmtDuration(Math.max(0, now - r.receivedUs))}</td>` +
      `<td>${esc(r.lastThread)}</td></tr>`).join('');
    $('recent').tBodies[0].innerHTML = shownDone.map((r) =>
      `<tr data-request="${esc(r.key)}" data-route="${esc(r.route)}" data-status="${esc(statusText(r))}"><td>${esc(r.server)}</td>` +
      `<td>${esc(r.id)}</td><td>${esc(r.route || r.line)}</td><td class="status">${esc(statusText(r))}</td>` +
      `<td class="num">${fmtDuration(r.endUs - r.receivedUs)}</td></tr>`).join('');
    const warnings = model.warnings.slice().reverse();
    $('warnings').innerHTML = warnings.length === 0 ? '<li class="none">none</li>' : warnings.map((w) => {
      const r = model.requests.get(w.key);
      return `<li data-request="${esc(w.key)}"><span class="when">${fmtClock(w.us)}</span>${esc(w.server)} ${esc(w.id)} ` +
             `${esc(r ? (r.route || r.line) : '')} on ${esc(w.thread)}: ${esc(w.detail)}</li>`;
    }).join('');
  }

  function drawServers() {
    $('servers').innerHTML = [...model.servers.values()].map((s) => {
      const extra = [];
      if (s.droppedEvents) extra.push(`the server dropped ${s.droppedEvents} events for this dashboard`);
      if (s.lostTraces) extra.push(`${s.lostTraces} traces lost while away`);
      if (s.run) extra.push(`restarted ${s.run}×`);
      return `<li data-server="${esc(s.server)}" data-state="${esc(s.state)}">${esc(s.server)}` +
             `<span class="badge">${esc(s.state)}</span>` +
             (s.error ? `<span class="error">${esc(s.error)}</span>` : '') +
             (extra.length ? `<span class="error">${esc(extra.join('; '))}</span>` : '') + '</li>';
    }).join('');
    const dropped = $('dropped');
    dropped.hidden = model.droppedFrames === 0;
    dropped.textContent = `this tab missed ${model.droppedFrames} updates (it was too slow)`;
    const c = $('connection');
    c.dataset.state = model.connection;
    c.textContent = model.connection === 'open' ? 'live' : model.connection === 'error' ? 'dashboard unreachable, retrying…' : 'connecting…';
  }

  // ---- the feed ----------------------------------------------------------
  function parse(ev) {
    const data = JSON.parse(ev.data);
    noteClock(data.now);
    return data;
  }
  function connect() {
    const source = new EventSource('events');
    source.onopen = () => { model.connection = 'open'; drawServers(); };
    source.onerror = () => { model.connection = 'error'; drawServers(); };
    source.addEventListener('hello', (ev) => {
      const data = parse(ev);
      model.epoch++;
      for (const server of data.servers) {
        if (!model.servers.has(server)) model.servers.set(server, { server, state: 'connecting', error: '', run: 0 });
      }
      drawServers();
    });
    source.addEventListener('server', (ev) => { onServer(parse(ev)); drawServers(); });
    source.addEventListener('trace', (ev) => {
      const data = parse(ev);
      for (const e of data.events) addEvent(data.server, data.run, e);
      forgetOldRequests();
    });
    source.addEventListener('synced', (ev) => {
      // What this tab has in flight that the snapshot did not name ended
      // while the tab was not listening (or missed frames): forget it.
      parse(ev);
      for (const r of [...model.requests.values()]) {
        if (!r.done && r.epoch !== model.epoch) model.requests.delete(r.key);
      }
    });
    source.addEventListener('dropped', (ev) => {
      // This tab was too slow and missed frames: say so, and start again
      // from a fresh snapshot (events already seen are not added twice).
      const data = JSON.parse(ev.data);
      model.droppedFrames += data.count;
      drawServers();
      source.close();
      connect();
    });
    source.addEventListener('tick', (ev) => { parse(ev); });
  }

  $('pause').addEventListener('change', (ev) => { frozenAt = ev.target.checked ? nowUs() : null; });
  for (const id of ['filter-route', 'filter-status']) $(id).addEventListener('input', drawTables);

  setInterval(drawTimeline, 100);
  setInterval(drawTables, 250);
  window.corouterDashboard = { model, stretchesOf, resolveOverlaps, buildLanes, nowUs };
  connect();
})();
