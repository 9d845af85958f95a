import type { NewFamily, PersonInput } from '../families/families'

/** Small deterministic PRNG (mulberry32) so demo data and benchmarks are repeatable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const LAST = ['Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel',
  'Lefèvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau',
  'Vincent', 'Muller', 'Lefebvre', 'Faure', 'André', 'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand',
  'Gauthier', 'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson', 'Marchand',
  'Duval', 'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier', 'Brun', 'Blanchard', 'Giraud', 'Joly', 'Rivière',
  'Lucas', 'Brunet', 'Gaillard', 'Barbier', 'Arnaud', 'Martinez', 'Gérard', 'Roche', 'Renard', 'Schmitt', 'Roy', 'Leroux', 'Colin',
  'Vidal', 'Caron', 'Picard', 'Roger', 'Fabre', 'Aubert', 'Lemoine', 'Renaud', 'Dumas', 'Lacroix', 'Olivier', 'Philippe', 'Bourgeois',
  'Pierre', 'Benoît', 'Rey', 'Leclerc', 'Payet', 'Rolland', 'Leclercq', 'Guillaume', 'Lecomte', 'Lopez', 'Jean', 'Dupuy', 'Guillot',
  'Hubert', 'Berger', 'Carpentier', 'Sanchez', 'Dupuis', 'Moulin', 'Louis', 'Deschamps', 'Huet', 'Vasseur', 'Perez', 'Boucher', 'Fleury',
  'Royer', 'Klein', 'Jacquet', 'Adam', 'Paris', 'Poirier', 'Marty', 'Aubry', 'Guyot', 'Carré', 'Charles', 'Renault', 'Charpentier',
  'Ménard', 'Maillard', 'Baron', 'Bertin', 'Bailly', 'Hervé', 'Schneider', 'Fernandez', 'Le Gall', 'Collet', 'Léger', 'Bouvier', 'Julien',
  'Prévost', 'Millet', 'Perrot', 'Daniel', 'Le Roux', 'Cousin', 'Germain', 'Breton', 'Besson', 'Langlois', 'Rémy', 'Le Goff', 'Pelletier']
const WOMEN = ['Marie', 'Nathalie', 'Isabelle', 'Sylvie', 'Catherine', 'Sandrine', 'Céline', 'Aurélie', 'Julie', 'Émilie', 'Camille',
  'Sophie', 'Laura', 'Amandine', 'Élodie', 'Audrey', 'Claire', 'Hélène', 'Chloé', 'Inès', 'Fatima', 'Yasmine', 'Léa', 'Manon']
const MEN = ['Jean', 'Philippe', 'Nicolas', 'Christophe', 'Stéphane', 'Sébastien', 'Julien', 'Thomas', 'Olivier', 'Laurent', 'Mathieu',
  'Guillaume', 'Antoine', 'Romain', 'Karim', 'Mehdi', 'Pierre', 'Vincent', 'David', 'Franck', 'Yann', 'Cédric', 'Alexandre', 'Maxime']
const GIRLS = ['Emma', 'Jade', 'Louise', 'Alice', 'Chloé', 'Lina', 'Léa', 'Rose', 'Anna', 'Mila', 'Inès', 'Ambre', 'Julia', 'Lou', 'Zoé', 'Léna']
const BOYS = ['Gabriel', 'Léo', 'Raphaël', 'Arthur', 'Louis', 'Jules', 'Adam', 'Maël', 'Lucas', 'Hugo', 'Noah', 'Liam', 'Sacha', 'Nathan', 'Paul', 'Tom']
const STREETS = ['rue de la République', 'rue Victor Hugo', 'avenue Jean Jaurès', 'rue des Écoles', 'impasse des Lilas', 'chemin du Moulin', 'place de la Mairie', 'rue Pasteur']
const SCHOOLS = ['École maternelle Les Tilleuls', 'École élémentaire Jules Ferry', 'École élémentaire Jean Moulin']
const GRADES_BY_AGE: Record<number, string> = { 3: 'PS', 4: 'MS', 5: 'GS', 6: 'CP', 7: 'CE1', 8: 'CE2', 9: 'CM1', 10: 'CM2' }

const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)]
const pad = (n: number, w = 2) => String(n).padStart(w, '0')
const plain = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase().replace(/[^a-z]/g, '')

export interface GeneratedFamily extends NewFamily {
  login: string
}

/**
 * `count` families with 1–3 children each (about 1.75 on average), living in
 * a fictitious commune. `year` is the school year's first calendar year.
 */
export function generateFamilies(count: number, seed = 42, year = 2026): GeneratedFamily[] {
  const r = prng(seed)
  const out: GeneratedFamily[] = []
  for (let i = 0; i < count; i++) {
    const last = pick(r, LAST)
    const motherFirst = pick(r, WOMEN)
    const fatherFirst = pick(r, MEN)
    const motherFirstResp = r() < 0.7
    const phone = () => `06 ${pad(Math.floor(r() * 100))} ${pad(Math.floor(r() * 100))} ${pad(Math.floor(r() * 100))} ${pad(Math.floor(r() * 100))}`
    const address = `${1 + Math.floor(r() * 80)} ${pick(r, STREETS)}`
    const email = `${plain(motherFirstResp ? motherFirst : fatherFirst)}.${plain(last)}${i}@exemple.fr`
    const base = (first: string, civ: 'M.' | 'Mme', quality: string, mail: string): PersonInput => ({
      civility: civ,
      lastName: last,
      firstName: first,
      birthDate: `${year - 30 - Math.floor(r() * 15)}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`,
      quality,
      situation: 'Marié(e)',
      address,
      postalCode: '31000',
      city: 'Démoville',
      phoneMobile: phone(),
      phoneHome: '',
      phoneWork: '',
      email: mail,
      profession: '',
      employer: '',
      csp: '',
      consentEmail: true,
      consentSms: r() < 0.5
    })
    const mother = base(motherFirst, 'Mme', 'Mère', motherFirstResp ? email : '')
    const father = base(fatherFirst, 'M.', 'Père', motherFirstResp ? '' : email)
    const single = r() < 0.25
    const nChildren = r() < 0.4 ? 1 : r() < 0.8 ? 2 : 3
    const children = Array.from({ length: nChildren }, () => {
      const age = 3 + Math.floor(r() * 8)
      const girl = r() < 0.5
      return {
        lastName: last,
        firstName: pick(r, girl ? GIRLS : BOYS),
        birthDate: `${year - age}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`,
        sex: (girl ? 'F' : 'M') as 'F' | 'M',
        school: age <= 5 ? SCHOOLS[0] : pick(r, SCHOOLS.slice(1)),
        grade: GRADES_BY_AGE[age]
      }
    })
    out.push({
      status: 'active',
      responsable: motherFirstResp ? mother : father,
      conjoint: single ? null : motherFirstResp ? father : mother,
      address,
      postalCode: '31000',
      city: 'Démoville',
      children,
      login: email
    })
  }
  return out
}
