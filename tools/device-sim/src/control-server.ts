import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { SimDevice } from './device';
import { DropNextSet, FailNextSet, FaultSettings, FlapInterface, Restart } from './faults';

/**
 * The HTTP control interface (loopback, JSON) that mirrors DeviceFaults, so
 * tests in other processes (and people with curl) can inject faults and read
 * a device's config and state.
 *
 *   GET    /devices                          names and addresses
 *   GET    /devices/{name}/config            running config (unprefixed)
 *   GET    /devices/{name}/state             derived state
 *   GET    /devices/{name}/faults            current fault settings
 *   POST   /devices/{name}/faults            {latencyMs?, refuseConnections?, holdBgpDown?}
 *   DELETE /devices/{name}/faults            clear every fault
 *   POST   /devices/{name}/fail-next-set     {code, message?}
 *   POST   /devices/{name}/drop-next-set     {when: before-apply|after-apply}
 *   POST   /devices/{name}/flap              {interface, downMs}
 *   POST   /devices/{name}/restart           {downMs}; answers once the device is back
 */
export interface ControlServer {
  address: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 64 * 1024;

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.');
      return issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : `${field || 'body'}: ${issue.message}`;
    });
    throw new HttpError(400, issues.join('; '));
  }
  return parsed.data;
}

function send(response: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export async function startControlServer(devices: Map<string, SimDevice>, host: string, port: number): Promise<ControlServer> {
  const deviceNamed = (name: string): SimDevice => {
    const device = devices.get(name);
    if (!device) throw new HttpError(404, `unknown device "${name}"`);
    return device;
  };

  const route = async (request: IncomingMessage): Promise<[number, unknown]> => {
    const url = new URL(request.url ?? '/', 'http://control');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = request.method ?? 'GET';
    if (parts[0] !== 'devices') throw new HttpError(404, `no route ${method} ${url.pathname}`);
    if (parts.length === 1 && method === 'GET') {
      return [200, { devices: [...devices.values()].map((d) => ({ name: d.name, address: d.address })) }];
    }
    if (parts.length !== 3) throw new HttpError(404, `no route ${method} ${url.pathname}`);
    const device = deviceNamed(parts[1]);
    const action = `${method} ${parts[2]}`;
    switch (action) {
      case 'GET config':
        return [200, device.config];
      case 'GET state':
        return [200, device.stateTree()];
      case 'GET faults':
        return [200, { ...device.faultState.describe(), up: device.up, pendingCommit: device.commits.active ?? null }];
      case 'POST faults':
        device.setFaults(parseBody(FaultSettings, await readJson(request)));
        return [200, device.faultState.describe()];
      case 'DELETE faults':
        device.clearFaults();
        return [200, device.faultState.describe()];
      case 'POST fail-next-set': {
        const body = parseBody(FailNextSet, await readJson(request));
        device.failNextSet(body.code, body.message, { configOnly: body.configOnly });
        return [200, device.faultState.describe()];
      }
      case 'POST drop-next-set':
        device.dropNextSet(parseBody(DropNextSet, await readJson(request)));
        return [200, device.faultState.describe()];
      case 'POST flap': {
        const body = parseBody(FlapInterface, await readJson(request));
        device.flapInterface(body.interface, body.downMs);
        return [200, device.faultState.describe()];
      }
      case 'POST restart':
        await device.restart(parseBody(Restart, await readJson(request)).downMs);
        return [200, { device: device.name, address: device.address, up: device.up }];
      default:
        throw new HttpError(404, `no route ${method} ${url.pathname}`);
    }
  };

  const server = createServer((request, response) => {
    route(request)
      .then(([statusCode, body]) => send(response, statusCode, body))
      .catch((error: unknown) => {
        const statusCode = error instanceof HttpError ? error.statusCode : 500;
        send(response, statusCode, { error: error instanceof Error ? error.message : String(error) });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;
  const hostText = host.includes(':') ? `[${host}]` : host;
  return {
    address: `http://${hostText}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
