import pg from 'pg';

/**
 * A `pg` pool whose clients cannot leak when the connection dies as a transaction begins.
 * drizzle's `transaction()` sends `begin` before its try/finally, so a failing `begin` (the
 * server restarted, a connection terminated) never releases the client: the pool loses a slot
 * for good and `end()` waits forever. Here, when the first query of a checkout fails, the client
 * is released with the error (the pool destroys it), and a later `release()` by the caller does
 * nothing instead of throwing.
 */
export class TransactionSafePool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (
      error: Error | undefined,
      client: pg.PoolClient | undefined,
      done: () => void,
    ) => void,
  ): void;
  override connect(
    callback?: (
      error: Error | undefined,
      client: pg.PoolClient | undefined,
      done: () => void,
    ) => void,
  ): Promise<pg.PoolClient> | void {
    // the callback form serves the pool's own query(), which releases its clients itself
    if (callback) return super.connect(callback);
    return super.connect().then(guardCheckout);
  }
}

function guardCheckout(client: pg.PoolClient): pg.PoolClient {
  const release = client.release.bind(client);
  let isReleased = false;
  client.release = (error?: Error | boolean) => {
    if (isReleased) return;
    isReleased = true;
    release(error);
  };
  const query = client.query;
  (client as { query: unknown }).query = function firstQuery(
    this: pg.PoolClient,
    ...args: unknown[]
  ) {
    client.query = query;
    const result = (query as (...a: unknown[]) => unknown).apply(client, args);
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        client.release(error instanceof Error ? error : new Error(String(error)));
        throw error;
      });
    }
    return result;
  };
  return client;
}
