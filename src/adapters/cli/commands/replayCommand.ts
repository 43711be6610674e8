import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { clientOrderIdSchema, executionStreamName } from '../../../domain/execution';
import { integerOption, isoTimeOption } from '../cliOptions';
import { OPERATIONAL_STALE_SUBMITTING_MS } from '../invariants/runSqlInvariants';
import { EXIT_CHECK_FAILED } from '../main';
import { openEventStore } from '../openEventStore';
import { printJson } from '../printJson';
import { describeAsOf, judgementTimeMs, parseAsOf, type AsOf } from '../replay/asOf';
import { buildExecutionReplay, checkReplays, type ExecutionReplay } from '../replay/executionReplay';
import { findUserExecutions } from '../replay/findUserExecutions';
import { formatExecutionReplay, formatFindings, formatReplaySummary } from '../replay/formatReplay';
import { readWholeStream } from '../replay/readExecutionEvents';

interface ReplayOptions {
  asOf?: AsOf;
  user?: string;
  from?: number;
  to?: number;
  limit: number;
  timelines?: boolean;
  staleAfter: number;
  json?: boolean;
}

function replayJson(replay: ExecutionReplay) {
  return {
    clientOrderId: replay.clientOrderId,
    streamId: replay.streamId,
    totalEvents: replay.totalEvents,
    timeline: replay.rows,
    finalStatus: replay.finalStatus,
    state: replay.state,
    replayError: replay.replayError,
  };
}

/** `ledger replay`: an execution's history, event by event, and the invariants over it. */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'replay an execution (or a user’s executions) from the event store: timeline, status after each event, final state, invariants',
    )
    .argument('[clientOrderId]', 'the execution to replay (a UUID)')
    .option(
      '--as-of <time|position>',
      'only what was recorded by this ISO time, or up to this global position',
      parseAsOf,
    )
    .option('--user <userId>', 'replay every execution this user proposed')
    .option('--from <time>', 'with --user: proposals at or after this ISO time', isoTimeOption)
    .option('--to <time>', 'with --user: proposals at or before this ISO time', isoTimeOption)
    .option('--limit <n>', 'with --user: at most this many executions', integerOption(1, 100_000), 1000)
    .option('--timelines', 'with --user: print every timeline, not one line per execution')
    .option(
      '--stale-after <minutes>',
      'SUBMITTING longer than this is a violation',
      integerOption(1, 100_000),
      OPERATIONAL_STALE_SUBMITTING_MS / 60_000,
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 every invariant holds, 1 a violation (or the execution does not exist), 2 usage.\n' +
        'Examples:\n  ledger replay 5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b\n' +
        '  ledger replay 5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b --as-of 2025-01-01T12:00:00Z\n' +
        '  ledger replay --user user-1 --from 2025-01-01 --to 2025-01-02 --json',
    )
    .action(async (clientOrderId: string | undefined, options: ReplayOptions, command: Command) => {
      if ((clientOrderId === undefined) === (options.user === undefined)) {
        command.error('error: give either a clientOrderId or --user <userId>', { exitCode: 2 });
      }
      if (clientOrderId !== undefined && !clientOrderIdSchema.safeParse(clientOrderId).success) {
        command.error(`error: clientOrderId ${JSON.stringify(clientOrderId)} is not a UUID`, { exitCode: 2 });
      }
      if (clientOrderId !== undefined && (options.from !== undefined || options.to !== undefined)) {
        command.error('error: --from and --to go with --user', { exitCode: 2 });
      }
      if (options.from !== undefined && options.to !== undefined && options.from > options.to) {
        command.error('error: --from is after --to', { exitCode: 2 });
      }
      const config = loadConfig();
      const stores = await openEventStore(config);
      try {
        const found =
          clientOrderId !== undefined
            ? { streamIds: [executionStreamName(clientOrderId)], truncated: false }
            : await findUserExecutions(stores.store, {
                userId: options.user!,
                limit: options.limit,
                ...(options.from === undefined ? {} : { fromMs: options.from }),
                ...(options.to === undefined ? {} : { toMs: options.to }),
              });
        const replays: ExecutionReplay[] = [];
        for (const streamId of found.streamIds) {
          let recorded = await readWholeStream(stores.store, streamId);
          let replayedStreamId = streamId;
          // The API lower-cases every clientOrderId: one typed in upper case is found under that name.
          if (recorded.length === 0 && clientOrderId !== undefined && streamId !== streamId.toLowerCase()) {
            replayedStreamId = executionStreamName(clientOrderId.toLowerCase());
            recorded = await readWholeStream(stores.store, replayedStreamId);
          }
          if (recorded.length > 0)
            replays.push(buildExecutionReplay(replayedStreamId, recorded, options.asOf));
        }
        const recordedAtMs = replays.flatMap((replay) =>
          replay.rows.map((row) => Date.parse(row.recordedAt)),
        );
        const nowMs = judgementTimeMs(options.asOf, recordedAtMs, Date.now());
        const findings = checkReplays(replays, {
          nowMs,
          staleSubmittingAfterMs: options.staleAfter * 60_000,
        });
        const missing = clientOrderId !== undefined && replays.length === 0;
        if (options.json) {
          printJson({
            asOf: options.asOf === undefined ? null : describeAsOf(options.asOf),
            ...(clientOrderId !== undefined
              ? { execution: replays[0] === undefined ? null : replayJson(replays[0]) }
              : {
                  user: options.user,
                  from: options.from === undefined ? null : new Date(options.from).toISOString(),
                  to: options.to === undefined ? null : new Date(options.to).toISOString(),
                  truncated: found.truncated,
                  executions: replays.map(replayJson),
                }),
            findings,
            ok: findings.length === 0 && !missing,
          });
        } else {
          const lines: string[] = [];
          if (missing) lines.push(`execution ${clientOrderId} not found (no stream ${found.streamIds[0]})`);
          else if (clientOrderId !== undefined || options.timelines) {
            for (const replay of replays) lines.push(...formatExecutionReplay(replay, options.asOf), '');
          } else {
            lines.push(
              `${replays.length} execution${replays.length === 1 ? '' : 's'} of user ${options.user} as of ${describeAsOf(options.asOf)}`,
              ...formatReplaySummary(replays, findings),
              ...(found.truncated
                ? [`(more than ${options.limit} matched; raise --limit or narrow --from/--to)`]
                : []),
              '',
            );
          }
          if (!missing) lines.push(...formatFindings(findings));
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (findings.length > 0 || missing) process.exitCode = EXIT_CHECK_FAILED;
      } finally {
        await stores.close();
      }
    });
}
