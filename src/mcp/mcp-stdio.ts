import { randomUUID } from 'node:crypto';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { pino, type Logger } from 'pino';
import type { Caller } from '../access/caller.js';
import type { TokenVerifier } from '../access/tokens.js';
import type { LogLevel } from '../config.js';
import { Errors } from '../errors.js';
import type { ModelConfig } from '../model/model-config.js';
import type { Ingest } from '../pipeline/ingest.js';
import type { StudentQueries } from '../queries/student-queries.js';
import { buildMcpServer } from './build-mcp-server.js';

export interface McpStdioOptions {
  /** The bearer token whose principal every tool call acts as (from configuration, never from here). */
  token: string | undefined;
  verifyToken: TokenVerifier;
  queries: StudentQueries;
  model: ModelConfig;
  ingest: Ingest;
  /** Must not write to stdout, which carries the protocol: see createStderrLogger. */
  logger?: Logger;
  /** Default: stdin/stdout. Tests pass an in-memory transport. */
  transport?: Transport;
}

export interface McpStdioSession {
  caller: Caller;
  /** Resolves when the client disconnects (stdin ends) or close() is called. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** A logger for `mastery mcp`: JSON lines on stderr, since stdout is the protocol. */
export function createStderrLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'mastery-engine', entry: 'mcp' } }, pino.destination(2));
}

/**
 * `mastery mcp`: the tutor tools over stdio for a local AI client. The token is verified once,
 * at start; without a valid one nothing starts. Every tool call then acts as its principal,
 * through the access rule and the audit trail, under one request id for the session.
 */
export async function runMcpStdio(options: McpStdioOptions): Promise<McpStdioSession> {
  if (options.token === undefined || options.token.trim() === '') {
    throw Errors.unauthorized('a bearer token is needed to act as: set MASTERY_MCP_TOKEN to a JWT (`mastery token` signs one for development)');
  }
  const principal = await options.verifyToken(options.token.trim()).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw Errors.unauthorized(`the MCP token was refused: ${reason}`);
  });
  const caller: Caller = { principal, requestId: `mcp-stdio-${randomUUID()}` };
  const server = buildMcpServer({ queries: options.queries, model: options.model, ingest: options.ingest, caller });
  const transport = options.transport ?? new StdioServerTransport();
  // The SDK's stdio transport does not notice the client going away; stdin ending is that.
  if (!options.transport) process.stdin.once('end', () => void server.close());
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  server.server.onclose = () => {
    options.logger?.info({ request_id: caller.requestId }, 'MCP client disconnected');
    resolveClosed();
  };
  await server.connect(transport);
  options.logger?.info({ actor: principal.sub, role: principal.role, request_id: caller.requestId }, 'MCP server ready on stdio');
  return {
    caller,
    closed,
    async close() {
      await server.close();
      resolveClosed();
    },
  };
}
