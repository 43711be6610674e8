import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserPolicyService } from '../../../application/policy/userPolicyService';
import { loadConfig } from '../../../config';
import { invariantsJob } from '../../../jobs/invariantsJob';
import { EXPECTED_JOB_NAMES } from '../../../jobs/jobRegistry';
import { promotionsJob } from '../../../jobs/promotionsJob';
import { listJobRuns, type JobRunRow } from '../../../jobs/scheduler/jobRunsRepository';
import { JobScheduler } from '../../../jobs/scheduler/JobScheduler';
import { statsJob } from '../../../jobs/statsJob';
import { createNotifier } from '../../alerts/createNotifier';
import { systemClock } from '../../clock/systemClock';
import { integerOption } from '../cliOptions';
import { EXIT_CHECK_FAILED } from '../main';
import { cliLogger } from '../cliLogger';
import { openEventStore } from '../openEventStore';
import { printJson } from '../printJson';

/** The jobs a person may run by hand; the sweeper and the fill follower run only inside `serve`. */
const MANUAL_JOBS = ['invariants', 'promotions', 'stats'] as const;
type ManualJob = (typeof MANUAL_JOBS)[number];

function manualJob(value: string): ManualJob {
  if (!(MANUAL_JOBS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${MANUAL_JOBS.join(', ')}`);
  }
  return value as ManualJob;
}

function formatRun(run: JobRunRow): string {
  const took =
    run.finishedAt === null ? 'still running' : `${run.finishedAt.getTime() - run.startedAt.getTime()} ms`;
  const slot = run.scheduledFor === null ? run.trigger : `slot ${run.scheduledFor.toISOString()}`;
  return `${run.startedAt.toISOString()}  ${run.job.padEnd(11)} ${run.outcome.padEnd(19)} ${took.padEnd(13)} ${slot}  ${run.instanceId}\n    ${JSON.stringify(run.detail)}`;
}

/** `ledger jobs runs [--job NAME]` (the job_runs history) and `ledger jobs run <job>` (now, by hand). */
export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('scheduled jobs: their recorded runs, or run one now');

  jobs
    .command('runs')
    .description('the latest recorded runs, newest first')
    .addOption(new Option('--job <name>', 'only this job').choices([...EXPECTED_JOB_NAMES]))
    .option('--limit <n>', 'how many', integerOption(1, 1000), 20)
    .option('--json', 'print them as JSON')
    .action(async (options: { job?: string; limit: number; json?: boolean }) => {
      const stores = await openEventStore(loadConfig());
      try {
        const runs = await listJobRuns(stores.pool, {
          limit: options.limit,
          ...(options.job === undefined ? {} : { job: options.job }),
        });
        if (options.json) printJson({ runs });
        else
          process.stdout.write(
            runs.length === 0 ? 'no runs recorded\n' : `${runs.map(formatRun).join('\n')}\n`,
          );
      } finally {
        await stores.close();
      }
    });

  jobs
    .command('run')
    .argument('<job>', MANUAL_JOBS.join(' | '), manualJob)
    .description(
      `run ${MANUAL_JOBS.join(', ')} now, under the same lock as the schedule (recorded as manual)`,
    )
    .option('--json', 'print the run as JSON')
    .action(async (job: ManualJob, options: { json?: boolean }) => {
      const config = loadConfig();
      const stores = await openEventStore(config);
      const logger = cliLogger(config);
      const { notifier } = createNotifier(config, { logger, clock: systemClock });
      try {
        const { pool } = stores;
        const definition =
          job === 'invariants'
            ? invariantsJob({ pool, clock: systemClock, notifier })
            : job === 'promotions'
              ? promotionsJob({ pool, policy: new UserPolicyService(stores.store, systemClock), notifier })
              : statsJob({ pool });
        const scheduler = new JobScheduler({
          pool,
          clock: systemClock,
          logger,
          jobs: [definition],
          instanceId: 'cli',
        });
        const report = await scheduler.runNow(job);
        await scheduler.stop();
        if (options.json) printJson(report);
        else process.stdout.write(`${job}: ${report.outcome}\n${JSON.stringify(report.detail, null, 2)}\n`);
        // The invariants job succeeds when it ran, whatever it found; for a person, violations are a
        // failed check (exit 1), as `ledger invariants` says them.
        const violationsFound = job === 'invariants' && report.detail?.['ok'] === false;
        if (report.outcome === 'failed' || report.outcome === 'skipped_locked' || violationsFound)
          process.exitCode = EXIT_CHECK_FAILED;
      } finally {
        await notifier.close();
        await stores.close();
      }
    });
}
