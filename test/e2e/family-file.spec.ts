/// <reference lib="dom" />
import type { Browser, BrowserContextOptions, Page } from '@playwright/test'
import { test, expect, expectAccessible, staffLogin, type RunningApp } from './fixtures'

/**
 * Issue #3 journeys: the add-child wizard and two change requests decided by
 * staff (one accepted, one refused with a reason); a message with an
 * attachment answered by staff and read on a phone; script payloads in free
 * text shown as text everywhere. axe runs on every new portal page.
 */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1')
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'

async function staffPage(browser: Browser, app: RunningApp): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  await staffLogin(page, app.staffUrl, 'accueil', 'File de validation')
  return page
}

/** A staff procedure called from the logged-in back-office page (its cookies, a fresh CSRF token). */
async function staffApi<T = unknown>(page: Page, name: string, input: unknown): Promise<T> {
  return page.evaluate(
    async ([n, i]) => {
      const s = (await (await fetch('/api/staff/auth-session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { csrfToken: string }
      const r = await fetch(`/api/staff/${n}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken }, body: JSON.stringify(i) })
      const body = await r.json()
      if (!r.ok) throw new Error(`${n}: ${JSON.stringify(body)}`)
      return body
    },
    [name, input] as const
  ) as Promise<T>
}

/** A new family on file with a portal account; the family logs in and replaces its provisional password. */
async function newFamily(browser: Browser, app: RunningApp, staff: Page, tag: string, use: BrowserContextOptions) {
  const email = `famille.${tag}@exemple.fr`
  const { familyId } = await staffApi<{ familyId: number }>(staff, 'families-create', {
    responsable: { civility: 'Mme', lastName: `Test${tag}`, firstName: 'Claire', email, phoneMobile: '06 12 34 56 78', address: '1 rue Haute', postalCode: '31000', city: 'Démoville' },
    children: [{ lastName: `Test${tag}`, firstName: 'Hugo', birthDate: '2018-03-02', sex: 'M' }]
  })
  await staffApi(staff, 'accounts-create-portal', { familyId, login: email })
  const mail = await app.waitForMail(email, 'Vos identifiants')
  const provisional = /Mot de passe provisoire : (\S+)/.exec(mail.text ?? '')![1]
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, ...use })
  const page = await ctx.newPage()
  await page.goto(`${app.portalUrl}/connexion`)
  await page.getByLabel('Identifiant (adresse e-mail)').fill(email)
  await page.getByLabel('Mot de passe').fill(provisional)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('heading', { name: 'Changement de mot de passe obligatoire' })).toBeVisible()
  await page.getByLabel('Mot de passe actuel').fill(provisional)
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('une phrase de passe famille')
  await page.getByLabel('Confirmation du nouveau mot de passe').fill('une phrase de passe famille')
  await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  return { page, email, familyId }
}

function watchXss(page: Page) {
  const fired: string[] = []
  page.on('dialog', (d) => {
    fired.push(d.message())
    void d.dismiss()
  })
  return async () => {
    expect(fired).toEqual([])
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined()
  }
}

test('a family adds a child and asks two changes; staff accept one and refuse the other; the family sees both @phone', async ({ app, browser }, testInfo) => {
  test.setTimeout(180_000)
  const staff = await staffPage(browser, app)
  const { page, email } = await newFamily(browser, app, staff, `wizard${testInfo.project.name}`, testInfo.project.use)

  await page.getByRole('link', { name: /Mon dossier/ }).first().click()
  await expect(page.getByRole('heading', { name: 'Mon dossier', level: 1 })).toBeVisible()
  await page.waitForLoadState('networkidle')
  await expectAccessible(page, 'mon dossier')

  // The wizard, in four steps.
  await page.getByRole('link', { name: 'Ajouter un enfant' }).click()
  await expect(page.getByRole('heading', { name: /Étape 1 sur 4/ })).toBeVisible()
  await expectAccessible(page, 'assistant étape 1')
  await page.getByRole('button', { name: 'Étape suivante' }).click()
  await expect(page.getByText('Prénom : champ obligatoire.').first()).toBeVisible()
  await page.getByLabel('Nom', { exact: true }).fill('Martin')
  await page.getByLabel('Prénom', { exact: true }).fill('Lina')
  await page.getByLabel('Date de naissance (JJ/MM/AAAA)').fill('12/05/2021')
  await page.getByRole('button', { name: 'Étape suivante' }).click()
  await expect(page.getByRole('heading', { name: /Étape 2 sur 4/ })).toBeVisible()
  await expectAccessible(page, 'assistant étape 2')
  await page.getByRole('group', { name: 'Allergies', exact: true }).getByLabel('Oui').check()
  await page.getByLabel('Précisions sur les allergies').fill('Arachide')
  await page.getByLabel('Type de repas').selectOption('sans-porc')
  await page.getByRole('button', { name: 'Étape suivante' }).click()
  await expect(page.getByRole('heading', { name: /Étape 3 sur 4/ })).toBeVisible()
  await expectAccessible(page, 'assistant étape 3')
  await page.getByLabel('Lien avec le responsable').fill('Mère')
  await page.getByRole('button', { name: 'Étape suivante' }).click()
  await expect(page.getByRole('heading', { name: /Étape 4 sur 4/ })).toBeVisible()
  await page.getByRole('button', { name: 'Ajouter une personne autorisée' }).click()
  await page.getByLabel('Personne 1 : nom et prénom').fill('Jeanne Martin')
  await page.getByLabel('Téléphone', { exact: true }).fill('06 11 22 33 44')
  // The consents start unanswered; the family answers one of them.
  await expect(page.getByLabel('Autorise les sorties et le transport')).toHaveValue('')
  await page.getByLabel('Autorise les soins d’urgence et l’hospitalisation').selectOption({ label: 'Oui' })
  await expectAccessible(page, 'assistant étape 4')
  await page.getByRole('button', { name: 'Envoyer la demande' }).click()
  await expect(page.getByText(/Votre demande d’ajout de Lina a été transmise/)).toBeVisible()

  // Phone and CAF number.
  await page.getByRole('link', { name: 'Retour à mon dossier' }).click()
  await page.getByRole('button', { name: 'Modifier : Responsable' }).click()
  await page.getByLabel('Téléphone portable').fill('07 00 00 00 01')
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click()
  await expect(page.getByText(/Votre demande de modification a été transmise/).first()).toBeVisible()
  await page.getByRole('button', { name: 'Modifier : Informations CAF (quotient familial)' }).click()
  await page.getByLabel('Numéro allocataire').fill('7654321')
  await expectAccessible(page, 'mon dossier en modification')
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click()
  await expect(page.getByText(/Demande en attente depuis le .* CAF/)).toBeVisible()

  // Staff decide in "Modifications du dossier".
  await staff.goto(`${app.staffUrl}/#/modifications-dossier`)
  await expect(staff.getByRole('heading', { name: 'Modifications du dossier', level: 1 })).toBeVisible()
  const phoneCard = staff.getByRole('article').filter({ hasText: 'Téléphone portable' }).filter({ hasText: '07 00 00 00 01' })
  await expect(phoneCard.getByRole('cell', { name: '06 12 34 56 78' })).toBeVisible()
  await phoneCard.getByRole('button', { name: 'Accepter et mettre à jour le dossier' }).click()
  await expect(phoneCard).toHaveCount(0)
  const cafCard = staff.getByRole('article').filter({ hasText: '7654321' })
  await cafCard.getByRole('button', { name: 'Refuser' }).click()
  await staff.getByRole('dialog').getByRole('textbox').fill('Joignez votre attestation CAF.')
  await staff.getByRole('dialog').getByRole('button', { name: 'Confirmer le refus' }).click()
  await expect(cafCard).toHaveCount(0)
  const childCard = staff.getByRole('article').filter({ hasText: 'Lina MARTIN' })
  await childCard.getByRole('button', { name: 'Accepter et mettre à jour le dossier' }).click()
  await expect(childCard).toHaveCount(0)

  await app.waitForMail(email, 'Votre demande de modification est acceptée')
  const refused = await app.waitForMail(email, 'n’a pas été acceptée')
  expect(refused.text).toContain('Motif : Joignez votre attestation CAF.')
  await app.waitForMail(email, 'Ajout d’un enfant accepté')

  await page.goto(`${app.portalUrl}/mes-demandes`)
  await expect(page.getByRole('heading', { name: 'Mes demandes' })).toBeVisible()
  await expect(page.getByText('Motif du refus : Joignez votre attestation CAF.')).toBeVisible()
  await expect(page.getByRole('listitem').filter({ hasText: 'Téléphone portable' }).getByText('Acceptée')).toBeVisible()
  await expectAccessible(page, 'mes demandes')
  await page.goto(`${app.portalUrl}/mon-dossier`)
  await expect(page.getByRole('heading', { name: 'Lina Martin' })).toBeVisible()
  const lina = page.getByRole('article', { name: 'Lina Martin' })
  await expect(lina.locator('dt:has-text("Autorise les soins d’urgence") + dd')).toHaveText('Oui')
  await expect(lina.locator('dt:has-text("Autorise les sorties") + dd')).toHaveText('Non renseigné')
  await expect(page.getByText('07 00 00 00 01').first()).toBeVisible()
  await page.context().close()
  await staff.context().close()
})

test('a family writes with an attachment, staff reply, the family reads the reply on a phone @phone', async ({ app, browser }, testInfo) => {
  test.setTimeout(180_000)
  const staff = await staffPage(browser, app)
  const phone = { ...testInfo.project.use, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
  const { page } = await newFamily(browser, app, staff, `msg${testInfo.project.name}`, phone)
  const subject = `Justificatif ${testInfo.project.name}`

  await page.getByRole('link', { name: /Messagerie/ }).first().click()
  await expect(page.getByRole('heading', { name: 'Messagerie', level: 1 })).toBeVisible()
  await expectAccessible(page, 'messagerie')
  await page.getByRole('link', { name: 'Nous envoyer un message' }).click()
  await page.getByLabel('Service').selectOption({ label: 'Données du Dossier Famille' })
  await page.getByLabel('Thème').selectOption({ label: 'Modifications' })
  await page.getByLabel('Objet').fill(subject)
  await page.getByRole('textbox', { name: 'Message' }).fill('Bonjour, voici mon justificatif de domicile.')
  await page.getByLabel(/^Pièces jointes/).setInputFiles({ name: 'justificatif.pdf', mimeType: 'application/pdf', buffer: PDF })
  await expect(page.getByText('justificatif.pdf')).toBeVisible()
  // A disguised file is refused at once, in French.
  await page.getByLabel(/^Pièces jointes/).setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('MZ this is not an image') })
  await expect(page.getByText(/n’est ni un PDF, ni une image JPEG ou PNG/)).toBeVisible()
  await expectAccessible(page, 'nouveau message')
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click()
  await expect(page.getByRole('heading', { name: subject })).toBeVisible()

  await staff.goto(`${app.staffUrl}/#/messagerie`)
  await expect(staff.getByRole('heading', { name: 'Messagerie', level: 1 })).toBeVisible()
  await staff.getByRole('button', { name: new RegExp(subject) }).click()
  await expect(staff.getByRole('button', { name: /justificatif\.pdf/ })).toBeVisible()
  await staff.getByLabel('Réponse').fill('Bien reçu, votre dossier est à jour.')
  await staff.getByRole('button', { name: 'Répondre' }).click()
  await expect(staff.getByRole('paragraph').filter({ hasText: 'Bien reçu, votre dossier est à jour.' })).toBeVisible()

  await page.goto(`${app.portalUrl}/`)
  // The home's counter is a link to the messaging (issue 18).
  await expect(page.getByRole('link', { name: '1 nouveau message', exact: true })).toHaveAttribute('href', '/messagerie')
  await page.goto(`${app.portalUrl}/messagerie`)
  await page.getByRole('link', { name: new RegExp(subject) }).click()
  await expect(page.getByText('Bien reçu, votre dossier est à jour.')).toBeVisible()
  await expect(page.getByRole('link', { name: /justificatif\.pdf/ })).toBeVisible()
  await expectAccessible(page, 'conversation')
  // Nothing overflows the phone's width.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  await page.context().close()
  await staff.context().close()
})

test('script payloads in message, allergy notes, doctor and file name are shown as text on both sides', async ({ app, browser }, testInfo) => {
  test.setTimeout(180_000)
  const staff = await staffPage(browser, app)
  const staffCheck = watchXss(staff)
  const { page, familyId } = await newFamily(browser, app, staff, `xss${testInfo.project.name}`, testInfo.project.use)
  const portalCheck = watchXss(page)

  await page.goto(`${app.portalUrl}/messagerie?nouveau=1`)
  await page.getByLabel('Service').selectOption({ index: 1 })
  await page.getByLabel('Thème').selectOption({ index: 1 })
  await page.getByLabel('Objet').fill(`Objet ${XSS}`)
  await page.getByRole('textbox', { name: 'Message' }).fill(`Corps ${XSS}`)
  await page.getByLabel(/^Pièces jointes/).setInputFiles({ name: '<img src=x onerror=window.__xss=1>.pdf', mimeType: 'application/pdf', buffer: PDF })
  await expect(page.getByText(/contient un caractère interdit/)).toBeVisible()
  await expect(page.getByText('<img src=x onerror=window.__xss=1>.pdf', { exact: false })).toBeVisible()
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click()
  await expect(page.getByText(`Corps ${XSS}`)).toBeVisible()

  await page.goto(`${app.portalUrl}/mon-dossier`)
  await page.getByRole('button', { name: 'Modifier : Données sanitaires' }).click()
  await page.getByRole('group', { name: 'Allergies', exact: true }).getByLabel('Oui').check()
  await page.getByLabel('Précisions sur les allergies').fill(`Allergie ${XSS}`)
  await page.getByLabel('Médecin traitant').fill(`Dr ${XSS}`)
  await page.getByRole('button', { name: 'Envoyer ma demande' }).click()
  await expect(page.getByText(/Votre demande de modification a été transmise/)).toBeVisible()

  await staff.goto(`${app.staffUrl}/#/messagerie`)
  await staff.getByRole('button', { name: /Objet </ }).first().click()
  await expect(staff.getByRole('paragraph').filter({ hasText: `Corps ${XSS}` })).toBeVisible()
  await staff.goto(`${app.staffUrl}/#/modifications-dossier`)
  await expect(staff.getByText(`Allergie ${XSS}`)).toBeVisible()
  await staff.getByRole('article').filter({ hasText: `Dr ${XSS}` }).getByRole('button', { name: 'Accepter et mettre à jour le dossier' }).click()
  await staff.goto(`${app.staffUrl}/#/familles/${familyId}/dossier`)
  await staff.getByRole('tab', { name: /Enfants/ }).click()
  await expect(staff.getByText(`Dr ${XSS}`)).toBeVisible()
  await page.goto(`${app.portalUrl}/mon-dossier`)
  await expect(page.getByText(`Allergie ${XSS}`)).toBeVisible()
  await page.goto(`${app.portalUrl}/mes-demandes`)
  await expect(page.getByRole('listitem').filter({ hasText: 'Données sanitaires' }).first()).toBeVisible()

  await staffCheck()
  await portalCheck()
  await page.context().close()
  await staff.context().close()
})

test('Téléchargements and Actualités show what staff published, and pass axe @phone', async ({ app, browser }, testInfo) => {
  test.setTimeout(120_000)
  const staff = await staffPage(browser, app)
  await staffApi(staff, 'news-save', { title: `Kermesse ${testInfo.project.name}`, body: 'Samedi, venez nombreux !', audience: { kind: 'all' }, publishFrom: app.today })
  const { page } = await newFamily(browser, app, staff, `docs${testInfo.project.name}`, testInfo.project.use)
  await expect(page.getByText(`Dernière actualité : Kermesse ${testInfo.project.name}`)).toBeVisible()
  await page.goto(`${app.portalUrl}/actualites`)
  await expect(page.getByRole('heading', { name: `Kermesse ${testInfo.project.name}` })).toBeVisible()
  await expectAccessible(page, 'actualités')
  await page.goto(`${app.portalUrl}/telechargements`)
  await expect(page.getByRole('heading', { name: 'Téléchargements et documents' })).toBeVisible()
  await page.getByLabel(/^Document/).setInputFiles({ name: 'attestation.pdf', mimeType: 'application/pdf', buffer: PDF })
  await expect(page.getByText('attestation.pdf')).toBeVisible()
  await page.getByRole('button', { name: 'Envoyer le document' }).click()
  await expect(page.getByText('Votre document a été envoyé à la structure.')).toBeVisible()
  await expect(page.getByText('Reçu', { exact: true })).toBeVisible()
  await expectAccessible(page, 'téléchargements')
  await page.context().close()
  await staff.context().close()
})

test('the back-office screens of the family file, messaging, documents and news open without errors', async ({ app, browser }) => {
  test.setTimeout(120_000)
  const staff = await staffPage(browser, app)
  const errors: string[] = []
  staff.on('pageerror', (e) => errors.push(e.message))
  staff.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  await staff.goto(`${app.staffUrl}/#/familles/1/dossier`)
  await expect(staff.getByRole('heading', { name: /Dossier de la famille N° / })).toBeVisible()
  for (const tab of ['Fiscal, CAF, banque', /Enfants/, 'Documents', 'Départ et RGPD']) {
    await staff.getByRole('tab', { name: tab }).click()
  }
  await staff.getByRole('button', { name: 'Exporter en JSON' }).isVisible()
  await staff.getByRole('tab', { name: /Enfants/ }).click()
  await staff.getByRole('button', { name: 'Modifier : Données sanitaires' }).first().click()
  await expect(staff.getByLabel('Précisions sur les allergies')).toBeVisible()
  await staff.goto(`${app.staffUrl}/#/documents`)
  await expect(staff.getByRole('heading', { name: 'Documents', level: 1 })).toBeVisible()
  await staff.getByRole('tab', { name: 'Téléchargements publiés' }).click()
  await staff.getByRole('button', { name: 'Publier un document' }).click()
  await expect(staff.getByRole('dialog', { name: 'Publier un document' })).toBeVisible()
  await staff.keyboard.press('Escape')
  await staff.goto(`${app.staffUrl}/#/actualites`)
  // The demo's news, dated from its clock (seed-portal.ts).
  await expect(staff.getByRole('heading', { name: 'Menus de la cantine' })).toBeVisible()
  await staff.getByRole('button', { name: 'Nouvelle actualité' }).click()
  await expect(staff.getByRole('dialog', { name: 'Nouvelle actualité' })).toBeVisible()
  await staff.keyboard.press('Escape')
  await staff.goto(`${app.staffUrl}/#/messagerie`)
  await staff.getByRole('button', { name: 'Nouveau message' }).click()
  await staff.getByLabel('Toutes les familles').check()
  await expect(staff.getByText(/Toutes les familles : \d+ famille\(s\) active\(s\)/)).toBeVisible()
  expect(errors).toEqual([])
  await staff.context().close()
})
