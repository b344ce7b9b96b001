// Runs a Node script of this package as a child process (a benchmark's compress or train step), echoing and keeping
// its stderr, so a benchmark measures the same CLI a user runs.
import { spawn } from 'node:child_process';

export interface NodeRun {
  code: number | null;
  stderr: string;
  seconds: number;
}

/** `node ...args` in `cwd`; stdout is inherited, stderr echoed and returned; resolves when the child exits. */
export function runNode(args: string[], cwd: string): Promise<NodeRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}
