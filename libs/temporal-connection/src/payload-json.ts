import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/**
 * The codec server protocol's body: `{"payloads": [{"metadata": {"k": "<base64>"}, "data": "<base64>"}]}`,
 * Temporal's Payloads message in proto3 JSON (bytes as base64), which the Web UI
 * and `temporal --codec-endpoint` send and expect back.
 */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const base64 = z.string({ error: 'must be a base64 string' }).regex(BASE64, 'must be base64');

export const PayloadsJson = z.object(
  {
    payloads: z.array(
      z.object(
        {
          metadata: z.record(z.string(), base64).nullish(),
          data: base64.nullish(),
        },
        { error: 'each payload must be an object {metadata, data}' },
      ),
      { error: 'payloads must be an array' },
    ),
  },
  { error: 'the body must be a JSON object {"payloads": [...]}' },
);
export type PayloadsJson = z.infer<typeof PayloadsJson>;

export type PayloadsParse = { ok: true; payloads: Payload[] } | { ok: false; problem: string };

/** Parses a request body; a problem names where in the body it is (`payloads.0.metadata.encoding: must be base64`). */
export function payloadsFromJson(body: string): PayloadsParse {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, problem: `the body is not JSON: ${(err as Error).message}` };
  }
  const parsed = PayloadsJson.safeParse(json);
  if (!parsed.success) {
    const problem = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message)).join('; ');
    return { ok: false, problem };
  }
  return {
    ok: true,
    payloads: parsed.data.payloads.map(({ metadata, data }) => ({
      metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
      data: Buffer.from(data ?? '', 'base64'),
    })),
  };
}

export function payloadsToJson(payloads: Payload[]): PayloadsJson {
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])),
      data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}
