import type { ServerResponse } from 'node:http';
import type { Faults } from '../faults';

/** Write a JSON response; a pending "malformed" fault cuts the body off mid-document. */
export function sendJson(res: ServerResponse, status: number, body: unknown, faults?: Faults, headers: Record<string, string> = {}): void {
  let text = JSON.stringify(body);
  if (faults?.takeMalformed()) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Infrahub's REST error body: `{"data": null, "errors": [{"message", "extensions": {"code"}}]}`. */
export function errorEnvelope(message: string, code: number) {
  return { data: null, errors: [{ message, extensions: { code } }] };
}
