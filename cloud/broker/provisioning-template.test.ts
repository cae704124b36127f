import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { findPackageFile } from '../../shared/package-files.js';
import { parseProvisioningTemplate, runProvisioningTemplate } from './provisioning-template.js';

const path = findPackageFile('deploy/aws/fleet-provisioning-template.json') ?? '';
const shipped = parseProvisioningTemplate(readFileSync(path, 'utf8'), path);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isEmberError(error, 'EMBER_ERR_PROVISIONING')) return error.message;
    throw error;
  }
  throw new Error('not refused');
}

describe('the fleet provisioning template, as the embedded broker runs it', () => {
  it('makes thing gw-<serial> in the fleet group with the serial as attribute, certificate active', () => {
    expect(runProvisioningTemplate(shipped, { SerialNumber: '0042' }, 'c'.repeat(64))).toEqual({
      thingName: 'gw-0042',
      thingGroups: ['emberwatch-fleet'],
      attributes: { serial: '0042' },
      certificateStatus: 'ACTIVE',
    });
  });

  it('refuses what IoT Core would: a missing or unknown parameter, a non-string, a bad thing name', () => {
    expect(refusal(() => runProvisioningTemplate(shipped, {}, 'c'))).toBe(
      'ThingName: parameter SerialNumber has no value',
    );
    expect(refusal(() => runProvisioningTemplate(shipped, { SerialNumber: '1', Extra: 'x' }, 'c'))).toBe(
      'unknown parameter Extra',
    );
    expect(refusal(() => runProvisioningTemplate(shipped, { SerialNumber: 7 }, 'c'))).toBe(
      'parameter SerialNumber must be a string',
    );
    expect(refusal(() => runProvisioningTemplate(shipped, { SerialNumber: 'a/b' }, 'c'))).toBe(
      'thing name "gw-a/b" is not a valid thing name',
    );
    expect(refusal(() => runProvisioningTemplate(shipped, { 'AWS::IoT::Certificate::Id': 'x' }, 'c'))).toBe(
      'unknown parameter AWS::IoT::Certificate::Id',
    );
  });

  it('names the problem of a template it cannot run', () => {
    const error: unknown = (() => {
      try {
        return parseProvisioningTemplate('{"Parameters":{},"Resources":{}}', 'x.json');
      } catch (e) {
        return e;
      }
    })();
    expect(isEmberError(error, 'EMBER_ERR_BAD_CONFIG')).toBe(true);
    expect((error as Error).message).toBe('x.json: needs exactly one AWS::IoT::Thing resource');
  });
});
