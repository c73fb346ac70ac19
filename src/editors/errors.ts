import { AppError, NotFoundError } from '../lib/index.ts';

/** No editor account has this address. */
export class EditorNotFoundError extends NotFoundError {
  constructor(email: string) {
    super(`No editor account has the address '${email}'`);
  }
}

/** An account with this address exists already. */
export class EditorExistsError extends AppError {
  constructor(email: string) {
    super('EEXISTS', `An editor account with the address '${email}' exists already`);
  }
}

/** The signed-in editor's role does not allow the action. */
export class ForbiddenError extends AppError {
  constructor(action: string) {
    super('EFORBIDDEN', `Your role does not allow '${action}'`);
  }
}
