import { Cron } from 'croner';
import type { JobSchedule } from './jobDefinition';

export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 24 * 60 * 60 * 1000;

export class InvalidJobSchedule extends Error {
  override readonly name = 'InvalidJobSchedule';
  readonly code = 'INVALID_JOB_SCHEDULE';
}

/**
 * When a schedule is next due, strictly after `afterMs`. Cron patterns are 5-field and in UTC (the
 * stats job runs at 00:15 UTC whatever the server's zone). croner only computes the times here; the
 * scheduler waits on its own Clock so that tests can move time by hand.
 */
export interface DueTimes {
  nextDueMs(afterMs: number): number;
}

export function dueTimesOf(schedule: JobSchedule): DueTimes {
  if ('everyMs' in schedule) {
    const everyMs = schedule.everyMs;
    if (!Number.isInteger(everyMs) || everyMs < MIN_INTERVAL_MS || everyMs > MAX_INTERVAL_MS) {
      throw new InvalidJobSchedule(
        `interval must be ${MIN_INTERVAL_MS}..${MAX_INTERVAL_MS} ms, got ${everyMs}`,
      );
    }
    return { nextDueMs: (afterMs) => afterMs + everyMs };
  }
  let cron: Cron;
  try {
    cron = new Cron(schedule.cron, { timezone: 'UTC', mode: '5-part', paused: true });
  } catch (error) {
    throw new InvalidJobSchedule(`invalid cron pattern "${schedule.cron}": ${(error as Error).message}`);
  }
  return {
    nextDueMs(afterMs) {
      const next = cron.nextRun(new Date(afterMs));
      if (next === null) throw new InvalidJobSchedule(`cron pattern "${schedule.cron}" has no next run`);
      return next.getTime();
    },
  };
}
