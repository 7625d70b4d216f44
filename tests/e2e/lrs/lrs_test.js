#!/usr/bin/env node
// lrs_test.js: drillhall-records push against a real LRS (e2e.lrs.*).
//
// The judge is Learning Locker's xAPI service, the npm package
// xapi-statements (pinned in package-lock.json, installed by `npm ci` in a
// CTest fixture). It runs here, on 127.0.0.1 only, with its in-memory
// models repository, local attachment storage and test events repository:
// no MongoDB or Redis. Its "fetch" auth repository asks a client-info
// endpoint who a Basic token belongs to; this script serves that endpoint
// (one client, key "drillhall", secret "s3cret"), so wrong credentials are
// really refused. A fault-injecting proxy stands between the push and the
// LRS: it can answer 503, delay, or vanish (connection refused) after N
// requests, while the LRS behind it keeps what it stored.
//
//   node lrs_test.js RECORDS KIOSK COURSE WORKDIR [SCENARIO...]
//   node lrs_test.js --serve WORKDIR        (one LRS per child process)
//
// KIOSK (report_kiosk) fills a kiosk data directory from the sample course
// COURSE and `RECORDS export` makes the bundle pushed. Each scenario starts
// a fresh LRS in a child process, runs the real
// drillhall-records binary, reads the LRS back with GET /xAPI/statements and
// compares ids and content with the bundle. Scenarios: auth, outage (the LRS
// goes away mid-push, the push gives up, resumes when it is back, with 503s
// retried), again (a second push sends nothing and duplicates nothing),
// fresh-state (without the state file, the LRS de-duplicates), killed (the
// push itself is SIGKILLed mid-way and resumed) and conflict (the LRS holds
// a different statement under one of our ids).
'use strict';

const assert = require('assert');
const child = require('child_process');
const fs = require('fs');
const http = require('http');
const path = require('path');

const USER = 'drillhall';
const PASSWORD = 's3cret';
const TOKEN = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const HOST = '127.0.0.1';

// ---- the LRS (child process) ---------------------------------------------------------

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port || 0, HOST, () => resolve(server.address().port));
  });
}

async function serve(workdir) {
  fs.mkdirSync(workdir, {recursive: true});
  // Learning Locker's client-info endpoint, as the fetch auth repository calls it.
  const auth = http.createServer((req, res) => {
    if (req.headers.authorization !== TOKEN) {
      res.writeHead(404, {'Content-Type': 'application/json'});
      res.end('{"message":"No client"}');
      return;
    }
    res.writeHead(200, {'Content-Type': 'application/json'});
    res.end(JSON.stringify({
      _id: '58fe13e34effd3c26a7fc4b7', title: 'Drillhall e2e', isTrusted: true,
      authority: {objectType: 'Agent', name: 'Drillhall e2e', account: {homePage: 'https://lrs.example.org', name: USER}},
      lrs_id: '58fe13e34effd3c26a7fc4b7', organisation: '58fe13e34effd3c26a7fc4b6', scopes: ['all'],
    }));
  });
  const authPort = await listen(auth);

  Object.assign(process.env, {
    MODELS_REPO: 'memory', STORAGE_REPO: 'local', EVENTS_REPO: 'test', AUTH_REPO: 'fetch',
    LL_CLIENT_INFO_ENDPOINT: `http://${HOST}:${authPort}/auth`,
    FS_LOCAL_STORAGE_DIR: path.join(workdir, 'storage'),
    EXPRESS_MORGAN_DIRECTORY: path.join(workdir, 'logs'),
    WINSTON_CONSOLE_LEVEL: 'error', SERVICE_AWAIT_UPDATES: 'true', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
  });
  // server.js of the package, except that it listens on 127.0.0.1 only and on
  // a free port (its own listens on every interface, port 80).
  const dist = path.join(path.dirname(require.resolve('xapi-statements/package.json')), 'dist');
  const express = require('express');
  const config = require(path.join(dist, 'config')).default;
  const constants = require(path.join(dist, 'utils/constants'));
  const presenter = require(path.join(dist, 'expressPresenter')).default({
    llClientInfoEndpoint: config.llClientInfoEndpoint,
    customRoute: config.express.customRoute,
    customRouteText: config.express.customRouteText,
    morganDirectory: config.express.morganDirectory,
    bodyParserLimit: config.express.bodyParserLimit,
    service: require(path.join(dist, 'serviceFactory')).default(),
    tracker: require(path.join(dist, 'tracker')).default,
    translator: require(path.join(dist, 'translatorFactory')).default(),
    logger: require(path.join(dist, 'logger')).default,
  });
  const app = express();
  app.use(constants.aboutRoute, presenter.aboutRouter);
  app.use(constants.statementsRoute, presenter.statementsRouter);
  const lrs = http.createServer(app);
  const lrsPort = await listen(lrs);

  // The fault proxy, steered through the control server.
  const mode = {failFirst: 0, dieAfter: -1, delayMs: 0, posts: 0, dead: false};
  const sockets = new Set();
  let proxy = null;
  let proxyPort = 0;
  const forward = (req, res) => {
    if (mode.dead) {
      req.socket.destroy(); // gone: a request already on a kept-alive connection fails too
      return;
    }
    const body = [];
    req.on('data', (c) => body.push(c));
    req.on('end', () => {
      if (req.method === 'POST') {
        mode.posts++;
        if (mode.failFirst > 0) {
          mode.failFirst--;
          res.writeHead(503, {'Content-Type': 'application/json', 'Retry-After': '1'});
          res.end('{"message":"Service Unavailable (injected)"}');
          return;
        }
      }
      const go = () => {
        const up = http.request({host: HOST, port: lrsPort, method: req.method, path: req.url, headers: req.headers}, (r) => {
          res.writeHead(r.statusCode, r.headers);
          r.pipe(res);
          // vanish once the answer is on its way (not before: it must arrive whole)
          res.on('finish', () => {
            if (req.method === 'POST' && mode.dieAfter >= 0 && mode.posts >= mode.dieAfter) {
              mode.dead = true;
              setTimeout(stopProxy, 20);
            }
          });
        });
        up.on('error', () => res.destroy());
        up.end(Buffer.concat(body));
      };
      if (mode.delayMs) setTimeout(go, mode.delayMs);
      else go();
    });
  };
  const startProxy = async () => {
    proxy = http.createServer(forward);
    proxy.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    proxyPort = await listen(proxy, proxyPort);
  };
  const stopProxy = () => {
    if (!proxy) return;
    proxy.close();
    for (const s of sockets) s.destroy();
    proxy = null;
  };
  await startProxy();
  const control = http.createServer((req, res) => {
    const body = [];
    req.on('data', (c) => body.push(c));
    req.on('end', async () => {
      const m = JSON.parse(Buffer.concat(body).toString() || '{}');
      Object.assign(mode, m, {posts: 0});
      if (m.up) mode.dead = false;
      if (m.up && !proxy) await startProxy();
      if (m.down) stopProxy();
      res.end(JSON.stringify({posts: mode.posts}));
    });
  });
  const controlPort = await listen(control);
  process.stdout.write(JSON.stringify({lrs: lrsPort, proxy: proxyPort, control: controlPort}) + '\n');
}

// ---- the driver ------------------------------------------------------------------------

function request(port, method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({host: HOST, port, method, path: urlPath, headers}, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({status: res.statusCode, body: Buffer.concat(chunks).toString()}));
    });
    req.on('error', reject);
    req.end(body);
  });
}

class Lrs {
  static async start(workdir) {
    const lrs = new Lrs();
    lrs.proc = child.spawn(process.execPath, [__filename, '--serve', workdir], {stdio: ['ignore', 'pipe', 'inherit']});
    lrs.ports = await new Promise((resolve, reject) => {
      let out = '';
      lrs.proc.stdout.on('data', (d) => {
        out += d;
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
      });
      lrs.proc.on('exit', (code) => reject(new Error(`the LRS exited (${code}) before it was ready`)));
    });
    return lrs;
  }
  // The URL drillhall-records is given: through the proxy.
  get endpoint() { return `http://${HOST}:${this.ports.proxy}/xAPI/`; }
  async mode(m) {
    await request(this.ports.control, 'POST', '/', JSON.stringify(m), {'Content-Type': 'application/json'});
  }
  // Every statement the LRS holds, following "more" links.
  async statements() {
    const all = [];
    let next = '/xAPI/statements?limit=100';
    while (next) {
      const r = await request(this.ports.lrs, 'GET', next, undefined, {
        'X-Experience-API-Version': '1.0.3', Authorization: TOKEN});
      assert.strictEqual(r.status, 200, `GET ${next}: HTTP ${r.status} ${r.body}`);
      const page = JSON.parse(r.body);
      all.push(...page.statements);
      next = page.more || '';
      if (next && !next.startsWith('/')) next = new URL(next).pathname + new URL(next).search;
    }
    return all;
  }
  async post(statements) {
    return request(this.ports.lrs, 'POST', '/xAPI/statements', JSON.stringify(statements), {
      'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json', Authorization: TOKEN});
  }
  stop() { this.proc.kill('SIGKILL'); }
}

// Every member we sent is in the LRS's copy, unchanged (the LRS adds
// stored and authority, and may add defaults).
function contains(ours, theirs, where) {
  if (ours !== null && typeof ours === 'object') {
    assert.ok(theirs !== null && typeof theirs === 'object', `${where}: missing in the LRS copy`);
    if (Array.isArray(ours)) assert.strictEqual(theirs.length, ours.length, `${where}: length differs`);
    for (const k of Object.keys(ours)) contains(ours[k], theirs[k], `${where}.${k}`);
  } else {
    assert.deepStrictEqual(theirs, ours, `${where} differs`);
  }
}

function run(records, args, opts = {}) {
  const r = child.spawnSync(records, args, {encoding: 'utf8', env: {...process.env, NO_PROXY: HOST, no_proxy: HOST}, ...opts});
  process.stdout.write(`$ drillhall-records ${args.join(' ')}\n${r.stdout}${r.stderr}(exit ${r.status})\n`);
  return r;
}

function summaryLine(r, bundle) {
  const line = r.stdout.split('\n').find((l) => l.startsWith(bundle + ':'));
  assert.ok(line, `no summary line for ${bundle} in:\n${r.stdout}`);
  const num = (re) => {
    const m = line.match(re);
    return m ? Number(m[1]) : 0;
  };
  return {line, total: num(/(\d+) statements?:/), sent: num(/(\d+) sent/), already: num(/(\d+) already in the LRS/),
    earlier: num(/\((\d+) delivered by an earlier push\)/), failed: num(/(\d+) failed/),
    pending: num(/(\d+) not attempted/)};
}

async function expectExactlyOnce(lrs, bundleStatements, label) {
  const held = await lrs.statements();
  const byId = new Map();
  for (const s of held) {
    assert.ok(!byId.has(s.id), `${label}: the LRS holds ${s.id} twice`);
    byId.set(s.id, s);
  }
  assert.strictEqual(held.length, bundleStatements.length, `${label}: the LRS holds ${held.length} statements, the bundle ${bundleStatements.length}`);
  for (const s of bundleStatements) {
    assert.ok(byId.has(s.id), `${label}: ${s.id} is not in the LRS`);
    contains(s, byId.get(s.id), `${label}: ${s.id}`);
  }
  console.log(`ok: ${label}: the LRS holds each of the ${held.length} statements exactly once, as in the bundle`);
}

const scenarios = {
  // Wrong credentials are refused and nothing is stored.
  async auth(ctx, lrs) {
    const r = run(ctx.records, ['push', ctx.bundle, '--lrs', lrs.endpoint, '--user', USER, '--password', 'wrong',
      '--state', ctx.state('auth'), '--retry-wait', '0.05']);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /HTTP 401.*check --user and --password/);
    assert.strictEqual((await lrs.statements()).length, 0);
    const r2 = run(ctx.records, ['push', ctx.bundle, '--lrs', 'ftp://example.org/xAPI', '--state', ctx.state('auth')]);
    assert.strictEqual(r2.status, 2);
    const r4 = run(ctx.records, ['push', ctx.bundle, '--lrs', lrs.endpoint.replace('/xAPI/', '/no-such-lrs/'),
      '--user', USER, '--password', PASSWORD, '--state', ctx.state('auth')]);
    assert.strictEqual(r4.status, 1);
    assert.match(r4.stderr, /HTTP 404.*check --lrs/);
    fs.writeFileSync(ctx.state('damaged'), '{"format": 1, "pushes": [');
    const r3 = run(ctx.records, ['push', ctx.bundle, '--lrs', lrs.endpoint, '--user', USER, '--password', PASSWORD,
      '--state', ctx.state('damaged')]);
    assert.strictEqual(r3.status, 1);
    assert.match(r3.stderr, /is not a drillhall push state file/);
    assert.strictEqual((await lrs.statements()).length, 0);
    console.log('ok: auth: wrong credentials, a wrong or non-HTTP URL and a damaged state file stop the push before anything is stored');
  },

  // The LRS goes away after 3 batches; the push retries, gives up and keeps
  // its progress; the LRS comes back answering 503 twice; the push resumes.
  async outage(ctx, lrs) {
    const state = ctx.state('outage');
    const common = ['push', ctx.bundle, '--lrs', lrs.endpoint, '--user', USER, '--password', PASSWORD,
      '--state', state, '--batch', '5', '--retry-wait', '0.05', '--max-wait', '0.2', '--tries', '3'];
    await lrs.mode({dieAfter: 3});
    const r1 = run(ctx.records, common);
    assert.strictEqual(r1.status, 1, 'a push that could not finish exits 1');
    assert.match(r1.stderr, /gave up after 3 tries/);
    assert.match(r1.stderr, /run the same command again to resume/);
    const s1 = summaryLine(r1, ctx.bundle);
    assert.strictEqual(s1.sent, 15);
    assert.strictEqual(s1.pending, ctx.statements.length - 15);
    assert.strictEqual((await lrs.statements()).length, 15, 'the LRS holds the 3 batches sent');
    const saved = JSON.parse(fs.readFileSync(state, 'utf8'));
    assert.strictEqual(saved.pushes[0].done, 15, 'the state file records where the push stopped');

    await lrs.mode({up: true, dieAfter: -1, failFirst: 2});
    const r2 = run(ctx.records, common);
    assert.strictEqual(r2.status, 0);
    // Retry-After: 1 asks for longer than the first wait; --max-wait 0.2 caps it
    assert.match(r2.stderr, /HTTP 503: Service Unavailable \(injected\); retrying in 0\.2 s \(try 2 of 3\)/);
    const s2 = summaryLine(r2, ctx.bundle);
    assert.deepStrictEqual([s2.total, s2.sent, s2.already, s2.earlier, s2.failed],
      [ctx.statements.length, ctx.statements.length - 15, 15, 15, 0], s2.line);
    await expectExactlyOnce(lrs, ctx.statements, 'outage and resume');

    // again: a second push sends nothing
    const r3 = run(ctx.records, common);
    assert.strictEqual(r3.status, 0);
    const s3 = summaryLine(r3, ctx.bundle);
    assert.deepStrictEqual([s3.sent, s3.already, s3.failed], [0, ctx.statements.length, 0], s3.line);
    await expectExactlyOnce(lrs, ctx.statements, 'second push');

    // fresh-state: without the state file everything goes again; the LRS
    // recognises the same statements and stores nothing twice
    const r4 = run(ctx.records, ['push', ctx.bundle, '--lrs', lrs.endpoint, '--user', USER, '--password', PASSWORD,
      '--state', ctx.state('fresh'), '--batch', '7']);
    assert.strictEqual(r4.status, 0);
    const s4 = summaryLine(r4, ctx.bundle);
    assert.strictEqual(s4.failed, 0, s4.line);
    assert.strictEqual(s4.sent + s4.already, ctx.statements.length, s4.line);
    await expectExactlyOnce(lrs, ctx.statements, 'push without the state file');
  },

  // The push process itself is killed mid-way (SIGKILL: no chance to save
  // anything more), then run again.
  async killed(ctx, lrs) {
    const state = ctx.state('killed');
    const args = ['push', ctx.bundle, '--lrs', lrs.endpoint, '--user', USER, '--password', PASSWORD,
      '--state', state, '--batch', '2'];
    await lrs.mode({delayMs: 100});
    const p = child.spawn(ctx.records, args, {stdio: 'inherit', env: {...process.env, NO_PROXY: HOST, no_proxy: HOST}});
    // kill it once a few batches are in (however slow the machine or the
    // sanitizers make it), while most are still to come
    for (let waited = 0; (await lrs.statements()).length < 10; waited += 50) {
      assert.ok(waited < 60000, 'the push stored nothing within a minute');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // a second push on the same state file is refused while the first runs
    const twin = run(ctx.records, args);
    assert.strictEqual(twin.status, 1);
    assert.match(twin.stderr, /another drillhall-records push is using/);
    p.kill('SIGKILL');
    await new Promise((resolve) => p.on('exit', resolve));
    const before = (await lrs.statements()).length;
    assert.ok(before > 0 && before < ctx.statements.length, `killed mid-way: ${before} stored`);
    const saved = JSON.parse(fs.readFileSync(state, 'utf8'));
    const done = saved.pushes[0].done;
    assert.ok(done > 0 && done <= before, `the state (${done}) never claims more than the LRS holds (${before})`);
    await lrs.mode({delayMs: 0});
    const r = run(ctx.records, args);
    assert.strictEqual(r.status, 0);
    const s = summaryLine(r, ctx.bundle);
    assert.strictEqual(s.earlier, done, s.line);
    assert.strictEqual(s.sent + s.already, ctx.statements.length, s.line);
    await expectExactlyOnce(lrs, ctx.statements, 'killed and resumed');
  },

  // The LRS already holds a different statement under one of our ids: that
  // one is reported as a conflict with the LRS's words, the rest delivered.
  async conflict(ctx, lrs) {
    const victim = JSON.parse(JSON.stringify(ctx.statements[3]));
    victim.verb = {id: 'http://adlnet.gov/expapi/verbs/experienced', display: {'en-US': 'experienced'}};
    victim.object = {objectType: 'Activity', id: 'https://lrs.example.org/not-ours'};
    delete victim.result;
    const posted = await lrs.post([victim]);
    assert.strictEqual(posted.status, 200, posted.body);
    const r = run(ctx.records, ['push', ctx.bundle, '--lrs', lrs.endpoint, '--user', USER, '--password', PASSWORD,
      '--state', ctx.state('conflict')]);
    assert.strictEqual(r.status, 1);
    const s = summaryLine(r, ctx.bundle);
    assert.deepStrictEqual([s.sent, s.failed], [ctx.statements.length - 1, 1], s.line);
    assert.ok(r.stderr.includes(victim.id) && /conflict/.test(r.stderr), 'the conflict names the statement');
    const held = await lrs.statements();
    assert.strictEqual(held.length, ctx.statements.length);
    // run again: the conflict is tried again and reported again, nothing else is sent
    const r2 = run(ctx.records, ['push', ctx.bundle, '--lrs', lrs.endpoint, '--user', USER, '--password', PASSWORD,
      '--state', ctx.state('conflict')]);
    assert.strictEqual(r2.status, 1);
    const s2 = summaryLine(r2, ctx.bundle);
    assert.deepStrictEqual([s2.sent, s2.failed, s2.earlier], [0, 1, ctx.statements.length - 1], s2.line);
    console.log('ok: conflict: the different statement under our id is reported, the others delivered once');
  },
};

async function main(argv) {
  if (argv[0] === '--serve') return serve(argv[1]);
  const [records, kiosk, course, workdir, ...which] = argv;
  if (!records || !kiosk || !course || !workdir) {
    console.error('usage: node lrs_test.js RECORDS KIOSK COURSE WORKDIR [SCENARIO...]');
    process.exit(2);
  }
  fs.rmSync(workdir, {recursive: true, force: true});
  fs.mkdirSync(path.join(workdir, 'out'), {recursive: true});
  const make = (cmd, args) => {
    const r = child.spawnSync(cmd, args, {encoding: 'utf8'});
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  };
  make(kiosk, [path.join(workdir, 'data'), course]);
  make(records, ['export', '--data', path.join(workdir, 'data'), '-o', path.join(workdir, 'out')]);
  const bundle = path.join(workdir, 'out', fs.readdirSync(path.join(workdir, 'out'))[0]);
  const ctx = {
    records, bundle,
    statements: JSON.parse(fs.readFileSync(path.join(bundle, 'statements.json'), 'utf8')),
    state: (name) => path.join(workdir, `${name}.state.json`),
  };
  assert.ok(ctx.statements.length > 40, 'the bundle has enough statements for the batches below');
  const names = which.length ? which : Object.keys(scenarios);
  for (const name of names) {
    if (!scenarios[name]) throw new Error(`no scenario ${name}`);
    const lrs = await Lrs.start(path.join(workdir, name));
    try {
      await scenarios[name](ctx, lrs);
    } finally {
      lrs.stop();
    }
  }
  console.log(`all ${names.length} LRS scenario(s) passed`);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
