/**
 * A refusal the user can act on. `message` is French and shown as is;
 * `code` is stable English for programs and tests.
 */
export class DomainError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status: number = 400,
    public readonly fields?: Record<string, string>
  ) {
    super(message)
    this.name = 'DomainError'
  }
}

export const notFound = (what = 'Élément') => new DomainError('not_found', `${what} introuvable.`, 404)
export const forbidden = () => new DomainError('forbidden', "Vous n'avez pas accès à cette ressource.", 403)
export const conflict = (message: string) => new DomainError('conflict', message, 409)
