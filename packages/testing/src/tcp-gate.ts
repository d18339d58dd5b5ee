import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder in front of a real server (MariaDB, Redis) that a test opens and closes: while
 * closed it refuses connections and cuts the ones it carried, as a server that went down. What
 * answers behind it is the real server, so a test of "the store comes back" needs no stub.
 */
export interface TcpGate {
  port: number;
  /** `host:port` of the gate, for a URL. */
  address: string;
  open(): void;
  close(): void;
  stop(): Promise<void>;
}

export async function startTcpGate(
  target: { host: string; port: number },
  opts: { open?: boolean } = {},
): Promise<TcpGate> {
  let isOpen = opts.open ?? true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!isOpen) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const close = () => {
    isOpen = false;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    port,
    address: `127.0.0.1:${port}`,
    open() {
      isOpen = true;
    },
    close,
    async stop() {
      close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
