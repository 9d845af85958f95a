/** Choices offered in the person forms (free text on the server side; these keep spelling consistent). */
export const CIVILITY_OPTIONS = [
  { label: 'Non précisée', value: '' },
  { label: 'Madame', value: 'Mme' },
  { label: 'Monsieur', value: 'M.' }
]
export const QUALITY_OPTIONS = ['Mère', 'Père', 'Tuteur / tutrice', 'Famille d’accueil', 'Grand-parent', 'Autre']
export const SITUATION_OPTIONS = ['Marié(e)', 'Pacsé(e)', 'Vie maritale', 'Célibataire', 'Séparé(e)', 'Divorcé(e)', 'Veuf / veuve']
export const SEX_OPTIONS = [
  { label: 'Non précisé', value: '' },
  { label: 'Fille', value: 'F' },
  { label: 'Garçon', value: 'M' }
]

export interface PersonForm {
  civility: '' | 'M.' | 'Mme'
  lastName: string
  firstName: string
  birthDate: string | null
  quality: string
  situation: string
  address: string
  postalCode: string
  city: string
  phoneMobile: string
  phoneHome: string
  phoneWork: string
  email: string
  profession: string
  employer: string
  csp: string
  consentEmail: boolean
  consentSms: boolean
}

export function emptyPerson(): PersonForm {
  return {
    civility: '',
    lastName: '',
    firstName: '',
    birthDate: null,
    quality: '',
    situation: '',
    address: '',
    postalCode: '',
    city: '',
    phoneMobile: '',
    phoneHome: '',
    phoneWork: '',
    email: '',
    profession: '',
    employer: '',
    csp: '',
    consentEmail: true,
    consentSms: false
  }
}

export interface ChildForm {
  lastName: string
  firstName: string
  birthDate: string | null
  sex: '' | 'F' | 'M'
  school: string
  grade: string
}

export function emptyChild(lastName = ''): ChildForm {
  return { lastName, firstName: '', birthDate: null, sex: '', school: '', grade: '' }
}
