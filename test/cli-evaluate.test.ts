import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { EvaluationSummary } from '../factory/registry/evaluation-summary.js';
import { writeModelDir } from '../shared/model/model-dir.js';
import { tinyManifest, trainTinyModel } from './helpers/model-fixtures.js';
import { runCli } from './helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'emberwatch-evaluate-'));
const data = join(dir, 'held-out');
const modelDir = join(dir, 'model');

interface CatalogRow {
  class: string;
  fire_class: string | null;
}

function catalogRuns(): CatalogRow[] {
  const db = new Database(join(data, 'catalog.sqlite'), { readonly: true });
  try {
    return db.prepare("SELECT class, fire_class FROM runs WHERE status = 'accepted'").all() as CatalogRow[];
  } finally {
    db.close();
  }
}

describe('emberwatch evaluate', () => {
  beforeAll(async () => {
    const generate = runCli(
      [
        'generate',
        '--out',
        data,
        '--runs',
        '8',
        '--seed',
        '9100',
        '--duration',
        '600',
        '--mix',
        'fire=0.5,nuisance=0.5',
        '--thermal-hz',
        '1',
        '--workers',
        '2',
      ],
      undefined,
      90_000,
    );
    const tiny = trainTinyModel(5);
    mkdirSync(modelDir);
    await writeModelDir(modelDir, await tinyManifest(tiny, 'tiny-1'), tiny.bytes);
    const result = await generate;
    expect(result.code, result.stderr).toBe(0);
  }, 120_000);

  it('prints one JSON summary whose counts match the dataset catalogue', async () => {
    const result = await runCli(
      ['evaluate', '--model', 'rules', '--data', data, '--json'],
      undefined,
      60_000,
    );
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as Record<string, unknown>;
    const summary = EvaluationSummary.parse(doc);
    const runs = catalogRuns();
    const fires = runs.filter((r) => r.class === 'fire');
    expect(summary.modelVersion).toBe('rules');
    expect(summary.heldOutSeeds).toContain('dataset seed 9100');
    expect(summary.fire.runs).toBe(fires.length);
    expect(summary.nuisance.runs).toBe(runs.filter((r) => r.class === 'nuisance').length);
    expect(summary.fire.runs + summary.nuisance.runs + summary.normal.runs).toBe(runs.length);
    expect(Object.keys(summary.perClass).sort()).toEqual([...new Set(fires.map((r) => r.fire_class))].sort());
    expect(typeof summary.fire.detectionRate).toBe('number');
    for (const r of [summary.fire.detectionRate, summary.baseline.best.detectionRate]) {
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1);
    }
    const median = summary.fire.medianTimeToAlarmS;
    expect(median === null || median >= 0).toBe(true);
    expect(summary.nuisance.falseAlarmRuns).toBeLessThanOrEqual(summary.nuisance.runs);
    expect(doc).toHaveProperty('baseline.best.medianTimeToAlarmS');
    expect(doc).toHaveProperty('details.fire.paired.runs');
  }, 60_000);

  it('scores the same in one thread as in workers', async () => {
    const [one, two] = await Promise.all(
      ['0', '2'].map((w) =>
        runCli(['evaluate', '--model', 'rules', '--data', data, '--json', '--workers', w], undefined, 60_000),
      ),
    );
    const strip = (text: string): unknown => {
      const doc = JSON.parse(text) as Record<string, unknown>;
      delete doc['evaluatedAt'];
      delete doc['speedVsRealTime'];
      return doc;
    };
    expect(strip(one?.stdout ?? '')).toEqual(strip(two?.stdout ?? ''));
  }, 60_000);

  it('prints a table and writes an HTML report beside a real ONNX model', async () => {
    const result = await runCli(['evaluate', '--model', modelDir, '--data', data], undefined, 60_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Evaluation of model tiny-1/);
    expect(result.stdout).toMatch(/all fires\s+\d+\s+\d+\/\d+/);
    expect(result.stdout).toMatch(/all nuisances\s+\d+/);
    const html = readFileSync(join(modelDir, 'evaluation.html'), 'utf8');
    expect(html).toContain('<svg');
    for (const fireClass of new Set(
      catalogRuns().flatMap((r) => (r.fire_class === null ? [] : [r.fire_class])),
    )) {
      expect(html, fireClass).toContain(fireClass);
      expect(result.stdout, fireClass).toContain(fireClass);
    }
  }, 60_000);

  it('never writes into the shipped model folder: its report goes to data/ of the current folder', async () => {
    const shipped = fileURLToPath(new URL('../models/default', import.meta.url));
    const before = readdirSync(shipped).sort();
    const here = join(dir, 'cwd');
    mkdirSync(here);
    const result = await runCli(
      ['evaluate', '--model', shipped, '--data', data],
      undefined,
      90_000,
      process.env,
      here,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(shipped).sort()).toEqual(before);
    const version = (JSON.parse(readFileSync(join(shipped, 'manifest.json'), 'utf8')) as { version: string })
      .version;
    const report = join(here, 'data', `evaluation-${version}.html`);
    expect(result.stdout).toContain(`Report: ${join('data', `evaluation-${version}.html`)}`);
    expect(readFileSync(report, 'utf8')).toContain(`Evaluation of model ${version}`);
  }, 90_000);

  it('writes the report where --report says', async () => {
    const report = join(dir, 'rules.html');
    const result = await runCli(
      ['evaluate', '--model', 'rules', '--data', data, '--report', report],
      undefined,
      60_000,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(report, 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*Evaluation of model rules/);
  }, 60_000);

  it('fails in one line on a dataset without runs, a missing model, or a bad option', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const [none, noModel, bad] = await Promise.all([
      runCli(['evaluate', '--model', 'rules', '--data', empty]),
      runCli(['evaluate', '--model', join(dir, 'nope'), '--data', data]),
      runCli(['evaluate', '--model', 'rules', '--data', data, '--report', 'x.txt']),
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toMatch(/^emberwatch .*has no validated runs$/);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/cannot read .*manifest\.json/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--report: must name an \.html file/);
  }, 30_000);
});

describe('emberwatch evaluate --real', () => {
  const real = fileURLToPath(new URL('../recordings/nist-home-smoke-alarms', import.meta.url));

  it('prints a row per test and position with the real alarms there, then the totals', async () => {
    const result = await runCli(['evaluate', '--model', 'rules', '--real', real], undefined, 60_000);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.split('\n').filter((line) => /^SDC\d\d\s+[A-E]\s/.test(line));
    expect(rows).toHaveLength(25);
    expect(result.stdout).toMatch(/high no later than the first photoelectric alarm: \d+ of 24/);
    expect(result.stdout).toMatch(/heads-up no later than the first ionization alarm: \d+ of 24/);
    expect(result.stdout).toMatch(/silent the whole fire: \d+ of 25/);
  }, 60_000);

  it('prints the same as JSON, with every change of every position', async () => {
    const result = await runCli(
      ['evaluate', '--model', 'rules', '--real', real, '--json'],
      undefined,
      60_000,
    );
    expect(result.code, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as {
      modelVersion: string;
      summary: { positions: number; withPhotoelectric: number };
      positions: { test: string; position: string; highS: number | null; changes: { level: string }[] }[];
    };
    expect(doc.modelVersion).toBe('rules');
    expect(doc.summary).toMatchObject({ positions: 25, withPhotoelectric: 24 });
    const e = doc.positions.find((p) => p.test === 'SDC33' && p.position === 'E');
    // The room of the fire passes 57 °C: the heat floors alone raise a high there.
    expect(e?.highS).not.toBeNull();
    expect(e?.changes.some((c) => c.level === 'high')).toBe(true);
  }, 60_000);

  it('refuses --data and --real together, and neither, in one line with exit 2', async () => {
    const [both, neither] = await Promise.all([
      runCli(['evaluate', '--model', 'rules', '--real', real, '--data', data]),
      runCli(['evaluate', '--model', 'rules']),
    ]);
    for (const result of [both, neither]) {
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toMatch(/^emberwatch .*give exactly one of --data DIR and --real DIR$/);
    }
  }, 30_000);
});
