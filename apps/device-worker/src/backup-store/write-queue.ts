/**
 * Runs tasks one at a time, in arrival order. The git store writes through
 * one queue per repository per process, so activities storing at the same
 * time do not race each other for git's locks; other processes sharing the
 * repository are handled by the store's compare-and-swap on the branch.
 */
export class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    // A failed task must not stop the ones queued behind it.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

const queues = new Map<string, WriteQueue>();

/** The process-wide queue of a repository, keyed by its resolved path. */
export function queueFor(repositoryPath: string): WriteQueue {
  let queue = queues.get(repositoryPath);
  if (!queue) {
    queue = new WriteQueue();
    queues.set(repositoryPath, queue);
  }
  return queue;
}
