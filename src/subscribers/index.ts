export {
  createTokenSigner,
  InvalidTokenError,
  type InvalidTokenReason,
  type SignOptions,
  type TokenPayload,
  TokenPayloadSchema,
  type TokenPurpose,
  TokenPurposeSchema,
  type TokenSigner,
  type TokenSignerOptions,
} from './tokens.ts';
