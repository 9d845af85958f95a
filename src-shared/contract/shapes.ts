import { z } from '../zod-fr'
import { PORTAL_RIGHTS } from '../portal-rights'
import { civility, email, id, isoDate, nonEmpty, optionalText, phone, postalCode, requestStatus } from './common'

export const staffRole = z.enum(['direction', 'accueil', 'comptable', 'animateur'])
export const STAFF_ROLE_LABELS: Record<z.infer<typeof staffRole>, string> = {
  direction: 'Direction',
  accueil: 'Accueil',
  comptable: 'Comptabilité',
  animateur: 'Animation'
}

export const staffUser = z.object({
  id,
  login: z.string(),
  displayName: z.string(),
  email: z.string(),
  role: staffRole,
  active: z.boolean(),
  mustChangePassword: z.boolean(),
  lastLoginAt: z.string().nullable(),
  version: z.number().int()
})
export type StaffUserDto = z.infer<typeof staffUser>

export const familyStatus = z.enum(['pending', 'active', 'archived', 'refused'])
export const FAMILY_STATUS_LABELS: Record<z.infer<typeof familyStatus>, string> = {
  pending: 'En attente de validation',
  active: 'Active',
  archived: 'Archivée',
  refused: 'Refusée'
}

export const personInput = z.object({
  civility: civility.default(''),
  lastName: nonEmpty('Nom', 100),
  firstName: nonEmpty('Prénom', 100),
  birthDate: isoDate.nullable().default(null),
  quality: optionalText(50),
  situation: optionalText(50),
  address: optionalText(200),
  postalCode,
  city: optionalText(100),
  phoneMobile: phone,
  phoneHome: phone,
  phoneWork: phone,
  email: z.union([z.literal(''), email]).default(''),
  profession: optionalText(100),
  employer: optionalText(100),
  employerAddress: z.string().trim().max(200).optional(),
  csp: optionalText(100),
  consentEmail: z.boolean().default(true),
  consentSms: z.boolean().default(false)
})
export const person = personInput.extend({ id, familyId: id, role: z.enum(['responsable', 'conjoint']) })
export type PersonDto = z.infer<typeof person>

export const childInput = z.object({
  lastName: nonEmpty('Nom', 100),
  firstName: nonEmpty('Prénom', 100),
  birthDate: isoDate,
  sex: z.enum(['', 'F', 'M']).default(''),
  school: optionalText(100),
  grade: optionalText(50)
})
export const child = childInput.extend({ id, familyId: id })
export type ChildDto = z.infer<typeof child>

export const familySummary = z.object({
  id,
  number: z.number().int(),
  status: familyStatus,
  name: z.string(),
  responsable: z.string(),
  email: z.string(),
  phone: z.string(),
  city: z.string(),
  childCount: z.number().int()
})
export type FamilySummaryDto = z.infer<typeof familySummary>

export const portalAccount = z.object({
  id,
  login: z.string(),
  status: z.enum(['pending', 'active', 'refused', 'disabled']),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
  validatedAt: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  /** The adult holding it ('' for an account made before issue 16: the responsable's). */
  holder: z.string(),
  /** The household's main responsable's login, who sets the others' rights. */
  main: z.boolean(),
  rights: z.array(z.enum(PORTAL_RIGHTS))
})

/** An invitation to the portal a household's main responsable sent and nobody used yet (issue 16), as staff see it. */
export const pendingInvitation = z.object({
  invitationId: id,
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  rights: z.array(z.enum(PORTAL_RIGHTS)),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** « NOM Prénom (login) » of the login that sent it. */
  invitedBy: z.string()
})

export const familyDetail = z.object({
  id,
  number: z.number().int(),
  status: familyStatus,
  address: z.string(),
  postalCode: z.string(),
  city: z.string(),
  notes: z.string(),
  createdAt: z.string(),
  persons: z.array(person),
  children: z.array(child),
  accounts: z.array(portalAccount),
  invitations: z.array(pendingInvitation)
})
export type FamilyDetailDto = z.infer<typeof familyDetail>

export const requestDto = z.object({
  id,
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  type: z.string(),
  status: requestStatus,
  summary: z.string(),
  payload: z.record(z.string(), z.unknown()),
  reason: z.string(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable()
})
export type RequestDto = z.infer<typeof requestDto>

export const REQUEST_TYPE_LABELS: Record<string, string> = {
  registration: 'Création de compte',
  'file-change': 'Modification du dossier',
  enrolment: 'Inscription',
  reservation: 'Réservation',
  cancellation: 'Annulation',
  absence: 'Absence',
  'household-link': 'Rattachement (autre parent)'
}

/** One line of « Horaires d’ouverture » on the portal's Contact page. */
export const openingHoursLine = z.object({ service: nonEmpty('Service', 80), hours: nonEmpty('Horaires', 300) })
/** A phone line besides the main one (« Restauration scolaire », « Centre de loisirs »…). */
export const contactPhone = z.object({
  label: nonEmpty('Libellé', 60),
  phone: phone.refine((v) => v.length > 0, { error: 'Téléphone : champ obligatoire.' })
})

export const structureInput = z.object({
  name: nonEmpty('Nom de la structure'),
  address: optionalText(200),
  postalCode,
  city: optionalText(100),
  phone,
  email: z.union([z.literal(''), email]).default(''),
  siret: z.string().trim().regex(/^(\d{14})?$/, { error: 'SIRET invalide (14 chiffres).' }).default(''),
  holidayZone: z.enum(['A', 'B', 'C']).default('B'),
  holidayRegion: z.enum(['', '57', '67', '68']).default(''),
  logo: z.string().max(400_000).nullable().default(null),
  /** The collectivité's website, where the portal's « Se déconnecter » leads ('' = the portal's login page). */
  websiteUrl: z
    .string()
    .trim()
    .max(300)
    .regex(/^(https?:\/\/[^\s<>"']+)?$/i, { error: 'Adresse du site invalide : elle commence par https:// (ou http://).' })
    .default(''),
  /** Who signs the attestations fiscales, and as what. */
  signatoryName: optionalText(100),
  signatoryRole: optionalText(100),
  openingHours: z.array(openingHoursLine).max(12, { error: 'Horaires : 12 lignes au maximum.' }).default([]),
  contactPhones: z.array(contactPhone).max(8, { error: 'Téléphones : 8 numéros au maximum.' }).default([])
})
export type StructureDto = z.infer<typeof structureInput>

export const smtpSettings = z.object({
  host: z.string().trim().default(''),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  user: z.string().default(''),
  password: z.string().default(''),
  from: z.string().trim().default(''),
  /** Accept a self-signed SMTP certificate (internal relays). */
  allowSelfSigned: z.boolean().default(false)
})
export type SmtpSettingsDto = z.infer<typeof smtpSettings>

export const auditEntry = z.object({
  id,
  at: z.string(),
  actorKind: z.string(),
  actorLabel: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown()
})

export const backupInfo = z.object({ name: z.string(), reason: z.string(), sizeBytes: z.number(), createdAt: z.string() })

/** What became of the copy to the second folder (a failure is reported, the local backup stands). */
export const backupCopyResult = z.object({ ok: z.boolean(), message: z.string(), name: z.string().nullable() })

/** Paramètres → Sauvegardes: the schedule and the second folder. */
export const backupSettings = z.object({
  daily: z.boolean(),
  dailyTime: z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'Heure invalide : format HH:MM, par exemple 12:30.' }),
  atQuit: z.boolean(),
  copyDir: z.string().trim().max(500, { error: 'Chemin trop long (500 caractères au maximum).' }),
  encrypt: z.boolean()
})

export const backupLastRun = z.object({
  at: z.string(),
  reason: z.string(),
  ok: z.boolean(),
  name: z.string().nullable(),
  message: z.string(),
  copy: backupCopyResult.nullable()
})

/** 'sending': handed to the SMTP server right now (or cut short by a crash, decided at the next round). */
export const outboxStatus = z.enum(['pending', 'sending', 'sent', 'failed'])

export const outboxMail = z.object({
  id,
  recipient: z.string(),
  subject: z.string(),
  status: outboxStatus,
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable()
})

export const registrationInput = z.object({
  civility: civility.default(''),
  lastName: nonEmpty('Nom', 100),
  firstName: nonEmpty('Prénom', 100),
  birthDate: isoDate,
  phoneMobile: phone.refine((v) => v.length > 0, { error: 'Téléphone portable : champ obligatoire.' }),
  phoneHome: phone,
  email,
  address: nonEmpty('Adresse'),
  postalCode: postalCode.refine((v) => v.length === 5, { error: 'Code postal : champ obligatoire.' }),
  city: nonEmpty('Ville', 100)
})
export type RegistrationInput = z.infer<typeof registrationInput>
