import { test, expect, expectAccessible, frDate, staffApi, staffLogin } from './fixtures'

/**
 * Issue #4 journey: a family asks for "CL Maternel Mercredis" (the current
 * school year, 2026/2027 on the fixture's clock) for two siblings with a typical week;
 * the group has one place left; staff accept one and the other goes to the
 * waiting list; the family sees V and "Liste d'attente (rang 1)".
 * Tagged @phone: the family side is replayed at 390×844.
 */



test('two siblings ask for the Wednesday centre; one gets the last place, the other the waiting list @phone', async ({ app, browser }, testInfo) => {
  const tag = testInfo.project.name
  const email = `famille.mercredis.${tag}@exemple.fr`
  const lastName = `Mercredi${tag === 'phone' ? 'Mobile' : 'Bureau'}`
  const api = await staffApi(app.staffUrl)
  const tree = await api.call('activities-tree')
  const cl = tree.flatMap((f: any) => f.types.flatMap((t: any) => t.activities)).find((a: any) => a.name === 'CL Maternel Mercredis')
  const period = cl.periods.find((p: any) => p.startDate <= app.today && app.today <= p.endDate)
  const startYear = Number(period.startDate.slice(0, 4))

  // A family on file with two maternelle children (5 and 3 on the period's first day) and a portal account.
  const fam = await api.call('families-create', {
    responsable: { civility: 'Mme', lastName, firstName: 'Inès', email, phoneMobile: '06 12 34 56 78' },
    address: '3 rue des Écoles',
    postalCode: '31000',
    city: 'Démoville',
    children: [
      { lastName, firstName: 'Alix', birthDate: `${startYear - 5}-05-10`, sex: 'F' },
      { lastName, firstName: 'Basile', birthDate: `${startYear - 4}-09-20`, sex: 'M' }
    ]
  })
  await api.call('accounts-create-portal', { familyId: fam.familyId, login: email })
  const credentials = await app.waitForMail(email, 'Vos identifiants')
  const provisional = /Mot de passe provisoire : (\S+)/.exec(credentials.text ?? '')![1]

  // One place left in the group: raising the places first gives the freed ones to the families already waiting.
  const group = cl.groups[0]
  const count = async (status: string) =>
    (await api.call('enrolments-list', { statuses: [status], activityId: cl.id, periodId: period.id, groupId: group.id, limit: 1 })).total as number
  await api.call('groups-save', { ...group, places: (await count('validated')) + (await count('waiting')) + 1 })
  expect(await count('waiting')).toBe(0)
  await api.dispose()

  // The family: first login, forced password change, then "Inscriptions".
  const familyCtx = await browser.newContext({ ignoreHTTPSErrors: true, ...testInfo.project.use })
  const portal = await familyCtx.newPage()
  await portal.goto(`${app.portalUrl}/connexion`)
  await portal.getByLabel('Identifiant (adresse e-mail)').fill(email)
  await portal.getByLabel('Mot de passe').fill(provisional)
  await portal.getByRole('button', { name: 'Se connecter' }).click()
  await expect(portal.getByRole('heading', { name: 'Changement de mot de passe obligatoire' })).toBeVisible()
  const fresh = 'une phrase de passe pour les mercredis'
  await portal.getByLabel('Mot de passe actuel').fill(provisional)
  await portal.getByLabel(/^Nouveau mot de passe/).fill(fresh)
  await portal.getByLabel(/^Confirmation/).fill(fresh)
  await portal.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click()
  await expect(portal.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await portal.getByRole('link', { name: /Inscriptions/ }).first().click()
  await expect(portal.getByRole('heading', { name: 'Inscriptions', level: 1 })).toBeVisible()
  await expectAccessible(portal, 'inscriptions')

  await portal.getByLabel('Enfant').selectOption({ label: `Alix ${lastName}` })
  await portal.getByLabel('Équipement').selectOption({ label: 'Centre de loisirs' })
  await portal.getByLabel('Type d’activité').selectOption({ label: 'Mercredis' })
  await portal.getByLabel('Activité', { exact: true }).selectOption({ label: 'CL Maternel Mercredis' })
  await portal.getByLabel('Période', { exact: true }).selectOption({ label: period.name })
  await expect(portal.getByText(`Période d’inscription du ${frDate(period.windowStart)} au ${frDate(period.windowEnd)}`)).toBeVisible()
  await portal.getByLabel('Oui').check()
  await portal.getByLabel(/Après-midi avec repas/).check()
  await portal.getByLabel('Mémo pour la structure (facultatif)').fill('Alix et Basile viennent ensemble.')
  await portal.getByLabel('Basile').check()
  await expectAccessible(portal, 'nouvelle inscription')
  await portal.getByRole('button', { name: 'Enregistrer la demande' }).click()
  await expect(portal.getByText(/Alix : demande envoyée à la structure .* Basile : demande envoyée à la structure/)).toBeVisible()

  // The desk: accept Alix; Basile finds the group full and goes to the waiting list.
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const staff = await staffCtx.newPage()
  await staffLogin(staff, app.staffUrl, 'accueil', 'Inscriptions')
  await staff.getByRole('link', { name: 'Inscriptions' }).click()
  const alix = staff.getByRole('row').filter({ hasText: `Alix ${lastName.toUpperCase()}` })
  await expect(alix).toContainText('Mercredi : Après-midi avec repas')
  await alix.getByRole('button', { name: 'Accepter' }).click()
  await expect(staff.getByRole('row').filter({ hasText: `Alix ${lastName.toUpperCase()}` })).toHaveCount(0)
  await staff.getByRole('row').filter({ hasText: `Basile ${lastName.toUpperCase()}` }).getByRole('button', { name: 'Accepter' }).click()
  await expect(staff.getByText(/est complet/)).toBeVisible()
  await staff.getByRole('button', { name: 'Mettre en liste d’attente' }).click()
  await staff.getByRole('tab', { name: 'Liste d’attente' }).click()
  await expect(staff.getByRole('row').filter({ hasText: `Basile ${lastName.toUpperCase()}` })).toContainText('Liste d’attente (rang 1)')
  await staffCtx.close()

  await app.waitForMail(email, 'Inscription validée')
  await app.waitForMail(email, 'Inscription en liste d’attente')

  // The family sees V for Alix and the waiting list rank for Basile.
  await portal.reload()
  const alixCard = portal.locator('.card').filter({ has: portal.getByRole('heading', { name: 'Alix' }) })
  await expect(alixCard.getByText('CL Maternel Mercredis')).toBeVisible()
  await expect(alixCard.locator('.mark').first()).toHaveText('V')
  await expect(alixCard.getByText('Validée')).toBeVisible()
  const basileCard = portal.locator('.card').filter({ has: portal.getByRole('heading', { name: 'Basile' }) })
  await expect(basileCard.getByText('Liste d’attente (rang 1)')).toBeVisible()
  await expectAccessible(portal, 'mes inscriptions')
  await familyCtx.close()
})
