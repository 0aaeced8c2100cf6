#!/usr/bin/env node
// Release archive: fleetlens-app-<version>.zip with one root folder, fleetlens-app/, holding dist/.
// Usage: node scripts/package.mjs [out-dir]   (default: the repository root)
import { createWriteStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import yauzl from 'yauzl';
import yazl from 'yazl';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const APP_ID = 'fleetlens-app';
/** Files Grafana's catalogue expects at the root of a plugin archive. */
export const REQUIRED = ['plugin.json', 'module.js', 'README.md', 'CHANGELOG.md', 'LICENSE'];

/** Every file under `dir`, as sorted forward-slash relative paths. */
export function listFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map((rel) => String(rel).split(path.sep).join('/'))
    .filter((rel) => statSync(path.join(dir, rel)).isFile())
    .sort();
}

/** Throws unless `distDir` is a built app of `version` with everything a release needs. */
export function checkDist(distDir, version) {
  const missing = REQUIRED.filter((file) => !existsSync(path.join(distDir, file)));
  if (missing.length > 0) {
    throw new Error(`${distDir} lacks ${missing.join(', ')} (npm run build; README.md, CHANGELOG.md and LICENSE come from the repository root)`);
  }
  const info = JSON.parse(readFileSync(path.join(distDir, 'plugin.json'), 'utf8'));
  if (info.id !== APP_ID || info.info?.version !== version) {
    throw new Error(`dist/plugin.json is ${info.id} ${info.info?.version}, expected ${APP_ID} ${version}: rebuild`);
  }
}

/** Writes `outFile` with every file of `distDir` under `fleetlens-app/`; resolves to the entry names. */
export function writeArchive(distDir, outFile) {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  const mtime = Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date();
  const zip = new yazl.ZipFile();
  const names = listFiles(distDir).map((rel) => {
    const name = `${APP_ID}/${rel}`;
    zip.addFile(path.join(distDir, rel), name, { mtime, mode: 0o100644 });
    return name;
  });
  zip.end();
  return new Promise((resolve, reject) => {
    const out = createWriteStream(outFile);
    out.on('close', () => resolve(names));
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
}

/** Entry names of a zip file, in archive order. */
export function listArchive(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) {
        reject(err);
        return;
      }
      const names = [];
      zip.on('entry', (entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function main() {
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const distDir = path.join(repoRoot, 'dist');
  checkDist(distDir, version);
  const outFile = path.resolve(process.argv[2] ?? repoRoot, `${APP_ID}-${version}.zip`);
  const names = await writeArchive(distDir, outFile);
  const listed = await listArchive(outFile);
  if (listed.length !== names.length || listed.some((name) => !name.startsWith(`${APP_ID}/`))) {
    throw new Error(`${outFile} does not hold exactly dist/ under ${APP_ID}/`);
  }
  process.stdout.write(`package: ${path.relative(process.cwd(), outFile)} (${names.length} files, ${statSync(outFile).size} bytes)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`package: ${err.message}\n`);
    process.exit(1);
  });
}
