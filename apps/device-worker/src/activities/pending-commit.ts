import { randomUUID } from 'node:crypto';
import { isSynapseError, SynapseError } from '@synapse/contracts';
import type { GnmiClient } from '@synapse/gnmi-client';

/**
 * Refuses to start work on a device that has someone else's confirmed
 * commit pending. A backup taken then would capture a config the device is
 * about to revert, and the rollback would later "restore" it for good.
 *
 * gNMI has no call that lists pending commits, so this asks the device to
 * re-arm a commit under an id nobody uses: with a commit pending under
 * another id the device answers INVALID_ARGUMENT (its message names that
 * commit), with none pending FAILED_PRECONDITION. The request carries no
 * config and a device without the extension answers UNIMPLEMENTED or
 * ignores it, so the probe never changes anything.
 */
export async function refuseIfCommitPending(client: GnmiClient, device: string): Promise<void> {
  const probeId = `synapse/probe/${randomUUID()}`;
  try {
    await client.set({}, { commit: { id: probeId, action: 'set-rollback-duration', rollbackDurationMs: 60_000 } });
  } catch (err) {
    if (!isSynapseError(err)) throw err;
    const status = err.details.grpcStatus;
    if (status === 'FAILED_PRECONDITION' || err.type === 'Unsupported') return;
    if (status === 'INVALID_ARGUMENT') {
      const said = typeof err.details.deviceMessage === 'string' ? err.details.deviceMessage : err.message;
      throw new SynapseError(
        'DeviceBusy',
        `${device}: a confirmed commit is pending on the device (device says: ${said}); it reverts by itself unless its owner confirms it. Nothing was read or changed: wait until it is confirmed or cancelled, then run the change again`,
        { device, grpcStatus: status, deviceMessage: said },
        { cause: err },
      );
    }
    throw err;
  }
}
