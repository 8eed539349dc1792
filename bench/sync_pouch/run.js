// The reference for sync_bench (issue 13): PouchDB 9 replicating the same
// documents to and from express-pouchdb (memory adapter) over loopback, in
// this one node process (server and client share a core, as
// dianhong_server and sync_bench share the machine's two).
//
//   node bench/sync_pouch/run.js --docs FILE [--batch 2000] [--page 1000]
//
// FILE: one JSON object per line (sync_bench --dump-ops writes the
// operations it pushes); each becomes a document with _id = its "id".
// Push: a local memory database holding every document (loaded before the
// clock starts) replicates to the server (batch_size --batch). Pull: an
// empty local memory database replicates from the server (batch_size
// --page). Bytes are what the server's sockets read and wrote (headers
// included; PouchDB does not compress). Prints a human line per phase and a
// last line "RESULT docs=N push_s=.. pull_s=.. push_up_bpo=.. pull_down_bpo=..".
'use strict';

const fs = require('fs');
const path = require('path');
const PouchDB = require('pouchdb').plugin(require('pouchdb-adapter-memory'));
const expressPouchDB = require('express-pouchdb');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

async function main() {
  const file = arg('docs', '');
  const batch = Number(arg('batch', 2000));
  const page = Number(arg('page', 1000));
  if (!file) {
    console.error('usage: node run.js --docs FILE [--batch 2000] [--page 1000]');
    process.exit(2);
  }
  const docs = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l).map((l) => {
    const op = JSON.parse(l);
    return Object.assign({ _id: op.id }, op);
  });
  const meanBytes = docs.reduce((n, d) => n + JSON.stringify(d).length, 0) / docs.length;

  const MemPouch = PouchDB.defaults({ adapter: 'memory' });
  const app = expressPouchDB(MemPouch, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: path.join(require('os').tmpdir(), 'dh-pouch-log.txt') });
  // Our own http.Server (express-pouchdb's app.listen makes one we cannot
  // watch), so the sockets' byte counts can be read.
  const server = require('http').createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  let bytesIn = 0, bytesOut = 0;
  const sockets = new Set();
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => {
      bytesIn += sock.bytesRead;
      bytesOut += sock.bytesWritten;
      sockets.delete(sock);
    });
  });
  const counted = () => {
    let i = bytesIn, o = bytesOut;
    for (const s of sockets) { i += s.bytesRead; o += s.bytesWritten; }
    return { in: i, out: o };
  };
  const url = 'http://127.0.0.1:' + server.address().port + '/bench';
  // The remote is named as an instance of the http adapter: a bare URL given
  // to a MemPouch's replicate would open a memory database of that name.
  const remote = () => new PouchDB(url, { adapter: 'http' });

  const local = new MemPouch('local-src');
  for (let i = 0; i < docs.length; i += 5000) await local.bulkDocs(docs.slice(i, i + 5000));

  let before = counted();
  let t0 = process.hrtime.bigint();
  const pushed = await local.replicate.to(remote(), { batch_size: batch });
  const pushS = Number(process.hrtime.bigint() - t0) / 1e9;
  let after = counted();
  const pushUp = after.in - before.in, pushDown = after.out - before.out;
  console.log(`pouchdb push: ${pushed.docs_written} docs (${meanBytes.toFixed(0)} B of JSON each) in ${pushS.toFixed(2)} s ` +
              `(${(pushed.docs_written / pushS).toFixed(0)} docs/s); ${(pushUp / docs.length).toFixed(0)} B/doc up, ` +
              `${(pushDown / docs.length).toFixed(0)} B/doc down`);

  const empty = new MemPouch('local-dst');
  before = counted();
  t0 = process.hrtime.bigint();
  const pulled = await empty.replicate.from(remote(), { batch_size: page });
  const pullS = Number(process.hrtime.bigint() - t0) / 1e9;
  after = counted();
  const pullDown = after.out - before.out;
  const info = await empty.info();
  console.log(`pouchdb pull: ${pulled.docs_written} docs into an empty database in ${pullS.toFixed(2)} s ` +
              `(${(pulled.docs_written / pullS).toFixed(0)} docs/s); ${(pullDown / docs.length).toFixed(0)} B/doc down`);
  const ok = pushed.docs_written === docs.length && info.doc_count === docs.length;
  console.log(`RESULT docs=${docs.length} push_s=${pushS.toFixed(3)} pull_s=${pullS.toFixed(3)} ` +
              `push_up_bpo=${(pushUp / docs.length).toFixed(1)} pull_down_bpo=${(pullDown / docs.length).toFixed(1)} ok=${ok}`);
  for (const s of sockets) s.destroy();
  server.close();
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error('sync_pouch:', e && e.stack || e);
  process.exit(1);
});
