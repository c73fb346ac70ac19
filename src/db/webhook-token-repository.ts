import { sql } from 'drizzle-orm';

import { type Executor, queryRows } from './client.ts';

/** A token to take (a structural copy of the bounces domain's `WebhookTokenStore` entry). */
export interface WebhookTokenRow {
  provider: string;
  token: string;
  bodySha256: string;
  receivedAt: Date;
}

/** Data access of `webhook_tokens`: the signed webhook tokens already taken. */
export function createWebhookTokenRepository(db: Executor) {
  return {
    /** Records the token unless recorded; returns the body hash first recorded with it. */
    async claim(entry: WebhookTokenRow, forgetBefore: Date): Promise<string> {
      await db.execute(
        sql`DELETE FROM webhook_tokens WHERE received_at < ${forgetBefore.toISOString()}::timestamptz`,
      );
      await db.execute(
        sql`INSERT INTO webhook_tokens (provider, token, body_sha256, received_at)
            VALUES (${entry.provider}, ${entry.token}, ${entry.bodySha256},
                    ${entry.receivedAt.toISOString()}::timestamptz)
            ON CONFLICT (provider, token) DO NOTHING`,
      );
      const [row] = await queryRows<{ body_sha256: string }>(
        db,
        sql`SELECT body_sha256 FROM webhook_tokens
            WHERE provider = ${entry.provider} AND token = ${entry.token}`,
      );
      return row?.body_sha256 ?? entry.bodySha256;
    },
  };
}

/** See {@link createWebhookTokenRepository}. */
export type WebhookTokenRepository = ReturnType<typeof createWebhookTokenRepository>;
