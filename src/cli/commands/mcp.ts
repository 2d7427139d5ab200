import { createTokenVerifier } from '../../access/tokens.js';
import { loadConfig } from '../../config.js';
import { createStderrLogger, runMcpStdio } from '../../mcp/mcp-stdio.js';
import { openEngine } from '../../runtime/engine.js';
import { resolveJwtSecret } from '../../runtime/jwt-secret.js';
import { parseFlags, wantsHelp } from '../parse-flags.js';

const USAGE = `usage: MASTERY_MCP_TOKEN=<jwt> mastery mcp

The MCP server over stdio, for an AI tutor's client: tools calculate_mastery,
get_student_mastery, predict_mastery, get_student_knowledge, get_learning_path,
list_students_at_risk and record_response. It acts with
the token's role and class (the same access rule and audit trail as the HTTP API), on the stores
the environment configures. The service also serves MCP over streamable HTTP at /mcp.`;

export async function mcpCommand(args: string[]): Promise<void> {
  if (wantsHelp(parseFlags(args, {}, USAGE))) return;
  const config = loadConfig();
  // stdout is the protocol: every log line goes to stderr.
  const logger = createStderrLogger(config.logLevel);
  const secret = config.tokens.jwksUrl && !config.jwtSecret ? undefined : await resolveJwtSecret(config);
  const engine = await openEngine(config, logger);
  try {
    const session = await runMcpStdio({
      token: config.mcpToken,
      verifyToken: createTokenVerifier({ secret, ...config.tokens }),
      queries: engine.queries,
      model: engine.deps.model,
      ingest: engine.ingest,
      logger,
    });
    await session.closed;
  } finally {
    await engine.close();
  }
}
