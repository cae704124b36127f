import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEmberError } from './errors.js';
import {
  DeviceId,
  TOPIC_KINDS,
  deviceMayPublish,
  deviceMaySubscribe,
  deviceTopics,
  isUnderTopicRoot,
  parseTopic,
  topicFor,
} from './topics.js';

const idChar = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:'.split(''),
);
const deviceIdArb = fc.string({ unit: idChar, minLength: 1, maxLength: 64 });
const kindArb = fc.constantFrom(...TOPIC_KINDS);
const twoDevices = fc.tuple(deviceIdArb, deviceIdArb).filter(([a, b]) => a !== b);

/** MQTT 3.1.1 filter matching (section 4.7), kept independent of the code under test. */
function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Filters built from the levels that matter (wildcards, the root, ids, kind
 * levels); half of them start at the root so that granted filters do occur.
 */
function filterArb(ids: string[]): fc.Arbitrary<string> {
  const wild = fc.constantFrom('+', '#');
  const tail = fc.constantFrom('+', '#', 'model', 'offer', 'report', ...TOPIC_KINDS);
  const level = fc.oneof(wild, tail, fc.constantFrom('emberwatch', 'v1', ...ids));
  const anywhere = fc.array(level, { minLength: 1, maxLength: 6 }).map((levels) => levels.join('/'));
  const rooted = fc
    .tuple(fc.oneof(wild, fc.constantFrom(...ids)), fc.array(tail, { minLength: 0, maxLength: 2 }))
    .map(([device, rest]) => ['emberwatch', 'v1', device, ...rest].join('/'));
  return fc.oneof(anywhere, rooted);
}

describe('device ids', () => {
  it('accepts the IoT thing-name character set up to 64 characters', () => {
    for (const id of ['a', 'gw-01', 'site_3:gw-7', 'x'.repeat(64)]) expect(DeviceId.parse(id)).toBe(id);
  });

  it('refuses empty, overlong, and MQTT-special ids', () => {
    for (const id of ['', 'x'.repeat(65), 'a/b', 'a+', '#', 'a b', 'é', '$SYS']) {
      expect(DeviceId.safeParse(id).success, id).toBe(false);
    }
  });

  it('throws EMBER_ERR_BAD_DEVICE_ID from a builder given a bad id', () => {
    expect(() => topicFor('a/b', 'telemetry')).toThrow(/bad device id "a\/b"/);
    try {
      deviceTopics('+');
      expect.unreachable();
    } catch (error) {
      expect(isEmberError(error, 'EMBER_ERR_BAD_DEVICE_ID')).toBe(true);
    }
  });
});

describe('topic builders and parser', () => {
  it('builds every kind under emberwatch/v1/{deviceId}/', () => {
    expect(deviceTopics('gw-1')).toEqual({
      telemetry: 'emberwatch/v1/gw-1/telemetry',
      anomaly: 'emberwatch/v1/gw-1/anomaly',
      status: 'emberwatch/v1/gw-1/status',
      'model/offer': 'emberwatch/v1/gw-1/model/offer',
      'model/report': 'emberwatch/v1/gw-1/model/report',
      config: 'emberwatch/v1/gw-1/config',
    });
  });

  it('parses what it builds, for any id and kind', () => {
    fc.assert(
      fc.property(deviceIdArb, kindArb, (id, kind) => {
        expect(parseTopic(topicFor(id, kind))).toEqual({ deviceId: id, kind });
      }),
    );
  });

  it('returns undefined for topics outside the layout', () => {
    for (const topic of [
      'emberwatch/v1/gw-1',
      'emberwatch/v1/gw-1/',
      'emberwatch/v1/gw-1/model',
      'emberwatch/v1/gw-1/telemetry/extra',
      'emberwatch/v2/gw-1/telemetry',
      'emberwatch/v1//telemetry',
      'emberwatch/v1/+/telemetry',
      '/emberwatch/v1/gw-1/telemetry',
    ]) {
      expect(parseTopic(topic), topic).toBeUndefined();
    }
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string(), (topic) => void parseTopic(topic)));
  });
});

describe('device policy', () => {
  it('lets a device publish its own telemetry, anomaly, status and model report only', () => {
    const own = deviceTopics('gw-1');
    expect(deviceMayPublish('gw-1', own.telemetry)).toBe(true);
    expect(deviceMayPublish('gw-1', own.anomaly)).toBe(true);
    expect(deviceMayPublish('gw-1', own.status)).toBe(true);
    expect(deviceMayPublish('gw-1', own['model/report'])).toBe(true);
    expect(deviceMayPublish('gw-1', own['model/offer'])).toBe(false);
    expect(deviceMayPublish('gw-1', own.config)).toBe(false);
    expect(deviceMayPublish('gw-1', 'emberwatch/v1/gw-2/telemetry')).toBe(false);
    expect(deviceMayPublish('gw-1', '$SYS/broker/x')).toBe(false);
  });

  it('lets a device subscribe to its own model offer, config and status only, without wildcards', () => {
    const own = deviceTopics('gw-1');
    expect(deviceMaySubscribe('gw-1', own['model/offer'])).toBe(true);
    expect(deviceMaySubscribe('gw-1', own.config)).toBe(true);
    expect(deviceMaySubscribe('gw-1', own.status)).toBe(true);
    expect(deviceMaySubscribe('gw-1', own.telemetry)).toBe(false);
    for (const filter of [
      '#',
      '+',
      'emberwatch/#',
      'emberwatch/v1/#',
      'emberwatch/v1/+/config',
      'emberwatch/v1/gw-1/#',
      'emberwatch/v1/gw-1/model/+',
      'emberwatch/v1/gw-2/config',
    ]) {
      expect(deviceMaySubscribe('gw-1', filter), filter).toBe(false);
    }
  });

  it('never grants a device another device topic, for publish or subscribe', () => {
    fc.assert(
      fc.property(twoDevices, kindArb, ([a, b], kind) => {
        const topic = topicFor(b, kind);
        expect(deviceMayPublish(a, topic)).toBe(false);
        expect(deviceMaySubscribe(a, topic)).toBe(false);
      }),
    );
  });

  it('never grants a filter that could match a message of another device', () => {
    let granted = 0;
    fc.assert(
      fc.property(
        twoDevices.chain(([a, b]) => fc.tuple(fc.constant(a), fc.constant(b), filterArb([a, b]))),
        ([a, b, filter]) => {
          if (!deviceMaySubscribe(a, filter)) return;
          granted++;
          for (const kind of TOPIC_KINDS) expect(filterMatches(filter, topicFor(b, kind))).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
    // The property is only worth something if some filters were granted.
    expect(granted).toBeGreaterThan(0);
  });

  it('grants publishes only on topics that parse back to the device itself', () => {
    fc.assert(
      fc.property(
        deviceIdArb,
        fc.oneof(
          fc.string(),
          deviceIdArb.chain((b) => filterArb([b])),
        ),
        (a, topic) => {
          if (deviceMayPublish(a, topic)) expect(parseTopic(topic)?.deviceId).toBe(a);
        },
      ),
    );
  });

  it('refuses wildcard filters for every device', () => {
    fc.assert(
      fc.property(deviceIdArb, kindArb, fc.constantFrom('+', '#'), (id, kind, wildcard) => {
        expect(deviceMaySubscribe(id, `emberwatch/v1/${wildcard}/${kind}`)).toBe(false);
        expect(deviceMaySubscribe(id, wildcard)).toBe(false);
        expect(deviceMaySubscribe(id, `emberwatch/v1/${id}/${wildcard}`)).toBe(false);
      }),
    );
  });
});

describe('isUnderTopicRoot', () => {
  it('is true inside emberwatch/v1/ and false for bare wildcards or other roots', () => {
    expect(isUnderTopicRoot('emberwatch/v1/#')).toBe(true);
    expect(isUnderTopicRoot('emberwatch/v1/gw-1/telemetry')).toBe(true);
    expect(isUnderTopicRoot('#')).toBe(false);
    expect(isUnderTopicRoot('+/v1/#')).toBe(false);
    expect(isUnderTopicRoot('emberwatch/v1')).toBe(false);
  });
});
