#!/usr/bin/env node
// Serves the playground on 127.0.0.1 (PORT, default 8080), with no dependencies:
//   /            www/
//   /pkg/        target/wasm-pkg/ (the engine: npm run build:wasm)
//   /samples/    tests/fixtures/prometheus/ (sample Prometheus responses)
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** URL prefix → folder. The longest matching prefix wins. */
export const MOUNTS = {
  '/pkg/': path.join(repoRoot, 'target/wasm-pkg'),
  '/samples/': path.join(repoRoot, 'tests/fixtures/prometheus'),
  '/': path.join(repoRoot, 'www'),
};

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
};

/** The file a URL path names, or undefined (outside every mount, missing, or a folder without index.html). */
export function resolvePath(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const prefix = Object.keys(MOUNTS)
    .filter((p) => decoded.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) {
    return undefined;
  }
  const base = MOUNTS[prefix];
  let file = path.resolve(base, `.${path.posix.normalize(`/${decoded.slice(prefix.length)}`)}`);
  if (file !== base && !file.startsWith(base + path.sep)) {
    return undefined;
  }
  try {
    if (statSync(file).isDirectory()) {
      file = path.join(file, 'index.html');
    }
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

/** An http.Server for the playground (not yet listening). */
export function createServer() {
  return http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = req.method === 'GET' || req.method === 'HEAD' ? resolvePath(pathname) : undefined;
    if (!file) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { 'Content-Type': 'text/plain' });
      res.end(req.method === 'GET' || req.method === 'HEAD' ? 'not found\n' : 'method not allowed\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  const server = createServer();
  server.listen(port, '127.0.0.1', () => {
    const { port: actual } = server.address();
    process.stdout.write(`FleetLens playground: http://127.0.0.1:${actual}/\n`);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => server.close(() => process.exit(0)));
  }
}
