/** The part of pg-native (libpq's synchronous calls) the stores use; the package ships no types. */
declare module 'pg-native' {
  interface TypeParsers {
    getTypeParser(oid: number, format?: string): (value: string) => unknown;
  }
  interface Libpq {
    cmdTuples(): string;
    resultErrorFields(): { sqlState?: string } | undefined;
  }
  class Client {
    constructor(config?: { types?: TypeParsers });
    readonly pq: Libpq;
    connectSync(params: string): void;
    querySync(text: string, values?: readonly (string | null)[]): Record<string, unknown>[];
    end(callback?: () => void): void;
  }
  export = Client;
}
