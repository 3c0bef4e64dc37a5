import { z } from 'zod';
import { parseInput } from './parse';

/**
 * How every worker and the CLI find Temporal, from the environment. One
 * schema so a variable means the same thing to every process.
 */
export const TemporalSettings = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. localhost:7233').default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
});
export type TemporalSettings = z.infer<typeof TemporalSettings>;

export function temporalSettingsFromEnv(env: Record<string, string | undefined> = process.env): { address: string; namespace: string } {
  const parsed = parseInput(
    TemporalSettings,
    { TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS || undefined, TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE || undefined },
    'Temporal settings (environment)',
  );
  return { address: parsed.TEMPORAL_ADDRESS, namespace: parsed.TEMPORAL_NAMESPACE };
}
