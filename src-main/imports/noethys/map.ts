import { fileTypeFromBuffer } from 'file-type'
import { cafValues, MAX_UPLOAD_BYTES, type CafValues, type PickupPerson } from '@shared/contract/family-file-shapes'
import { ibanError, compactIban, isBic, maskIban } from '@shared/validators'
import { epcIdProblem } from '../../billing/sepa/epc-text'
import { formatEuro } from '@shared/billing/money'
import { emptyPlan, personName, type ImportPlan, type PlanFamily, type PlanMandate } from '../plan'
import { cleanText, frDay, parseDay, parseQuotient } from '../values'
import type { NoethysFile, NoethysVersion } from './file'
import { AUTHORISATIONS, CATEGORY, capitalise, linkLabel, SITUATION_BY_LINK } from './codes'
import { readActivities } from './activities'
import {
  childFromIndividu,
  FamilyReport,
  individuName,
  INDIVIDU_COLUMNS,
  isFeminine,
  num,
  personFromIndividu,
  pickupFrom,
  resolveAddress,
  str,
  type HealthSource,
  type People,
  type Row
} from './people'

/** Families read per batch: a few hundred keeps memory flat and queries few. */
const FAMILY_BATCH = 500

export interface NoethysOptions {
  /** Carry each family's balance over as an opening entry. */
  openingBalances: boolean
  /** Import the active SEPA mandates. */
  mandates: boolean
}

const byIdMap = (rows: Row[], key: string) => new Map(rows.map((r) => [num(r[key]) ?? 0, r]))

/**
 * Reads a Noethys data file into an import plan: families from their
 * titulaires (NOTES §3.1), children, contacts, CAF and quotients, health,
 * schooling, activities and enrolments, and optionally balances and SEPA
 * mandates. Nothing is written: the plan is what the preview shows.
 */
export async function planFromNoethys(
  f: NoethysFile,
  photos: NoethysFile | null,
  version: NoethysVersion,
  opts: NoethysOptions & { today: string }
): Promise<ImportPlan> {
  const plan = emptyPlan('noethys')
  const { today } = opts
  plan.facts.push({ label: 'Fichier Noethys', value: `version ${version.version}${version.createdOn ? `, créé le ${frDay(version.createdOn.slice(0, 10))}` : ''}` })

  // Reference tables are small: read whole. People, links, quotients, health… are read family by family
  // (indexed lookups on our private copy), so a 20,000-family file is never held whole in memory.
  const people = f.rowsBy('individus', INDIVIDU_COLUMNS, 'IDindividu')
  const byId = { get: (id: number) => people.first(id), has: (id: number) => people.has(id) }
  const familles = f.rows('familles', ['IDfamille', 'IDcompte_payeur', 'IDcaisse', 'num_allocataire', 'allocataire', 'internet_identifiant', 'memo', 'email_factures', 'email_recus', 'autorisation_cafpro', 'autre_adresse_facturation', 'etat', 'prelevement_activation', 'prelevement_iban', 'prelevement_bic', 'prelevement_reference_mandat', 'prelevement_date_mandat', 'prelevement_nom'] as const, 'IDfamille')
  const attached = f.rowsBy('rattachements', ['IDrattachement', 'IDindividu', 'IDfamille', 'IDcategorie', 'titulaire'] as const, 'IDfamille', { orderBy: 'IDrattachement' })
  const liens = f.rowsBy('liens', ['IDfamille', 'IDindividu_sujet', 'IDtype_lien', 'IDindividu_objet', 'IDautorisation'] as const, 'IDfamille')
  const quotients = f.rowsBy('quotients', ['IDquotient', 'IDfamille', 'date_debut', 'date_fin', 'quotient', 'observations', 'revenu', 'IDtype_quotient'] as const, 'IDfamille', { orderBy: 'date_debut' })
  const typesQuotient = new Map(f.rows('types_quotients', ['IDtype_quotient', 'nom'] as const).map((r) => [num(r.IDtype_quotient) ?? 0, str(r.nom)]))
  const caisses = byIdMap(f.rows('caisses', ['IDcaisse', 'nom', 'IDregime'] as const), 'IDcaisse')
  const jobs = new Map(f.rows('categories_travail', ['IDcategorie', 'nom'] as const).map((r) => [num(r.IDcategorie) ?? 0, str(r.nom)]))
  const problems = f.rowsBy('problemes_sante', ['IDindividu', 'IDtype', 'intitule', 'date_debut', 'date_fin', 'description', 'traitement_medical', 'description_traitement', 'eviction', 'date_debut_eviction', 'date_fin_eviction'] as const, 'IDindividu')
  const vaccines = f.rowsBy('vaccins', ['IDindividu', 'IDtype_vaccin', 'date'] as const, 'IDindividu', { orderBy: 'date' })
  const vaccineNames = new Map(f.rows('types_vaccins', ['IDtype_vaccin', 'nom'] as const).map((r) => [num(r.IDtype_vaccin) ?? 0, str(r.nom)]))
  const doctors = byIdMap(f.rows('medecins', ['IDmedecin', 'nom', 'prenom', 'tel_cabinet', 'tel_mobile'] as const), 'IDmedecin')
  const naps = new Map(f.rows('types_sieste', ['IDtype_sieste', 'nom'] as const).map((r) => [num(r.IDtype_sieste) ?? 0, str(r.nom)]))
  const schooling = f.rowsBy('scolarite', ['IDindividu', 'date_debut', 'date_fin', 'IDecole', 'IDniveau'] as const, 'IDindividu', { orderBy: 'date_debut' })
  const schools = new Map(f.rows('ecoles', ['IDecole', 'nom'] as const).map((r) => [num(r.IDecole) ?? 0, str(r.nom)]))
  const levels = new Map(f.rows('niveaux_scolaires', ['IDniveau', 'abrege', 'nom'] as const).map((r) => [num(r.IDniveau) ?? 0, str(r.abrege) || str(r.nom)]))
  const messagesByFamily = f.rowsBy('messages', ['IDfamille', 'IDindividu', 'texte', 'date_saisie'] as const, 'IDfamille', { orderBy: 'date_saisie' })
  const messagesByIndividu = f.rowsBy('messages', ['IDfamille', 'IDindividu', 'texte', 'date_saisie'] as const, 'IDindividu', { orderBy: 'date_saisie', where: `COALESCE(NULLIF("IDfamille", ''), 0) = 0` })
  const mandats = f.rowsBy('mandats', ['IDmandat', 'IDfamille', 'rum', 'type', 'date', 'IDindividu', 'individu_nom', 'iban', 'bic', 'sequence', 'actif', 'memo'] as const, 'IDfamille', { orderBy: 'date' })
  const enrolmentsOf = f.rowsBy('inscriptions', ['IDinscription', 'IDindividu', 'IDfamille', 'IDactivite', 'statut', 'parti', 'date_desinscription'] as const, 'IDindividu', { orderBy: 'IDinscription' })
  const balances = opts.openingBalances ? readBalances(f) : new Map<number, number>()
  const familyById = byIdMap(familles, 'IDfamille')

  // A child attached to several families (separated parents): the child's first household is the family holding
  // its enrolment in force, else the first family; one other family becomes its second household (issue 16), with
  // the child's file in common. A third family (rare) only gets a note.
  const childFamilies = multiFamilyChildren(f, familyById)
  const hasTitulaire = (fid: number) => attached.get(fid).some((r) => num(r.IDcategorie) === CATEGORY.representant && byId.has(num(r.IDindividu) ?? 0))
  const ownerOf = (childId: number, fid: number): number | null => {
    const all = childFamilies.get(childId)
    if (!all) return fid
    const fams = all.filter(hasTitulaire).sort((a, b) => a - b)
    const through = enrolmentsOf.get(childId).find((i) => {
      const left = parseDay(i.date_desinscription, '')
      return !(str(i.statut) === 'refus' || num(i.parti) === 1 || (left.ok && left.value && left.value < today))
    })
    const throughFamily = through ? num(through.IDfamille) : null
    return throughFamily && fams.includes(throughFamily) ? throughFamily : (fams[0] ?? null)
  }
  /** The second household of a child attached to several families: the first other one with a titulaire. */
  const secondHouseholdOf = (childId: number, owner: number | null): number | null =>
    owner === null ? null : ((childFamilies.get(childId) ?? []).filter((x) => x !== owner && hasTitulaire(x)).sort((a, b) => a - b)[0] ?? null)
  const familyLabel = (fid: number) => {
    const tit = attached.get(fid).filter((r) => num(r.IDcategorie) === CATEGORY.representant).map((r) => byId.get(num(r.IDindividu) ?? 0)).filter(Boolean) as Row[]
    return `dossier Noethys n° ${fid}${tit[0] ? ` (${individuName(tit[0])})` : ''}`
  }

  let erased = 0
  let orphanLinks = 0
  let mandatesTotal = 0
  const rums = new Set<string>()
  const counts = { contacts: 0, quotients: 0, health: 0 }
  for (let at = 0; at < familles.length; at += FAMILY_BATCH) {
    const chunk = familles.slice(at, at + FAMILY_BATCH)
    const fids = chunk.map((fa) => num(fa.IDfamille)!)
    for (const t of [attached, liens, quotients, messagesByFamily, mandats]) t.load(fids)
    const iids = new Set(fids.flatMap((fid) => attached.get(fid).map((r) => num(r.IDindividu)!)))
    // A person `adresse_auto` points at outside these families (rare) is read on its own when asked for.
    for (const t of [people, problems, vaccines, schooling, messagesByIndividu, enrolmentsOf]) t.load(iids)
    for (const fam of chunk) {
      const fid = num(fam.IDfamille)!
      if (str(fam.etat) === 'efface') {
        erased++
        continue
      }
      const members = attached.get(fid).filter((r) => {
        const ok = byId.has(num(r.IDindividu) ?? 0) && str(byId.get(num(r.IDindividu) ?? 0)!.etat) !== 'efface'
        if (!ok) orphanLinks++
        return ok
      })
      const reps = members.filter((r) => num(r.IDcategorie) === CATEGORY.representant)
      const ind = (r: Row) => byId.get(num(r.IDindividu) ?? 0)!
      // Titulaires first, ordered by civility as Noethys names the family (UTILS_Titulaires), then the other représentants.
      const ordered = [...reps].sort((a, b) => (num(b.titulaire) ?? 0) - (num(a.titulaire) ?? 0) || (num(ind(a).IDcivilite) ?? 9) - (num(ind(b).IDcivilite) ?? 9) || (num(a.IDindividu) ?? 0) - (num(b.IDindividu) ?? 0))
      const firstName = ordered[0] ? individuName(ind(ordered[0])) : ''
      const report = new FamilyReport(`Famille Noethys n° ${fid}${firstName ? ` (${firstName})` : ''}`, plan.issues)
      if (!ordered.length) {
        report.refused('Aucun représentant rattaché : une famille Ribambelle a au moins un responsable.', 'famille non importée')
        continue
      }
      const familyLinks = new Map(liens.get(fid).map((l) => [`${num(l.IDindividu_sujet)}>${num(l.IDindividu_objet)}`, l]))
      const linkOf = (sujet: number, objet: number) => familyLinks.get(`${sujet}>${objet}`) ?? null
      const childRows = members.filter((r) => num(r.IDcategorie) === CATEGORY.enfant)
      const titulaires = ordered.filter((r) => num(r.titulaire) === 1)
      const pair = (titulaires.length ? titulaires : ordered).slice(0, 2).map(ind)
      const situationLink = pair.length === 2 ? (linkOf(num(pair[0].IDindividu)!, num(pair[1].IDindividu)!) ?? linkOf(num(pair[1].IDindividu)!, num(pair[0].IDindividu)!)) : null
      const situation = situationLink ? (SITUATION_BY_LINK[num(situationLink.IDtype_lien) ?? 0] ?? '') : ''
      const qualityOf = (p: Row) => {
        const labels = new Set(childRows.map((c) => linkLabel(num(linkOf(num(p.IDindividu)!, num(c.IDindividu)!)?.IDtype_lien), isFeminine(p))).filter(Boolean))
        return labels.size === 1 ? capitalise([...labels][0]!) : ''
      }
      const ctx = { byId, jobs, today }
      let people = pair.map((p) => personFromIndividu(p, ctx, { quality: qualityOf(p), situation }, report))
      if (!people[0] && people[1]) people = [people[1], null]
      const [responsable, conjoint] = people
      if (!responsable) {
        report.refused('Le représentant principal n’a pas pu être importé (voir ci-dessus).', 'famille non importée')
        continue
      }
      const respRow = people[0] === responsable ? pair[0] : pair[1]
      const conjRow = conjoint ? pair[1] : null
      const address = resolveAddress(respRow, byId)

      // Everyone else attached as représentant or contact, and what they may do for each child.
      const others = members.filter((r) => {
        const id = num(r.IDindividu)
        return num(r.IDcategorie) !== CATEGORY.enfant && id !== num(respRow.IDindividu) && id !== (conjRow ? num(conjRow.IDindividu) : null)
      })
      const pickupsByChild = new Map<number, PickupPerson[]>()
      for (const o of others) {
        const person = ind(o)
        const who = individuName(person)
        const role = num(o.IDcategorie) === CATEGORY.representant ? 'représentant(e)' : 'contact'
        const phones = [str(person.tel_mobile), str(person.tel_domicile), str(person.travail_tel)].filter(Boolean).join(', ')
        const contactLine = [phones && `tél. ${phones}`, str(person.mail) && str(person.mail)].filter(Boolean).join(', ')
        report.note(`${capitalise(role)} : ${who}${contactLine ? ` — ${contactLine}` : ''}`)
        counts.contacts++
        for (const c of childRows) {
          const l = linkOf(num(person.IDindividu)!, num(c.IDindividu)!)
          if (!l) continue
          const rel = linkLabel(num(l.IDtype_lien), isFeminine(person)) ?? ''
          const auth = num(l.IDautorisation)
          const child = individuName(ind(c))
          if (auth === 3) {
            const p = pickupFrom(person, rel, child, report)
            if (p) pickupsByChild.set(num(c.IDindividu)!, [...(pickupsByChild.get(num(c.IDindividu)!) ?? []), p])
          } else if (auth) {
            report.note(`${who}${rel ? ` (${rel})` : ''} ${AUTHORISATIONS[auth] ?? `autorisation n° ${auth}`} pour ${child}`)
          }
        }
      }

      const children = []
      const sharedChildKeys: string[] = []
      for (const c of childRows) {
        const cid = num(c.IDindividu)!
        const child = ind(c)
        const who = individuName(child)
        const owner = ownerOf(cid, fid)
        const otherFamilies = (childFamilies.get(cid) ?? []).filter((x) => x !== fid)
        const second = secondHouseholdOf(cid, owner)
        if (owner !== fid) {
          const f = isFeminine(child)
          const born = `${who} (${f ? 'née' : 'né'} le ${frDay(str(child.date_naiss).slice(0, 10))})`
          if (second === fid) {
            sharedChildKeys.push(String(cid))
            report.note(`${born} est aussi ${f ? 'rattachée' : 'rattaché'} à la famille du ${familyLabel(owner ?? 0)} : ${f ? 'elle' : 'il'} est l’enfant des deux foyers, avec un dossier commun (identité, santé, autorisations).`)
          } else {
            report.note(`${born} est aussi ${f ? 'rattachée' : 'rattaché'} à cette famille dans Noethys ; Ribambelle ${f ? 'la' : 'le'} garde dans la famille du ${familyLabel(owner ?? 0)} et dans un second foyer au plus.`)
          }
          continue
        }
        if (otherFamilies.length) {
          const f = isFeminine(child)
          report.note(`${who} est aussi ${f ? 'rattachée' : 'rattaché'} dans Noethys au ${otherFamilies.map(familyLabel).join(', au ')} ; ${second ? `son second foyer est la famille du ${familyLabel(second)}, avec un dossier commun` : `Ribambelle ${f ? 'la' : 'le'} garde dans cette famille-ci`}.`)
        }
        const schoolRows = schooling.get(cid)
        const school = schoolRows.filter((s) => str(s.date_debut) <= today && (!str(s.date_fin) || str(s.date_fin) >= today)).pop() ?? schoolRows.at(-1)
        const linkTo = (p: Row | null) => (p ? capitalise(linkLabel(num(linkOf(num(p.IDindividu)!, cid)?.IDtype_lien), isFeminine(p)) ?? '') : '')
        const health: HealthSource = {
          problems: problems.get(cid),
          vaccines: vaccines.get(cid),
          vaccineNames,
          doctor: doctors.get(num(child.IDmedecin) ?? 0) ?? null,
          nap: naps.get(num(child.IDtype_sieste) ?? 0) ?? null
        }
        const planned = childFromIndividu(
          child,
          {
            today,
            school: school ? (schools.get(num(school.IDecole) ?? 0) ?? '').slice(0, 100) : '',
            grade: school ? (levels.get(num(school.IDniveau) ?? 0) ?? '').slice(0, 50) : '',
            linkResponsable: linkTo(respRow),
            linkConjoint: linkTo(conjRow),
            health,
            pickups: (pickupsByChild.get(cid) ?? []).slice(0, 10)
          },
          report
        )
        if (!planned) continue
        if (planned.health) counts.health++
        for (const m of messagesByIndividu.get(cid)) report.note(`Message sur ${who} : ${cleanText(m.texte)}`)
        children.push(planned)
      }
      for (const p of pair) for (const m of messagesByIndividu.get(num(p.IDindividu)!)) report.note(`Message sur ${individuName(p)} : ${cleanText(m.texte)}`)

      const caf = cafFrom(fam, { caisses, byId, quotients: quotients.get(fid), typesQuotient, today }, report)
      if (caf?.quotient !== null && caf?.quotient !== undefined) counts.quotients++
      let mandate: PlanMandate | null = null
      if (opts.mandates) {
        mandate = mandateFrom(fam, mandats.get(fid), { byId, responsable: personName(responsable), today, rums }, report)
        if (mandate) {
          rums.add(mandate.rum)
          mandatesTotal++
        }
      }
      const balance = balances.get(fid) ?? 0
      if (balance) {
        report.note(`Solde Noethys au ${frDay(today)} : ${balance > 0 ? `la famille doit ${formatEuro(balance)}` : `avoir de ${formatEuro(-balance)} en faveur de la famille`} (repris en écriture d’ouverture).`)
      }

      report.note(`Dossier Noethys n° ${fid}${str(fam.internet_identifiant) ? `, identifiant du portail ${str(fam.internet_identifiant)} (mot de passe non repris)` : ''}.`)
      if (str(fam.memo)) report.note(`Mémo de la famille : ${cleanText(fam.memo)}`)
      for (const m of messagesByFamily.get(fid)) report.note(`Message : ${cleanText(m.texte)}`)
      for (const [col, what] of [['email_factures', 'factures'], ['email_recus', 'reçus']] as const) {
        const to = emailList(str(fam[col]), byId)
        if (to) report.note(`Envoi des ${what} par e-mail demandé, à : ${to}`)
      }
      if (str(fam.autre_adresse_facturation)) report.note(`Adresse de facturation : ${str(fam.autre_adresse_facturation).split('##').filter(Boolean).join(', ')}`)
      if (num(fam.autorisation_cafpro) === 1) report.note('Consultation CDAP (ex-CAFPRO) autorisée par la famille.')

      const family: PlanFamily = {
        key: String(fid),
        ref: report.ref,
        row: null,
        status: str(fam.etat) === 'archive' ? 'archived' : 'active',
        responsable,
        conjoint,
        address: address.rue.slice(0, 200),
        postalCode: responsable.postalCode,
        city: responsable.city,
        children,
        sharedChildKeys,
        caf,
        mandate,
        openingBalanceCents: balance,
        notes: report.notes
      }
      plan.families.push(family)
    }
  }

  if (photos) await attachPhotos(photos, plan)
  readActivities(f, plan, { today, childKeys: new Set(plan.families.flatMap((fa) => fa.children.map((c) => c.key))) })

  plan.mapping = [
    { from: 'familles + représentants titulaires (rattachements)', to: 'Familles : responsable et conjoint', count: plan.families.length },
    { from: 'individus de catégorie Enfant', to: 'Enfants', count: plan.families.reduce((s, fa) => s + fa.children.length, 0) },
    { from: 'contacts avec autorisation « raccompagnement »', to: 'Personnes autorisées de la fiche enfant', count: plan.families.reduce((s, fa) => s + fa.children.reduce((t, c) => t + c.pickups.length, 0), 0), note: 'Les autres contacts et représentants vont dans la note « informations importées ».' },
    { from: 'caisses, num_allocataire, allocataire, quotients', to: 'Informations CAF et quotient familial (période en cours, sinon la plus récente)', count: counts.quotients, note: 'Les autres périodes de QF vont dans la note.' },
    { from: 'problemes_sante, vaccins, medecins, types_sieste', to: 'Données sanitaires de l’enfant', count: counts.health },
    { from: 'scolarite, ecoles, niveaux_scolaires', to: 'École et classe de l’enfant', count: plan.families.reduce((s, fa) => s + fa.children.filter((c) => c.school).length, 0) },
    { from: 'activites, groupes, unites', to: 'Activités, groupes et unités (nouvelle structure « Importé de Noethys »)', count: plan.activities.length, note: 'Le type (mercredi, périscolaire…) est deviné d’après le nom ; les tarifs et les jours d’ouverture sont à ressaisir.' },
    { from: 'inscriptions en cours', to: 'Inscriptions (validée, ou liste d’attente)', count: plan.enrolments.length },
    { from: 'reglements − prestations', to: 'Écriture d’ouverture sur la prochaine facture', count: opts.openingBalances ? plan.families.filter((fa) => fa.openingBalanceCents !== 0).length : 0, note: opts.openingBalances ? undefined : 'Option non cochée : les soldes ne sont pas repris.' },
    { from: 'mandats actifs', to: 'Mandats SEPA', count: mandatesTotal, note: opts.mandates ? undefined : 'Option non cochée : les mandats ne sont pas repris.' },
    { from: 'photos (…_PHOTOS.dat)', to: 'Documents de l’enfant (photo)', count: plan.families.reduce((s, fa) => s + fa.children.filter((c) => c.photo).length, 0), note: photos ? undefined : 'Aucun fichier de photos fourni.' },
    { from: 'familles.memo, messages, autres valeurs', to: 'Note « informations importées » de la famille', count: plan.families.filter((fa) => fa.notes.length > 0).length }
  ]
  if (erased) plan.skipped.push({ label: 'Dossiers effacés (RGPD)', count: erased, reason: 'Anonymisés dans Noethys (état « efface ») : rien à reprendre.' })
  if (orphanLinks) plan.skipped.push({ label: 'Rattachements sans individu', count: orphanLinks, reason: 'Ils désignent un individu absent ou effacé du fichier.' })
  const addressBook = f.has('contacts') ? (f.db.prepare('SELECT COUNT(*) AS n FROM contacts').get() as { n: number }).n : 0
  if (addressBook) plan.skipped.push({ label: 'Carnet d’adresses (table contacts)', count: addressBook, reason: 'Contacts sans lien avec une famille.' })
  for (const [table, label] of [['tarifs', 'Tarifs'], ['consommations', 'Consommations (réservations et présences)'], ['factures', 'Factures'], ['cotisations', 'Cotisations']] as const) {
    const c = f.has(table) ? (f.db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n : 0
    if (c) plan.skipped.push({ label, count: c, reason: table === 'tarifs' ? 'À ressaisir dans Tarifs et régies (les règles de calcul diffèrent).' : 'L’historique reste dans Noethys ; le solde de chaque famille peut être repris (option).' })
  }
  return plan
}

/** Children attached (as children) to more than one family that is not erased: IDindividu → IDfamille list. */
function multiFamilyChildren(f: NoethysFile, familyById: Map<number, Row>): Map<number, number[]> {
  const out = new Map<number, number[]>()
  if (!f.has('rattachements', 'IDcategorie')) return out
  const rows = f.db
    .prepare(`SELECT IDindividu AS id, GROUP_CONCAT(DISTINCT IDfamille) AS fams FROM rattachements WHERE IDcategorie = ${CATEGORY.enfant} GROUP BY IDindividu HAVING COUNT(DISTINCT IDfamille) > 1`)
    .all() as { id: number; fams: string }[]
  for (const r of rows) {
    const fams = r.fams.split(',').map(Number).filter((fid) => familyById.has(fid) && str(familyById.get(fid)!.etat) !== 'efface')
    if (fams.length > 1) out.set(r.id, fams)
  }
  return out
}

/** Σ reglements − Σ prestations per family (NOTES §3.8), each amount rounded to the cent; returned as what the family owes. */
function readBalances(f: NoethysFile): Map<number, number> {
  const out = new Map<number, number>()
  if (!f.has('comptes_payeurs', 'IDfamille')) return out
  const sum = (table: string) =>
    f.has(table, 'montant') && f.has(table, 'IDcompte_payeur')
      ? (f.db.prepare(`SELECT c.IDfamille AS fid, SUM(CAST(ROUND(t.montant * 100) AS INTEGER)) AS cents FROM "${table}" t JOIN comptes_payeurs c ON c.IDcompte_payeur = t.IDcompte_payeur GROUP BY c.IDfamille`).all() as { fid: number; cents: number }[])
      : []
  for (const r of sum('prestations')) out.set(r.fid, (out.get(r.fid) ?? 0) + r.cents)
  for (const r of sum('reglements')) out.set(r.fid, (out.get(r.fid) ?? 0) - r.cents)
  for (const [k, v] of out) if (!v) out.delete(k)
  return out
}

/** "1;perso;##;;x@y.fr" → "pierre@…, x@y.fr" (DLG_Selection_email's format: IDindividu;perso|travail;adresse). */
function emailList(raw: string, byId: People): string {
  if (!raw) return ''
  const out: string[] = []
  for (const part of raw.split('##')) {
    const [id, cat, addr] = part.split(';')
    if (addr) out.push(addr)
    else if (id && byId.get(Number(id))) {
      const ind = byId.get(Number(id))!
      const a = cat === 'travail' ? str(ind.travail_mail) : str(ind.mail)
      if (a) out.push(a)
    }
  }
  return [...new Set(out)].join(', ')
}

function cafFrom(
  fam: Row,
  ctx: { caisses: Map<number, Row>; byId: People; quotients: Row[]; typesQuotient: Map<number, string>; today: string },
  report: FamilyReport
): CafValues | null {
  const caisse = ctx.caisses.get(num(fam.IDcaisse) ?? 0)
  const regimeId = caisse ? num(caisse.IDregime) : null
  const regime = !caisse ? '' : regimeId === 2 || /msa/i.test(str(caisse.nom)) ? 'msa' : regimeId === 1 ? 'general' : 'autre'
  if (caisse) report.note(`Caisse : ${str(caisse.nom)}`)
  const alloc = ctx.byId.get(num(fam.allocataire) ?? 0)
  const rawNumber = str(fam.num_allocataire)
  let allocataireNumber = rawNumber.replace(/[\s.\-/]/g, '')
  if (allocataireNumber !== rawNumber) report.note(`N° allocataire tel que saisi dans Noethys : ${rawNumber}`)
  if (allocataireNumber && !cafValues.shape.allocataireNumber.safeParse(allocataireNumber).success) {
    report.dropped('Informations CAF', { field: 'allocataireNumber', label: 'N° allocataire', raw: rawNumber, message: 'Numéro allocataire invalide : chiffres et lettres uniquement, 15 au plus.' })
    allocataireNumber = ''
  }
  // Valid periods; the one in force today (CAF type), else the most recent, becomes the family's QF.
  const periods: { q: number; from: string | null; to: string | null; type: string; row: Row }[] = []
  for (const q of ctx.quotients) {
    const value = parseQuotient(q.quotient)
    const from = parseDay(q.date_debut, 'Début')
    const to = parseDay(q.date_fin, 'Fin')
    const problem = !value.ok ? value.message : value.value === null ? 'Quotient familial : valeur absente.' : !from.ok ? `QF : ${from.message}` : !to.ok ? `QF : ${to.message}` : from.value && to.value && to.value < from.value ? `QF : la fin (${frDay(to.value)}) précède le début (${frDay(from.value)}).` : null
    if (problem) {
      report.refused(`Quotient n° ${num(q.IDquotient)} — ${problem}`, 'période de QF non importée, gardée dans la note')
      report.note(`QF non repris : « ${str(q.quotient)} » du ${str(q.date_debut)} au ${str(q.date_fin)} (${problem})`)
      continue
    }
    periods.push({ q: (value as { value: number }).value, from: (from as { value: string | null }).value, to: (to as { value: string | null }).value, type: ctx.typesQuotient.get(num(q.IDtype_quotient) ?? 1) ?? 'CAF', row: q })
  }
  const current =
    periods.filter((p) => (!p.from || p.from <= ctx.today) && (!p.to || p.to >= ctx.today)).sort((a, b) => (a.type === 'CAF' ? 0 : 1) - (b.type === 'CAF' ? 0 : 1))[0] ??
    [...periods].sort((a, b) => (a.to ?? '9999') .localeCompare(b.to ?? '9999')).at(-1) ??
    null
  for (const p of periods) {
    const line = `QF ${p.type} ${p.q} du ${frDay(p.from) || '?'} au ${frDay(p.to) || '?'}${num(p.row.revenu) ? `, revenus ${num(p.row.revenu)} €` : ''}${str(p.row.observations) ? ` (${str(p.row.observations)})` : ''}`
    report.note(p === current ? `${line} — repris comme quotient de la famille` : line)
  }
  if (!caisse && !allocataireNumber && !current) return null
  return cafValues.parse({
    allocataireName: alloc ? individuName(alloc).slice(0, 100) : '',
    regime,
    allocataireNumber,
    quotient: current?.q ?? null,
    quotientValidUntil: current?.to ?? null
  })
}

function mandateFrom(fam: Row, rows: Row[], ctx: { byId: People; responsable: string; today: string; rums: Set<string> }, report: FamilyReport): PlanMandate | null {
  const active = rows.filter((r) => num(r.actif) === 1).reverse()
  for (const r of rows.filter((x) => num(x.actif) !== 1)) report.note(`Mandat inactif dans Noethys : RUM ${str(r.rum)}, IBAN ${maskIban(str(r.iban))}, signé le ${frDay(str(r.date))}`)
  for (const r of active.slice(1)) report.note(`Autre mandat actif non repris (un seul par famille) : RUM ${str(r.rum)}, IBAN ${maskIban(str(r.iban))}`)
  // Files from before the mandats table (1.1.1.3) kept the mandate on the family.
  const legacy =
    !rows.length && num(fam.prelevement_activation) === 1 && str(fam.prelevement_iban)
      ? { rum: fam.prelevement_reference_mandat, iban: fam.prelevement_iban, bic: fam.prelevement_bic, date: fam.prelevement_date_mandat, individu_nom: fam.prelevement_nom, sequence: null, type: 'recurrent', memo: null }
      : null
  const m: Row | undefined = active[0] ?? legacy ?? undefined
  if (!m) return null
  const ref = `Mandat SEPA ${str(m.rum) || '(sans RUM)'}`
  const fail = (message: string) => {
    report.refused(`${ref} — ${message}`, 'mandat non importé, gardé dans la note')
    report.note(`Mandat non repris : RUM ${str(m.rum)}, IBAN ${maskIban(str(m.iban))}, signé le ${str(m.date)} (${message})`)
    return null
  }
  const iban = compactIban(str(m.iban))
  const ibanProblem = ibanError(iban)
  if (ibanProblem) return fail(ibanProblem)
  const bic = str(m.bic).replace(/\s/g, '').toUpperCase()
  if (bic && !isBic(bic)) return fail('BIC invalide (8 ou 11 caractères).')
  const rum = str(m.rum)
  if (!rum) return fail('RUM absente.')
  const rumProblem = epcIdProblem(rum)
  if (rumProblem) return fail(`RUM : ${rumProblem}`)
  if (ctx.rums.has(rum)) return fail('RUM déjà utilisée par une autre famille du fichier.')
  const signed = parseDay(m.date, 'Date de signature')
  if (!signed.ok) return fail(signed.message)
  if (!signed.value) return fail('Date de signature absente.')
  if (signed.value > ctx.today) return fail('Date de signature dans le futur.')
  const seq = str(m.sequence).toUpperCase()
  const sequenceType = str(m.type) === 'ponctuel' ? 'OOFF' : seq === 'FRST' || seq === 'RCUR' || seq === 'FNAL' || seq === 'OOFF' ? seq : 'RCUR'
  if (!['FRST', 'RCUR', 'FNAL', 'OOFF'].includes(seq)) report.note(`Mandat ${rum} : séquence Noethys « ${str(m.sequence) || 'vide'} », reprise en RCUR (récurrent) comme le fait Noethysweb.`)
  if (legacy) report.note(`Mandat ${rum} repris des anciennes colonnes « prélèvement » de la famille (fichier d’avant la table des mandats).`)
  const holder = str(m.individu_nom) || (ctx.byId.get(num(m.IDindividu) ?? 0) ? individuName(ctx.byId.get(num(m.IDindividu) ?? 0)!) : ctx.responsable)
  if (str(m.memo)) report.note(`Mandat ${rum} : ${cleanText(m.memo)}`)
  return { rum, holder: holder.slice(0, 70), iban, bic, signedOn: signed.value, sequenceType: sequenceType as PlanMandate['sequenceType'] }
}

/** Photos of the imported children from `_PHOTOS.dat` (JPEG or PNG, checked from their bytes). */
async function attachPhotos(photos: NoethysFile, plan: ImportPlan): Promise<void> {
  if (!photos.has('photos', 'photo')) return
  const children = new Map(plan.families.flatMap((fa) => fa.children.map((c) => [c.key, { child: c, family: fa }] as const)))
  for (const p of photos.rows('photos', ['IDphoto', 'IDindividu', 'photo'] as const, 'IDphoto')) {
    const hit = children.get(String(num(p.IDindividu)))
    if (!hit || !Buffer.isBuffer(p.photo)) continue
    const data = p.photo as Buffer
    const type = await fileTypeFromBuffer(data)
    const who = personName(hit.child)
    if (!type || !['image/jpeg', 'image/png'].includes(type.mime) || data.length > MAX_UPLOAD_BYTES) {
      plan.issues.push({ row: null, ref: hit.family.ref, message: `Photo de ${who} : ${!type || data.length <= MAX_UPLOAD_BYTES ? 'ni JPEG ni PNG' : 'plus de 6 Mo'}.`, effect: 'photo non importée', level: 'refused' })
      continue
    }
    hit.child.photo = data
  }
}

