import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEmberError, type ErrorCode } from '../errors.js';
import type { FireModel } from './fire-model.js';

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(isEmberError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}

function inUnitInterval(values: Float32Array): boolean {
  return values.every((p) => Number.isFinite(p) && p >= 0 && p <= 1);
}

/** Feature values as sensors produce them: finite, occasionally missing, sometimes far out of range. */
function featureValue(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.float({ min: -5, max: 5, noNaN: true }) },
    { weight: 2, arbitrary: fc.constant(Number.NaN) },
    { weight: 1, arbitrary: fc.float({ min: -1e6, max: 1e6, noNaN: true }) },
  );
}

/**
 * The behaviour every {@link FireModel} must show. `open` returns a fresh
 * model for each test; `vectors` gives sample inputs of the right width,
 * some of which should give clearly different probabilities.
 */
export function describeFireModelContract(
  name: string,
  open: () => Promise<FireModel>,
  vectors: () => readonly Float32Array[],
): void {
  describe(`FireModel contract: ${name}`, () => {
    let model: FireModel;
    beforeEach(async () => {
      model = await open();
    });
    afterEach(async () => {
      await model.close();
    });

    const vector = (values: number[]): Float32Array => Float32Array.from(values);
    const width = (): number => model.featureNames.length;

    it('gives one probability in [0, 1] per row, for 0, 1 and many rows', async () => {
      const rows = vectors();
      expect(rows.length).toBeGreaterThan(2);
      expect(await model.predict([])).toHaveLength(0);
      const one = await model.predict(rows.slice(0, 1));
      expect(one).toHaveLength(1);
      const many = await model.predict(rows);
      expect(many).toHaveLength(rows.length);
      expect(inUnitInterval(many)).toBe(true);
      expect(new Set(many).size, 'the sample rows should not all give one value').toBeGreaterThan(1);
    });

    it('accepts an all-missing vector and gives a finite probability', async () => {
      const [p] = await model.predict([new Float32Array(width()).fill(Number.NaN)]);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    });

    it('stays in [0, 1] for any mix of values, missing and extreme ones', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(featureValue(), { minLength: width(), maxLength: width() }), {
            minLength: 1,
            maxLength: 8,
          }),
          async (rows) => {
            const out = await model.predict(rows.map(vector));
            return out.length === rows.length && inUnitInterval(out);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('is deterministic, scores each row on its own, and leaves its input untouched', async () => {
      const rows = vectors();
      const copies = rows.map((r) => Float32Array.from(r));
      const batch = await model.predict(rows);
      const again = await model.predict(rows);
      const singly = await Promise.all(rows.map(async (r) => (await model.predict([r]))[0]));
      expect(Array.from(again)).toEqual(Array.from(batch));
      expect(singly).toEqual(Array.from(batch));
      rows.forEach((r, i) => expect(Array.from(r)).toEqual(Array.from(copies[i] ?? [])));
    });

    it('refuses a vector of the wrong width with EMBER_ERR_MODEL_INPUT', async () => {
      await expectCode(model.predict([new Float32Array(width() - 1)]), 'EMBER_ERR_MODEL_INPUT');
      await expectCode(model.predict([new Float32Array(width() + 1)]), 'EMBER_ERR_MODEL_INPUT');
    });

    it('closes once or twice, then refuses to predict with EMBER_ERR_MODEL_CLOSED', async () => {
      await model.close();
      await model.close();
      await expectCode(model.predict(vectors().slice(0, 1)), 'EMBER_ERR_MODEL_CLOSED');
    });

    it('names a version and one feature name per column', () => {
      expect(model.version.length).toBeGreaterThan(0);
      expect(vectors().every((r) => r.length === width())).toBe(true);
    });
  });
}
