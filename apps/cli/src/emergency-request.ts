import { readFileSync } from 'node:fs';
import { EmergencyChangeRequest } from '@synapse/contracts';
import { generateChangeId, numberFlag } from './change-request';
import { currentOperator } from './operator';
import { parseRequestFlags } from './request-flags';
import { badInput, errorMessage } from './cli-error';
import { parseDuration } from './drift-request';

/** The flags of `synapse emergency`, as commander hands them over. */
export interface EmergencyFlags {
  devices?: string[];
  reason?: string;
  ticket?: string;
  requester?: string;
  update?: string[];
  delete?: string[];
  patchFile?: string;
  intent?: boolean;
  branch?: string;
  revertAfter?: string;
  settleSeconds?: string;
  commitConfirmed?: boolean;
  preemptTimeout?: string;
  concurrency?: string;
  changeId?: string;
}

/** Which flag sets which field, so an error names what the operator typed. */
const FLAG_FOR_FIELD: Array<[prefix: string, flag: string]> = [
  ['changeId', '--change-id'],
  ['devices', '--device/--devices'],
  ['reason', '--reason'],
  ['ticket', '--ticket'],
  ['requester', '--requester'],
  ['source.patch.update', '--update/--patch-file'],
  ['source.patch.delete', '--delete/--patch-file'],
  ['source.branch', '--branch'],
  ['revertAfterSeconds', '--revert-after'],
  ['preemptTimeoutSeconds', '--preempt-timeout'],
  ['concurrency', '--concurrency'],
  ['validation.settleTimeoutSeconds', '--settle-seconds'],
];

/**
 * Builds the request exactly as EmergencyChangeWorkflow parses it, so one
 * without a reason or a ticket (or with a patch on the management paths)
 * is refused here, before anything starts.
 */
export function emergencyRequestFromFlags(flags: EmergencyFlags, env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): EmergencyChangeRequest {
  const devices = (flags.devices ?? []).flatMap((list) => list.split(',')).map((d) => d.trim()).filter((d) => d !== '');
  const input = {
    changeId: flags.changeId ?? generateChangeId(now, 'em'),
    devices,
    reason: flags.reason,
    ticket: flags.ticket,
    requester: flags.requester ?? currentOperator(env),
    source: sourceFromFlags(flags),
    ...(flags.revertAfter !== undefined ? { revertAfterSeconds: parseDuration('--revert-after', flags.revertAfter) / 1000 } : {}),
    ...(flags.preemptTimeout !== undefined ? { preemptTimeoutSeconds: parseDuration('--preempt-timeout', flags.preemptTimeout) / 1000 } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: numberFlag(flags.concurrency) } : {}),
    validation: {
      settleTimeoutSeconds: flags.settleSeconds !== undefined ? numberFlag(flags.settleSeconds) : 15,
      commitConfirmed: flags.commitConfirmed ?? true,
    },
  };
  return parseRequestFlags(EmergencyChangeRequest, input, 'emergency change', flagFor);
}

function sourceFromFlags(flags: EmergencyFlags): unknown {
  const inline = (flags.update?.length ?? 0) + (flags.delete?.length ?? 0) > 0;
  const chosen = [inline && '--update/--delete', flags.patchFile !== undefined && '--patch-file', flags.intent === true && '--intent'].filter(Boolean);
  if (chosen.length !== 1) {
    throw badInput(
      chosen.length === 0
        ? 'say what to apply: --update PATH=VALUE / --delete PATH (an explicit patch), --patch-file FILE, or --intent (each device\'s intent from Infrahub)'
        : `${chosen.join(' and ')} cannot be combined: an emergency applies either a patch or the intent`,
    );
  }
  if (flags.branch !== undefined && flags.intent !== true) throw badInput('--branch only goes with --intent (a patch is not read from Infrahub)');
  if (flags.intent) return { kind: 'intent', ...(flags.branch !== undefined ? { branch: flags.branch } : {}) };
  if (flags.patchFile !== undefined) return { kind: 'patch', patch: readPatchFile(flags.patchFile) };
  return { kind: 'patch', patch: { update: (flags.update ?? []).map(parseUpdate), delete: flags.delete ?? [] } };
}

/**
 * `PATH=VALUE`, split at the first `=` outside the path's keys
 * (`/interface[name=ethernet-1/1]/admin-state=disable`). VALUE is JSON when
 * it parses as JSON (`9000`, `true`, `{"…"}`), text otherwise.
 */
export function parseUpdate(text: string): { path: string; value: unknown } {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '=' && depth === 0) {
      const raw = text.slice(i + 1);
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // Plain text: `disable`, `uplink to spine01`.
      }
      return { path: text.slice(0, i), value };
    }
  }
  throw badInput(`--update "${text}": expected PATH=VALUE, e.g. --update '/interface[name=ethernet-1/1]/admin-state=disable'`);
}

function readPatchFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw badInput(`--patch-file ${file}: ${errorMessage(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badInput(`--patch-file ${file}: not JSON (${errorMessage(err)}); expected {"update": [{"path": "…", "value": …}], "delete": ["…"]}`);
  }
}

function flagFor(field: string): string {
  return FLAG_FOR_FIELD.find(([prefix]) => field === prefix || field.startsWith(`${prefix}.`))?.[1] ?? field;
}
