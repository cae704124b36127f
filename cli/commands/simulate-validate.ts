import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EmberError } from '../../shared/errors.js';
import { ROUTE_PHYSICS } from '../../simulators/scenarios/plume-transport.js';
import { calibrateRoutePhysics, comparisonLoss } from '../../simulators/validation/calibration.js';
import { compareNistHome, type PositionComparison } from '../../simulators/validation/nist-comparison.js';
import { CHECKS, checkPosition, type Check } from '../../simulators/validation/tolerances.js';
import { testChartPng } from '../../simulators/validation/validation-charts.js';
import { parseOptions, writeLine, type CommandIo } from '../options.js';

const Options = z.object({
  real: z.string().min(1, 'expected the NIST home smoke alarm folder'),
  out: z.string().min(1).optional(),
  json: z.boolean().default(false),
  calibrate: z.boolean().default(false),
});

const cell = (m: number | null, s: number | null, ok: boolean | null): string => {
  const f = (x: number | null): string => (x === null ? '—' : String(Math.round(x)));
  return `${f(m)}/${f(s)}${ok === false ? '!' : ''}`;
};

function table(rows: readonly PositionComparison[]): string[] {
  const lines = ['position    +2°C (s)   +5°C (s)   +10°C (s)  smoke (s)  ΔT@120   ΔT@180   CO₂ rise'];
  const passed: Record<Check, [number, number]> = Object.fromEntries(
    CHECKS.map((c) => [c, [0, 0]]),
  ) as Record<Check, [number, number]>;
  for (const row of rows) {
    const m = row.measuredMetrics;
    const s = row.simulatedMetrics;
    const ok = checkPosition(m, s);
    for (const check of CHECKS) {
      const verdict = ok[check];
      if (verdict === null) continue;
      passed[check][1]++;
      if (verdict) passed[check][0]++;
    }
    const cells = CHECKS.map((c) => cell(m[c], s[c], ok[c]).padEnd(10));
    lines.push(`${`${row.test} ${row.position}`.padEnd(12)}${cells.join(' ')}`);
  }
  lines.push('', 'measured/simulated; ! outside tolerance. Within tolerance:');
  for (const check of CHECKS) {
    const [ok, of] = passed[check];
    lines.push(`  ${check.padEnd(14)} ${String(ok)} of ${String(of)}`);
  }
  return lines;
}

/** `simulate validate`: the simulator against the NIST home tests. */
export async function runValidate(argv: string[], io: CommandIo, usage: string): Promise<number> {
  const options = parseOptions(
    'simulate validate',
    argv,
    {
      real: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      calibrate: { type: 'boolean' },
    },
    Options,
  );
  if (options === 'help') {
    await writeLine(io.stdout, usage);
    return 0;
  }
  if (options.calibrate) {
    const found = await calibrateRoutePhysics(options.real, ROUTE_PHYSICS);
    await writeLine(io.stdout, JSON.stringify(found));
    return 0;
  }
  const rows = await compareNistHome(options.real);
  if (options.out !== undefined) {
    try {
      await mkdir(options.out, { recursive: true });
      for (const test of new Set(rows.map((r) => r.test))) {
        const png = await testChartPng(rows.filter((r) => r.test === test));
        await writeFile(join(options.out, `${test}.png`), png);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === undefined) throw error;
      throw new EmberError(
        'EMBER_ERR_FILE_UNWRITABLE',
        `simulate validate: cannot write --out ${options.out}: ${code}`,
        {
          cause: error,
        },
      );
    }
  }
  if (options.json) {
    const positions = rows.map((r) => ({
      test: r.test,
      position: r.position,
      measured: r.measuredMetrics,
      simulated: r.simulatedMetrics,
      withinTolerance: checkPosition(r.measuredMetrics, r.simulatedMetrics),
    }));
    await writeLine(
      io.stdout,
      JSON.stringify({ physics: ROUTE_PHYSICS, loss: comparisonLoss(rows), positions }),
    );
    return 0;
  }
  for (const line of table(rows)) await writeLine(io.stdout, line);
  return 0;
}
