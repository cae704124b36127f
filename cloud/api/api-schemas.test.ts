import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmberError, isEmberError } from '../../shared/errors.js';
import { IncidentsQuery, ModelVersion, parseInput, PredictBody, ResolveBody } from './api-schemas.js';
import { errorAnswer } from './error-status.js';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isEmberError(error, 'EMBER_ERR_API_BAD_REQUEST')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('API input schemas', () => {
  it('names the path of the first bad field', () => {
    expect(messageOf(() => parseInput(ResolveBody, { outcome: 'fire', note: 7 }, 'body'))).toMatch(
      /^body\.note: /,
    );
    expect(messageOf(() => parseInput(ModelVersion, '../../ca', 'params.version'))).toMatch(
      /^params\.version: /,
    );
    expect(messageOf(() => parseInput(IncidentsQuery, { limit: '5000' }, 'query'))).toMatch(
      /^query\.limit: /,
    );
    expect(messageOf(() => parseInput(PredictBody, 'readings', 'body'))).toMatch(/^body: /);
  });

  it('reads numbers in query strings and keeps what is valid', () => {
    expect(parseInput(IncidentsQuery, { state: 'open', limit: '20' }, 'query')).toEqual({
      state: 'open',
      limit: 20,
    });
  });

  it('never throws anything but a bad-request error on any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseInput(PredictBody, value, 'body');
        } catch (error) {
          expect(isEmberError(error, 'EMBER_ERR_API_BAD_REQUEST')).toBe(true);
        }
      }),
    );
  });
});

describe('error answers', () => {
  it('maps component codes to statuses in one table', () => {
    const status = (code: ConstructorParameters<typeof EmberError>[0]) =>
      errorAnswer(new EmberError(code, 'x')).status;
    expect(status('EMBER_ERR_INCIDENT_NOT_FOUND')).toBe(404);
    expect(status('EMBER_ERR_INCIDENT_TRANSITION')).toBe(409);
    expect(status('EMBER_ERR_ROLLOUT')).toBe(409);
    expect(status('EMBER_ERR_PREDICT')).toBe(422);
    expect(status('EMBER_ERR_API_BAD_REQUEST')).toBe(400);
  });

  it('hides the details of anything unexpected', () => {
    const answer = errorAnswer(new Error('password=hunter2'));
    expect(answer).toMatchObject({ status: 500, unexpected: true });
    expect(JSON.stringify(answer.body)).not.toContain('hunter2');
    expect(errorAnswer(new EmberError('EMBER_ERR_CATALOG_OPEN', '/secret/path')).status).toBe(500);
  });

  it("keeps the 4xx status of the framework's own client errors", () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(errorAnswer(tooLarge)).toMatchObject({ status: 413, unexpected: false });
    expect(errorAnswer(Object.assign(new Error('boom'), { statusCode: 502 })).status).toBe(500);
  });
});
