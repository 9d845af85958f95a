import type { Content } from 'pdfmake/interfaces'
import { addDays, addMonths, frDay, frMonth, isoWeekday, lastDayOfMonth, monthOf } from '@shared/bookings/days'
import { StaffUser } from '../accounts/entities'
import { Activity, ActivityPeriod } from '../activities/entities'
import { renderPdf } from '../billing/pdf/printer'
import type { Actor } from '../core/actor'
import type { Core } from '../core/app-core'
import { parisDay } from '../core/clock'
import { publishDocument } from '../documents/documents'
import { stageUpload } from '../documents/storage'
import { saveNews } from '../news/news'
import { contactColumns } from '../settings/contact'
import { Structure } from '../settings/entities'
import { prng } from './generate'

type StaffActor = Extract<Actor, { kind: 'staff' }>

/** « de décembre 2026 », « d’avril 2027 ». */
const ofMonth = (month: string) => {
  const m = frMonth(month)
  return /^[aeiou]/.test(m) ? `d’${m}` : `de ${m}`
}

/**
 * What the demo's portal shows besides the families' own data, dated from
 * the demo's clock so it never reads as stale: the Contact page's hours and
 * phones, the canteen menus of this month and the next (real PDFs in
 * « Téléchargements », as the news promises), the règlement intérieur, and
 * two news items — the menus, and the next holiday centre's enrolment window.
 */
export async function seedDemoPortal(core: Core): Promise<void> {
  const today = parisDay(core.clock.now())
  await core.tx.run((m) =>
    m.update(
      Structure,
      { id: 1 },
      contactColumns({
        openingHours: [
          { service: 'Accueil administratif', hours: 'Lundi, mardi, jeudi, vendredi : 8h30-12h et 13h30-17h30 ; mercredi : 8h30-12h' },
          { service: 'Accueil périscolaire (ALAE)', hours: 'Jours d’école : 7h30-8h20, pause méridienne, 16h-18h30' },
          { service: 'Centre de loisirs', hours: 'Mercredis et vacances scolaires : 7h30-18h30' }
        ],
        contactPhones: [
          { label: 'Restauration scolaire', phone: '05 61 00 00 01' },
          { label: 'Centre de loisirs', phone: '05 61 00 00 02' }
        ]
      })
    )
  )
  const director = await core.tx.read((m) => m.findOneBy(StaffUser, { role: 'direction' }))
  if (!director) return
  const staff: StaffActor = { kind: 'staff', id: director.id, label: director.displayName, role: director.role }

  const month = monthOf(today)
  const next = addMonths(month, 1)
  for (const [m, from] of [[month, `${month}-01`], [next, today]] as const) {
    const pdf = await menuPdf(m)
    const file = await stageUpload(core, staff, { name: `menus-${m}.pdf`, data: pdf, ownerFamilyId: null })
    await publishDocument(core, staff, { uploadId: file.id, category: 'menus', title: `Menus ${ofMonth(m)}`, audience: { kind: 'all' }, validFrom: from, validUntil: lastDayOfMonth(m) })
  }
  const schoolYear = Number(month.slice(5)) >= 8 ? Number(month.slice(0, 4)) : Number(month.slice(0, 4)) - 1
  const rules = await reglementPdf(`${schoolYear}/${schoolYear + 1}`)
  const rulesFile = await stageUpload(core, staff, { name: `reglement-interieur-${schoolYear}-${schoolYear + 1}.pdf`, data: rules, ownerFamilyId: null })
  await publishDocument(core, staff, { uploadId: rulesFile.id, category: 'reglement', title: `Règlement intérieur ${schoolYear}/${schoolYear + 1}`, audience: { kind: 'all' }, validFrom: null, validUntil: null })

  // Dated before today, so a news item published today (by the desk, or a test) is the latest.
  const yesterday = addDays(today, -1)
  await saveNews(core, staff, {
    id: null,
    title: 'Menus de la cantine',
    body: `Les menus ${ofMonth(month)} et ${ofMonth(next)} sont disponibles dans « Téléchargements ».\nRepas sans porc et végétarien sur demande ; pour un PAI, contactez la structure.`,
    imageUploadId: null,
    removeImage: false,
    audience: { kind: 'all' },
    publishFrom: `${month}-01` < yesterday ? `${month}-01` : yesterday,
    publishUntil: lastDayOfMonth(next)
  })
  const holiday = await nextHolidayCentre(core, today)
  if (holiday) {
    const open = holiday.windowStart <= today
    const when = open ? `sont ouvertes jusqu’au ${frDay(holiday.windowEnd)}` : `ouvriront le ${frDay(holiday.windowStart)} (jusqu’au ${frDay(holiday.windowEnd)})`
    await saveNews(core, staff, {
      id: null,
      title: `Inscriptions : vacances de ${holiday.name}`,
      body: `Les inscriptions au centre de loisirs pour les vacances de ${holiday.name} (du ${frDay(holiday.startDate)} au ${frDay(holiday.endDate)}) ${when}, dans « Inscriptions ».\nPensez à mettre à jour votre quotient familial.`,
      imageUploadId: null,
      removeImage: false,
      audience: { kind: 'all' },
      publishFrom: addDays(today, -3),
      publishUntil: holiday.windowEnd
    })
  }
}

/** The holiday centre whose enrolment window is open now, or opens next. */
async function nextHolidayCentre(core: Core, today: string): Promise<ActivityPeriod | null> {
  return core.tx.read(async (m) => {
    const rows = await m
      .createQueryBuilder(ActivityPeriod, 'p')
      .innerJoin(Activity, 'a', 'a.id = p.activity_id')
      .where("a.name LIKE 'CLV %'")
      .andWhere('p.window_end >= :today', { today })
      .orderBy('p.window_start')
      .getMany()
    return rows[0] ?? null
  })
}

const STARTERS = ['Carottes râpées', 'Salade de tomates', 'Potage de légumes', 'Betteraves vinaigrette', 'Concombre à la crème', 'Taboulé', 'Pamplemousse']
const MAINS = ['Hachis parmentier', 'Poisson pané, riz', 'Poulet rôti, haricots verts', 'Lasagnes', 'Omelette, pommes de terre', 'Boulettes de bœuf, semoule', 'Dahl de lentilles, riz']
const DESSERTS = ['Yaourt nature', 'Compote de pommes', 'Fruit de saison', 'Fromage blanc', 'Gâteau au chocolat', 'Clémentine', 'Crème vanille']

/** The canteen's menus of a month: one line per school day (not Wednesday), starter, main, dessert. */
async function menuPdf(month: string): Promise<Buffer> {
  const r = prng(Number(month.replace('-', '')))
  const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)]
  const rows: Content[][] = [['Jour', 'Entrée', 'Plat', 'Dessert'].map((t) => ({ text: t, bold: true }))]
  for (let day = `${month}-01`; day.slice(0, 7) === month; day = addDays(day, 1)) {
    if ([3, 6, 7].includes(isoWeekday(day))) continue
    rows.push([frDay(day), pick(STARTERS), pick(MAINS), pick(DESSERTS)])
  }
  return renderPdf({
    info: { title: `Menus ${ofMonth(month)}` },
    content: [
      { text: `Restaurant scolaire — menus ${ofMonth(month)}`, fontSize: 16, bold: true, margin: [0, 0, 0, 10] },
      { table: { headerRows: 1, widths: [60, '*', '*', '*'], body: rows }, layout: 'lightHorizontalLines' },
      { text: 'Menus susceptibles de modification. Repas sans porc et végétarien sur demande.', margin: [0, 10, 0, 0], italics: true }
    ]
  })
}

async function reglementPdf(year: string): Promise<Buffer> {
  return renderPdf({
    info: { title: `Règlement intérieur ${year}` },
    content: [
      { text: `Règlement intérieur des accueils périscolaires et du centre de loisirs — ${year}`, fontSize: 15, bold: true, margin: [0, 0, 0, 10] },
      { text: 'Article 1 — Inscriptions', bold: true },
      { text: 'L’inscription se fait sur le portail famille ou à l’accueil, pour chaque activité et chaque période. Une inscription n’est pas une réservation.', margin: [0, 2, 0, 8] },
      { text: 'Article 2 — Réservations et annulations', bold: true },
      { text: 'Les réservations de la restauration, de la garderie et du centre du mercredi se font avant le 20 du mois pour le mois suivant. Une annulation hors délai est facturée, sauf maladie justifiée par un certificat médical.', margin: [0, 2, 0, 8] },
      { text: 'Article 3 — Facturation', bold: true },
      { text: 'Les prestations sont facturées chaque mois, selon le quotient familial. Le paiement se fait en ligne, par prélèvement ou à l’accueil.', margin: [0, 2, 0, 8] }
    ]
  })
}
