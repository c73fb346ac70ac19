export {
  type BounceKind,
  BounceKindSchema,
  classifyStatus,
  findStatusCode,
} from './classify-status.ts';
