/**
 * The fields a spreadsheet column can be imported into. A file has either
 * one row per child (the child's columns plus the responsables' on each row)
 * or, when a « Rôle » column is mapped, one row per person (responsable,
 * conjoint, enfant, contact) grouped by the « N° famille » column.
 */

export const FIELD_GROUPS = ['Foyer', 'Personne de la ligne (enfant, ou selon le rôle)', 'Responsable 1', 'Responsable 2 (conjoint)'] as const

interface FieldDef {
  label: string
  group: (typeof FIELD_GROUPS)[number]
  /** Shown in the template's explanations. */
  help: string
}

const person = (group: FieldDef['group'], who: string) =>
  ({
    Civilite: { label: `Civilité (${who})`, group, help: 'M., Mme, Monsieur, Madame.' },
    Nom: { label: `Nom (${who})`, group, help: 'Obligatoire.' },
    Prenom: { label: `Prénom (${who})`, group, help: 'Obligatoire.' },
    Naissance: { label: `Date de naissance (${who})`, group, help: 'JJ/MM/AAAA.' },
    Email: { label: `E-mail (${who})`, group, help: 'Sert d’identifiant au portail famille.' },
    TelPortable: { label: `Tél. portable (${who})`, group, help: '06 12 34 56 78, 06.12.34.56.78 ou +33 6…' },
    TelDomicile: { label: `Tél. domicile (${who})`, group, help: '' },
    TelTravail: { label: `Tél. travail (${who})`, group, help: '' },
    Profession: { label: `Profession (${who})`, group, help: '' },
    Employeur: { label: `Employeur (${who})`, group, help: '' }
  }) satisfies Record<string, FieldDef>

const r1 = person('Responsable 1', 'responsable 1')
const r2 = person('Responsable 2 (conjoint)', 'responsable 2')
const ROW = 'Personne de la ligne (enfant, ou selon le rôle)' as const

export const IMPORT_FIELDS = {
  famille: { label: 'N° ou code famille', group: 'Foyer', help: 'Les lignes qui ont le même code forment une famille. Sans cette colonne, les lignes qui ont le même responsable (nom, prénom et e-mail ou téléphone) sont regroupées.' },
  role: { label: 'Rôle (une ligne par personne)', group: 'Foyer', help: 'Responsable, Conjoint, Enfant ou Contact. Avec cette colonne, chaque ligne est une personne et la colonne « N° famille » est obligatoire.' },
  adresse: { label: 'Adresse', group: 'Foyer', help: '' },
  codePostal: { label: 'Code postal', group: 'Foyer', help: '5 chiffres.' },
  ville: { label: 'Ville', group: 'Foyer', help: '' },
  numAllocataire: { label: 'N° allocataire CAF', group: 'Foyer', help: 'Chiffres et lettres.' },
  regimeCaf: { label: 'Régime (CAF, MSA…)', group: 'Foyer', help: 'CAF (régime général), MSA, Autre ou Aucun.' },
  qf: { label: 'Quotient familial', group: 'Foyer', help: 'Nombre entier d’euros.' },
  qfFin: { label: 'QF valable jusqu’au', group: 'Foyer', help: 'JJ/MM/AAAA.' },
  notes: { label: 'Remarques', group: 'Foyer', help: 'Reprises dans la note « informations importées » de la famille.' },
  nom: { label: 'Nom', group: ROW, help: 'Nom de l’enfant (ou de la personne, avec la colonne Rôle).' },
  prenom: { label: 'Prénom', group: ROW, help: '' },
  naissance: { label: 'Date de naissance', group: ROW, help: 'Obligatoire pour un enfant. JJ/MM/AAAA.' },
  sexe: { label: 'Sexe / civilité', group: ROW, help: 'F, Fille, M, G, Garçon (Mme, M. pour un adulte).' },
  email: { label: 'E-mail', group: ROW, help: 'Adultes seulement.' },
  telPortable: { label: 'Tél. portable', group: ROW, help: '' },
  telDomicile: { label: 'Tél. domicile', group: ROW, help: '' },
  telTravail: { label: 'Tél. travail', group: ROW, help: '' },
  profession: { label: 'Profession', group: ROW, help: '' },
  employeur: { label: 'Employeur', group: ROW, help: '' },
  ecole: { label: 'École', group: ROW, help: '' },
  classe: { label: 'Classe', group: ROW, help: 'PS, MS, GS, CP, CE1…' },
  allergies: { label: 'Allergies', group: ROW, help: 'Texte libre ; vide = aucune.' },
  regimeAlimentaire: { label: 'Régime alimentaire', group: ROW, help: 'Standard, sans porc, végétarien, sans viande ; autre texte = recommandations.' },
  medecin: { label: 'Médecin traitant', group: ROW, help: '' },
  telMedecin: { label: 'Tél. médecin', group: ROW, help: '' },
  r1Civilite: r1.Civilite,
  r1Nom: r1.Nom,
  r1Prenom: r1.Prenom,
  r1Naissance: r1.Naissance,
  r1Email: r1.Email,
  r1TelPortable: r1.TelPortable,
  r1TelDomicile: r1.TelDomicile,
  r1TelTravail: r1.TelTravail,
  r1Profession: r1.Profession,
  r1Employeur: r1.Employeur,
  r2Civilite: r2.Civilite,
  r2Nom: r2.Nom,
  r2Prenom: r2.Prenom,
  r2Naissance: r2.Naissance,
  r2Email: r2.Email,
  r2TelPortable: r2.TelPortable,
  r2TelDomicile: r2.TelDomicile,
  r2TelTravail: r2.TelTravail,
  r2Profession: r2.Profession,
  r2Employeur: r2.Employeur
} as const satisfies Record<string, FieldDef>

export type ImportFieldId = keyof typeof IMPORT_FIELDS
export const IMPORT_FIELD_IDS = Object.keys(IMPORT_FIELDS) as [ImportFieldId, ...ImportFieldId[]]

/** The template's columns (one row per child), with the titles the automatic mapping recognises. */
export const TEMPLATE_COLUMNS: { title: string; field: ImportFieldId; example: [string, string, string] }[] = [
  { title: 'N° famille', field: 'famille', example: ['1', '1', '2'] },
  { title: 'Civilité du responsable', field: 'r1Civilite', example: ['Mme', 'Mme', 'M.'] },
  { title: 'Nom du responsable', field: 'r1Nom', example: ['EXEMPLE', 'EXEMPLE', 'MODÈLE'] },
  { title: 'Prénom du responsable', field: 'r1Prenom', example: ['Claire', 'Claire', 'Karim'] },
  { title: 'Date de naissance du responsable', field: 'r1Naissance', example: ['14/03/1985', '14/03/1985', ''] },
  { title: 'Mail du responsable', field: 'r1Email', example: ['claire.exemple@example.org', 'claire.exemple@example.org', 'karim.modele@example.org'] },
  { title: 'Tél. portable du responsable', field: 'r1TelPortable', example: ['06 39 98 00 01', '06 39 98 00 01', '06.39.98.00.03.'] },
  { title: 'Tél. domicile', field: 'r1TelDomicile', example: ['', '', '01 99 00 00 03'] },
  { title: 'Profession du responsable', field: 'r1Profession', example: ['Infirmière', 'Infirmière', ''] },
  { title: 'Civilité du conjoint', field: 'r2Civilite', example: ['M.', 'M.', ''] },
  { title: 'Nom du conjoint', field: 'r2Nom', example: ['EXEMPLE', 'EXEMPLE', ''] },
  { title: 'Prénom du conjoint', field: 'r2Prenom', example: ['Paul', 'Paul', ''] },
  { title: 'Mail du conjoint', field: 'r2Email', example: ['paul.exemple@example.org', 'paul.exemple@example.org', ''] },
  { title: 'Tél. portable du conjoint', field: 'r2TelPortable', example: ['06 39 98 00 02', '06 39 98 00 02', ''] },
  { title: 'Adresse', field: 'adresse', example: ['12 rue des Tilleuls', '12 rue des Tilleuls', '3 place de la Mairie'] },
  { title: 'Code postal', field: 'codePostal', example: ['31000', '31000', '31000'] },
  { title: 'Ville', field: 'ville', example: ['Démoville', 'Démoville', 'Démoville'] },
  { title: 'N° allocataire CAF', field: 'numAllocataire', example: ['1234567', '1234567', ''] },
  { title: 'Régime', field: 'regimeCaf', example: ['CAF', 'CAF', 'MSA'] },
  { title: 'Quotient familial', field: 'qf', example: ['742', '742', ''] },
  { title: 'QF valable jusqu’au', field: 'qfFin', example: ['31/12/2026', '31/12/2026', ''] },
  { title: 'Nom de l’enfant', field: 'nom', example: ['EXEMPLE', 'EXEMPLE', 'MODÈLE'] },
  { title: 'Prénom de l’enfant', field: 'prenom', example: ['Lucas', 'Emma', 'Inès'] },
  { title: 'Date de naissance de l’enfant', field: 'naissance', example: ['20/05/2019', '08/09/2021', '02/02/2018'] },
  { title: 'Sexe de l’enfant', field: 'sexe', example: ['G', 'F', 'F'] },
  { title: 'École', field: 'ecole', example: ['École Jules Ferry', 'École maternelle Les Tilleuls', 'École Jules Ferry'] },
  { title: 'Classe', field: 'classe', example: ['CP', 'PS', 'CE2'] },
  { title: 'Allergies', field: 'allergies', example: ['', 'Arachide', ''] },
  { title: 'Régime alimentaire', field: 'regimeAlimentaire', example: ['', 'Sans porc', ''] },
  { title: 'Médecin traitant', field: 'medecin', example: ['Dr GIRARD', 'Dr GIRARD', ''] },
  { title: 'Tél. médecin', field: 'telMedecin', example: ['01 99 00 10 10', '01 99 00 10 10', ''] },
  { title: 'Remarques', field: 'notes', example: ['', '', 'Garde alternée'] }
]

export const TEMPLATE_FILE_NAMES = { xlsx: 'modele-import-familles.xlsx', csv: 'modele-import-familles.csv' } as const
