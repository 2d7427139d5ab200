import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { hs256Verifier, signHs256 } from '../../access/tokens.js';
import { createMemoryBus } from '../../adapters/memory/memory-bus.js';
import type { Bus } from '../../ports/bus.js';
import { installAuthentication } from '../authenticate.js';
import { installErrorHandling } from '../error-handler.js';
import { type StreamOptions, streamRoutes } from './stream.js';
import { waitFor } from '../../testing/wait-for.js';

const SECRET = 'stream-spec-secret-0123456789abcdef-0123456789';

/** A memory bus that counts its listeners. */
function countingBus(): { bus: Bus; listeners: () => number } {
  const inner = createMemoryBus();
  let count = 0;
  return {
    listeners: () => count,
    bus: {
      ...inner,
      subscribe(listener) {
        count++;
        const stop = inner.subscribe(listener);
        return () => {
          count--;
          stop();
        };
      },
    },
  };
}

async function streamApp(bus: Bus, options: StreamOptions = {}) {
  const app = Fastify();
  installErrorHandling(app);
  await app.register(
    async (v1) => {
      streamRoutes(v1, bus, { heartbeatMs: 30, ...options });
      installAuthentication(v1, hs256Verifier(SECRET));
    },
    { prefix: '/v1' },
  );
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

const until = (check: () => boolean) => waitFor(check, 'the stream to deliver', { intervalMs: 10, timeoutMs: 10_000 });

describe('GET /v1/stream', () => {
  it('sends heartbeats, and stops listening to the bus when the client goes away', async () => {
    const { bus, listeners } = countingBus();
    const { app, url } = await streamApp(bus);
    try {
      const token = await signHs256(SECRET, { role: 'admin', sub: 'root', expiresIn: '1h' });
      const controller = new AbortController();
      const res = await fetch(`${url}/v1/stream?access_token=${token}`, { signal: controller.signal });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-cache, no-transform');
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes(': heartbeat')) text += new TextDecoder().decode((await reader.read()).value);
      assert.equal(listeners(), 1);
      controller.abort();
      await until(() => listeners() === 0);
    } finally {
      await app.close();
    }
  });

  it('ends open streams when the app closes', async () => {
    const { bus, listeners } = countingBus();
    const { app, url } = await streamApp(bus);
    const token = await signHs256(SECRET, { role: 'teacher', sub: 't', students: ['a'], expiresIn: '1h' });
    const res = await fetch(`${url}/v1/stream`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    await until(() => listeners() === 1);
    await app.close();
    assert.equal(listeners(), 0);
    await res.body?.cancel();
  });

  it('ends a stream when its token expires, though the connection may live longer', async () => {
    const { bus, listeners } = countingBus();
    const { app, url } = await streamApp(bus, { heartbeatMs: 60_000 });
    try {
      const token = await signHs256(SECRET, { role: 'admin', sub: 'root', expiresIn: '2s' });
      const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
      const res = await fetch(`${url}/v1/stream`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      while (!(await reader.read()).done);
      assert.ok(Date.now() >= exp.exp * 1000 - 20, 'not before the token expired');
      await until(() => listeners() === 0);
    } finally {
      await app.close();
    }
  });

  it('holds at most maxPerToken streams open per token: one more is a 429, closing one frees its place, other tokens unaffected', async () => {
    const { bus, listeners } = countingBus();
    const outcomes: string[] = [];
    const { app, url } = await streamApp(bus, {
      maxPerToken: 2,
      onOpen: async (_request, outcome) => {
        outcomes.push(outcome);
      },
    });
    try {
      const token = await signHs256(SECRET, { role: 'admin', sub: 'root', expiresIn: '1h' });
      const other = await signHs256(SECRET, { role: 'admin', sub: 'root2', expiresIn: '1h' });
      const open = (bearer: string, signal?: AbortSignal) => fetch(`${url}/v1/stream?access_token=${bearer}`, { signal });
      const first = new AbortController();
      assert.equal((await open(token, first.signal)).status, 200);
      const second = await open(token);
      assert.equal(second.status, 200);
      await until(() => listeners() === 2);

      const third = await open(token);
      assert.equal(third.status, 429);
      assert.equal(((await third.json()) as { error: { code: string } }).error.code, 'TOO_MANY_STREAMS');
      const elsewhere = await open(other);
      assert.equal(elsewhere.status, 200, "another token's streams are counted apart");

      first.abort();
      await until(() => listeners() === 2);
      const again = await open(token);
      assert.equal(again.status, 200, 'a closed stream frees its place');
      assert.deepEqual(outcomes, ['allowed', 'allowed', 'refused', 'allowed', 'allowed']);
      for (const r of [second, elsewhere, again]) await r.body?.cancel();
    } finally {
      await app.close();
    }
  });

  it('refuses to be registered after the authentication hook, which would never see the query token', async () => {
    const app = Fastify();
    await assert.rejects(async () => {
      await app.register(async (v1) => {
        installAuthentication(v1, hs256Verifier(SECRET));
        streamRoutes(v1, createMemoryBus());
      });
    }, /before installAuthentication/);
    await app.close();
  });
});
