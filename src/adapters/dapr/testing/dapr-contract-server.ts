/**
 * A stand-in for a Dapr sidecar's state API, for tests where no sidecar can run. It serves only
 * what the engine calls, written from docs.dapr.io ("State management API reference", "Health API
 * reference", "State Time-to-Live") and answering as the runtime does (dapr/dapr pkg/http/api.go):
 *
 *   GET    /v1.0/healthz, /v1.0/healthz/outbound            204
 *   GET    /v1.0/state/{store}/{key}                        200 + ETag header, or 204 when absent
 *   POST   /v1.0/state/{store}/bulk  {keys, parallelism}    200 [{key, data, etag}] ({key} when absent)
 *   POST   /v1.0/state/{store}  [{key, value, etag?, metadata?, options?}]        204
 *   POST   /v1.0/state/{store}/transaction  {operations: [{operation, request}]}  204, all or nothing
 *   DELETE /v1.0/state/{store}/{key}  (If-Match)                                  204
 *
 * ETags: every write gets a new one. A request with an ETag needs the key to hold that ETag; with
 * first-write and no ETag, the key must not exist (dapr/components-contrib#994); with last-write
 * the ETag is ignored. A refusal answers as the runtime does: 409 ERR_STATE_SAVE or
 * ERR_STATE_DELETE, but 500 ERR_STATE_TRANSACTION for a transaction (the runtime maps ETag
 * errors to 409 on save and delete only). metadata.ttlInSeconds makes a key expire, judged on
 * read with the injected clock; a write without it keeps the key for good (this store has no
 * default TTL), and -1 persists it. Every request is recorded for tests to inspect.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** The path with each segment decoded: /v1.0/state/mastery-state/student:{s1}:state. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body, parsed; undefined when there was none. */
  body: unknown;
}

export interface StoredItem {
  value: unknown;
  etag: string;
  /** Epoch ms on the injected clock; undefined: never expires. */
  expiresAt: number | undefined;
}

export interface DaprContractServerOptions {
  /** The state store component's name; default mastery-state. */
  store?: string;
  /** The clock that decides expiry, in epoch ms; default Date.now. */
  now?: () => number;
  /** The status of a transaction refused for an ETag: 500 as the runtime answers, or 409. */
  transactionConflictStatus?: 409 | 500;
}

export interface DaprContractServer {
  readonly url: string;
  readonly store: string;
  readonly requests: RecordedRequest[];
  /** The keys the store holds now (expired ones gone), sorted. */
  keys(): string[];
  peek(key: string): StoredItem | undefined;
  close(): Promise<void>;
}

interface StateRequest {
  key: string;
  value?: unknown;
  etag?: string;
  ttlSeconds: number | undefined;
  concurrency: 'first-write' | 'last-write' | undefined;
}

type Operation = { operation: 'upsert' | 'delete'; request: StateRequest };

interface Answer {
  status: number;
  body?: unknown;
  etag?: string;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const ETAG_MISMATCH = 'possible etag mismatch. error from state store';
const malformed = (message: string) => new ApiError(400, 'ERR_MALFORMED_REQUEST', message);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A state item of a save or a transaction, checked as the runtime's JSON decoding would. */
function stateRequest(raw: unknown): StateRequest {
  if (!isObject(raw) || typeof raw.key !== 'string' || raw.key === '') throw malformed('"key" is a required field');
  if (raw.etag != null && typeof raw.etag !== 'string') throw malformed(`the etag of ${raw.key} is not a string`);
  const metadata = raw.metadata ?? {};
  if (!isObject(metadata) || Object.values(metadata).some((v) => typeof v !== 'string')) {
    throw malformed(`the metadata of ${raw.key} is not a map of strings`);
  }
  const ttl = metadata.ttlInSeconds;
  if (ttl !== undefined && !/^-?\d+$/.test(String(ttl))) throw malformed(`ttlInSeconds of ${raw.key} is not an integer`);
  const concurrency = isObject(raw.options) ? raw.options.concurrency : undefined;
  if (concurrency !== undefined && concurrency !== 'first-write' && concurrency !== 'last-write') {
    throw malformed(`unrecognized concurrency model ${String(concurrency)}`);
  }
  return {
    key: raw.key,
    value: raw.value,
    // An empty ETag counts as none, as in the runtime (dapr/dapr#2320).
    ...(typeof raw.etag === 'string' && raw.etag !== '' ? { etag: raw.etag } : {}),
    ttlSeconds: ttl === undefined ? undefined : Number(ttl),
    concurrency,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startDaprContractServer(options: DaprContractServerOptions = {}): Promise<DaprContractServer> {
  const store = options.store ?? 'mastery-state';
  const now = options.now ?? Date.now;
  const items = new Map<string, StoredItem>();
  const requests: RecordedRequest[] = [];
  let lastEtag = 0;

  function live(key: string): StoredItem | undefined {
    const item = items.get(key);
    if (item?.expiresAt !== undefined && now() >= item.expiresAt) {
      items.delete(key);
      return undefined;
    }
    return item;
  }

  /** Why the store refuses this upsert (or delete), or undefined when it accepts it. */
  function refusal(req: StateRequest, upserting = true): string | undefined {
    if (req.concurrency === 'last-write') return undefined;
    const held = live(req.key);
    if (req.etag !== undefined) {
      if (held === undefined) return `${req.key} does not exist, so it has no ETag ${req.etag}`;
      return held.etag === req.etag ? undefined : `${req.key} has ETag ${held.etag}, not ${req.etag}`;
    }
    const createOnly = upserting && req.concurrency === 'first-write';
    return createOnly && held !== undefined ? `${req.key} exists; first-write without an ETag creates only` : undefined;
  }

  function upsert(req: StateRequest): void {
    const ttl = req.ttlSeconds;
    const expiresAt = ttl !== undefined && ttl > 0 ? now() + ttl * 1000 : undefined;
    items.set(req.key, { value: req.value ?? null, etag: String(++lastEtag), expiresAt });
  }

  function transaction(body: unknown): Answer {
    if (!isObject(body) || !Array.isArray(body.operations)) throw malformed('the body needs an array "operations"');
    const operations = body.operations.map((raw: unknown): Operation => {
      const operation = isObject(raw) ? raw.operation : undefined;
      if (operation !== 'upsert' && operation !== 'delete') {
        throw new ApiError(400, 'ERR_NOT_SUPPORTED_STATE_OPERATION', `operation type ${String(operation)} not supported`);
      }
      return { operation, request: stateRequest((raw as Record<string, unknown>).request) };
    });
    // Every check before any change: the transaction is applied whole or not at all.
    for (const { operation, request } of operations) {
      const reason = refusal(request, operation === 'upsert');
      if (reason !== undefined) {
        throw new ApiError(
          options.transactionConflictStatus ?? 500,
          'ERR_STATE_TRANSACTION',
          `error while executing state transaction: ${ETAG_MISMATCH}: ${reason}`,
        );
      }
    }
    for (const { operation, request } of operations) {
      if (operation === 'upsert') upsert(request);
      else items.delete(request.key);
    }
    return { status: 204 };
  }

  function save(body: unknown): Answer {
    if (!Array.isArray(body)) throw malformed('the body must be an array of state objects');
    const writes = body.map(stateRequest);
    for (const req of writes) {
      const reason = refusal(req);
      if (reason !== undefined) {
        throw new ApiError(409, 'ERR_STATE_SAVE', `failed saving state in state store ${store}: ${ETAG_MISMATCH}: ${reason}`);
      }
    }
    writes.forEach(upsert);
    return { status: 204 };
  }

  function bulk(body: unknown): Answer {
    if (!isObject(body) || !Array.isArray(body.keys) || body.keys.some((k) => typeof k !== 'string')) {
      throw malformed('the body needs an array of strings "keys"');
    }
    const answer = (body.keys as string[]).map((key) => {
      const item = live(key);
      return item === undefined ? { key } : { key, data: item.value, etag: item.etag };
    });
    return { status: 200, body: answer };
  }

  function remove(key: string, ifMatch: string | undefined, concurrency: string | null): Answer {
    const lastWrite = concurrency === 'last-write' ? 'last-write' : undefined;
    const reason = refusal({ key, ...(ifMatch ? { etag: ifMatch } : {}), ttlSeconds: undefined, concurrency: lastWrite }, false);
    if (reason !== undefined) {
      throw new ApiError(409, 'ERR_STATE_DELETE', `failed deleting state with key ${key}: ${ETAG_MISMATCH}: ${reason}`);
    }
    items.delete(key);
    return { status: 204 };
  }

  function route(method: string, segments: string[], url: URL, body: unknown, headers: IncomingHttpHeaders): Answer {
    const [version, api, name, ...rest] = segments;
    if (version === 'v1.0' && api === 'healthz' && method === 'GET' && (name === undefined || (name === 'outbound' && rest.length === 0))) {
      return { status: 204 };
    }
    if (version !== 'v1.0' || api !== 'state' || name === undefined || rest.length > 1) {
      throw new ApiError(404, 'ERR_NOT_FOUND', `no route ${method} ${url.pathname}`);
    }
    if (name !== store) throw new ApiError(400, 'ERR_STATE_STORE_NOT_FOUND', `state store ${name} is not found`);
    const [key] = rest;
    const write = method === 'POST' || method === 'PUT';
    if (key === undefined && method === 'POST') return save(body);
    if (key === 'bulk' && write) return bulk(body);
    if (key === 'transaction' && write) return transaction(body);
    if (key !== undefined && method === 'GET') {
      const item = live(key);
      return item === undefined ? { status: 204 } : { status: 200, body: item.value, etag: item.etag };
    }
    if (key !== undefined && method === 'DELETE') {
      const ifMatch = headers['if-match'];
      return remove(key, typeof ifMatch === 'string' ? ifMatch : undefined, url.searchParams.get('concurrency'));
    }
    throw new ApiError(404, 'ERR_NOT_FOUND', `no route ${method} ${url.pathname}`);
  }

  function reply(res: ServerResponse, answer: Answer): void {
    if (answer.etag !== undefined) res.setHeader('ETag', answer.etag);
    if (answer.body === undefined) {
      res.writeHead(answer.status).end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      requests.push({ method, path: `/${segments.join('/')}`, headers: req.headers, body: text });
      reply(res, { status: 400, body: { errorCode: 'ERR_MALFORMED_REQUEST', message: (error as Error).message } });
      return;
    }
    requests.push({ method, path: `/${segments.join('/')}`, headers: req.headers, body });
    try {
      reply(res, route(method, segments, url, body, req.headers));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      reply(res, { status: error.status, body: { errorCode: error.errorCode, message: error.message } });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errorCode: 'ERR_INTERNAL', message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Closing twice is allowed: a test that stops the server early also closes it when it ends.
  let closing: Promise<void> | undefined;
  const stop = async () => {
    const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    // fetch keeps connections alive; without this, close would wait for them to time out.
    server.closeAllConnections();
    await closed;
  };
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    store,
    requests,
    keys: () => [...items.keys()].filter((key) => live(key) !== undefined).sort(),
    peek: live,
    close: () => (closing ??= stop()),
  };
}
