/**
 * French names of audit entities and actions. Unknown codes are shown as
 * stored, so a later issue's rows are readable even before it adds its labels here.
 */
export const AUDIT_ENTITY_LABELS: Record<string, string> = {
  family: 'Famille',
  child: 'Enfant',
  person: 'Responsable',
  portal_account: 'Compte portail',
  request: 'Demande',
  staff_user: 'Utilisateur',
  structure: 'Structure',
  setting: 'Réglage',
  backup: 'Sauvegarde',
  outbox_mail: 'E-mail',
  stored_file: 'Document'
}

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  login: 'Connexion',
  'password-change': 'Changement de mot de passe',
  'password-reset': 'Mot de passe réinitialisé (lien)',
  'password-reset-request': 'Demande de mot de passe oublié',
  'family-create': 'Création de famille',
  'child-create': 'Ajout d’un enfant',
  'account-create': 'Création de compte portail',
  'account-status': 'Changement d’état du compte',
  'account-validate': 'Validation de compte',
  'account-refuse': 'Refus de compte',
  'request-create': 'Nouvelle demande',
  'request-accept': 'Demande acceptée',
  'request-refuse': 'Demande refusée',
  'staff-create': 'Création d’utilisateur',
  'staff-update': 'Modification d’utilisateur',
  'staff-reset-password': 'Réinitialisation du mot de passe',
  'structure-update': 'Modification de la structure',
  'setting-update': 'Modification d’un réglage',
  'backup-create': 'Sauvegarde manuelle',
  'mail-retry': 'Nouvel essai d’envoi'
}

export const ACTOR_KIND_LABELS: Record<string, string> = { staff: 'Personnel', family: 'Famille', system: 'Système' }
