import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type Config } from '../config.js';

const SECRET_FILE = 'jwt-secret';

/**
 * The HS256 secret: the configured one, or in the embedded mode one generated on first start
 * and kept (readable by this user only) in the data folder, so tokens outlive restarts.
 */
export async function resolveJwtSecret(config: Pick<Config, 'jwtSecret' | 'dataDir'>): Promise<string> {
  if (config.jwtSecret !== undefined) return config.jwtSecret;
  const file = join(config.dataDir, SECRET_FILE);
  try {
    return usable(file, await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx' fails if another process created it first; then theirs is the one to use.
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return usable(file, await readFile(file, 'utf8'));
}

/** A kept secret, unless the file is damaged (say, emptied by a crash): never sign with a weak key. */
function usable(file: string, content: string): string {
  const secret = content.trim();
  if (Buffer.byteLength(secret) < 32) {
    throw new ConfigError(
      'MASTERY_DATA_DIR',
      `holds ${file}, which is shorter than 32 bytes; delete it to have a new secret generated (tokens signed with the old one stop working), or set MASTERY_JWT_SECRET`,
    );
  }
  return secret;
}
