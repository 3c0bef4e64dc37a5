import type { ManagedConfig } from '@synapse/contracts';
import { parsePath, type PathValueInput } from '@synapse/gnmi-client';
import { canonicalConfig } from './canonical';

export interface DeployOperations {
  delete: string[];
  replace: PathValueInput[];
}

/**
 * The one Set that makes the device's managed scope equal the rendered
 * config: a replace per rendered path, plus a delete for every managed
 * entry on the device the config no longer has (an interface or policy
 * removed from the intent). Per-entry replaces alone would leave those
 * behind (see renderConfig). The device applies deletes before replaces and
 * validates the result as a whole, so removing an interface together with
 * its network-instance membership is one valid transaction.
 *
 * `runningView` is managedView(running config, scope) with the same scope
 * the config was rendered for; without it there are no deletes.
 */
export function deployOperations(config: ManagedConfig, runningView?: ManagedConfig): DeployOperations {
  const rendered = Object.keys(canonicalConfig(config)).map((path) => parsePath(path).elem);
  const stale = Object.keys(runningView ? canonicalConfig(runningView) : {}).filter((path) => {
    const elems = parsePath(path).elem;
    // Kept when a rendered path is the same entry or an ancestor of it: the replace covers it.
    return !rendered.some((r) => r.length <= elems.length && r.every((e, i) => e.name === elems[i].name && sameKey(e.key, elems[i].key)));
  });
  return {
    delete: stale,
    replace: Object.entries(config).map(([path, value]) => ({ path, value })),
  };
}

function sameKey(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  return JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
}
