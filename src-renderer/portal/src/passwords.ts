/**
 * Client-side checks of a new password typed twice. The policy is the
 * server's own (src-shared/password-policy.ts: length, common passwords,
 * zxcvbn-ts score with its French dictionaries and explanations), loaded on
 * demand because its dictionaries weigh about 1 MB: a page with a new-password
 * field starts loading it at once (`preloadPasswordPolicy`).
 */
const policy = () => import('@shared/password-policy')

export function preloadPasswordPolicy(): void {
  void policy().catch(() => undefined)
}

/** `userInputs`: what the server also passes for this form (login, e-mail, names), so both refuse the same passwords. */
export async function newPasswordErrors(
  password: string,
  confirm: string,
  ids: { password: string; confirm: string },
  userInputs: string[] = []
): Promise<Record<string, string>> {
  const errors: Record<string, string> = {}
  if (!password) errors[ids.password] = 'Mot de passe : champ obligatoire.'
  else {
    const problem = (await policy()).passwordProblem(password, userInputs)
    if (problem) errors[ids.password] = problem.message
  }
  if (!confirm) errors[ids.confirm] = 'Confirmation : retapez le mot de passe.'
  else if (password && confirm !== password) errors[ids.confirm] = 'Les deux mots de passe ne sont pas identiques.'
  return errors
}
