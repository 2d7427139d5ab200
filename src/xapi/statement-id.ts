import { canonicalize } from 'json-canonicalize';
import { v5 as uuidV5 } from 'uuid';

/**
 * The namespace of the ids the engine gives statements sent without one. Fixed for good: a
 * statement resent next year must get the same id, or it would count twice.
 */
export const STATEMENT_ID_NAMESPACE = 'ad61ab2c-4bfb-44a8-a92b-a5d6e2885f95';

/**
 * A statement's id when it has none (xAPI lets the LRS assign one): the name-based UUID
 * (version 5, SHA-1) of the statement's canonical JSON (RFC 8785) in the namespace above. So
 * the same statement sent twice, with its keys in any order, is one event, and a duplicate.
 */
export function derivedStatementId(statement: object): string {
  return uuidV5(canonicalize(statement), STATEMENT_ID_NAMESPACE);
}
