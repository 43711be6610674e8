import { InvalidArgumentError } from 'commander';

/*
 * Option parsers shared by the incident commands. Each throws commander's InvalidArgumentError, so a
 * bad value is a usage error (exit 2) with the option named in the message.
 */

export function integerOption(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    }
    return parsed;
  };
}

export function numberOption(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`must be a number from ${min} to ${max}`);
    }
    return parsed;
  };
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Epoch milliseconds of an ISO 8601 date or date-time (2025-01-01, 2025-01-01T12:00:00Z, with an
 * offset), or `undefined`. Strict: Date.parse alone reads "2025-01-01junk" as some day in June and
 * "2025-02-30" as 2 March.
 */
export function parseIsoTimeMs(value: string): number | undefined {
  const match = ISO_TIME.exec(value.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (
    date.getUTCFullYear() !== Number(year) ||
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  ) {
    return undefined;
  }
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

/** An ISO 8601 time with a date, e.g. 2025-01-01 or 2025-01-01T12:00:00Z; returns epoch milliseconds. */
export function isoTimeOption(value: string): number {
  const ms = parseIsoTimeMs(value);
  if (ms === undefined) throw new InvalidArgumentError('must be an ISO 8601 time');
  return ms;
}

export function urlOption(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    // The service takes a Bearer key; user:password in the URL would only be printed (and fetch refuses it).
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    throw new InvalidArgumentError('must be an http:// or https:// URL');
  }
}
