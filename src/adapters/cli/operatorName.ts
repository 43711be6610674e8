import { userInfo } from 'node:os';
import { InvalidArgumentError } from 'commander';

/**
 * Who acts, for the audit trail of CLI commands: `--operator NAME`, else the OS user. Recorded as
 * `cli:<name>` so that the events say the change came from the command line.
 */
export function cliActor(operator: string | undefined): string {
  let name = operator?.trim();
  if (name === undefined || name === '') {
    try {
      name = userInfo().username;
    } catch {
      name = process.env.USER ?? process.env.LOGNAME ?? '';
    }
  }
  if (name.trim() === '') throw new InvalidArgumentError('who is acting? pass --operator NAME');
  return `cli:${name}`.slice(0, 100);
}

export function requiredText(what: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`${what} must not be blank`);
    if (value.length > 1000) throw new InvalidArgumentError(`${what} is at most 1000 characters`);
    return value;
  };
}
