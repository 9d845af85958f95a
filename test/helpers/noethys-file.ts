/**
 * Generates Noethys data files (`_DATA.dat`) of any size with the real
 * schema (test/fixtures/noethys/noethys-schema-subset.sql, copied from the
 * shared reference): families from the demo generator, written the way
 * Noethys writes them (titulaires, rattachements, liens both ways, phones
 * like 06.12.34.56.78., dated quotients, an activity with its groups and
 * units, enrolments, prestations and reglements, SEPA mandates).
 *
 *   const facts = generateNoethysFile('/tmp/x_DATA.dat', { families: 500 })
 *
 * `anomalies` adds the rows real files have (invalid e-mail, 31/02 date,
 * bad IBAN, negative QF, a child in two families, an erased family, a
 * family without représentant, an orphan rattachement); `dropColumns` makes
 * an "older" file by removing columns later versions added.
 */
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { generateFamilies, prng } from '../../src-main/demo/generate'
import { frenchIban } from '../../src-shared/check-digits'

const SCHEMA = join(__dirname, '..', 'fixtures', 'noethys', 'noethys-schema-subset.sql')

export interface NoethysGenOptions {
  families: number
  seed?: number
  version?: string
  /** School year's first calendar year (children's ages, activity dates). */
  year?: number
  anomalies?: boolean
  dropColumns?: [table: string, column: string][]
}

export interface NoethysGenFacts {
  families: number
  children: number
  persons: number
  mandates: number
  enrolments: number
  /** What each family owes, in cents, by IDfamille (Σ prestations − Σ reglements). */
  owed: Map<number, number>
}

/** A French IBAN from an invented bank 99999, with valid RIB and IBAN keys (computed by ibantools). */
export function fakeIban(n: number): string {
  return frenchIban('99999', '00001', String(n))
}

const dotted = (phone: string) => `${phone.replace(/\s/g, '').replace(/(\d{2})/g, '$1.')}`

export function generateNoethysFile(path: string, opts: NoethysGenOptions): NoethysGenFacts {
  rmSync(path, { force: true })
  const year = opts.year ?? 2026
  const db = new Database(path)
  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.exec(readFileSync(SCHEMA, 'utf8'))
  const r = prng((opts.seed ?? 7) + 1)
  const ins = (table: string, row: Record<string, unknown>): number => {
    const cols = Object.keys(row)
    return Number(db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...Object.values(row)).lastInsertRowid)
  }
  const facts: NoethysGenFacts = { families: 0, children: 0, persons: 0, mandates: 0, enrolments: 0, owed: new Map() }
  db.transaction(() => {
    for (const [nom, parametre] of [['version', opts.version ?? '1.3.4.2'], ['IDfichier', '20250825093000GEN'], ['date_creation', `${year}-08-25`]]) {
      ins('parametres', { categorie: 'fichier', nom, parametre })
    }
    ins('regimes', { IDregime: 1, nom: 'Régime général' })
    ins('regimes', { IDregime: 2, nom: 'Régime agricole' })
    ins('caisses', { IDcaisse: 1, nom: 'CAF de la Haute-Garonne', IDregime: 1 })
    ins('caisses', { IDcaisse: 2, nom: 'MSA Midi-Pyrénées', IDregime: 2 })
    ins('types_quotients', { IDtype_quotient: 1, nom: 'CAF' })
    ins('categories_medicales', { IDcategorie: 4, nom: 'Allergie' })
    ins('activites', { IDactivite: 1, nom: 'Accueil périscolaire', abrege: 'APS', date_debut: `${year}-09-01`, date_fin: `${year + 1}-07-04` })
    ins('groupes', { IDgroupe: 1, IDactivite: 1, nom: 'Maternels', ordre: 1, nbre_inscrits_max: 0 })
    ins('groupes', { IDgroupe: 2, IDactivite: 1, nom: 'Élémentaires', ordre: 2 })
    ins('unites', { IDunite: 1, IDactivite: 1, ordre: 1, nom: 'Matin', type: 'Unitaire', heure_debut: '07:30', heure_fin: '08:30' })
    ins('unites', { IDunite: 2, IDactivite: 1, ordre: 2, nom: 'Soir', type: 'Unitaire', heure_debut: '16:30', heure_fin: '18:30' })

    const stmts = {
      famille: db.prepare('INSERT INTO familles (IDfamille, date_creation, IDcompte_payeur, IDcaisse, num_allocataire, allocataire, internet_identifiant, etat) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      compte: db.prepare('INSERT INTO comptes_payeurs (IDcompte_payeur, IDfamille) VALUES (?, ?)'),
      individu: db.prepare(
        'INSERT INTO individus (IDindividu, IDcivilite, nom, prenom, date_naiss, adresse_auto, rue_resid, cp_resid, ville_resid, tel_mobile, tel_domicile, mail, profession, deces, etat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)'
      ),
      rattache: db.prepare('INSERT INTO rattachements (IDindividu, IDfamille, IDcategorie, titulaire) VALUES (?, ?, ?, ?)'),
      lien: db.prepare('INSERT INTO liens (IDfamille, IDindividu_sujet, IDtype_lien, IDindividu_objet, IDautorisation) VALUES (?, ?, ?, ?, ?)'),
      quotient: db.prepare('INSERT INTO quotients (IDfamille, date_debut, date_fin, quotient, IDtype_quotient) VALUES (?, ?, ?, ?, 1)'),
      probleme: db.prepare('INSERT INTO problemes_sante (IDindividu, IDtype, intitule) VALUES (?, 4, ?)'),
      inscription: db.prepare("INSERT INTO inscriptions (IDindividu, IDfamille, IDactivite, IDgroupe, IDcompte_payeur, date_inscription, parti, statut) VALUES (?, ?, 1, ?, ?, ?, 0, 'ok')"),
      prestation: db.prepare("INSERT INTO prestations (IDcompte_payeur, IDfamille, date, categorie, label, montant_initial, montant) VALUES (?, ?, ?, 'consommation', 'Soir', ?, ?)"),
      reglement: db.prepare('INSERT INTO reglements (IDcompte_payeur, date, montant) VALUES (?, ?, ?)'),
      mandat: db.prepare("INSERT INTO mandats (IDfamille, rum, type, date, IDindividu, individu_nom, iban, bic, sequence, actif) VALUES (?, ?, 'recurrent', ?, ?, ?, ?, 'FICTFRPPXXX', 'RCUR', 1)")
    }
    let ind = 0
    const families = generateFamilies(opts.families, opts.seed ?? 7, year)
    families.forEach((f, i) => {
      const fid = i + 1
      stmts.compte.run(fid, fid)
      const adults = [f.responsable, ...(f.conjoint ? [f.conjoint] : [])]
      const adultIds: number[] = []
      for (const [k, p] of adults.entries()) {
        const id = ++ind
        adultIds.push(id)
        stmts.individu.run(id, p.civility === 'M.' ? 1 : 3, p.lastName.toUpperCase(), p.firstName, p.birthDate, k ? adultIds[0] : null, k ? null : f.address, k ? null : '31000', k ? null : 'DÉMOVILLE', dotted(p.phoneMobile), null, p.email || null, p.profession || null, null)
        stmts.rattache.run(id, fid, 1, 1)
        facts.persons++
      }
      if (adultIds.length === 2) {
        stmts.lien.run(fid, adultIds[0], 10, adultIds[1], null)
        stmts.lien.run(fid, adultIds[1], 10, adultIds[0], null)
      }
      stmts.famille.run(fid, `${year}-06-01`, fid, r() < 0.9 ? 1 : 2, String(1_000_000 + fid), adultIds[0], `F${String(fid).padStart(5, '0')}`, null)
      if (r() < 0.8) stmts.quotient.run(fid, `${year}-01-01`, `${year}-12-31`, 300 + Math.floor(r() * 1500))
      for (const c of f.children ?? []) {
        const id = ++ind
        stmts.individu.run(id, c.sex === 'F' ? 5 : 4, c.lastName.toUpperCase(), c.firstName, c.birthDate, adultIds[0], null, null, null, null, null, null, null, null)
        stmts.rattache.run(id, fid, 2, 0)
        for (const a of adultIds) {
          stmts.lien.run(fid, a, 1, id, 1)
          stmts.lien.run(fid, id, 2, a, null)
        }
        if (r() < 0.08) stmts.probleme.run(id, 'Allergie aux arachides')
        if (r() < 0.5) {
          stmts.inscription.run(id, fid, c.birthDate > `${year - 6}-01-01` ? 1 : 2, fid, `${year}-08-28`)
          facts.enrolments++
        }
        facts.children++
      }
      // A month of after-school care billed, mostly paid.
      const billed = Math.floor(r() * 8) * 250
      if (billed) {
        stmts.prestation.run(fid, fid, `${year}-09-30`, billed / 100, billed / 100)
        const paid = r() < 0.7 ? billed : 0
        if (paid) stmts.reglement.run(fid, `${year}-10-05`, paid / 100)
        if (billed - paid) facts.owed.set(fid, billed - paid)
      }
      if (r() < 0.3) {
        stmts.mandat.run(fid, `RUM-GEN-${fid}`, `${year}-09-02`, adultIds[0], `${adults[0].lastName.toUpperCase()} ${adults[0].firstName}`, fakeIban(fid))
        facts.mandates++
      }
      facts.families++
    })

    if (opts.anomalies) {
      const next = () => ++ind
      const fid = families.length
      // An invalid e-mail and an impossible birth date on a parent of a new family, and a bad IBAN and a negative QF.
      const a = next()
      stmts.compte.run(fid + 1, fid + 1)
      stmts.famille.run(fid + 1, `${year}-06-01`, fid + 1, 1, '77', a, null, null)
      stmts.individu.run(a, 3, 'ANOMALIE', 'Agathe', '1985-02-31', null, '1 rue Fausse', '31000', 'DÉMOVILLE', '06.39.98.11.11.', null, 'agathe.anomalie@@example', null, null)
      stmts.rattache.run(a, fid + 1, 1, 1)
      const c1 = next()
      stmts.individu.run(c1, 5, 'ANOMALIE', 'Zoé', '2015-02-31', a, null, null, null, null, null, null, null, null)
      stmts.rattache.run(c1, fid + 1, 2, 0)
      const c2 = next()
      stmts.individu.run(c2, 4, 'ANOMALIE', 'Tom', '2018-04-12', a, null, null, null, null, null, null, null, null)
      stmts.rattache.run(c2, fid + 1, 2, 0)
      stmts.quotient.run(fid + 1, `${year}-01-01`, `${year}-12-31`, -40)
      stmts.mandat.run(fid + 1, 'RUM-ANOMALIE', `${year}-09-02`, a, 'ANOMALIE Agathe', 'FR7699999000010000000000099')
      // Tom is also attached to the first family (separated parents).
      stmts.rattache.run(c2, 1, 2, 0)
      // An erased family, a family with only a child, an orphan rattachement.
      stmts.compte.run(fid + 2, fid + 2)
      stmts.famille.run(fid + 2, `${year}-06-01`, fid + 2, null, null, null, null, 'efface')
      const e = next()
      stmts.individu.run(e, 1, 'EFFACE', 'X', null, null, null, null, null, null, null, null, null, 'efface')
      stmts.rattache.run(e, fid + 2, 1, 1)
      stmts.compte.run(fid + 3, fid + 3)
      stmts.famille.run(fid + 3, `${year}-06-01`, fid + 3, null, null, null, null, null)
      const lone = next()
      stmts.individu.run(lone, 5, 'SEULE', 'Enfant', '2019-01-01', null, null, null, null, null, null, null, null, null)
      stmts.rattache.run(lone, fid + 3, 2, 0)
      stmts.rattache.run(999_999, 1, 3, 0)
    }
  })()
  for (const [table, column] of opts.dropColumns ?? []) db.exec(`DROP INDEX IF EXISTS index_${table}_${column}; ALTER TABLE ${table} DROP COLUMN ${column}`)
  db.close()
  return facts
}
