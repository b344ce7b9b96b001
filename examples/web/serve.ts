// A tiny static file server for the web demo and the browser test: serves a folder (by default the repository
// root, so the page can import dist/runtime/index.js and the runtime can fetch build/sqz.wasm) on 127.0.0.1 with
// the MIME types browsers insist on (application/wasm for streaming compilation, text/javascript for modules).
//
//   node dist/examples/web/serve.js [PORT]      then open http://127.0.0.1:PORT/examples/web/

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** Largest request body accepted by `onPost` (results of the browser test are a few KB). */
const MAX_POST_BYTES = 4 << 20;

export interface StaticServerOptions {
  /** Folder served at '/'. */
  root: string;
  /** Extra folders served under a URL prefix, e.g. { '/__models__/': '/tmp/x' }; prefixes start and end with '/'. */
  mounts?: Record<string, string>;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Receives POST bodies (UTF-8) and their URL path; return false to answer 404. */
  onPost?: (path: string, body: string) => boolean;
}

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  origin: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${text}\n`);
}

/** The file a URL path names, or null when it escapes its folder. */
function filePath(urlPath: string, root: string, mounts: Record<string, string>): string | null {
  let base = root;
  let rest = urlPath;
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (urlPath.startsWith(prefix)) {
      base = dir;
      rest = urlPath.slice(prefix.length);
      break;
    }
  }
  const full = resolve(base, `.${sep}${rest}`);
  const inside = relative(base, full);
  return inside.startsWith('..') || isAbsolute(inside) ? null : full;
}

async function serveFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  let info = await stat(path).catch(() => null);
  if (info?.isDirectory() === true) {
    path = join(path, 'index.html');
    info = await stat(path).catch(() => null);
  }
  if (info === null || !info.isFile()) return send(res, 404, `not found: ${req.url ?? ''}`);
  res.writeHead(200, {
    'content-type': MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(path)
    .on('error', () => res.destroy())
    .pipe(res);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_POST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => done(size <= MAX_POST_BYTES ? Buffer.concat(chunks).toString('utf8') : null));
    req.on('error', fail);
  });
}

/** Starts the server on 127.0.0.1 (never on other interfaces). */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const mounts = Object.fromEntries(Object.entries(options.mounts ?? {}).map(([p, d]) => [p, resolve(d)]));
  const server = createServer((req, res) => {
    void (async () => {
      let urlPath: string;
      try {
        urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      } catch {
        return send(res, 400, 'bad URL');
      }
      if (req.method === 'POST') {
        const body = await readBody(req);
        if (body === null) return send(res, 413, `body larger than ${MAX_POST_BYTES} bytes`);
        return options.onPost?.(urlPath, body) === true ? send(res, 200, 'ok') : send(res, 404, 'no handler');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(res, 405, `method ${req.method ?? ''} not allowed`);
      const path = filePath(urlPath, root, mounts);
      if (path === null) return send(res, 403, 'outside the served folder');
      await serveFile(req, res, path);
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, error instanceof Error ? error.message : String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

// Run directly: serve the repository root (this file is dist/examples/web/serve.js).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const port = Number(process.argv[2] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: the port must be an integer 0..65535, got ${process.argv[2]}`);
    process.exit(1);
  }
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  startStaticServer({ root, port }).then(
    (server) => console.log(`sqz web demo: ${server.origin}/examples/web/  (serving ${root}; Ctrl-C to stop)`),
    (error: unknown) => {
      console.error(
        `serve: cannot listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(1);
    },
  );
}
