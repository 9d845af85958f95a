import { z } from '../zod-fr'
import { compactIban, ibanError, isBic, isFrenchPostalCode, normalizePhone, PHONE_ERROR, POSTAL_CODE_ERROR } from '../validators'
import { civility, email, id, isoDate, nonEmpty, optionalText, recordVersion, requestStatus } from './common'
import { childHouseholds } from './households-shapes'

// ---------------------------------------------------------------- validators

/** A French (or international) phone number, normalised; '' allowed. */
export const frPhone = z
  .string()
  .trim()
  .max(30)
  .default('')
  .transform((v, ctx) => {
    const n = normalizePhone(v)
    if (n === null) {
      ctx.issues.push({ code: 'custom', message: PHONE_ERROR, input: v })
      return z.NEVER
    }
    return n
  })
export const frPhoneRequired = (label: string) =>
  frPhone.refine((v) => v.length > 0, { error: `${label} : champ obligatoire.` })

export const frPostalCode = z
  .string()
  .trim()
  .default('')
  .refine((v) => v === '' || isFrenchPostalCode(v), { error: POSTAL_CODE_ERROR })

export const iban = z
  .string()
  .trim()
  .max(50)
  .default('')
  .transform((v, ctx) => {
    if (v === '') return ''
    const e = ibanError(v)
    if (e) {
      ctx.issues.push({ code: 'custom', message: e, input: v })
      return z.NEVER
    }
    return compactIban(v)
  })

export const bic = z
  .string()
  .trim()
  .max(15)
  .default('')
  .transform((v) => v.replace(/\s+/g, '').toUpperCase())
  .refine((v) => v === '' || isBic(v), { error: 'BIC invalide : 8 ou 11 caractères (ex. BNPAFRPPXXX).' })

const yes = z.boolean().default(false)
const nullableDate = isoDate.nullable().default(null)

// ---------------------------------------------------------------- sections

export const FILE_SECTIONS = ['responsable', 'conjoint', 'fiscal', 'caf', 'bank', 'authorisations', 'health', 'child'] as const
export type FileSection = (typeof FILE_SECTIONS)[number]
export const fileSection = z.enum(FILE_SECTIONS)

export const FILE_SECTION_LABELS: Record<FileSection, string> = {
  responsable: 'Responsable',
  conjoint: 'Conjoint',
  fiscal: 'Fiscales',
  caf: 'CAF',
  bank: 'Coordonnées bancaires',
  authorisations: 'Autorisations',
  health: 'Données sanitaires',
  child: 'Enfant'
}

/** Responsable / conjoint as the family edits them: everything but the e-mail, which only staff change. */
export const personValues = z.object({
  civility: civility.default(''),
  lastName: nonEmpty('Nom', 100),
  firstName: nonEmpty('Prénom', 100),
  birthDate: nullableDate,
  quality: optionalText(50),
  situation: optionalText(50),
  address: optionalText(200),
  postalCode: frPostalCode,
  city: optionalText(100),
  phoneMobile: frPhone,
  phoneHome: frPhone,
  phoneWork: frPhone,
  profession: optionalText(100),
  csp: optionalText(100),
  employer: optionalText(100),
  employerAddress: optionalText(200),
  consentEmail: z.boolean().default(true),
  consentSms: yes
})
export type PersonValues = z.output<typeof personValues>
export const EMAIL_STAFF_ONLY = 'L’adresse e-mail ne peut être modifiée que par la structure : demandez-le via la messagerie.'
/** The portal variant refuses an e-mail field in so many words instead of silently dropping it. */
export const personPortalValues = personValues.extend({
  email: z.undefined({ error: EMAIL_STAFF_ONLY }).optional()
})
export const personStaffValues = personValues.extend({ email: z.union([z.literal(''), email]).default('') })
export type PersonStaffValues = z.output<typeof personStaffValues>

export const fiscalValues = z.object({
  taxYear: z.number().int().min(2000).max(2100).nullable().default(null),
  /** Revenu fiscal de référence, in whole euros. */
  referenceIncome: z.number().int().min(0).max(10_000_000).nullable().default(null),
  taxShares: z.number().min(0.5).max(30).multipleOf(0.25).nullable().default(null),
  dependentChildren: z.number().int().min(0).max(20).default(0)
})
export type FiscalValues = z.output<typeof fiscalValues>

export const cafRegime = z.enum(['', 'general', 'msa', 'autre', 'aucun'])
export const CAF_REGIME_LABELS: Record<z.infer<typeof cafRegime>, string> = {
  '': 'Non renseigné',
  general: 'Régime général (CAF)',
  msa: 'MSA',
  autre: 'Autre régime',
  aucun: 'Non allocataire'
}
export const cafValues = z.object({
  allocataireName: optionalText(100),
  regime: cafRegime.default(''),
  allocataireNumber: z
    .string()
    .trim()
    .max(15)
    .default('')
    .refine((v) => /^[0-9A-Za-z]*$/.test(v), { error: 'Numéro allocataire invalide : chiffres et lettres uniquement.' }),
  quotient: z.number().int().min(0).max(100_000).nullable().default(null),
  quotientValidUntil: nullableDate
})
export type CafValues = z.output<typeof cafValues>

const bankFields = z.object({
  holder: optionalText(100),
  bankName: optionalText(100),
  iban,
  bic,
  directDebit: yes
})
/** Portal variant: the family never sees its full IBAN, so an empty IBAN means "keep the one on file". */
export const bankPortalValues = bankFields
export const bankValues = bankFields
  .superRefine((v, ctx) => {
    if (v.directDebit && !v.iban) ctx.addIssue({ code: 'custom', path: ['iban'], message: 'IBAN : obligatoire pour le prélèvement automatique.' })
    if (v.directDebit && !v.holder) ctx.addIssue({ code: 'custom', path: ['holder'], message: 'Titulaire du compte : obligatoire pour le prélèvement automatique.' })
  })
export type BankValues = z.output<typeof bankValues>

export const pickupPerson = z.object({
  name: nonEmpty('Nom de la personne autorisée', 100),
  relationship: optionalText(50),
  phone: frPhoneRequired('Téléphone de la personne autorisée'),
  emergency: yes
})
export type PickupPerson = z.output<typeof pickupPerson>

/**
 * A consent the family gives or refuses (outings and transport, emergency care and hospitalisation): '' until the
 * family answers, so a file never reads « oui » for a question nobody asked.
 */
export const consent = z.enum(['', 'yes', 'no'])
export type Consent = z.infer<typeof consent>
export const CONSENT_LABELS: Record<Consent, string> = { '': 'Non renseigné', yes: 'Oui', no: 'Non' }
/** The authorisations that are consents (three answers), not yes/no boxes. */
export const CONSENT_KEYS = ['outings', 'emergencyCare'] as const

export const authorisationValues = z.object({
  imageRights: yes,
  leaveAlone: yes,
  outings: consent.default(''),
  emergencyCare: consent.default(''),
  pickups: z.array(pickupPerson).max(10, { error: '10 personnes autorisées au maximum.' }).default([])
})
export type AuthorisationValues = z.output<typeof authorisationValues>

export const MEAL_TYPES = ['standard', 'sans-porc', 'vegetarien', 'sans-viande'] as const
export const mealType = z.enum(MEAL_TYPES)
export const MEAL_TYPE_LABELS: Record<z.infer<typeof mealType>, string> = {
  standard: 'Standard',
  'sans-porc': 'Sans porc',
  vegetarien: 'Végétarien',
  'sans-viande': 'Sans viande'
}
export const vaccine = z.object({ name: nonEmpty('Vaccin', 100), date: isoDate })

export const healthValues = z
  .object({
    allergies: yes,
    allergyNotes: optionalText(1000),
    pai: yes,
    dietNotes: optionalText(1000),
    mealType: mealType.default('standard'),
    vaccines: z.array(vaccine).max(40).default([]),
    doctorName: optionalText(100),
    doctorPhone: frPhone,
    glasses: yes,
    hearingAid: yes,
    healthNotes: optionalText(1000)
  })
  .superRefine((v, ctx) => {
    if (v.allergies && !v.allergyNotes) ctx.addIssue({ code: 'custom', path: ['allergyNotes'], message: 'Allergies : précisez lesquelles.' })
  })
export type HealthValues = z.output<typeof healthValues>

export const livesWith = z.enum(['', 'both', 'responsable', 'conjoint', 'alternate'])
export const LIVES_WITH_LABELS: Record<z.infer<typeof livesWith>, string> = {
  '': 'Non renseigné',
  both: 'Chez ses deux parents',
  responsable: 'Chez le responsable',
  conjoint: 'Chez le conjoint',
  alternate: 'En résidence alternée'
}
export const childValues = z.object({
  lastName: nonEmpty('Nom', 100),
  firstName: nonEmpty('Prénom', 100),
  birthDate: isoDate,
  sex: z.enum(['', 'F', 'M']).default(''),
  school: optionalText(100),
  grade: optionalText(50),
  linkResponsable: optionalText(50),
  linkConjoint: optionalText(50),
  livesWith: livesWith.default('')
})
export type ChildValues = z.output<typeof childValues>

/** The four steps of the add-child wizard, in one object. */
export const newChildValues = z.object({ identity: childValues, health: healthValues, authorisations: authorisationValues })
export type NewChildValues = z.output<typeof newChildValues>

/** French label of every field a change request can touch (both UIs render diffs from it). */
export const FIELD_LABELS: Record<string, string> = {
  civility: 'Civilité',
  lastName: 'Nom',
  firstName: 'Prénom',
  birthDate: 'Date de naissance',
  quality: 'Qualité',
  situation: 'Situation',
  address: 'Adresse',
  postalCode: 'Code postal',
  city: 'Ville',
  phoneMobile: 'Téléphone portable',
  phoneHome: 'Téléphone domicile',
  phoneWork: 'Téléphone professionnel',
  email: 'E-mail',
  profession: 'Profession',
  csp: 'CSP',
  employer: 'Employeur',
  employerAddress: 'Adresse de l’employeur',
  consentEmail: 'Accepte les e-mails',
  consentSms: 'Accepte les SMS',
  taxYear: 'Année d’imposition',
  referenceIncome: 'Revenu fiscal de référence (€)',
  taxShares: 'Nombre de parts',
  dependentChildren: 'Enfants à charge',
  allocataireName: 'Nom de l’allocataire',
  regime: 'Régime',
  allocataireNumber: 'Numéro allocataire',
  quotient: 'Quotient familial',
  quotientValidUntil: 'Quotient valable jusqu’au',
  quotientProofDocumentId: 'Justificatif du quotient',
  holder: 'Titulaire du compte',
  bankName: 'Banque',
  iban: 'IBAN',
  bic: 'BIC',
  directDebit: 'Prélèvement automatique',
  imageRights: 'Droit à l’image',
  leaveAlone: 'Autorisé à partir seul',
  outings: 'Autorise les sorties et le transport',
  emergencyCare: 'Autorise les soins d’urgence et l’hospitalisation',
  pickups: 'Personnes autorisées à venir chercher l’enfant',
  allergies: 'Allergies',
  allergyNotes: 'Précisions sur les allergies',
  pai: 'PAI',
  paiDocumentId: 'Document PAI',
  dietNotes: 'Recommandations alimentaires',
  mealType: 'Type de repas',
  vaccines: 'Vaccins',
  doctorName: 'Médecin traitant',
  doctorPhone: 'Téléphone du médecin',
  glasses: 'Porte des lunettes',
  hearingAid: 'Appareil auditif',
  healthNotes: 'Autres informations de santé',
  sex: 'Sexe',
  school: 'École',
  grade: 'Classe',
  linkResponsable: 'Lien avec le responsable',
  linkConjoint: 'Lien avec le conjoint',
  livesWith: 'Réside',
  custodyNotes: 'Garde / décisions de justice'
}

// ---------------------------------------------------------------- file DTO

export const personFile = personStaffValues.extend({ id, role: z.enum(['responsable', 'conjoint']) })
export type PersonFileDto = z.infer<typeof personFile>

export const fiscalFile = fiscalValues
export const cafFile = cafValues.extend({
  quotientProofDocumentId: id.nullable(),
  quotientProofName: z.string().nullable(),
  quotientValidToday: z.boolean()
})
export const bankFile = z.object({
  holder: z.string(),
  bankName: z.string(),
  /** Full IBAN for roles allowed to see it, masked otherwise. */
  iban: z.string(),
  ibanMasked: z.boolean(),
  bic: z.string(),
  directDebit: z.boolean()
})
export type BankFileDto = z.infer<typeof bankFile>

export const childHealthFile = z.object({
  allergies: z.boolean(),
  allergyNotes: z.string(),
  pai: z.boolean(),
  paiDocumentId: id.nullable(),
  paiDocumentName: z.string().nullable(),
  dietNotes: z.string(),
  mealType,
  vaccines: z.array(z.object({ name: z.string(), date: z.string() })),
  doctorName: z.string(),
  doctorPhone: z.string(),
  glasses: z.boolean(),
  hearingAid: z.boolean(),
  healthNotes: z.string()
})
export const childFile = z.object({
  id,
  identity: childValues,
  health: childHealthFile,
  authorisations: z.object({
    imageRights: z.boolean(),
    leaveAlone: z.boolean(),
    outings: consent,
    emergencyCare: consent,
    pickups: z.array(pickupPerson.extend({ phone: z.string() }))
  }),
  /** Only for the direction role (court decisions); null otherwise. */
  custodyNotes: z.string().nullable(),
  /**
   * Issue 16: the child shared between two households (foyers). `firstHousehold`
   * says whether the file's household is the child's first one; `other` names the
   * other household for staff only (null on the portal: a household never learns
   * the other one's details).
   */
  household: z.object({
    shared: z.boolean(),
    firstHousehold: z.boolean(),
    other: z.object({ familyId: id, number: z.number().int(), name: z.string() }).nullable(),
    /** The other household's accepted change requests on the common file (« modification demandée par l'autre foyer »), latest first. */
    otherChanges: z.array(z.object({ section: fileSection, decidedAt: z.string() }))
  }),
  /** What each section's save sends back (health, authorisations and custody notes share the child's file row). */
  versions: z.object({ child: z.number().int(), health: z.number().int(), authorisations: z.number().int(), custody: z.number().int() })
})
export type ChildFileDto = z.infer<typeof childFile>

export const familyFile = z.object({
  familyId: id,
  number: z.number().int(),
  status: z.string(),
  leftAt: z.string().nullable(),
  anonymisedAt: z.string().nullable(),
  responsable: personFile.nullable(),
  conjoint: personFile.nullable(),
  /** null when the caller's role may not see it. */
  fiscal: fiscalFile.nullable(),
  caf: cafFile.nullable(),
  bank: bankFile.nullable(),
  children: z.array(childFile),
  /** What each section's save sends back; `family` is the departure's. */
  versions: z.object({
    family: z.number().int(),
    responsable: z.number().int(),
    conjoint: z.number().int(),
    fiscal: z.number().int(),
    caf: z.number().int(),
    bank: z.number().int()
  })
})
export type FamilyFileDto = z.infer<typeof familyFile>

// ---------------------------------------------------------------- change requests

export const fieldChange = z.object({ label: z.string(), before: z.unknown(), after: z.unknown() })
export type FieldChange = z.infer<typeof fieldChange>

/** The payload of a 'file-change' request: a field-level diff of one section. */
export const fileChangePayload = z.object({
  section: fileSection,
  op: z.enum(['update', 'add']),
  personId: id.nullable().default(null),
  childId: id.nullable().default(null),
  childName: z.string().default(''),
  documentId: id.nullable().default(null),
  changes: z.record(z.string(), fieldChange)
})
export type FileChangePayload = z.infer<typeof fileChangePayload>

/** Portal: one section changed by the family. */
export const portalChangeInput = z.discriminatedUnion('section', [
  z.object({ section: z.literal('responsable'), values: personPortalValues }),
  z.object({ section: z.literal('conjoint'), values: personPortalValues }),
  z.object({ section: z.literal('fiscal'), values: fiscalValues }),
  z.object({ section: z.literal('caf'), values: cafValues, documentId: id.nullable().default(null) }),
  z.object({ section: z.literal('bank'), values: bankPortalValues }),
  z.object({ section: z.literal('authorisations'), childId: id, values: authorisationValues }),
  z.object({ section: z.literal('health'), childId: id, values: healthValues, documentId: id.nullable().default(null) }),
  z.object({ section: z.literal('child'), childId: id, values: childValues })
])
export type PortalChangeInput = z.output<typeof portalChangeInput>

/** Staff: same sections, applied at once; the person sections include the e-mail. `version` is the section's, as loaded. */
export const staffSectionInput = z.discriminatedUnion('section', [
  z.object({ section: z.literal('responsable'), familyId: id, version: recordVersion, values: personStaffValues }),
  z.object({ section: z.literal('conjoint'), familyId: id, version: recordVersion, values: personStaffValues }),
  z.object({ section: z.literal('fiscal'), familyId: id, version: recordVersion, values: fiscalValues }),
  z.object({ section: z.literal('caf'), familyId: id, version: recordVersion, values: cafValues, documentId: id.nullable().default(null) }),
  z.object({ section: z.literal('bank'), familyId: id, version: recordVersion, values: bankValues }),
  z.object({ section: z.literal('authorisations'), familyId: id, version: recordVersion, childId: id, values: authorisationValues }),
  z.object({ section: z.literal('health'), familyId: id, version: recordVersion, childId: id, values: healthValues, documentId: id.nullable().default(null) }),
  z.object({ section: z.literal('child'), familyId: id, version: recordVersion, childId: id, values: childValues })
])
export type StaffSectionInput = z.output<typeof staffSectionInput>

export const familyRequestItem = z.object({
  id,
  type: z.string(),
  category: z.string(),
  categoryLabel: z.string(),
  status: requestStatus,
  summary: z.string(),
  changes: z.record(z.string(), fieldChange).nullable(),
  reason: z.string(),
  createdAt: z.string(),
  decidedAt: z.string().nullable()
})
export type FamilyRequestItemDto = z.infer<typeof familyRequestItem>

/** Categories of "Mes demandes" (the file sections plus the other request types). */
export const REQUEST_CATEGORY_LABELS: Record<string, string> = {
  ...FILE_SECTION_LABELS,
  registration: 'Création de compte',
  enrolment: 'Inscriptions',
  reservation: 'Réservations',
  cancellation: 'Annulations',
  absence: 'Absences',
  'household-link': 'Rattachement d’un enfant'
}

export const fileChangeItem = z.object({
  id,
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  section: fileSection,
  sectionLabel: z.string(),
  op: z.enum(['update', 'add']),
  childName: z.string(),
  status: requestStatus,
  summary: z.string(),
  /** before = value when the family asked; current = value now (differs if the file changed since). */
  changes: z.array(z.object({ field: z.string(), label: z.string(), before: z.unknown(), after: z.unknown(), current: z.unknown(), stale: z.boolean() })),
  documentId: id.nullable(),
  reason: z.string(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable()
})
export type FileChangeItemDto = z.infer<typeof fileChangeItem>

// ---------------------------------------------------------------- files

export const MAX_UPLOAD_BYTES = 6 * 1024 * 1024
export const MAX_ATTACHMENTS = 3
export const ALLOWED_UPLOAD_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const

export const uploadInfo = z.object({ uploadId: id, name: z.string(), size: z.number().int(), mime: z.string() })
export type UploadInfoDto = z.infer<typeof uploadInfo>

export const fileRef = z.object({ id, name: z.string(), size: z.number().int(), mime: z.string() })
export type FileRefDto = z.infer<typeof fileRef>

// ---------------------------------------------------------------- audience

/** Who a broadcast, a published document or a news item is for. */
export const audience = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('families'), familyIds: z.array(id).min(1, { error: 'Choisissez au moins une famille.' }).max(50_000) }),
  z.object({ kind: z.literal('school'), school: nonEmpty('École', 100), grade: optionalText(50) }),
  /** Families with a child born in this range (age groups). */
  z.object({ kind: z.literal('birth-years'), from: z.number().int().min(1990).max(2100), to: z.number().int().min(1990).max(2100) }),
  /** Resolved by a module that registers it (e.g. enrolment in an activity, #4). */
  z.object({ kind: z.literal('group'), group: nonEmpty('Groupe', 50), groupId: id }),
  /** Issue 16: about one child, to its first household (« Foyer 1 »), its second one (« Foyer 2 ») or both, each its own copy. */
  z.object({ kind: z.literal('child'), childId: id, households: childHouseholds })
])
export type Audience = z.output<typeof audience>

// ---------------------------------------------------------------- messaging

export const messageOption = z.object({ id, label: z.string(), active: z.boolean(), position: z.number().int() })
export type MessageOptionDto = z.infer<typeof messageOption>

export const threadFolder = z.enum(['inbox', 'sent', 'archived', 'deleted'])
export const THREAD_FOLDER_LABELS: Record<z.infer<typeof threadFolder>, string> = {
  inbox: 'Reçus',
  sent: 'Envoyés',
  archived: 'Archivés',
  deleted: 'Supprimés'
}

export const threadSummary = z.object({
  id,
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  serviceId: id.nullable(),
  serviceLabel: z.string(),
  themeLabel: z.string(),
  subject: z.string(),
  origin: z.enum(['family', 'staff']),
  lastMessageAt: z.string(),
  lastExcerpt: z.string(),
  messageCount: z.number().int(),
  unread: z.number().int(),
  hasAttachments: z.boolean()
})
export type ThreadSummaryDto = z.infer<typeof threadSummary>

export const messageDto = z.object({
  id,
  authorKind: z.enum(['family', 'staff']),
  authorLabel: z.string(),
  body: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
  attachments: z.array(fileRef)
})
export type MessageDto = z.infer<typeof messageDto>

export const threadDetail = threadSummary.extend({ messages: z.array(messageDto), folder: z.string() })
export type ThreadDetailDto = z.infer<typeof threadDetail>

export const messageBody = (label = 'Message') => nonEmpty(label, 10_000)

// ---------------------------------------------------------------- documents

export const FAMILY_DOC_TYPES = ['justificatif-domicile', 'attestation-caf', 'pai', 'certificat-medical', 'autre'] as const
export const familyDocType = z.enum(FAMILY_DOC_TYPES)
export const FAMILY_DOC_TYPE_LABELS: Record<z.infer<typeof familyDocType>, string> = {
  'justificatif-domicile': 'Justificatif de domicile',
  'attestation-caf': 'Attestation CAF',
  pai: 'PAI',
  'certificat-medical': 'Certificat médical',
  autre: 'Autre document'
}
export const familyDocStatus = z.enum(['received', 'accepted', 'refused', 'sent'])
export const FAMILY_DOC_STATUS_LABELS: Record<z.infer<typeof familyDocStatus>, string> = {
  received: 'Reçu',
  accepted: 'Accepté',
  refused: 'Refusé',
  sent: 'Envoyé par la structure'
}
export const familyDocument = z.object({
  id,
  familyId: id,
  familyNumber: z.number().int(),
  familyName: z.string(),
  childId: id.nullable(),
  childName: z.string(),
  origin: z.enum(['family', 'staff']),
  docType: z.string(),
  title: z.string(),
  status: familyDocStatus,
  statusReason: z.string(),
  file: fileRef,
  createdAt: z.string(),
  decidedAt: z.string().nullable()
})
export type FamilyDocumentDto = z.infer<typeof familyDocument>

export const PUBLISHED_CATEGORIES = ['menus', 'reglement', 'tutoriels', 'calendriers', 'transports', 'autre'] as const
export const publishedCategory = z.enum(PUBLISHED_CATEGORIES)
export const PUBLISHED_CATEGORY_LABELS: Record<z.infer<typeof publishedCategory>, string> = {
  menus: 'Menus',
  reglement: 'Règlement intérieur',
  tutoriels: 'Tutoriels',
  calendriers: 'Calendriers',
  transports: 'Transports',
  autre: 'Autres documents'
}
export const publishedDocument = z.object({
  id,
  category: publishedCategory,
  title: z.string(),
  validFrom: z.string().nullable(),
  validUntil: z.string().nullable(),
  audience,
  audienceLabel: z.string(),
  recipients: z.number().int(),
  file: fileRef,
  publishedAt: z.string(),
  version: z.number().int()
})
export type PublishedDocumentDto = z.infer<typeof publishedDocument>

// ---------------------------------------------------------------- news

export const newsItem = z.object({
  id,
  title: z.string(),
  body: z.string(),
  hasImage: z.boolean(),
  audience,
  audienceLabel: z.string(),
  publishFrom: z.string(),
  publishUntil: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int()
})
export type NewsItemDto = z.infer<typeof newsItem>

export const newsInput = z
  .object({
    id: id.nullable().default(null),
    /** As loaded; required with an id (a stale save is refused, 409). */
    version: recordVersion.optional(),
    title: nonEmpty('Titre', 200),
    body: nonEmpty('Texte', 20_000),
    imageUploadId: id.nullable().default(null),
    removeImage: yes,
    audience,
    publishFrom: isoDate,
    publishUntil: nullableDate
  })
  .refine((v) => !v.publishUntil || v.publishUntil >= v.publishFrom, {
    error: 'La date de fin doit suivre la date de publication.',
    path: ['publishUntil']
  })

// ---------------------------------------------------------------- RGPD

export const anonymisePreview = z.object({
  familyId: id,
  familyNumber: z.number().int(),
  leftAt: z.string().nullable(),
  allowedFrom: z.string().nullable(),
  allowed: z.boolean(),
  blocker: z.string().nullable(),
  /** Human lines: exactly what will be erased, then what is kept. */
  erase: z.array(z.object({ what: z.string(), count: z.number().int() })),
  keep: z.array(z.string()),
  /** Must be sent back to confirm: changes if the data changed since the preview. */
  confirmation: z.string()
})
export type AnonymisePreviewDto = z.infer<typeof anonymisePreview>
