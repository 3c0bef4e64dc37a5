import { decodeTypedValue, encodeTypedValue, integerFromWire, ValueDecodeError } from '../src/values';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('TypedValue decode', () => {
  it('parses json_ietf_val and strips module prefixes from member names, not values', () => {
    const value = {
      'srl_nokia-network-instance:network-instance': [
        { name: 'default', type: 'srl_nokia-network-instance:default', protocols: { 'srl_nokia-bgp:bgp': { 'autonomous-system': 65001 } } },
      ],
    };
    expect(decodeTypedValue({ value: 'json_ietf_val', json_ietf_val: json(value) })).toEqual({
      'network-instance': [{ name: 'default', type: 'srl_nokia-network-instance:default', protocols: { bgp: { 'autonomous-system': 65001 } } }],
    });
  });

  it('keeps module prefixes when asked to', () => {
    const value = { 'srl_nokia-interfaces:interface': [{ name: 'ethernet-1/1' }] };
    expect(decodeTypedValue({ value: 'json_ietf_val', json_ietf_val: json(value) }, { keepModulePrefixes: true })).toEqual(value);
  });

  it('parses json_val', () => {
    expect(decodeTypedValue({ value: 'json_val', json_val: json({ 'admin-state': 'enable' }) })).toEqual({ 'admin-state': 'enable' });
    expect(decodeTypedValue({ value: 'json_val', json_val: json('up') })).toBe('up');
  });

  it.each([
    [{ value: 'string_val', string_val: 'established' }, 'established'],
    [{ value: 'ascii_val', ascii_val: 'show version' }, 'show version'],
    [{ value: 'bool_val', bool_val: true }, true],
    [{ value: 'double_val', double_val: 0.25 }, 0.25],
    [{ value: 'float_val', float_val: 1.5 }, 1.5],
    [{ value: 'int_val', int_val: '-42' }, -42],
    [{ value: 'uint_val', uint_val: '9500' }, 9500],
    [{ value: 'bytes_val', bytes_val: Buffer.from('hi') }, 'aGk='],
    [{ value: 'decimal_val', decimal_val: { digits: '12345', precision: 2 } }, 123.45],
    [{ value: 'leaflist_val', leaflist_val: { element: [{ value: 'string_val', string_val: 'pol-a' }, { value: 'string_val', string_val: 'pol-b' }] } }, ['pol-a', 'pol-b']],
  ] as const)('decodes %j', (wire, expected) => {
    expect(decodeTypedValue(wire as never)).toEqual(expected);
  });

  it('gives 64-bit integers beyond 2^53 as exact decimal strings, never rounded', () => {
    expect(decodeTypedValue({ value: 'uint_val', uint_val: '18446744073709551615' })).toBe('18446744073709551615');
    expect(decodeTypedValue({ value: 'int_val', int_val: '-9223372036854775808' })).toBe('-9223372036854775808');
    expect(integerFromWire('9007199254740991')).toBe(9007199254740991);
    expect(integerFromWire('9007199254740993')).toBe('9007199254740993');
  });

  it('reads a TypedValue without the oneof marker and an empty one as null', () => {
    expect(decodeTypedValue({ string_val: 'up' })).toBe('up');
    expect(decodeTypedValue({})).toBeNull();
    expect(decodeTypedValue(undefined)).toBeNull();
  });

  it('rejects malformed JSON with the member and an excerpt', () => {
    expect(() => decodeTypedValue({ value: 'json_ietf_val', json_ietf_val: Buffer.from('{"a":') })).toThrow(ValueDecodeError);
    expect(() => decodeTypedValue({ value: 'json_ietf_val', json_ietf_val: Buffer.from('{"a":') })).toThrow(/json_ietf_val is not valid JSON.*"\{\\"a\\":"/);
  });
});

describe('TypedValue encode', () => {
  it('writes JSON_IETF by default and JSON on request', () => {
    const value = { interface: [{ name: 'ethernet-1/1', mtu: 9000 }] };
    const ietf = encodeTypedValue(value);
    expect(Object.keys(ietf)).toEqual(['json_ietf_val']);
    expect(JSON.parse(ietf.json_ietf_val!.toString())).toEqual(value);
    const plain = encodeTypedValue('enable', 'JSON');
    expect(Object.keys(plain)).toEqual(['json_val']);
    expect(plain.json_val!.toString()).toBe('"enable"');
  });

  it('round-trips through decode', () => {
    const value = { 'admin-state': 'enable', 'mtu': 1500, description: 'to spine01', list: [1, 'two', null] };
    expect(decodeTypedValue(encodeTypedValue(value))).toEqual(value);
  });

  it('refuses undefined, which JSON cannot carry', () => {
    expect(() => encodeTypedValue(undefined)).toThrow(/cannot be undefined/);
  });
});
