#!/usr/bin/env node
// corouter from Node.js: seed 004's scenario over gRPC, with @grpc/grpc-js
// and @grpc/proto-loader (package.json, package-lock.json: `npm ci`).
//
//   node seed004_client.js --server 127.0.0.1:50051
//
// The service is loaded from proto/corouter/v1/execution.proto at run time
// (proto-loader), so there is no generated code. What it does, as seed 004
// tells it (shared/seeds/004), like examples/clients/python/:
//  1. Execute: GET /slow_task/1?q=test, then 10 ms later GET /fast_task/ on
//     one channel; the fast one answers first, since the slow one's await
//     frees the event loop.
//  2. ExecuteTraced: the same two, printing each request's execution steps
//     as the server streams them.
//  3. ListRoutes: the app's path operations.
//  4. WatchTraces: a LIVE subscription that sees one more request whole.
//  5. JournalService: the server's request journal lists the requests of
//     step 4 in the order they were sent, each answered 200 by read_root.
// Exits 0 when every step behaved as above, 1 otherwise (with the reason).
'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function parseArgs(argv) {
  const args = { server: '127.0.0.1:50051', timeoutMs: 30000 };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--server') args.server = argv[++i];
    else if (argv[i] === '--timeout-ms') args.timeoutMs = Number(argv[++i]);
    else throw new Error(`usage: seed004_client.js [--server HOST:PORT] [--timeout-ms N]`);
  }
  return args;
}

const args = parseArgs(process.argv);
const protoRoot = path.resolve(__dirname, '..', '..', '..', 'proto');
const definition = protoLoader.loadSync('corouter/v1/execution.proto', {
  includeDirs: [protoRoot],
  keepCase: true,
  enums: String, // steps as their names: "STEP_RECEIVED"
  longs: Number,
  defaults: true,
});
const v1 = grpc.loadPackageDefinition(definition).corouter.v1;
const client = new v1.ExecutionService(args.server, grpc.credentials.createInsecure());
const deadline = () => new Date(Date.now() + args.timeoutMs);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const failures = [];

function execute(target, requestId = '') {
  return new Promise((resolve, reject) => {
    client.Execute({ request: { method: 'GET', target }, request_id: requestId },
      { deadline: deadline() }, (err, reply) => (err ? reject(err) : resolve(reply)));
  });
}

function executeTraced(label, target) {
  return new Promise((resolve, reject) => {
    const steps = [];
    const call = client.ExecuteTraced({ request: { method: 'GET', target } },
      { deadline: deadline() });
    call.on('data', (message) => {
      for (const e of message.events) {
        steps.push(e.step);
        console.log(`  [${label}] ${String(e.sequence).padStart(2)} ` +
          `${(e.elapsed_nanos / 1e9).toFixed(3).padStart(7)}s ${e.step.padEnd(22)} ` +
          `${e.thread.padEnd(10)} ${e.detail}`);
      }
    });
    call.on('error', reject);
    call.on('end', () => resolve(steps));
  });
}

async function main() {
  await new Promise((resolve, reject) =>
    client.waitForReady(deadline(), (err) => (err ? reject(err) : resolve())));

  // 1. Execute: the slow one first, the fast one 10 ms later.
  console.log('== Execute: GET /slow_task/1?q=test, then GET /fast_task/ 10 ms later');
  const order = [];
  const timed = (label, target) => {
    const started = process.hrtime.bigint();
    return execute(target).then((reply) => {
      order.push(label);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const r = reply.response;
      console.log(`[${label}] GET ${target} -> ${r.status_code} ${r.body.toString()} ` +
        `(${seconds.toFixed(3)}s, route ${reply.route.path_template} -> ${reply.route.endpoint})`);
    });
  };
  const slow = timed('A', '/slow_task/1?q=test');
  await sleep(10);
  await Promise.all([slow, timed('B', '/fast_task/')]);
  console.log(`answered in the order ${order.join(' ')}`);
  if (order.join(' ') !== 'B A') failures.push(`Execute: expected the fast request first, got ${order}`);

  // 2. ExecuteTraced: each request's steps, as the server streams them.
  console.log('\n== ExecuteTraced: the same two, step by step');
  const tracedSlow = executeTraced('A', '/slow_task/1?q=test');
  await sleep(10);
  const [a, b] = await Promise.all([tracedSlow, executeTraced('B', '/fast_task/')]);
  for (const [label, steps] of [['A', a], ['B', b]]) {
    if (steps[0] !== 'STEP_RECEIVED' || steps[steps.length - 1] !== 'STEP_RESPONSE_SENT') {
      failures.push(`ExecuteTraced ${label}: steps ${steps}`);
    }
  }
  if (!a.includes('STEP_AWAIT_STARTED')) failures.push('ExecuteTraced A: the slow request never awaited');

  // 3. ListRoutes.
  console.log('\n== ListRoutes');
  const { routes } = await new Promise((resolve, reject) =>
    client.ListRoutes({}, { deadline: deadline() }, (err, r) => (err ? reject(err) : resolve(r))));
  for (const route of routes) {
    console.log(`  ${route.methods.join(',').padEnd(10)} ${route.path_template.padEnd(34)} ` +
      `${route.endpoint} (${route.is_async ? 'async def' : 'def'})`);
  }
  if (!routes.some((r) => r.path_template === '/slow_task/{item_id}')) {
    failures.push('ListRoutes: no /slow_task/{item_id}');
  }

  // 4. WatchTraces: a LIVE subscriber sees the next request whole.
  console.log('\n== WatchTraces (LIVE): one more GET /fast_task/');
  const seen = new Map();
  let whole = null;
  const watch = client.WatchTraces({ mode: 'WATCH_MODE_LIVE' }, { deadline: deadline() });
  watch.on('data', (message) => {
    for (const e of message.events) {
      if (!e.request_id.startsWith('node-watch-')) continue;
      if (!seen.has(e.request_id)) seen.set(e.request_id, []);
      seen.get(e.request_id).push(e.step);
      if (e.step === 'STEP_RESPONSE_SENT' && whole === null) whole = e.request_id;
    }
  });
  watch.on('error', () => {}); // cancelled below, or the deadline
  // The subscription starts when the server has the stream, which a first
  // request may beat: send one at a time until the subscriber saw one whole.
  const until = Date.now() + args.timeoutMs;
  let n = 0;
  while (whole === null && Date.now() < until) {
    n += 1;
    await execute('/fast_task/', `node-watch-${n}`);
    await sleep(200);
  }
  watch.cancel();
  if (whole === null) {
    failures.push(`WatchTraces: no request seen whole after ${n}`);
  } else {
    const steps = seen.get(whole);
    console.log(`  request ${whole}: ${steps.join(' ')}`);
    if (steps[0] !== 'STEP_RECEIVED') failures.push(`WatchTraces: ${whole} began with ${steps[0]}`);
  }

  // 5. The journal: what reached the server, in order.
  console.log('\n== JournalService: the requests of step 4');
  const journalClient = new v1.JournalService(args.server, grpc.credentials.createInsecure());
  const journal = await new Promise((resolve, reject) => {
    journalClient.ListRequests({ filter: { path_templates: ['/fast_task/'] } },
      { deadline: deadline() }, (err, reply) => (err ? reject(err) : resolve(reply)));
  });
  const mine = journal.entries.filter((e) => e.request_id.startsWith('node-watch-'));
  for (const e of mine) {
    console.log(`  #${e.sequence} ${e.request_id} ${e.request.method} ${e.request.target} -> ` +
      `${e.status_code} ${e.endpoint}`);
  }
  const ids = mine.map((e) => Number(e.request_id.split('-').pop()));
  const ordered = ids.every((id, i) => i === 0 || ids[i - 1] < id);
  if (mine.length !== n || !ordered ||
      mine.some((e) => e.status_code !== 200 || e.endpoint !== 'read_root')) {
    failures.push(`JournalService: ${JSON.stringify(mine.map((e) => [e.request_id, e.status_code]))}`);
  }
  journalClient.close();

  client.close();
  if (failures.length > 0) {
    for (const f of failures) console.error(`seed004_client: FAIL: ${f}`);
    process.exit(1);
  }
  console.log('\nseed004_client: every step as seed 004 tells it');
}

main().catch((err) => {
  console.error(`seed004_client: FAIL: ${err.message}`);
  process.exit(1);
});
