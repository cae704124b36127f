import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { AlarmPolicy, DEFAULT_ALARM_POLICY } from '../shared/alarm/alarm-policy.js';
import { silentLogger } from '../shared/logging.js';
import { loadModelDir } from '../shared/model/model-dir.js';
import type { ModelReport } from '../shared/model/model-report.js';
import { RuleModel } from '../shared/model/rule-model.js';
import { chooseAlarmPolicy } from './alarm-policy-choice.js';
import { cloudMessageHandler } from './cloud-message-handler.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const policy = { ...DEFAULT_ALARM_POLICY, hysteresis: 0.2 };

function handler(withUpdater = true) {
  const handleOffer = vi.fn((_raw: unknown) => Promise.resolve({} as ModelReport));
  const applyConfig = vi.fn();
  const log = silentLogger();
  const warn = vi.spyOn(log, 'warn');
  const handle = cloudMessageHandler({
    log,
    updater: withUpdater ? { handleOffer } : undefined,
    applyConfig,
  });
  return { handle, handleOffer, applyConfig, warn };
}

describe('cloudMessageHandler', () => {
  it('hands an offer to the model updater, or warns when there is none', () => {
    const withOne = handler();
    withOne.handle('emberwatch/v1/gw-1/model/offer', json({ id: 'o-1' }));
    expect(withOne.handleOffer).toHaveBeenCalledWith({ id: 'o-1' });
    const without = handler(false);
    without.handle('emberwatch/v1/gw-1/model/offer', json({ id: 'o-1' }));
    expect(without.warn).toHaveBeenCalledWith('model offer ignored: no model folder configured');
  });

  it('hands every config message on, and ignores a cleared retained message quietly', () => {
    const { handle, applyConfig, warn } = handler();
    handle('emberwatch/v1/gw-1/config', json({ schemaVersion: 1, revision: 2, alarm: policy }));
    handle('emberwatch/v1/gw-1/config', json({ schemaVersion: 1, alarm: null }));
    handle('emberwatch/v1/gw-1/config', Buffer.alloc(0));
    handle('emberwatch/v1/gw-1/model/offer', Buffer.alloc(0));
    expect(applyConfig.mock.calls).toEqual([
      [{ schemaVersion: 1, revision: 2, alarm: policy }],
      [{ schemaVersion: 1, alarm: null }],
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns about a malformed message, but not about its own status echoed back', () => {
    const { handle, warn } = handler();
    handle('emberwatch/v1/gw-1/status', json({ state: 'online' }));
    expect(warn).not.toHaveBeenCalled();
    handle('emberwatch/v1/gw-1/config', Buffer.from('{'));
    expect(warn).toHaveBeenCalledWith({ topic: 'emberwatch/v1/gw-1/config', path: undefined }, 'not JSON');
  });
});

describe('chooseAlarmPolicy', () => {
  it('prefers the cloud override, then the configured policy, then the default for the rules model', () => {
    const configured = { ...DEFAULT_ALARM_POLICY, hysteresis: 0.05 };
    const rules = new RuleModel();
    expect(chooseAlarmPolicy(policy, configured, rules)).toBe(policy);
    expect(chooseAlarmPolicy(undefined, configured, rules)).toBe(configured);
    expect(chooseAlarmPolicy(undefined, undefined, rules)).toBe(DEFAULT_ALARM_POLICY);
  });

  it("keeps the model's sustained high rule under an override that has none, fitted to its thresholds", async () => {
    const model = await loadModelDir(fileURLToPath(new URL('../models/default', import.meta.url)));
    try {
      const rule = model.manifest.alarm.sustainedHigh;
      expect(rule).toBeDefined();
      expect(chooseAlarmPolicy(undefined, undefined, model)).toBe(model.manifest.alarm);
      // An override from before the rule existed (or from the rules model) gets the model's rule when
      // it fits below the override's high (a calibrated rule always sits below 0.98).
      const roomy = { ...policy, high: { ...policy.high, threshold: 0.99 } };
      expect(chooseAlarmPolicy(roomy, undefined, model)).toEqual({ ...roomy, sustainedHigh: rule });
      // Fitted between the override's medium and high.
      const strict = {
        ...policy,
        medium: { ...policy.medium, threshold: 0.985 },
        high: { ...policy.high, threshold: 0.99 },
      };
      expect(chooseAlarmPolicy(strict, undefined, model).sustainedHigh?.threshold).toBe(0.985);
      // An override with its own rule keeps it, and one with no room below high gets none.
      const own = { ...policy, sustainedHigh: { threshold: 0.7, raiseAfter: 90 } };
      expect(chooseAlarmPolicy(own, undefined, model)).toBe(own);
      const flat = { ...policy, medium: { ...policy.medium, threshold: 0.85 } };
      expect(chooseAlarmPolicy(flat, undefined, model).sustainedHigh).toBeUndefined();
      for (const chosen of [roomy, strict, flat].map((p) => chooseAlarmPolicy(p, undefined, model)))
        expect(AlarmPolicy.safeParse(chosen).success).toBe(true);
    } finally {
      await model.close();
    }
  });
});
