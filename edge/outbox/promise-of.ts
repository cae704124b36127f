/** Runs `body` now and returns its result as a promise, a throw becoming a rejection (never a synchronous throw). */
export function promiseOf<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
