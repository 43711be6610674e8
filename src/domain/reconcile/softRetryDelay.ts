import type { Execution } from '../execution/executionState';
import type { ReconcileSettings } from './reconcileSettings';
import { sendStartedMs } from './sendWindow';

type SoftSent = Pick<Execution, 'lastSendOutcome' | 'lastSentAt' | 'submittingAt' | 'updatedAt'>;

/**
 * When a re-send may follow the latest send, or `null` when it does not wait: only a send that
 * answered SOFT_NOT_EXECUTED waits, `softRetryDelayMs` from its start (its `sentAt`).
 */
export function softRetryAllowedAtMs(execution: SoftSent, settings: ReconcileSettings): number | null {
  if (execution.lastSendOutcome !== 'SOFT_NOT_EXECUTED' || settings.softRetryDelayMs <= 0) return null;
  return sendStartedMs(execution) + settings.softRetryDelayMs;
}
