// Issue 6, part 4: `sqz compress` stopped at every fault point (SIGKILL during an epoch, while a checkpoint, the
// .sqz or the report is half-written or written but not renamed, right after a rename), at seeded timer points,
// and by a full disk (injected ENOSPC, and a real small tmpfs when this machine lets us mount one). Every stop
// must leave nothing partial under a final name, and --resume must finish byte-identical to one uninterrupted
// run. The matrix lives in interruption_cases.ts, which bench/interruptions.ts records in BENCHMARKS.md.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../cli/helpers.js';
import {
  digitsIdx,
  FAULT_CASES,
  problemsOf,
  referenceRun,
  runCase,
  runFiles,
  timerCases,
  type InterruptionCase,
} from './interruption_cases.js';

const dir = await tempDir('interruptions');
test.after(() => rm(dir, { recursive: true, force: true }));
const data = await digitsIdx(dir);
const reference = await referenceRun(await runFiles(data, path.join(dir, 'reference')));

/** Two cases at a time: each is two short processes, mostly start-up. */
const CONCURRENCY = 2;
const cases: InterruptionCase[] = [...FAULT_CASES, ...timerCases(reference.ms, 1, 1)];

test(
  'interruptions: every stop leaves no partial file and resumes byte-identical',
  { timeout: 300_000, concurrency: CONCURRENCY },
  async (t) => {
    await Promise.all(
      cases.map((c, i) =>
        t.test(c.name, async (st) => {
          const outcome = await runCase(c, await runFiles(data, path.join(dir, `case-${i}`)), reference);
          if (outcome === undefined) {
            st.skip('cannot mount a tmpfs here (needs root and a kernel that allows it)');
            return;
          }
          assert.deepEqual(problemsOf(outcome), [], `${c.name} (${c.fault ?? `${c.killAfterMs} ms`})`);
        }),
      ),
    );
  },
);
