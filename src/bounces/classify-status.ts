import { z } from 'zod';

/** What an RFC 3463 enhanced status code means for the address it was reported for. */
export const BounceKindSchema = z.enum(['hard', 'soft', 'policy', 'unknown']);
/** @see BounceKindSchema */
export type BounceKind = z.infer<typeof BounceKindSchema>;

const STATUS_PATTERN = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Classifies an enhanced status code (RFC 3463): 5.1.x and 5.2.1 are hard (the mailbox does not
 * exist or is disabled), 4.x.x and 5.2.2 (mailbox full) soft, 5.7.x a policy block (recorded, not
 * suppressed). Anything else, or a malformed code, is `unknown`.
 */
export function classifyStatus(status: string): BounceKind {
  const match = STATUS_PATTERN.exec(status.trim());
  if (!match) return 'unknown';
  const [, klass, subject, detail] = match;
  if (klass === '4') return 'soft';
  if (klass !== '5') return 'unknown';
  if (subject === '1') return 'hard';
  if (subject === '2' && detail === '1') return 'hard';
  if (subject === '2' && detail === '2') return 'soft';
  if (subject === '7') return 'policy';
  return 'unknown';
}

/** The first enhanced status code found in free text (`550 5.1.1 User unknown`), if any. */
export function findStatusCode(text: string): string | undefined {
  return /(?:^|[\s(#<:])([245]\.\d{1,3}\.\d{1,3})(?=$|[\s).,;>:])/m.exec(text)?.[1];
}
