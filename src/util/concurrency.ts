// Bounded concurrency with backpressure: at most `limit` tasks run, the source is pulled only when
// a slot frees up (so a discovery stream of 100k conversations never piles up in memory), and
// results are yielded in completion order.

export async function* mapConcurrent<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const iterator = (
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  ) as AsyncIterator<T> | Iterator<T>;
  const running = new Map<number, Promise<{ id: number; value: R }>>();
  let nextId = 0;
  let exhausted = false;
  try {
    while (true) {
      while (!exhausted && running.size < limit) {
        const step = await iterator.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        const id = nextId++;
        running.set(
          id,
          fn(step.value).then((value) => ({ id, value })),
        );
      }
      if (running.size === 0) return;
      const { id, value } = await Promise.race(running.values());
      running.delete(id);
      yield value;
    }
  } finally {
    // Early exit (break/throw in the consumer): stop pulling, let started tasks settle quietly.
    if (!exhausted) await iterator.return?.();
    await Promise.allSettled(running.values());
  }
}
