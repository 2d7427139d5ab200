import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { hs256Verifier, signHs256 } from '../../access/tokens.js';
import { createMemoryBus } from '../../adapters/memory/memory-bus.js';
import type { Bus } from '../../ports/bus.js';
import { installAuthentication } from '../authenticate.js';
import { streamRoutes } from './stream.js';

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

async function streamApp(bus: Bus) {
  const app = Fastify();
  await app.register(
    async (v1) => {
      streamRoutes(v1, bus, { heartbeatMs: 30 });
      installAuthentication(v1, hs256Verifier(SECRET));
    },
    { prefix: '/v1' },
  );
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(check());
};

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
