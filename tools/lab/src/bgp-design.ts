import { z } from 'zod';

/**
 * The fabric's routing design, held in one place so the lab data, the intent,
 * the simulators and any test agree on the names. eBGP runs on every link,
 * each session configured on both ends; all sessions share one peer group
 * whose import and export policies accept everything (an underlay only
 * carries loopbacks and link subnets).
 */
export const UNDERLAY_PEER_GROUP = 'underlay';
export const UNDERLAY_IMPORT_POLICY = 'underlay-import';
export const UNDERLAY_EXPORT_POLICY = 'underlay-export';

export const BgpDesign = z
  .object({
    peerGroup: z.string().min(1).default(UNDERLAY_PEER_GROUP),
    importPolicy: z.string().min(1).default(UNDERLAY_IMPORT_POLICY),
    exportPolicy: z.string().min(1).default(UNDERLAY_EXPORT_POLICY),
    /** What both policies do with a route no statement matches. */
    defaultAction: z.enum(['accept', 'reject']).default('accept'),
    afiSafi: z.array(z.enum(['ipv4-unicast', 'ipv6-unicast'])).min(1).default(['ipv4-unicast']),
  })
  .strict()
  .refine((design) => design.importPolicy !== design.exportPolicy, {
    message: 'import and export policies must have different names',
    path: ['exportPolicy'],
  });
export type BgpDesign = z.infer<typeof BgpDesign>;

/** The underlay design every lab uses unless its file says otherwise. */
export const UNDERLAY_DESIGN: BgpDesign = BgpDesign.parse({});
