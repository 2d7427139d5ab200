import { ConfigError, type Env } from './variables.js';

/**
 * Variables the service read once and no longer does, each with what happens now (CHANGELOG,
 * "Removed"). One still set stops start-up with that sentence, so that nobody's setting is
 * silently ignored; an empty one counts as unset, as everywhere. Only these names are checked,
 * not every unknown MASTERY_*: Kubernetes gives each pod MASTERY_SERVICE_HOST, MASTERY_PORT, …
 * of a Service named mastery.
 */
export const REMOVED_VARIABLES: Readonly<Record<string, string>> = {
  MASTERY_KAFKA_CLIENT_ID: 'the Kafka client is named after MASTERY_KAFKA_GROUP_ID (default mastery-engine): set that instead',
  MASTERY_JWT_CLOCK_SKEW_SECONDS: 'the leeway for exp and nbf is fixed at 30 s',
  MASTERY_REQUEST_TIMEOUT_SECONDS: 'a request that has not arrived whole within 30 s is cut off',
};

/** Throws the ConfigError of the first removed variable that is still set. */
export function refuseRemovedVariables(env: Env): void {
  for (const [name, now] of Object.entries(REMOVED_VARIABLES)) {
    if ((env[name]?.trim() ?? '') !== '') throw new ConfigError(name, `is no longer read: ${now}. Unset it to start.`);
  }
}
