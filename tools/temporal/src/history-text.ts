/**
 * A workflow history as searchable text, payloads decoded. Temporal stores
 * payload data as bytes (base64 in JSON), so a plain JSON.stringify would
 * hide a leaked secret from a test that looks for it.
 */
export function historyText(history: unknown): string {
  const parts: string[] = [];
  const visit = (node: unknown): void => {
    if (node instanceof Uint8Array) {
      parts.push(Buffer.from(node).toString('utf8'));
      return;
    }
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'data' && typeof value === 'string') parts.push(Buffer.from(value, 'base64').toString('utf8'));
        visit(value);
      }
      return;
    }
    if (typeof node === 'string') parts.push(node);
  };
  visit(history);
  return parts.join('\n');
}
