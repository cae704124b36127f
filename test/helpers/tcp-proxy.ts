import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/** A TCP relay on 127.0.0.1 port 0 whose connections a test can stall or cut, as a flaky network would. */
export interface TcpProxy {
  readonly port: number;
  /** Stops relaying client bytes upstream: the broker sees nothing, acks never come. */
  stall(): void;
  /** Destroys every relayed connection on both sides: the broker sees a socket die without DISCONNECT. */
  cut(): void;
  /** While true, every new connection is closed at once, as if nothing answered behind the proxy. */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = (): void => {
    for (const pair of [...pairs]) for (const socket of pair) socket.destroy();
    pairs.clear();
  };
  return {
    port: (server.address() as AddressInfo).port,
    stall() {
      for (const [client, upstream] of pairs) client.unpipe(upstream);
    },
    cut,
    refuse(value) {
      refusing = value;
      if (value) cut();
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
