import { describe, expect, it } from 'vitest';
import { isEmberError } from '../../shared/errors.js';
import { mockBinding, mockSerialLines } from './serial-line.js';

describe('serial lines over serialport bindings', () => {
  it('writes and reads through the mock binding (echo port)', async () => {
    const path = `/mock/serial-line-test/${process.pid}/echo`;
    mockBinding.createPort(path, { echo: true });
    const line = await mockSerialLines().open({ path, baudRate: 9600 });
    const received: number[] = [];
    line.on('data', (chunk) => received.push(...chunk));
    await line.write(new Uint8Array([0xff, 0x01, 0x86]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toEqual([0xff, 0x01, 0x86]);
    expect(line.baudRate).toBe(9600);
    const closes: unknown[] = [];
    line.on('close', (reason) => closes.push(reason));
    await line.close();
    expect(closes).toEqual([]);
    await expect(line.write(new Uint8Array([1]))).rejects.toMatchObject({ code: 'EMBER_ERR_SERIAL_CLOSED' });
  });

  it('rejects with a retryable EMBER_ERR_SERIAL_OPEN when the port does not exist', async () => {
    const error: unknown = await mockSerialLines()
      .open({ path: '/mock/serial-line-test/missing', baudRate: 9600 })
      .catch((e: unknown) => e);
    expect(isEmberError(error, 'EMBER_ERR_SERIAL_OPEN')).toBe(true);
    expect(isEmberError(error) && error.retryable).toBe(true);
  });
});
