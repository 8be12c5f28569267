import type { IHeaders } from 'kafkajs';

export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  errorCode: 'dlq-error-code',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  consumerGroup: 'dlq-consumer-group',
  failedAt: 'dlq-failed-at',
} as const;

export interface DeadLetterInfo {
  readonly reason: string;
  readonly errorCode: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly groupId: string;
  readonly failedAt: Date;
}

/**
 * The dead letter keeps the original key, value and headers untouched (so it can be replayed as is)
 * and adds where it came from and why it could not be processed.
 */
export function deadLetterHeaders(original: IHeaders | undefined, info: DeadLetterInfo): IHeaders {
  return {
    ...(original ?? {}),
    [DLQ_HEADERS.reason]: info.reason.slice(0, 1000),
    [DLQ_HEADERS.errorCode]: info.errorCode,
    [DLQ_HEADERS.sourceTopic]: info.topic,
    [DLQ_HEADERS.sourcePartition]: String(info.partition),
    [DLQ_HEADERS.sourceOffset]: info.offset,
    [DLQ_HEADERS.consumerGroup]: info.groupId,
    [DLQ_HEADERS.failedAt]: info.failedAt.toISOString(),
  };
}

/** kafkajs header values arrive as Buffers (or arrays of them); this reads one as a string. */
export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}
