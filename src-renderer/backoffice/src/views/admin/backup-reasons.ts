/** Why a backup was made (the reason in its file name), as the screens say it. */
export const BACKUP_REASONS: Record<string, string> = {
  manuelle: 'Manuelle',
  quotidienne: 'Quotidienne',
  fermeture: 'À la fermeture',
  'avant-facturation': 'Avant une facturation',
  'avant-import': 'Avant un import',
  'annulation-import': 'Avant l’annulation d’un import',
  'pre-migration': 'Avant une mise à jour',
  'pre-restore': 'Avant une restauration'
}
