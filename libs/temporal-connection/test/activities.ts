import { ApplicationFailure } from '@temporalio/common';
import type { ConfigChange } from './workflows';

export function createConfigActivities() {
  return {
    async renderDiff(change: ConfigChange): Promise<string> {
      return change.config.interface.map((i) => `+ /interface[name=${i.name}]/mtu ${i.mtu}\n+ /interface[name=${i.name}]/description "${i.description}"`).join('\n');
    },
    /** Refuses the way a device does: quoting what it refused. */
    async pushConfig(change: ConfigChange): Promise<void> {
      throw ApplicationFailure.nonRetryable(`${change.device} refused the config: ${JSON.stringify(change.config)}`, 'ConfigRejected');
    },
  };
}
