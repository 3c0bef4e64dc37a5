import { userInfo } from 'node:os';

/**
 * Who is at the keyboard: the requester of what the CLI starts and the
 * approver or operator of what it decides (approve, reject, pause, resume,
 * abort), unless a flag names someone else. One source, so the workflow's
 * "the requester cannot approve their own change" compares like with like.
 */
export function currentOperator(env: NodeJS.ProcessEnv = process.env): string {
  if (env.USER?.trim()) return env.USER.trim();
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the schemas then say who is required.
    return '';
  }
}
