/**
 * Test-only: `mastery mcp` over real stdio on the memory adapters, seeded with the class
 * fixture, the clock at TEST_NOW. The token is the first argument (none: refuse to start, as the
 * CLI does, with the message on stderr and exit code 2).
 */
import { hs256Verifier } from '../../access/tokens.js';
import { EngineError } from '../../errors.js';
import { TEST_NOW, TEST_SECRET } from '../test-app.js';
import { createIngest } from '../../pipeline/ingest.js';
import { createStudentQueries } from '../../queries/student-queries.js';
import { memoryDeps } from '../memory-deps.js';
import { createStderrLogger, runMcpStdio } from '../../mcp/mcp-stdio.js';
import { seedClass } from './class-fixture.js';

const deps = memoryDeps({ now: TEST_NOW });
await seedClass(deps);
try {
  const session = await runMcpStdio({
    token: process.argv[2],
    verifyToken: hs256Verifier(TEST_SECRET),
    queries: createStudentQueries(deps),
    model: deps.model,
    ingest: createIngest(deps),
    logger: createStderrLogger('info'),
  });
  await session.closed;
} catch (error) {
  if (!(error instanceof EngineError)) throw error;
  process.stderr.write(`mastery mcp: ${error.message}\n`);
  process.exitCode = 2;
}
