export {
  type BounceKind,
  BounceKindSchema,
  classifyStatus,
  findStatusCode,
} from './classify-status.ts';
export {
  type BouncedRecipient,
  type InboundMessage,
  maxInboundBytes,
  parseInbound,
  type ReturnedHeaders,
} from './parse-inbound.ts';
export {
  createVerpAddresses,
  type VerpAddresses,
  type VerpMatch,
  type VerpOptions,
} from './verp.ts';
