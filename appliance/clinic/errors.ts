/**
 * The domain's one error type. `code` is stable and machine-readable; only http/ turns it into a
 * status and a message in the request's language. `details` carries what the message needs.
 */
export type ClinicErrorCode = 'not_found' | 'invalid' | 'conflict' | 'invalid_state' | 'insufficient_stock' | 'consent_required' | 'not_allowed' | 'expired';

export class ClinicError extends Error {
  constructor(
    readonly code: ClinicErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ClinicError';
  }
}

export const notFound = (entity: string, id?: string) => new ClinicError('not_found', `${entity} not found`, { entity, id });
export const invalidState = (entity: string, from: string, action: string) => new ClinicError('invalid_state', `${entity} is ${from}; cannot ${action}`, { entity, from, action });
