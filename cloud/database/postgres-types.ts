import pg from 'pg';

const INT8 = 20;
const NUMERIC = 1700;

/**
 * How column values come back: BIGINT (millisecond timestamps, counts) and
 * NUMERIC as numbers rather than pg's strings. Every such value the stores
 * keep is far below 2^53.
 */
export const POSTGRES_TYPES = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === INT8 || oid === NUMERIC) return Number;
    // pg types `oid` as its enum of built-in ids; libpq hands over any oid, which pg-types also accepts.
    const builtIn = pg.types.getTypeParser as (
      oid: number,
      format: 'text' | 'binary',
    ) => (value: string) => unknown;
    return builtIn(oid, format === 'binary' ? 'binary' : 'text');
  },
};
