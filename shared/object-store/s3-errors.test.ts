import { NoSuchBucket, NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { storeErrorFromS3 } from './s3-errors.js';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

function serviceError(name: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    ...metadata(httpStatusCode),
    message: name,
  });
}

describe('storeErrorFromS3', () => {
  it('maps a missing key to EMBER_ERR_STORE_NOT_FOUND, keeping the cause', () => {
    const cause = new NoSuchKey({ message: 'gone', ...metadata(404) });
    const error = storeErrorFromS3(cause, 'get', 'a in s3://b/');
    expect(error.code).toBe('EMBER_ERR_STORE_NOT_FOUND');
    expect(error.cause).toBe(cause);
    expect(storeErrorFromS3(new NotFound({ message: '', ...metadata(404) }), 'check', 'a').code).toBe(
      'EMBER_ERR_STORE_NOT_FOUND',
    );
  });

  it('maps a missing bucket to a permanent EMBER_ERR_STORE', () => {
    const error = storeErrorFromS3(new NoSuchBucket({ message: 'no', ...metadata(404) }), 'put', 'a');
    expect(error.code).toBe('EMBER_ERR_STORE');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('cannot put a: the bucket does not exist');
  });

  it('marks server errors, throttling and network failures retryable', () => {
    expect(storeErrorFromS3(serviceError('InternalError', 500), 'put', 'a').retryable).toBe(true);
    expect(storeErrorFromS3(serviceError('SlowDown', 503), 'put', 'a').retryable).toBe(true);
    expect(storeErrorFromS3(serviceError('TooManyRequests', 429), 'put', 'a').retryable).toBe(true);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(storeErrorFromS3(refused, 'list', 'x').retryable).toBe(true);
  });

  it('marks refused access permanent', () => {
    const error = storeErrorFromS3(serviceError('AccessDenied', 403), 'get', 'a');
    expect(error.code).toBe('EMBER_ERR_STORE');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('cannot get a: AccessDenied: AccessDenied');
  });

  it('copes with things that are not errors', () => {
    const error = storeErrorFromS3('boom', 'put', 'a');
    expect(error.code).toBe('EMBER_ERR_STORE');
    expect(error.message).toBe('cannot put a: Error: boom');
  });
});
