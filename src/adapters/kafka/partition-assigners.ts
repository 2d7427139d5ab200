import { setTimeout as sleep } from 'node:timers/promises';
import { PartitionAssigners, type PartitionAssigner } from 'kafkajs';
import type { KafkaConfig } from '../../config.js';

/**
 * A KafkaJS partition assigner (round-robin by default) whose leader answers `delayMs` late.
 * Needed by every consumer group with two or more members on librdkafka's mock cluster (the
 * test broker): its coordinator (2.0.2; upstream's current source has the same logic) ends a
 * rebalance as soon as the leader's SyncGroup arrives and answers a follower's SyncGroup that
 * comes after it with INVALID_REQUEST, which KafkaJS treats as fatal (the consumer crashes and
 * does not restart); without this, about one two-member join in fifteen crashed. Followers send
 * their SyncGroup the moment they are told who leads; holding the leader back lets theirs arrive
 * first. It keeps the inner assigner's name and protocol, so members with and without it agree.
 * A real broker does not need it: production keeps KafkaJS's default.
 */
export function leaderSyncsLast(assigner: PartitionAssigner = PartitionAssigners.roundRobin, delayMs = 250): PartitionAssigner {
  return (config) => {
    const inner = assigner(config);
    return {
      ...inner,
      assign: async (group) => {
        await sleep(delayMs);
        return inner.assign(group);
      },
    };
  };
}

/**
 * The assigners of the worker's consumer: KafkaJS's default (round-robin), or, when the test-only
 * MASTERY_TEST_KAFKA_LEADER_SYNCS_LAST says so, the same held back for the mock cluster.
 */
export function consumerAssigners(config: Pick<KafkaConfig, 'leaderSyncsLast'>): PartitionAssigner[] {
  return [config.leaderSyncsLast ? leaderSyncsLast() : PartitionAssigners.roundRobin];
}
