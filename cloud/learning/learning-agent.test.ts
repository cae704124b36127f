import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { DeviceConfigMessage } from '../../shared/schemas/messages.js';
import type { LearningDecision, RolloutProgress } from '../contracts/cloud-values.js';
import type { Outcome } from '../../shared/schemas/outcomes.js';
import { FolderStore } from '../../shared/object-store/folder-store.js';
import { fieldRun, readFieldData } from './field-data.js';
import { readLabelledRecordings } from '../../shared/dataset/field-recordings.js';
import { LearningAgent } from './learning-agent.js';
import { incidentOf, OPENED, windowOf } from './learning-fixtures.test-helper.js';
import type { RetrainResult } from './learning-types.js';

describe('LearningAgent', () => {
  let dir: string;
  let agent: LearningAgent;
  let published: { topic: string; payload: Buffer }[];
  let retrains: string[];
  let retrainResult: RetrainResult;
  let rollouts: string[];
  let emitted: LearningDecision[];

  function make(): LearningAgent {
    const made = new LearningAgent({
      databaseFile: join(dir, 'learning.db'),
      fieldDataDir: join(dir, 'field'),
      publisher: {
        publish: (topic, payload) => {
          published.push({ topic, payload });
          return Promise.resolve();
        },
      },
      retrainer: {
        retrain: (reason) => {
          retrains.push(reason);
          return Promise.resolve(retrainResult);
        },
      },
      rollout: {
        start: ({ version }) => {
          rollouts.push(version);
          return Promise.resolve({ id: `rollout-of-${version}` } as RolloutProgress);
        },
      },
      now: () => OPENED + 3_600_000,
    });
    made.on('decision', (d) => emitted.push(d));
    return made;
  }

  const outcome = (
    deviceId: string,
    kind: Outcome,
    points: Parameters<typeof windowOf>[0],
    level = points.at(-1)?.[1] ?? 'none',
  ) =>
    agent.handleOutcome({
      incident: incidentOf(deviceId, level),
      outcome: kind,
      by: 'ops',
      window: windowOf(points),
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ember-learning-'));
    published = [];
    retrains = [];
    rollouts = [];
    emitted = [];
    retrainResult = { version: 'gbdt-new', approved: true, verdict: { approved: true } };
    agent = make();
    await agent.start();
  });

  afterEach(async () => {
    await agent.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('raises a device thresholds a notch per false alarm and sends them on its config topic', async () => {
    const first = await outcome('gw-2', 'false-alarm', [
      [0, 'low'],
      [10, 'medium'],
    ]);
    expect(first.action).toBe('adjust-rules');
    const second = await outcome('gw-2', 'false-alarm', [[0, 'medium']]);
    expect(second.explanation).toMatch(/from 0.35\/0.65\/0.9 to 0.4\/0.7\/0.95\.$/);
    expect(published.map((p) => p.topic)).toEqual(['emberwatch/v1/gw-2/config', 'emberwatch/v1/gw-2/config']);
    const sent = DeviceConfigMessage.parse(JSON.parse(published[1]?.payload.toString('utf8') ?? ''));
    expect(sent.alarm?.high.threshold).toBe(0.95);
    expect(agent.decisions().map((d) => d.id)).toEqual([second.id, first.id]);
    const field = await readFieldData(join(dir, 'field'));
    expect(field.windows.map((w) => w.outcome)).toEqual(['false-alarm', 'false-alarm']);
    expect(retrains).toEqual([]);
  });

  it('records the decision, saying why, when the field window cannot be kept', async () => {
    // A file where the field data folder should be: every write under it fails.
    await writeFile(join(dir, 'field'), 'not a folder');
    const decision = await outcome('gw-3', 'false-alarm', [[0, 'medium']]);
    expect(decision.action).toBe('adjust-rules');
    expect(decision.details['fieldDataError']).toEqual(expect.any(String));
    expect(decision.details['fieldDataFile']).toBeUndefined();
    expect(agent.decisions().map((d) => d.id)).toEqual([decision.id]);
    expect(published.map((p) => p.topic)).toEqual(['emberwatch/v1/gw-3/config']);
  });

  it('retrains after a late fire, rolls the approved model out, and updates the decision', async () => {
    const decision = await outcome('gw-1', 'fire', [
      [0, 'low'],
      [400, 'high'],
    ]);
    expect(decision).toMatchObject({ action: 'retrain', details: { retrain: 'queued' } });
    await agent.idle();
    expect(retrains).toEqual(['real fire on gw-1 raised to high only after 400 s']);
    expect(rollouts).toEqual(['gbdt-new']);
    const [latest] = agent.decisions();
    expect(latest?.id).toBe(decision.id);
    expect(latest?.explanation).toMatch(
      /Model gbdt-new passed the gate and is rolling out \(rollout-of-gbdt-new\)\.$/,
    );
    expect(latest?.details).toMatchObject({
      rolloutId: 'rollout-of-gbdt-new',
      retrain: { version: 'gbdt-new' },
    });
    expect(emitted.map((d) => d.id)).toEqual([decision.id, decision.id]);
    const file = String(decision.details['fieldDataFile']);
    const line = JSON.parse((await readFile(file, 'utf8')).trim()) as { incidentId: string; outcome: string };
    expect(line).toMatchObject({ incidentId: 'inc-gw-1', outcome: 'fire' });
    const run = fieldRun((await readFieldData(join(dir, 'field'))).windows[0] ?? expect.fail('no window'));
    expect(run).toMatchObject({ classKind: 'fire', ignitionS: 0, runId: 'field-inc-gw-1' });
    expect(Array.from(run?.t ?? [])).toEqual([0, 400]);
  });

  it('keeps the fleet model when the gate refuses the retrained one', async () => {
    retrainResult = { version: 'gbdt-worse', approved: false, verdict: { approved: false } };
    await outcome('gw-1', 'fire', [
      [0, 'low'],
      [30, 'medium'],
    ]);
    await agent.idle();
    expect(rollouts).toEqual([]);
    expect(agent.decisions()[0]?.explanation).toMatch(
      /the registry gate refused it; the fleet keeps its model\.$/,
    );
  });

  it('retrains on the same false-alarm pattern across three devices', async () => {
    await outcome('gw-1', 'false-alarm', [[0, 'medium']]);
    await outcome('gw-2', 'false-alarm', [[0, 'medium']]);
    const third = await outcome('gw-3', 'false-alarm', [[0, 'medium']]);
    expect(third.action).toBe('retrain');
    await agent.idle();
    expect(retrains).toEqual(['false alarms with pattern co_dev+pm25_dev+temp_dev on 3 devices']);
  });

  it('explains a timely fire, keeps decisions across a restart, and refuses a bad outcome', async () => {
    const ok = await outcome('gw-1', 'fire', [
      [0, 'low'],
      [30, 'high'],
    ]);
    expect(ok).toMatchObject({
      action: 'none',
      explanation: 'Detected at high 30 s after opening; no change.',
    });
    await agent.stop();
    agent = make();
    await agent.start();
    expect(agent.decisions()).toEqual([ok]);
    const error = await outcome('gw-1', 'bogus' as Outcome, [[0, 'low']]).catch((e: unknown) => e);
    expect(isEmberError(error, 'EMBER_ERR_BAD_OUTCOME')).toBe(true);
  });
});

describe('LearningAgent with incident recordings', () => {
  it('labels the recordings that cover the incident with the outcome, and says so in the decision', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emberwatch-learning-rec-'));
    const store = new FolderStore(join(dir, 'store'));
    try {
      const csvKey = 'recordings/gw-9/a.csv';
      await store.put(csvKey, 't_s,pm25_ugm3\n0,5\n1,900\n');
      await store.put(
        'recordings/gw-9/a.json',
        JSON.stringify({
          schemaVersion: 1,
          deviceId: 'gw-9',
          csvKey,
          startedAt: OPENED - 300_000,
          endedAt: OPENED + 900_000,
          stepS: 1,
          closed: true,
        }),
      );
      const agent = new LearningAgent({
        databaseFile: join(dir, 'learning.db'),
        fieldDataDir: join(dir, 'field'),
        recordingStore: store,
        publisher: { publish: () => Promise.resolve() },
        now: () => OPENED + 3_600_000,
      });
      await agent.start();
      const window = windowOf([
        [10, 'medium'],
        [20, 'high'],
      ]);
      const withDeviceTimes = {
        assessments: window.assessments.map((a) => ({ ...a, messageTs: a.ts })),
      };
      const decision = await agent.handleOutcome({
        incident: incidentOf('gw-9', 'high'),
        outcome: 'false-alarm',
        by: 'ops',
        window: withDeviceTimes,
      });
      expect(decision.details['recordings']).toEqual(['false-alarm/inc-gw-9.csv']);
      const { recordings } = await readLabelledRecordings(join(dir, 'field'));
      expect(recordings).toEqual([
        expect.objectContaining({
          outcome: 'false-alarm',
          deviceId: 'gw-9',
          alarmAtS: 310,
          labelledBy: 'ops',
        }),
      ]);
      await agent.stop();
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
