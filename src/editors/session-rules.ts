/** How long sessions and sign-in links live. */
export interface SessionPolicy {
  /** a session unused this long ends */
  idleMinutes: number;
  /** a session ends this long after sign-in, used or not */
  maxHours: number;
}

/** A one-time sign-in link is valid this long. */
export const SIGN_IN_TOKEN_MINUTES = 15;

/** When a sign-in token created at `now` expires. */
export function signInTokenExpiry(now: Date): Date {
  return new Date(now.getTime() + SIGN_IN_TOKEN_MINUTES * 60_000);
}

/** When a session opened at `now` ends at the latest. */
export function sessionExpiry(now: Date, policy: SessionPolicy): Date {
  return new Date(now.getTime() + policy.maxHours * 3_600_000);
}

/** The last-seen time before which a session counts as idle at `now`. */
export function idleCutoff(now: Date, policy: SessionPolicy): Date {
  return new Date(now.getTime() - policy.idleMinutes * 60_000);
}

/** Whether a session is still alive at `now` (revocation and disabled accounts aside). */
export function isSessionAlive(
  session: { lastSeenAt: Date; expiresAt: Date },
  now: Date,
  policy: SessionPolicy,
): boolean {
  return session.expiresAt > now && session.lastSeenAt > idleCutoff(now, policy);
}
