import type { WireTypedValue } from './proto';
import { decodeJson, encodeJson, stripModulePrefixes } from './json-ietf';

/** Encodings the client writes values in. JSON_IETF is what SR Linux and most targets prefer. */
export type ValueEncoding = 'JSON_IETF' | 'JSON';

export interface DecodeOptions {
  /**
   * Keep RFC 7951 module prefixes (`srl_nokia-interfaces:interface`) in JSON
   * member names as the device sent them. By default they are stripped, so
   * the same config compares equal whichever way a device qualified it.
   */
  keepModulePrefixes?: boolean;
}

/** A device sent a value the client cannot read (malformed JSON, an unknown TypedValue member). */
export class ValueDecodeError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ValueDecodeError';
  }
}

/**
 * TypedValue -> a plain JavaScript value that survives JSON serialisation
 * (results go into Temporal payloads):
 *  - json_val / json_ietf_val: the parsed document;
 *  - int_val / uint_val: a number when it is a safe integer, otherwise the
 *    decimal string. Never a bigint (JSON cannot carry it); the string is
 *    exactly how RFC 7951 writes 64-bit integers, so it reads the same as the
 *    JSON_IETF form of the leaf;
 *  - bytes_val / proto_bytes: base64 text, again as RFC 7951 writes binary;
 *  - leaflist_val: an array of decoded elements;
 *  - an empty TypedValue: null.
 */
export function decodeTypedValue(value: WireTypedValue | undefined, options: DecodeOptions = {}): unknown {
  if (!value) return null;
  const member = value.value ?? presentMember(value);
  switch (member) {
    case undefined:
      return null;
    case 'json_ietf_val':
    case 'json_val': {
      const parsed = parseJsonBytes(value[member]!, member);
      return options.keepModulePrefixes ? parsed : stripModulePrefixes(parsed);
    }
    case 'string_val':
      return value.string_val ?? '';
    case 'ascii_val':
      return value.ascii_val ?? '';
    case 'int_val':
      return integerFromWire(value.int_val ?? '0');
    case 'uint_val':
      return integerFromWire(value.uint_val ?? '0');
    case 'bool_val':
      return value.bool_val ?? false;
    case 'double_val':
      return value.double_val ?? 0;
    case 'float_val':
      return value.float_val ?? 0;
    case 'decimal_val': {
      const decimal = value.decimal_val ?? {};
      return Number(decimal.digits ?? 0) / 10 ** (decimal.precision ?? 0);
    }
    case 'bytes_val':
    case 'proto_bytes':
      return Buffer.from(value[member] ?? Buffer.alloc(0)).toString('base64');
    case 'leaflist_val':
      return (value.leaflist_val?.element ?? []).map((element) => decodeTypedValue(element, options));
    case 'any_val': {
      const any = value.any_val ?? {};
      return { typeUrl: any.type_url ?? '', value: Buffer.from(any.value ?? Buffer.alloc(0)).toString('base64') };
    }
    default:
      throw new ValueDecodeError(`unknown TypedValue member ${member}`);
  }
}

/** int64/uint64 arrive as decimal strings (proto loaded with longs: String). */
export function integerFromWire(text: string | number): number | string {
  if (typeof text === 'number') return text;
  const asNumber = Number(text);
  return Number.isSafeInteger(asNumber) ? asNumber : text;
}

/** A value to write, as JSON_IETF (default) or JSON bytes. */
export function encodeTypedValue(value: unknown, encoding: ValueEncoding = 'JSON_IETF'): WireTypedValue {
  if (value === undefined) throw new TypeError('a value to write cannot be undefined');
  const bytes = encodeJson(value);
  return encoding === 'JSON_IETF' ? { json_ietf_val: bytes } : { json_val: bytes };
}

const TYPED_VALUE_MEMBERS = [
  'string_val',
  'int_val',
  'uint_val',
  'bool_val',
  'bytes_val',
  'float_val',
  'decimal_val',
  'leaflist_val',
  'any_val',
  'json_val',
  'json_ietf_val',
  'ascii_val',
  'proto_bytes',
  'double_val',
] as const;

/** For TypedValues built by hand (tests, other loaders) without the oneof marker. */
function presentMember(value: WireTypedValue): string | undefined {
  return TYPED_VALUE_MEMBERS.find((member) => (value as Record<string, unknown>)[member] !== undefined);
}

function parseJsonBytes(bytes: Buffer | Uint8Array, member: string): unknown {
  try {
    return decodeJson(bytes);
  } catch (err) {
    const text = Buffer.from(bytes).toString('utf8');
    const excerpt = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    throw new ValueDecodeError(`${member} is not valid JSON (${(err as Error).message}): ${JSON.stringify(excerpt)}`);
  }
}
