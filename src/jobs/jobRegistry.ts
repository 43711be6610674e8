import { FILLS_JOB_NAME } from './fillFollower';
import { INVARIANTS_JOB_NAME } from './invariantsJob';
import { PROMOTIONS_JOB_NAME } from './promotionsJob';
import { RECONCILE_JOB_NAME } from './reconcileSweeper';
import { STATS_JOB_NAME } from './statsJob';

/**
 * The jobs every deployment must run somewhere (DESIGN §6), as `jobsModule` schedules them. The
 * ops route lists them even before any instance has registered, and preflight requires each on at
 * least one live instance.
 */
export const EXPECTED_JOB_NAMES: readonly string[] = [
  INVARIANTS_JOB_NAME,
  PROMOTIONS_JOB_NAME,
  STATS_JOB_NAME,
  RECONCILE_JOB_NAME,
  FILLS_JOB_NAME,
];
