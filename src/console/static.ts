import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from './respond.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The package root: the nearest directory up from this module holding the package.json
 * named "vigil" (tsup bundles chunks, so this file's own location differs between src and dist).
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'vigil') return dir;
      } catch {
        // An unreadable manifest is not ours; keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function defaultAssetsDir(): string {
  return join(packageRoot() ?? process.cwd(), 'dist', 'console', 'web');
}

/**
 * The file a path names inside `root`, or an HttpError. Refuses `..` segments (raw or
 * percent-encoded), backslashes, NUL and anything that resolves outside `root`.
 */
export function resolveStatic(root: string, urlPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    throw new HttpError(400, 'VIGIL_ERR_CONSOLE_REQUEST', 'the path is not valid percent-encoding.');
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) {
    throw new HttpError(
      400,
      'VIGIL_ERR_CONSOLE_REQUEST',
      'the path leaves the console assets; request a file of the page.',
    );
  }
  const relative = decoded.replace(/^\/+/, '') || 'index.html';
  const base = resolve(root);
  const file = resolve(base, relative);
  if (file !== base && !file.startsWith(base + sep)) {
    throw new HttpError(
      400,
      'VIGIL_ERR_CONSOLE_REQUEST',
      'the path leaves the console assets; request a file of the page.',
    );
  }
  return file;
}

/** Serves a built asset; a directory serves its index.html. */
export function serveStatic(res: ServerResponse, root: string, urlPath: string, head: boolean): void {
  let file = resolveStatic(root, urlPath);
  let stat = statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    file = join(file, 'index.html');
    stat = statSync(file, { throwIfNoEntry: false });
  }
  if (stat === undefined || !stat.isFile()) {
    throw new HttpError(404, 'VIGIL_ERR_CONSOLE_REQUEST', `no console file at ${urlPath}.`);
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': type,
    'content-length': stat.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (head) {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

/** What `/` answers when the page was never built. */
export function missingAssetsPage(dir: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Vigil console: page not built</title>
<h1>The console page is not built</h1>
<p>No built page was found in <code>${dir.replace(/[<>&"]/g, '')}</code>. Run <code>npm run build</code>
(or pass <code>assetsDir</code>). The JSON API under <code>/api/</code> works without it.</p>\n`;
}
