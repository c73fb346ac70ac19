import { z } from 'zod';

import { LocaleSchema } from '../lib/index.ts';
import { RoleSchema } from './role.ts';

/** An editor's address, as typed on the command line or in a form. */
export const EditorEmailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'expected an email address such as name@example.org' }))
  .transform((email) => email.toLowerCase());

/** An editor account. */
export const EditorSchema = z.object({
  id: z.number().int().positive(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  /** The workspace language the editor chose. */
  locale: LocaleSchema,
  createdAt: z.date(),
  lastSignInAt: z.date().nullable(),
  disabledAt: z.date().nullable(),
});
export type Editor = z.infer<typeof EditorSchema>;

/** What creating an account takes. */
export const NewEditorSchema = z.object({
  email: EditorEmailSchema,
  name: z.string().trim().max(200).default(''),
  role: RoleSchema,
});
export type NewEditor = z.output<typeof NewEditorSchema>;
