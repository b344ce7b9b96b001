// Headless Chromium for the browser test: find the binary, open one page, wait for the JSON the page POSTs to the
// test's static server, and always kill the browser (its whole process group) and remove its profile.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary: $SQZ_CHROMIUM, else Debian's /usr/bin/chromium or a usual alternative; null if none. */
export function findChromium(): string | null {
  const fromEnv = process.env.SQZ_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--mute-audio',
];

/**
 * Opens `url` in a fresh headless Chromium and resolves with what `report` yields (the page's POSTed JSON).
 * Rejects with the browser's last stderr lines when the browser exits first or `timeoutMs` passes.
 */
export async function runPage(
  chromium: string,
  url: string,
  report: Promise<string>,
  timeoutMs = 60_000,
): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'sqz-chromium-'));
  // detached: the browser leads its own process group, so one kill reaches its renderer and helper processes.
  const child = spawn(chromium, [...FLAGS, `--user-data-dir=${profile}`, url], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-6000);
  });
  const exited = new Promise<string>((done) => {
    child.on('error', (error) => done(`could not start ${chromium}: ${error.message}`));
    child.on('exit', (code, signal) => done(`exited early (code ${code}, signal ${signal})`));
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((done) => {
    timer = setTimeout(() => done(`gave no result within ${timeoutMs / 1000} s`), timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      report.then((body) => ({ body })),
      exited.then((why) => ({ why })),
      timedOut.then((why) => ({ why })),
    ]);
    if ('body' in outcome) return outcome.body;
    const tail = stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !/dbus|DBus/.test(line))
      .slice(-15)
      .join('\n');
    throw new Error(`Chromium ${outcome.why} on ${url}\n--- chromium stderr (last lines) ---\n${tail}`);
  } finally {
    clearTimeout(timer);
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL'); // the group outlives its leader while helpers still run
      } catch {
        // the whole group is already gone
      }
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))]);
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
