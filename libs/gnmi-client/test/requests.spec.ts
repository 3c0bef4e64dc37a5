import { assembleSubtree } from '../src/config-tree';
import { parsePath } from '../src/path';
import { buildGetRequest, buildSetRequest, buildSubscribeRequest, InvalidRequestError } from '../src/requests';

describe('Get request', () => {
  it('defaults to type ALL and JSON_IETF and accepts the root, wildcards, origins and a prefix', () => {
    expect(buildGetRequest('/', {})).toEqual({ path: [{ elem: [] }], type: 'ALL', encoding: 'JSON_IETF' });
    const request = buildGetRequest(['/interface[name=*]/oper-state', 'openconfig:/interfaces'], {
      type: 'STATE',
      encoding: 'JSON',
      prefix: '/network-instance[name=default]',
    });
    expect(request).toEqual({
      path: [{ elem: [{ name: 'interface', key: { name: '*' } }, { name: 'oper-state' }] }, { origin: 'openconfig', elem: [{ name: 'interfaces' }] }],
      type: 'STATE',
      encoding: 'JSON',
      prefix: { elem: [{ name: 'network-instance', key: { name: 'default' } }] },
    });
  });

  it.each([
    [[], {}, /^paths: at least one path/],
    [['interface'], {}, /^paths\.0: invalid gNMI path/],
    [['/'], { type: 'RUNNING' }, /^type: must be one of ALL, CONFIG, STATE, OPERATIONAL/],
    [['/'], { encoding: 'XML' }, /^encoding: must be one of/],
  ])('rejects %j %j', (paths, options, message) => {
    expect(() => buildGetRequest(paths as string[], options as never)).toThrow(InvalidRequestError);
    expect(() => buildGetRequest(paths as string[], options as never)).toThrow(message);
  });
});

describe('Set request', () => {
  it('carries deletes, replaces and updates in one request', () => {
    const request = buildSetRequest(
      {
        delete: ['/interface[name=ethernet-1/3]'],
        replace: [{ path: '/interface[name=ethernet-1/1]', value: { 'admin-state': 'enable' } }],
        update: [{ path: '/interface[name=ethernet-1/2]/description', value: 'to spine01' }],
      },
      {},
    );
    expect(request.delete).toEqual([{ elem: [{ name: 'interface', key: { name: 'ethernet-1/3' } }] }]);
    expect(request.replace![0].path).toEqual({ elem: [{ name: 'interface', key: { name: 'ethernet-1/1' } }] });
    expect(JSON.parse(request.replace![0].val!.json_ietf_val!.toString())).toEqual({ 'admin-state': 'enable' });
    expect(request.update![0].val!.json_ietf_val!.toString()).toBe('"to spine01"');
    expect(request.extension).toBeUndefined();
  });

  it('encodes the commit-confirmed actions', () => {
    expect(buildSetRequest({ update: [{ path: '/a', value: 1 }] }, { commit: { id: 'chg-1', action: 'commit', rollbackDurationMs: 90_500 } }).extension).toEqual([
      { commit: { id: 'chg-1', commit: { rollback_duration: { seconds: '90', nanos: 500_000_000 } } } },
    ]);
    expect(buildSetRequest({ update: [{ path: '/a', value: 1 }] }, { commit: { id: 'chg-1', action: 'commit' } }).extension).toEqual([
      { commit: { id: 'chg-1', commit: {} } },
    ]);
    expect(buildSetRequest({}, { commit: { id: 'chg-1', action: 'confirm' } })).toEqual({
      delete: [],
      replace: [],
      update: [],
      extension: [{ commit: { id: 'chg-1', confirm: {} } }],
    });
    expect(buildSetRequest({}, { commit: { id: 'chg-1', action: 'cancel' } }).extension).toEqual([{ commit: { id: 'chg-1', cancel: {} } }]);
    expect(buildSetRequest({}, { commit: { id: 'chg-1', action: 'set-rollback-duration', rollbackDurationMs: 600_000 } }).extension).toEqual([
      { commit: { id: 'chg-1', set_rollback_duration: { rollback_duration: { seconds: '600', nanos: 0 } } } },
    ]);
  });

  it.each([
    [{}, {}, /^operations: a Set needs at least one/],
    [{ replace: [{ path: '/a' }] }, {}, /^replace\.0\.value: a value is required/],
    [{ update: [{ path: 'a', value: 1 }] }, {}, /^update\.0\.path: invalid gNMI path/],
    [{ update: [{ path: '/a', value: 1 }] }, { encoding: 'PROTO' }, /^encoding: must be one of JSON_IETF, JSON/],
    [{ update: [{ path: '/a', value: 1 }] }, { commit: { id: '', action: 'commit' } }, /^commit: commit\.id must be a non-empty string/],
    [{ update: [{ path: '/a', value: 1 }] }, { commit: { id: 'c', action: 'confirm' } }, /^commit: a confirm carries no delete/],
    [{}, { commit: { id: 'c', action: 'set-rollback-duration' } }, /rollbackDurationMs is required/],
    [{}, { commit: { id: 'c', action: 'commit', rollbackDurationMs: 1.5 } }, /whole number of milliseconds/],
  ])('rejects %j %j', (operations, options, message) => {
    expect(() => buildSetRequest(operations as never, options as never)).toThrow(message);
  });
});

describe('Subscribe request', () => {
  it('builds a STREAM list with per-path modes and intervals in nanoseconds', () => {
    expect(
      buildSubscribeRequest({
        mode: 'STREAM',
        subscriptions: [
          { path: '/interface[name=*]/oper-state', mode: 'ON_CHANGE' },
          { path: '/interface[name=ethernet-1/1]/statistics', mode: 'SAMPLE', sampleIntervalMs: 1500, suppressRedundant: true, heartbeatIntervalMs: 60_000 },
        ],
        updatesOnly: true,
      }),
    ).toEqual({
      subscribe: {
        mode: 'STREAM',
        encoding: 'JSON_IETF',
        updates_only: true,
        subscription: [
          { path: { elem: [{ name: 'interface', key: { name: '*' } }, { name: 'oper-state' }] }, mode: 'ON_CHANGE' },
          {
            path: { elem: [{ name: 'interface', key: { name: 'ethernet-1/1' } }, { name: 'statistics' }] },
            mode: 'SAMPLE',
            sample_interval: '1500000000',
            heartbeat_interval: '60000000000',
            suppress_redundant: true,
          },
        ],
      },
    });
  });

  it.each([
    [{ mode: 'ONCE', subscriptions: [] }, /^subscriptions: at least one/],
    [{ mode: 'SOMETIMES', subscriptions: [{ path: '/' }] }, /^mode: must be one of STREAM, ONCE, POLL/],
    [{ mode: 'STREAM', subscriptions: [{ path: '/', mode: 'ON_CHANGE', sampleIntervalMs: -1 }] }, /^subscriptions\.0\.sampleIntervalMs/],
    [{ mode: 'STREAM', subscriptions: [{ path: '/', mode: 'EVERY' }] }, /^subscriptions\.0\.mode/],
  ])('rejects %j', (options, message) => {
    expect(() => buildSubscribeRequest(options as never)).toThrow(message);
  });
});

describe('config subtree assembly', () => {
  it('returns the single update of a subtree as is', () => {
    expect(assembleSubtree(parsePath('/'), [{ path: parsePath('/'), value: { interface: [] } }])).toEqual({ interface: [] });
    expect(assembleSubtree(parsePath('/'), [])).toBeNull();
  });

  it('folds per-container and per-entry updates into one document', () => {
    const tree = assembleSubtree(parsePath('/'), [
      { path: parsePath('/interface[name=ethernet-1/1]'), value: { 'admin-state': 'enable' } },
      { path: parsePath('/interface[name=ethernet-1/2]'), value: { 'admin-state': 'disable' } },
      { path: parsePath('/system/name'), value: { 'host-name': 'leaf01' } },
      { path: parsePath('/'), value: { 'routing-policy': {} } },
    ]);
    expect(tree).toEqual({
      interface: [
        { name: 'ethernet-1/1', 'admin-state': 'enable' },
        { name: 'ethernet-1/2', 'admin-state': 'disable' },
      ],
      system: { name: { 'host-name': 'leaf01' } },
      'routing-policy': {},
    });
  });
});
