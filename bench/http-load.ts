/**
 * A lean load generator for GET requests: one raw keep-alive socket per connection, a request
 * written as prebuilt bytes and a response read by its Content-Length. node:http's client costs
 * several times more CPU per request than the service's answer, and on two shared cores it was
 * the client, not the service, that ran out of CPU first.
 */
import net from 'node:net';

export interface LoadOptions {
  port: number;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; null: closed loop (the maximum rate). */
  targetRps: number | null;
  /** The path of the next request. */
  nextPath: () => string;
  headers: Record<string, string>;
}

export interface LoadResult {
  /** Milliseconds per request, from its scheduled start (paced) or its send (closed loop). */
  latencies: number[];
  statuses: Record<string, number>;
  wallSeconds: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Reads HTTP/1.1 responses off a socket, in order, and hands each one's status to `onResponse`. */
function responseReader(onResponse: (status: number) => void) {
  let buffer: Buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf(HEADER_END);
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
      if (!Number.isFinite(length)) throw new Error(`a response without Content-Length: ${head.slice(0, 200)}`);
      if (buffer.length < end + 4 + length) return;
      onResponse(Number(head.slice(9, 12)));
      buffer = buffer.subarray(end + 4 + length);
    }
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const headerText = Object.entries(options.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const requestBytes = (path: string) => Buffer.from(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${headerText}\r\n`, 'latin1');
  const sockets = await Promise.all(
    Array.from(
      { length: options.connections },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(options.port, '127.0.0.1');
          socket.setNoDelay(true);
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  // The clock starts once every connection is open: a phase measures requests on established
  // keep-alive connections, not a hundred connections being set up in the same 20 ms.
  const started = performance.now();
  const end = started + options.seconds * 1000;
  const interval = options.targetRps ? (1000 * options.connections) / options.targetRps : 0;

  const connection = (socket: net.Socket, index: number) =>
    new Promise<void>((resolve, reject) => {
      let scheduled = started + (interval * index) / options.connections;
      let sentAt = 0;
      const send = () => {
        const now = performance.now();
        if (now >= end || (interval > 0 && scheduled >= end)) {
          socket.end();
          return;
        }
        if (interval > 0 && scheduled > now) {
          setTimeout(send, scheduled - now);
          return;
        }
        // Paced: latency counts from the scheduled time, so a stall is not hidden.
        sentAt = interval > 0 ? scheduled : now;
        socket.write(requestBytes(options.nextPath()));
      };
      socket.on(
        'data',
        responseReader((status) => {
          latencies.push(performance.now() - sentAt);
          statuses[status] = (statuses[status] ?? 0) + 1;
          scheduled += interval;
          send();
        }),
      );
      socket.on('error', reject);
      socket.on('close', () => resolve());
      send();
    });

  await Promise.all(sockets.map((socket, i) => connection(socket, i)));
  return { latencies, statuses, wallSeconds: (performance.now() - started) / 1000 };
}
