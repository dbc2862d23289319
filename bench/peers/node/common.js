'use strict';
// What both Node peers share and the benchmark needs around them: command-line
// options, an http or https server on 127.0.0.1, the port file, and a clean exit on
// SIGTERM/SIGINT.
const fs = require('fs');
const http = require('http');
const https = require('https');

function parseArgs(argv) {
  const opts = { port: 0, portFile: null, tlsCert: null, tlsKey: null };
  const names = { '--port': 'port', '--port-file': 'portFile', '--tls-cert': 'tlsCert', '--tls-key': 'tlsKey' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length) {
      console.error('usage: [--port N] [--port-file FILE] [--tls-cert FILE --tls-key FILE]');
      process.exit(2);
    }
    opts[key] = key === 'port' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if ((opts.tlsCert === null) !== (opts.tlsKey === null)) {
    console.error('--tls-cert and --tls-key go together');
    process.exit(2);
  }
  return opts;
}

function createServer(opts) {
  if (opts.tlsCert === null) return http.createServer();
  return https.createServer({ cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) });
}

// Written to a temporary name and renamed, so a reader never sees a partial number.
function writePortFile(path, port) {
  const tmp = `${path}.tmp.${process.pid}`;
  fs.writeFileSync(tmp, `${port}\n`);
  fs.renameSync(tmp, path);
}

// Listens on 127.0.0.1, writes the port file once listening, exits 0 on a stop signal.
function serve(server, opts, label) {
  server.listen(opts.port, '127.0.0.1', () => {
    if (opts.portFile !== null) writePortFile(opts.portFile, server.address().port);
    console.error(`${label} listening on 127.0.0.1:${server.address().port}`);
  });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
}

module.exports = { parseArgs, createServer, serve };
