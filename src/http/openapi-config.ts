/**
 * What the OpenAPI document says beyond the routes' own schemas: who it is, where it is served,
 * how it is signed in to, and its tags. docs/openapi.json is this document as committed
 * (`npm run openapi` writes it; a spec fails when it is stale).
 */

const HOST_AND_PORT = {
  host: { default: 'localhost', description: 'where the process runs' },
  port: { default: '8080', description: 'its PORT' },
};

const API_SERVER = {
  url: 'http://{host}:{port}',
  description: '`mastery serve`: the API, /mcp, the dashboard and the ops endpoints',
  variables: HOST_AND_PORT,
};

const WORKER_SERVER = {
  url: 'http://{host}:{port}',
  description: '`mastery worker`: the ops endpoints alone (/healthz, /readyz, /metrics)',
  variables: HOST_AND_PORT,
};

/** The schema fields every ops endpoint shares: open to all, and served by the worker too. */
export const OPS_DOC = { tags: ['ops'], security: [], servers: [API_SERVER, WORKER_SERVER] };

export const OPENAPI_OPTIONS = {
  info: {
    title: 'Mastery Engine',
    version: '0.1.0',
    description:
      "Per-student mastery from learning events. The formulas are the design's mastery-model.md; " +
      'choices it leaves open are in docs/decisions.md. Routes, roles and errors: docs/api.md.',
    license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
  },
  servers: [API_SERVER],
  components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer', bearerFormat: 'JWT' } } },
  security: [{ bearer: [] }],
  tags: [
    { name: 'events', description: 'Learning events in (events.md): one or a batch, each validated on its own' },
    { name: 'xapi', description: 'xAPI statements in (docs/xapi.md), mapped to learning events; a batch is all or nothing' },
    { name: 'calculator', description: 'The stateless calculator: four component values in, the result out' },
    { name: 'students', description: 'Per-student reads (the access rule) and the class list' },
    { name: 'privacy', description: 'GDPR access, erasure and consent' },
    { name: 'audit', description: 'The audit trail (admins)' },
    { name: 'model', description: "The learner model's fitted parameters" },
    { name: 'stream', description: 'Live mastery.updated events, as server-sent events' },
    { name: 'mcp', description: 'The Model Context Protocol tools for AI tutors, over streamable HTTP' },
    {
      name: 'ops',
      description: 'Liveness, readiness and metrics, without a token; `mastery worker` serves these three alone on its own PORT',
    },
  ],
};
