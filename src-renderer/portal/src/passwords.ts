import { PASSWORD_MIN } from '@shared/contract/common'

/** Client-side checks of a new password typed twice (the server also refuses the most common ones). */
export function newPasswordErrors(password: string, confirm: string, ids: { password: string; confirm: string }): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!password) errors[ids.password] = 'Mot de passe : champ obligatoire.'
  else if (password.length < PASSWORD_MIN) errors[ids.password] = `Le mot de passe doit contenir au moins ${PASSWORD_MIN} caractères.`
  if (!confirm) errors[ids.confirm] = 'Confirmation : retapez le mot de passe.'
  else if (password && confirm !== password) errors[ids.confirm] = 'Les deux mots de passe ne sont pas identiques.'
  return errors
}
