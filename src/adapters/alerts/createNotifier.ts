import type { Logger } from 'pino';
import type { Config } from '../../config';
import type { Clock } from '../../domain/ports/clock';
import { LogOnlyChannel, type AlertChannel } from './alertChannel';
import { ChannelNotifier, type Notifier } from './notifier';
import { WebhookChannel } from './webhookChannel';

/** The webhook of ALERT_WEBHOOK_URL when set; otherwise alerts are log lines only. */
export function createNotifier(
  config: Pick<Config, 'ALERT_WEBHOOK_URL'>,
  deps: { readonly logger: Logger; readonly clock: Clock },
): { notifier: Notifier; channel: AlertChannel } {
  const logger = deps.logger.child({ component: 'alerts' });
  const channel: AlertChannel = config.ALERT_WEBHOOK_URL
    ? new WebhookChannel({ url: config.ALERT_WEBHOOK_URL, logger })
    : new LogOnlyChannel();
  if (!config.ALERT_WEBHOOK_URL) logger.warn('ALERT_WEBHOOK_URL is not set: alerts go to the log only');
  return { notifier: new ChannelNotifier({ opsChannel: channel, logger, clock: deps.clock }), channel };
}
