import type { z } from 'zod';
import { parseInput, ValidateInterfacesInput, type ValidationResult } from '@synapse/contracts';
import { parsePath } from '@synapse/gnmi-client';
import type { ActivityRuntime } from './deps';
import { watchUntilSettled, type StateWatchSpec, type ValidationCheck } from './state-watch';

/**
 * Step 5 of a change: every intended interface in its intended admin-state
 * and oper-state (SR Linux native `/interface[name=*]/admin-state` and
 * `/oper-state`) within the settle time. A failing interface's reason says
 * what the device showed (`interface ethernet-1/49: oper-state down,
 * expected up after 5 s`). See state-watch.ts for heartbeats, cancellation
 * and the settle window.
 */
export function validateInterfaces(runtime: ActivityRuntime) {
  return async (input: z.input<typeof ValidateInterfacesInput>): Promise<ValidationResult> => {
    const parsed = parseInput(ValidateInterfacesInput, input, 'validateInterfaces input');
    return runtime.withDevice(parsed.device, (client, target) => watchUntilSettled(runtime, client, target, interfacesWatch(parsed)));
  };
}

/** What the interface validation watches and how it judges it; validateAndConfirm runs it too. */
export function interfacesWatch({ device, interfaces, settleTimeoutSeconds }: ValidateInterfacesInput): StateWatchSpec {
  return {
    device,
    kind: 'interfaces',
    paths: ['/interface[name=*]/admin-state', '/interface[name=*]/oper-state'],
    settleTimeoutMs: settleTimeoutSeconds * 1000,
    evaluate: (state) => {
      const seen = interfacesSeen(state);
      return interfaces.map(({ name, adminState, operState }): ValidationCheck => {
        const subject = `interface ${name}`;
        const expected = `admin-state ${adminState}, oper-state ${operState}`;
        const found = seen.get(name);
        if (!found) return { subject, expected, actual: 'not present', ok: false, reason: `${subject}: not present on the device` };
        const actual = `admin-state ${found.adminState ?? 'unknown'}, oper-state ${found.operState ?? 'unknown'}`;
        const problems: string[] = [];
        if (found.adminState !== adminState) problems.push(`admin-state ${found.adminState ?? 'unknown'}, expected ${adminState}`);
        if (found.operState !== operState) problems.push(`oper-state ${found.operState ?? 'unknown'}, expected ${operState}`);
        return problems.length === 0 ? { subject, expected, actual, ok: true } : { subject, expected, actual, ok: false, reason: `${subject}: ${problems.join('; ')}` };
      });
    },
  };
}

/** interface name -> its admin and oper state as seen. */
function interfacesSeen(state: ReadonlyMap<string, unknown>): Map<string, { adminState?: string; operState?: string }> {
  const out = new Map<string, { adminState?: string; operState?: string }>();
  for (const [path, value] of state) {
    const elems = parsePath(path).elem;
    const name = elems[0]?.name === 'interface' ? elems[0].key?.name : undefined;
    if (name === undefined || elems.length !== 2) continue;
    const entry = out.get(name) ?? {};
    if (elems[1].name === 'admin-state') entry.adminState = String(value);
    else if (elems[1].name === 'oper-state') entry.operState = String(value);
    out.set(name, entry);
  }
  return out;
}
