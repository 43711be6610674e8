import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports/clock';
import type { AlertChannel } from './alertChannel';

export type NotificationSeverity = 'critical' | 'warning' | 'info';

/** Something ops must look at (an invariant violation, a stuck execution). */
export interface OpsAlert {
  readonly severity: Exclude<NotificationSeverity, 'info'>;
  readonly title: string;
  readonly text: string;
  /**
   * The same key within the repeat window is logged again but not re-sent to the channel (a sweeper
   * every 5 s must not post the same stuck execution 720 times an hour).
   */
  readonly dedupeKey?: string;
  readonly fields?: Readonly<Record<string, string | number | boolean | null>>;
}

/** Something a user should hear about (their promotion). */
export interface UserNotification {
  readonly userId: string;
  readonly title: string;
  readonly text: string;
  readonly fields?: Readonly<Record<string, string | number | boolean | null>>;
}

/** For ops, but not an alert (a promotion waits for review): an info line, and the ops channel. */
export interface OpsNotice {
  readonly title: string;
  readonly text: string;
  readonly fields?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface Notifier {
  alertOps(alert: OpsAlert): void;
  informOps(notice: OpsNotice): void;
  notifyUser(notification: UserNotification): void;
  flush(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ChannelNotifierOptions {
  /** Ops alerts. */
  readonly opsChannel: AlertChannel;
  /** User notifications; defaults to the ops channel (a desk-wide chat room) when there is no other. */
  readonly userChannel?: AlertChannel;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Same dedupeKey is re-sent after this long. Default 1 h. */
  readonly repeatAfterMs?: number;
}

const MAX_DEDUPE_KEYS = 1_000;
const SEVERITY_ICON: Record<NotificationSeverity, string> = {
  critical: ':rotating_light:',
  warning: ':warning:',
  info: ':information_source:',
};

function formatFields(fields: OpsAlert['fields']): string {
  if (fields === undefined) return '';
  const lines = Object.entries(fields).map(([key, value]) => `• ${key}: ${String(value)}`);
  return lines.length === 0 ? '' : `\n${lines.join('\n')}`;
}

/**
 * Sends notifications through channels. Every ops alert is also an error-level log line, whatever
 * happens to the channel (a log shipper picks it up even when the webhook is down); user
 * notifications are info lines. Nothing here throws or waits on the network.
 */
export class ChannelNotifier implements Notifier {
  private readonly lastSentMs = new Map<string, number>();
  private readonly repeatAfterMs: number;
  private readonly userChannel: AlertChannel;

  constructor(private readonly options: ChannelNotifierOptions) {
    this.repeatAfterMs = options.repeatAfterMs ?? 3_600_000;
    this.userChannel = options.userChannel ?? options.opsChannel;
  }

  alertOps(alert: OpsAlert): void {
    const suppressed = this.suppressed(alert.dedupeKey);
    this.options.logger.error(
      {
        alert: {
          severity: alert.severity,
          title: alert.title,
          dedupeKey: alert.dedupeKey,
          fields: alert.fields,
        },
        suppressed,
      },
      `ALERT ${alert.title}: ${alert.text}`,
    );
    if (suppressed) return;
    this.options.opsChannel.deliver(
      `${SEVERITY_ICON[alert.severity]} *${alert.severity.toUpperCase()}* ${alert.title}\n${alert.text}${formatFields(alert.fields)}`,
    );
  }

  informOps(notice: OpsNotice): void {
    this.options.logger.info(
      { notice: { title: notice.title, fields: notice.fields } },
      `${notice.title}: ${notice.text}`,
    );
    this.options.opsChannel.deliver(
      `${SEVERITY_ICON.info} ${notice.title}\n${notice.text}${formatFields(notice.fields)}`,
    );
  }

  notifyUser(notification: UserNotification): void {
    this.options.logger.info(
      {
        notification: { userId: notification.userId, title: notification.title, fields: notification.fields },
      },
      `notify user ${notification.userId}: ${notification.title}`,
    );
    this.userChannel.deliver(
      `${SEVERITY_ICON.info} [user ${notification.userId}] ${notification.title}\n${notification.text}${formatFields(notification.fields)}`,
    );
  }

  async flush(timeoutMs?: number): Promise<void> {
    await Promise.all([this.options.opsChannel.flush(timeoutMs), this.userChannel.flush(timeoutMs)]);
  }

  async close(): Promise<void> {
    await this.options.opsChannel.close();
    if (this.userChannel !== this.options.opsChannel) await this.userChannel.close();
  }

  private suppressed(key: string | undefined): boolean {
    if (key === undefined) return false;
    const nowMs = this.options.clock.nowMs();
    const last = this.lastSentMs.get(key);
    if (last !== undefined && nowMs - last < this.repeatAfterMs) return true;
    this.lastSentMs.delete(key);
    this.lastSentMs.set(key, nowMs);
    if (this.lastSentMs.size > MAX_DEDUPE_KEYS) {
      const oldest = this.lastSentMs.keys().next().value;
      if (oldest !== undefined) this.lastSentMs.delete(oldest);
    }
    return false;
  }
}

/** Collects notifications in memory (tests, dry runs). */
export class RecordingNotifier implements Notifier {
  readonly alerts: OpsAlert[] = [];
  readonly userNotifications: UserNotification[] = [];
  readonly notices: OpsNotice[] = [];
  alertOps(alert: OpsAlert): void {
    this.alerts.push(alert);
  }
  informOps(notice: OpsNotice): void {
    this.notices.push(notice);
  }
  notifyUser(notification: UserNotification): void {
    this.userNotifications.push(notification);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
