// `queue-status`: how many jobs are in each state, and the failed ones with their reasons.
import { openQueue, type QueueLocation } from './queue.ts';

export interface FailedJob {
  conversationId: string;
  reason: string;
  attempts: number;
  /** Epoch ms of the final failure. */
  failedAt: number | undefined;
}

export interface QueueStatus {
  queueName: string;
  counts: {
    waiting: number;
    active: number;
    completed: number;
    failed: number;
    delayed: number;
    prioritized: number;
  };
  /** Most recent failures first, at most `failedLimit`. */
  failed: FailedJob[];
}

export interface QueueStatusOptions extends QueueLocation {
  failedLimit?: number;
}

export async function queueStatus(options: QueueStatusOptions): Promise<QueueStatus> {
  const { queue, close } = await openQueue(options);
  try {
    const c = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    const jobs = await queue.getFailed(0, Math.max(0, (options.failedLimit ?? 100) - 1));
    return {
      queueName: queue.name,
      counts: {
        waiting: c.waiting ?? 0,
        active: c.active ?? 0,
        completed: c.completed ?? 0,
        failed: c.failed ?? 0,
        delayed: c.delayed ?? 0,
        prioritized: c.prioritized ?? 0,
      },
      failed: jobs.map((j) => ({
        conversationId: j.data?.conversationId ?? String(j.id),
        reason: j.failedReason,
        attempts: j.attemptsMade,
        failedAt: j.finishedOn,
      })),
    };
  } finally {
    await close();
  }
}
