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

/** An ISO 8601 time with a date, e.g. 2025-01-01 or 2025-01-01T12:00:00Z; returns epoch milliseconds. */
export function isoTimeOption(value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) throw new InvalidArgumentError('must be an ISO 8601 time');
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('must be an ISO 8601 time');
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
