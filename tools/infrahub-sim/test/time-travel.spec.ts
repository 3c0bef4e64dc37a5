import { data, http, TOKEN, useSim } from './helpers';

/**
 * Infrahub's time travel: `POST /graphql/<branch>?at=<timestamp>` reads the
 * branch as it was at that time. Writes keep every object's prior version, so
 * a plan read at one instant stays that instant however long it takes.
 */
const sim = useSim();
const auth = { 'x-infrahub-key': TOKEN };
const MTU = `{ InterfacePhysical(name__value: "ethernet-1/49", device__name__value: "leaf01") { edges { node { id mtu { value } } } } }`;

async function at<T = any>(time: string, query: string, branch = 'main'): Promise<{ status: number; body: T }> {
  const response = await http(sim(), 'POST', `/graphql/${branch}?at=${encodeURIComponent(time)}`, { body: { query }, headers: auth });
  return { status: response.status, body: response.body };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('queries at a point in time (?at=)', () => {
  it('answer with each object as it was then: an attribute written later, an object created later, an object deleted later', async () => {
    const before = await data(sim(), MTU);
    const id: string = before.InterfacePhysical.edges[0].node.id;
    const original: number = before.InterfacePhysical.edges[0].node.mtu.value;
    const devices = (await data(sim(), '{ DcimDevice { count } }')).DcimDevice.count;
    await tick();
    const t0 = new Date().toISOString();
    await tick();

    await data(sim(), `mutation { InterfacePhysicalUpdate(data: {id: "${id}", mtu: {value: ${original + 100}}}) { ok } }`);
    const platform = await data(sim(), `mutation { DcimPlatformCreate(data: {name: {value: "time-travel-os"}}) { ok object { id } } }`);
    await tick();
    const t1 = new Date().toISOString();
    await tick();
    // Read (and kept for the next reads at t1) before the next write, which must not leak into it.
    expect((await at(t1, MTU)).body.data.InterfacePhysical.edges[0].node.mtu.value).toBe(original + 100);
    await data(sim(), `mutation { InterfacePhysicalUpdate(data: {id: "${id}", mtu: {value: ${original + 200}}}) { ok } }`);
    await data(sim(), `mutation { DcimPlatformDelete(data: {id: "${platform.DcimPlatformCreate.object.id}"}) { ok } }`);

    const platforms = '{ DcimPlatform(name__value: "time-travel-os") { count } }';
    expect((await at(t0, MTU)).body.data.InterfacePhysical.edges[0].node.mtu.value).toBe(original);
    expect((await at(t0, platforms)).body.data.DcimPlatform.count).toBe(0);
    expect((await at(t1, MTU)).body.data.InterfacePhysical.edges[0].node.mtu.value).toBe(original + 100);
    expect((await at(t1, platforms)).body.data.DcimPlatform.count).toBe(1);
    // Now (no ?at=): the latest write, the platform gone; what was never written reads the same at any time.
    expect((await data(sim(), MTU)).InterfacePhysical.edges[0].node.mtu.value).toBe(original + 200);
    expect((await data(sim(), platforms)).DcimPlatform.count).toBe(0);
    expect((await at(t0, '{ DcimDevice { count } }')).body.data.DcimDevice.count).toBe(devices);
    // Relationships travel too: the interface still belongs to leaf01 at t0.
    const owner = await at(t0, `{ InterfacePhysical(ids: ["${id}"]) { edges { node { device { node { name { value } } } } } } }`);
    expect(owner.body.data.InterfacePhysical.edges[0].node.device.node.name.value).toBe('leaf01');
  });

  it('reads a branch created later as its origin was, and a branch write does not change main’s past', async () => {
    const t0 = new Date().toISOString();
    await tick();
    await data(sim(), 'mutation { BranchCreate(data: {name: "tt-branch"}) { ok } }');
    const id: string = (await data(sim(), MTU, { branch: 'tt-branch' })).InterfacePhysical.edges[0].node.id;
    const onMain: number = (await data(sim(), MTU)).InterfacePhysical.edges[0].node.mtu.value;
    await data(sim(), `mutation { InterfacePhysicalUpdate(data: {id: "${id}", mtu: {value: 1234}}) { ok } }`, { branch: 'tt-branch' });

    expect((await at(t0, MTU, 'tt-branch')).body.data.InterfacePhysical.edges[0].node.mtu.value).toBe(onMain);
    expect((await at(new Date().toISOString(), MTU, 'tt-branch')).body.data.InterfacePhysical.edges[0].node.mtu.value).toBe(1234);
    expect((await at(new Date().toISOString(), MTU)).body.data.InterfacePhysical.edges[0].node.mtu.value).toBe(onMain);
  });

  it('refuses a timestamp it cannot read, and a mutation at a point in time, changing nothing', async () => {
    const bad = await at('yesterday-ish', MTU);
    expect(bad).toEqual({ status: 422, body: { errors: ['Invalid time format for yesterday-ish'] } });
    const before = (await data(sim(), MTU)).InterfacePhysical.edges[0].node;
    const write = await at(new Date().toISOString(), `mutation { InterfacePhysicalUpdate(data: {id: "${before.id}", mtu: {value: 1600}}) { ok } }`);
    expect(write.status).toBe(422);
    expect(write.body.errors[0]).toMatch(/a mutation cannot be made at a point in time/);
    expect((await data(sim(), MTU)).InterfacePhysical.edges[0].node.mtu.value).toBe(before.mtu.value);
  });
});
