import type { z } from 'zod';
import { SynapseError } from '@synapse/contracts';

export type Env = Record<string, string | undefined>;

/** Unset and blank mean the same: a variable exported empty by a shell script or compose file is not a setting. */
export function envText(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The environment variables `names`, blank ones dropped, ready for a zod object schema. */
export function pickEnv<N extends string>(env: Env, names: readonly N[]): Partial<Record<N, string>> {
  const picked: Partial<Record<N, string>> = {};
  for (const name of names) {
    const value = envText(env[name]);
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/**
 * Every problem with the settings, in one error, each led by the variable it
 * is about: an operator fixing a deployment wants the whole list at once.
 */
export class SettingsProblems {
  private readonly problems: string[] = [];

  add(variable: string, message: string): void {
    this.problems.push(message.startsWith(variable) ? message : `${variable}: ${message}`);
  }

  /** A message that already says what it is about (another settings group's error). */
  addMessage(message: string): void {
    this.problems.push(message);
  }

  addZodIssues(issues: readonly z.core.$ZodIssue[]): void {
    for (const issue of issues) this.add(issue.path.length ? String(issue.path[0]) : '(environment)', issue.message);
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  throwIfAny(what: string): void {
    if (this.empty) return;
    throw new SynapseError('InvalidInput', `${what}: ${this.problems.join('; ')}`, { problems: [...this.problems] });
  }
}

export const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

/** A yes/no variable as Temporal's own tools read it, with a message naming what was given. */
export function booleanWord(value: string): boolean | undefined {
  return BOOLEAN_WORDS[value.toLowerCase()];
}
