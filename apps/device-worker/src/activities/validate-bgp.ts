import type { z } from 'zod';
import { parseInput, ValidateBgpInput, type ValidationResult } from '@synapse/contracts';
import { formatPath, parsePath } from '@synapse/gnmi-client';
import type { ActivityRuntime } from './deps';
import { watchUntilSettled, type StateWatchSpec, type ValidationCheck } from './state-watch';

/**
 * Step 4 of a change: every expected BGP neighbor `established` (SR Linux
 * native `…/bgp/neighbor[peer-address=*]/session-state`) within the settle
 * time, and, where the intent gives one, configured with the expected
 * peer-as. Returns the verdict with a check per neighbor; a failing
 * neighbor's reason says what the device showed (`neighbor 10.0.0.1:
 * session-state active, expected established after 30 s`). See
 * state-watch.ts for heartbeats, cancellation and the settle window.
 */
export function validateBgp(runtime: ActivityRuntime) {
  return async (input: z.input<typeof ValidateBgpInput>): Promise<ValidationResult> => {
    const parsed = parseInput(ValidateBgpInput, input, 'validateBgp input');
    return runtime.withDevice(parsed.device, (client, target) => watchUntilSettled(runtime, client, target, bgpWatch(parsed)));
  };
}

/** What the BGP validation watches and how it judges it; validateAndConfirm runs it too. */
export function bgpWatch({ device, networkInstance, neighbors, settleTimeoutSeconds }: ValidateBgpInput): StateWatchSpec {
  const neighborPath = (leaf: string) =>
    formatPath({
      elem: [
        { name: 'network-instance', key: { name: networkInstance } },
        { name: 'protocols' },
        { name: 'bgp' },
        { name: 'neighbor', key: { 'peer-address': '*' } },
        { name: leaf },
      ],
    });
  const paths = [neighborPath('session-state'), ...(neighbors.some((n) => n.peerAs !== undefined) ? [neighborPath('peer-as')] : [])];
  return {
    device,
    kind: 'bgp',
    paths,
    settleTimeoutMs: settleTimeoutSeconds * 1000,
    evaluate: (state) => {
      const seen = neighborsSeen(state);
      return neighbors.map(({ peerAddress, peerAs }): ValidationCheck => {
        const subject = `neighbor ${peerAddress}`;
        const expected = `session-state established${peerAs !== undefined ? `, peer-as ${peerAs}` : ''}`;
        const found = seen.get(peerAddress);
        if (!found?.sessionState) {
          return { subject, expected, actual: 'not configured', ok: false, reason: `${subject}: not configured in network-instance ${networkInstance}` };
        }
        const problems: string[] = [];
        if (found.sessionState !== 'established') problems.push(`session-state ${found.sessionState}, expected established`);
        if (peerAs !== undefined && Number(found.peerAs) !== peerAs) problems.push(`peer-as ${found.peerAs ?? 'unset'}, expected ${peerAs}`);
        const actual = `session-state ${found.sessionState}${peerAs !== undefined ? `, peer-as ${found.peerAs ?? 'unset'}` : ''}`;
        return problems.length === 0 ? { subject, expected, actual, ok: true } : { subject, expected, actual, ok: false, reason: `${subject}: ${problems.join('; ')}` };
      });
    },
  };
}

/** peer-address -> the leaves seen for that neighbor. */
function neighborsSeen(state: ReadonlyMap<string, unknown>): Map<string, { sessionState?: string; peerAs?: unknown }> {
  const out = new Map<string, { sessionState?: string; peerAs?: unknown }>();
  for (const [path, value] of state) {
    const elems = parsePath(path).elem;
    const address = elems.find((e) => e.name === 'neighbor')?.key?.['peer-address'];
    if (address === undefined) continue;
    const entry = out.get(address) ?? {};
    const leaf = elems[elems.length - 1].name;
    if (leaf === 'session-state') entry.sessionState = String(value);
    else if (leaf === 'peer-as') entry.peerAs = value;
    out.set(address, entry);
  }
  return out;
}
