import type { HealthCheckDto, HealthLevel } from '@shared/contract/staff-system'
import { frenchDate, frenchDateTime } from '../core/clock'
import type { HealthFacts } from './health-facts'

const MB = 1024 * 1024
const GB = 1024 * MB
const HOUR_MS = 3_600_000

/** Below this, writes may fail any moment (a day of portal traffic, a backup). */
export const DISK_DANGER_BYTES = 500 * MB
/** Below this, or below five copies of the database (backups are full copies), say so early. */
export const DISK_WARNING_BYTES = 2 * GB
/** A daily backup is expected; a missed day is worth a word, a missed week is serious. */
export const BACKUP_WARNING_HOURS = 36
export const BACKUP_DANGER_HOURS = 7 * 24
export const CERTIFICATE_WARNING_DAYS = 30


/** "1,2 Go", "350 Mo". */
export function frBytes(n: number): string {
  const [value, unit] = n >= GB ? [n / GB, 'Go'] : [n / MB, 'Mo']
  return `${value.toLocaleString('fr-FR', { maximumFractionDigits: value < 10 ? 1 : 0 })} ${unit}`
}

function ago(ms: number): string {
  const h = Math.max(0, Math.floor(ms / HOUR_MS))
  if (h < 1) return 'il y a moins d’une heure'
  if (h < 48) return `il y a ${h} heure${h > 1 ? 's' : ''}`
  return `il y a ${Math.floor(h / 24)} jours`
}

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`

function check(key: HealthCheckDto['key'], title: string, level: HealthLevel, message: string): HealthCheckDto {
  return { key, title, level, message }
}

/** The five lines of « État du système », worst first being the screen's business: this keeps a fixed order. */
export function assessHealth(f: HealthFacts): HealthCheckDto[] {
  return [disk(f), backup(f), outbox(f), certificate(f), database(f)]
}

function disk(f: HealthFacts): HealthCheckDto {
  const title = 'Espace disque'
  if (!f.disk) return check('disk', title, 'warning', `La place libre du disque des données (${f.dataDir}) n’a pas pu être mesurée.`)
  const free = f.disk.freeBytes
  const size = `${frBytes(free)} libres sur ${frBytes(f.disk.totalBytes)}`
  if (free < DISK_DANGER_BYTES) {
    return check('disk', title, 'danger', `Disque presque plein : ${size}. Libérez de la place sans attendre : quand le disque est plein, plus rien ne peut être enregistré.`)
  }
  if (free < Math.max(DISK_WARNING_BYTES, 5 * (f.database.sizeBytes + f.database.walBytes))) {
    return check('disk', title, 'warning', `Place libre faible : ${size}. Libérez de la place (les sauvegardes sont des copies complètes de la base).`)
  }
  return check('disk', title, 'ok', `${size} (dossier ${f.dataDir}).`)
}

function backup(f: HealthFacts): HealthCheckDto {
  const title = 'Sauvegardes'
  if (!f.lastBackup) return check('backup', title, 'warning', 'Aucune sauvegarde n’a encore été faite. Créez-en une depuis « Sauvegardes » et copiez-la sur un autre support.')
  const age = new Date(f.checkedAt).getTime() - new Date(f.lastBackup.createdAt).getTime()
  const text = `Dernière sauvegarde vérifiée le ${frenchDateTime(new Date(f.lastBackup.createdAt))} (${ago(age)})`
  if (age > BACKUP_DANGER_HOURS * HOUR_MS) return check('backup', title, 'danger', `${text} : plus d’une semaine de saisies serait perdue en cas de panne. Faites une sauvegarde maintenant.`)
  if (age > BACKUP_WARNING_HOURS * HOUR_MS) return check('backup', title, 'warning', `${text} : pensez à en faire une.`)
  return check('backup', title, 'ok', `${text}.`)
}

function outbox(f: HealthFacts): HealthCheckDto {
  const title = 'E-mails'
  const o = f.outbox
  if (o.failed > 0) {
    return check('outbox', title, 'danger', `${plural(o.failed, 'e-mail n’a pas pu être envoyé', 'e-mails n’ont pas pu être envoyés')} après plusieurs essais. Vérifiez les réglages d’envoi (Paramètres) puis relancez-les depuis « E-mails envoyés ».`)
  }
  if (!o.smtpConfigured && o.waiting > 0) {
    return check('outbox', title, 'warning', `Aucun serveur d’envoi n’est configuré : ${plural(o.waiting, 'e-mail attend', 'e-mails attendent')}. Renseignez-le dans Paramètres.`)
  }
  if (o.retrying > 0) {
    return check('outbox', title, 'warning', `${plural(o.retrying, 'e-mail n’a pas pu partir et sera réessayé', 'e-mails n’ont pas pu partir et seront réessayés')} automatiquement. Si cela dure, vérifiez les réglages d’envoi.`)
  }
  if (o.unconfirmed > 0) {
    return check('outbox', title, 'warning', `${plural(o.unconfirmed, 'e-mail a été remis', 'e-mails ont été remis')} au serveur sans sa confirmation (arrêt pendant l’envoi). Vérifiez dans « E-mails envoyés » s’il faut les renvoyer.`)
  }
  return check('outbox', title, 'ok', o.waiting > 0 ? `${plural(o.waiting, 'e-mail en cours d’envoi', 'e-mails en cours d’envoi')}, aucun en échec.` : 'Aucun e-mail en attente ni en échec.')
}

function certificate(f: HealthFacts): HealthCheckDto {
  const title = 'Certificat du portail'
  const c = f.certificate
  if (c.mode === 'reverse-proxy') return check('certificate', title, 'ok', 'Le portail est servi derrière un proxy : son certificat est géré par ce proxy.')
  if (!c.expiresAt) return check('certificate', title, 'warning', 'Aucun certificat n’a encore été créé : il le sera au prochain démarrage du portail.')
  const left = new Date(c.expiresAt).getTime() - new Date(f.checkedAt).getTime()
  const date = frenchDate(new Date(c.expiresAt))
  const renew =
    c.mode === 'self-signed'
      ? 'Il est renouvelé au prochain démarrage de Ribambelle ; les familles devront alors accepter le nouveau certificat.'
      : 'Installez le nouveau certificat dans Paramètres → Portail famille.'
  if (left <= 0) return check('certificate', title, 'danger', `Le certificat du portail a expiré le ${date} : les familles voient une alerte de sécurité. ${renew}`)
  if (left < CERTIFICATE_WARNING_DAYS * 24 * HOUR_MS) {
    return check('certificate', title, 'warning', `Le certificat du portail expire le ${date} (dans ${Math.ceil(left / (24 * HOUR_MS))} jours). ${renew}`)
  }
  return check('certificate', title, 'ok', `Valide jusqu’au ${date}${c.mode === 'self-signed' ? ' (certificat auto-signé)' : ''}.`)
}

function database(f: HealthFacts): HealthCheckDto {
  const title = 'Base de données'
  const total = f.database.sizeBytes + f.database.walBytes
  const text = `La base occupe ${frBytes(total)}${f.database.walBytes ? ` (dont ${frBytes(f.database.walBytes)} de journal)` : ''}`
  if (f.disk && total > f.disk.freeBytes) {
    return check('database', title, 'warning', `${text} : une sauvegarde ne tiendrait plus dans la place libre du disque.`)
  }
  return check('database', title, 'ok', `${text}.`)
}
