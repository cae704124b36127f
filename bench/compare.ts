import { pathToFileURL } from 'node:url';
import { formatMeasured, formatNumber, textTable, verdictOf, type Figure } from './figure.js';
import { readRun } from './result-file.js';

/**
 * Two result files side by side: `node dist/bench/compare.js OLD.json NEW.json`.
 * Prints each figure of either run with both measurements, the ratio of the
 * medians (new / old) and each verdict.
 */
export function compareRuns(oldPath: string, newPath: string): string {
  const before = readRun(oldPath);
  const after = readRun(newPath);
  const key = (f: Figure): string => `${f.bench}: ${f.name}`;
  const old = new Map(before.figures.map((f) => [key(f), f]));
  const seen = new Set<string>();
  const rows: string[][] = [];
  for (const f of [...after.figures, ...before.figures]) {
    const k = key(f);
    if (seen.has(k)) continue;
    seen.add(k);
    const o = old.get(k);
    const n = after.figures.find((x) => key(x) === k);
    const ratio = o !== undefined && n !== undefined ? `×${formatNumber(n.median / o.median)}` : '';
    rows.push([
      k,
      o === undefined ? '' : `${formatMeasured(o)} ${verdictOf(o)}`,
      n === undefined ? '' : `${formatMeasured(n)} ${verdictOf(n)}`,
      ratio,
    ]);
  }
  const header = [
    'figure',
    `old ${before.commit.slice(0, 10)} (load ${formatNumber(before.load.before)})`,
    `new ${after.commit.slice(0, 10)} (load ${formatNumber(after.load.before)})`,
    'new/old',
  ];
  return textTable(header, rows);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [oldPath, newPath] = process.argv.slice(2);
  if (oldPath === undefined || newPath === undefined) {
    process.stderr.write('usage: node dist/bench/compare.js OLD.json NEW.json\n');
    process.exitCode = 2;
  } else {
    try {
      process.stdout.write(`${compareRuns(oldPath, newPath)}\n`);
    } catch (error) {
      process.stderr.write(`compare: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
