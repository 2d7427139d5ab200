/** A command was called wrongly; the message says how, and the process exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
