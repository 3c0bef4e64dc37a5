import { PrefixSetIntent, RoutingPolicyIntent } from '@synapse/contracts';
import { z } from 'zod';

/**
 * The fabric's routing design, held in one place so the lab data, the intent,
 * the simulators and any test agree on the names. eBGP runs on every link,
 * each session configured on both ends, in one peer group. An underlay
 * carries loopbacks only: each device exports its own loopback and accepts
 * the fabric's (prefix set `loopbacks`, the /32s of the loopback pool), and
 * rejects everything else; SR Linux's eBGP default (reject all without a
 * policy) would otherwise advertise nothing.
 *
 * `policies` and `prefixSets` are what the source of truth defines. A
 * policy the group names that is not among them (the brownfield lab's
 * `legacy-import`) is the device's own: it must exist on the device and a
 * change never writes it.
 */
export const UNDERLAY_PEER_GROUP = 'underlay';
export const UNDERLAY_IMPORT_POLICY = 'import-loopbacks';
export const UNDERLAY_EXPORT_POLICY = 'export-loopbacks';
export const LOOPBACK_PREFIX_SET = 'loopbacks';
/** Where every lab's loopbacks come from (fabric.ts's LOOPBACK_POOL). */
export const LOOPBACK_PREFIX = '10.1.0.0/16';

const loopbacksOnly = (name: string): z.input<typeof RoutingPolicyIntent> => ({
  name,
  defaultAction: 'reject',
  statements: [{ name: 'loopbacks', match: { prefixSet: LOOPBACK_PREFIX_SET }, action: 'accept' }],
});

export const UNDERLAY_POLICIES: z.input<typeof RoutingPolicyIntent>[] = [loopbacksOnly(UNDERLAY_EXPORT_POLICY), loopbacksOnly(UNDERLAY_IMPORT_POLICY)];
export const UNDERLAY_PREFIX_SETS: z.input<typeof PrefixSetIntent>[] = [
  { name: LOOPBACK_PREFIX_SET, prefixes: [{ prefix: LOOPBACK_PREFIX, maskLengthRange: '32..32' }] },
];

export const BgpDesign = z
  .object({
    peerGroup: z.string().min(1).default(UNDERLAY_PEER_GROUP),
    importPolicy: z.string().min(1).default(UNDERLAY_IMPORT_POLICY),
    exportPolicy: z.string().min(1).default(UNDERLAY_EXPORT_POLICY),
    afiSafi: z.array(z.enum(['ipv4-unicast', 'ipv6-unicast'])).min(1).default(['ipv4-unicast']),
    /** Policies the source of truth defines (a subset of the two names above, possibly none). */
    policies: z.array(RoutingPolicyIntent).default(() => structuredClone(UNDERLAY_POLICIES) as RoutingPolicyIntent[]),
    prefixSets: z.array(PrefixSetIntent).default(() => structuredClone(UNDERLAY_PREFIX_SETS) as PrefixSetIntent[]),
  })
  .strict()
  .superRefine((design, ctx) => {
    if (design.importPolicy === design.exportPolicy) ctx.addIssue({ code: 'custom', path: ['exportPolicy'], message: 'import and export policies must have different names' });
    const named = new Set([design.importPolicy, design.exportPolicy]);
    const sets = new Set(design.prefixSets.map((p) => p.name));
    design.policies.forEach((policy, i) => {
      if (!named.has(policy.name)) ctx.addIssue({ code: 'custom', path: ['policies', i, 'name'], message: `policy "${policy.name}" is neither the import nor the export policy` });
      policy.statements.forEach((statement, j) => {
        const set = statement.match.prefixSet;
        if (set !== undefined && !sets.has(set)) ctx.addIssue({ code: 'custom', path: ['policies', i, 'statements', j, 'match', 'prefixSet'], message: `prefix set "${set}" is not defined` });
      });
    });
  });
export type BgpDesign = z.infer<typeof BgpDesign>;

/** The underlay design every lab uses unless its file says otherwise. */
export const UNDERLAY_DESIGN: BgpDesign = BgpDesign.parse({});
