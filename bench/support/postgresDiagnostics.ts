import fs from 'node:fs';
import type pg from 'pg';

/** `BENCH_PG_STATS=1`: load pg_stat_statements in the bench's embedded server and print its top list. */
export const statementStatsWanted = process.env.BENCH_PG_STATS === '1';

const PROC = '/proc';
const CLOCK_TICK_MS = 10;

/**
 * CPU milliseconds (user + system) used so far by every process named `postgres` on this machine,
 * exited backends included: the bench's server when nothing else runs one. Read from /proc; 0 where there is no /proc.
 */
export function postgresCpuMs(): number {
  if (!fs.existsSync(PROC)) return 0;
  let total = 0;
  for (const pid of fs.readdirSync(PROC)) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`${PROC}/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      // Fields after the command name: state is 0, utime 11, stime 12, then cutime 13 and cstime 14
      // (in clock ticks). The children's times count the backends that exited, reaped by the
      // postmaster: without them a pool closing its connections makes the total go down.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      total += ticks * CLOCK_TICK_MS;
    } catch {
      // the process exited between the listing and the read
    }
  }
  return total;
}

export async function enableStatementStats(pool: pg.Pool): Promise<void> {
  if (statementStatsWanted) await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
}

/** The statements that took the most time (wall time inside the server, CPU contention included). */
export async function printStatementStats(pool: pg.Pool, limit = 15): Promise<void> {
  if (!statementStatsWanted) return;
  const result = await pool.query<{
    calls: string;
    total_ms: string;
    ms_per_call: string;
    rows: string;
    query: string;
  }>(
    `SELECT calls, round(total_exec_time::numeric, 0) AS total_ms,
            round((total_exec_time / calls)::numeric, 3) AS ms_per_call, rows,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS query
       FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT $1`,
    [limit],
  );
  console.log('pg_stat_statements (top by total time):');
  for (const row of result.rows) {
    console.log(
      `  ${row.total_ms.padStart(7)} ms ${row.calls.padStart(8)} calls ${row.ms_per_call.padStart(8)} ms/call ${row.rows.padStart(8)} rows  ${row.query}`,
    );
  }
}

export interface ServerActivity {
  readonly checkpoints: number;
  /** Autovacuum and autoanalyze runs finished, all tables. */
  readonly autovacuums: number;
  readonly walBytes: number;
}

/**
 * Counters of the server's background work, to tell a latency spike caused by a checkpoint or an
 * autovacuum from one caused by the service. PostgreSQL 17 moved the checkpoint counters.
 */
export async function serverActivity(pool: pg.Pool): Promise<ServerActivity> {
  const version = Number(
    (await pool.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v,
  );
  const checkpoints =
    version >= 170_000
      ? 'SELECT num_timed + num_requested AS n FROM pg_stat_checkpointer'
      : 'SELECT checkpoints_timed + checkpoints_req AS n FROM pg_stat_bgwriter';
  const result = await pool.query<{ checkpoints: string; autovacuums: string; wal_bytes: string }>(
    `SELECT (${checkpoints}) AS checkpoints,
            (SELECT sum(autovacuum_count + autoanalyze_count) FROM pg_stat_all_tables) AS autovacuums,
            (SELECT wal_bytes FROM pg_stat_wal) AS wal_bytes`,
  );
  const row = result.rows[0];
  return {
    checkpoints: Number(row?.checkpoints ?? 0),
    autovacuums: Number(row?.autovacuums ?? 0),
    walBytes: Number(row?.wal_bytes ?? 0),
  };
}

/** What the server did in the background between two readings, as one line's fields. */
export function activityBetween(before: ServerActivity, after: ServerActivity): string {
  const walMb = (after.walBytes - before.walBytes) / 1024 / 1024;
  return `checkpoints=${after.checkpoints - before.checkpoints} autovacuum_runs=${after.autovacuums - before.autovacuums} wal_mb=${walMb.toFixed(0)}`;
}
