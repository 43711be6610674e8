import { InvalidArgumentError, type Command } from 'commander';
import { UserPolicyService } from '../../../application/policy/userPolicyService';
import {
  isConfidenceLevel,
  PromotionReviewService,
  type PendingPromotionView,
} from '../../../application/promotions/promotionReviewService';
import { loadConfig } from '../../../config';
import type { ConfidenceLevel } from '../../../domain/policy';
import { createNotifier } from '../../alerts/createNotifier';
import { systemClock } from '../../clock/systemClock';
import { cliLogger } from '../cliLogger';
import { openEventStore } from '../openEventStore';
import { cliActor, requiredText } from '../operatorName';
import { printJson } from '../printJson';

interface DecideOptions {
  note: string;
  operator?: string;
  level?: ConfidenceLevel;
  json?: boolean;
}

function levelOption(value: string): ConfidenceLevel {
  if (!isConfidenceLevel(value)) throw new InvalidArgumentError('must be VALIDATED, PRODUCTION or MATURE');
  return value;
}

function limit(value: string | null): string {
  return value === null ? 'no fixed limit' : `€${value}`;
}

function formatPending(views: readonly PendingPromotionView[]): string {
  if (views.length === 0) return 'no promotion waits for review\n';
  const lines = views.map(
    (view) =>
      `${view.userId}: ${view.fromLevel} → ${view.toLevel} (limit ${limit(view.currentLimitEur)} → ${limit(view.newLimitEur)})\n` +
      `  proposed ${view.proposedAt} by ${view.proposedBy}: ${view.stats.successful} successful of ${view.stats.executionsPastGates}, ` +
      `success rate ${view.stats.successRate}, recovery rate ${view.stats.recoveryRate}` +
      (view.tradingEnabled ? '' : '\n  (trading is disabled for this user)'),
  );
  return `${lines.join('\n')}\n`;
}

async function withReview<T>(work: (review: PromotionReviewService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const stores = await openEventStore(config);
  const logger = cliLogger(config);
  const { notifier } = createNotifier(config, { logger, clock: systemClock });
  try {
    const policy = new UserPolicyService(stores.store, systemClock);
    return await work(new PromotionReviewService({ pool: stores.pool, policy, notifier }));
  } finally {
    // The user's notification is delivered (with its retries) before the command exits.
    await notifier.close();
    await stores.close();
  }
}

/** `ledger promotions list | approve <user> --note ... | reject <user> --note ...` (DESIGN §4). */
export function registerPromotionsCommand(program: Command): void {
  const promotions = program
    .command('promotions')
    .description('review the promotions the hourly job proposed');

  promotions
    .command('list')
    .description('promotions waiting for an operator')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const views = await withReview((review) => review.listPending());
      if (options.json) printJson({ promotions: views });
      else process.stdout.write(formatPending(views));
    });

  for (const action of ['approve', 'reject'] as const) {
    promotions
      .command(`${action} <userId>`)
      .description(
        action === 'approve'
          ? "approve the user's pending promotion: the new limit applies to their next order"
          : "reject the user's pending promotion (the job waits 7 days before proposing that level again)",
      )
      .requiredOption('--note <text>', 'why (recorded in the user-policy stream)', requiredText('--note'))
      .option(
        '--level <level>',
        'the level you expect the proposal to be for (refused if it is not)',
        levelOption,
      )
      .option('--operator <name>', 'who decides (default: the OS user)')
      .option('--json', 'print the new policy as JSON')
      .action(async (userId: string, options: DecideOptions) => {
        const input = {
          note: options.note,
          actor: cliActor(options.operator),
          ...(options.level === undefined ? {} : { toLevel: options.level }),
        };
        const state = await withReview((review) =>
          action === 'approve' ? review.approve(userId, input) : review.reject(userId, input),
        );
        if (options.json) {
          printJson({
            userId,
            confidenceLevel: state.confidenceLevel,
            effectiveLimitEur: state.effectiveLimitEur,
          });
          return;
        }
        process.stdout.write(
          action === 'approve'
            ? `approved: ${userId} is now ${state.confidenceLevel}, per-order limit ${limit(state.effectiveLimitEur)}\n`
            : `rejected: ${userId} stays ${state.confidenceLevel}\n`,
        );
      });
  }
}
