import { test, expect, expectAccessible, staffApi, staffLogin } from './fixtures'

/**
 * Foundation journey: a family registers on the portal, staff validate it in
 * the headless back-office, the e-mail arrives on the loopback SMTP server,
 * and the family logs in to its home. Tagged @phone: replayed at 390×844.
 */

test('a family registers, staff validate, the family logs in @phone', async ({ app, browser }, testInfo) => {
  const email = `camille.essai.${testInfo.project.name}@exemple.fr`
  const password = 'une phrase de passe assez longue'
  const family = await browser.newContext({ ignoreHTTPSErrors: true, ...testInfo.project.use })
  const portal = await family.newPage()

  await portal.goto(app.portalUrl)
  await expect(portal.getByRole('heading', { name: 'Connexion' })).toBeVisible()
  await expectAccessible(portal, 'connexion')
  await portal.getByRole('link', { name: 'Créer un compte' }).first().click()
  await expect(portal.getByRole('heading', { name: 'Créer un compte' })).toBeVisible()
  await expectAccessible(portal, 'inscription')

  // A too-short password is refused in French and nothing typed is lost.
  await portal.getByLabel('Madame').check()
  await portal.getByLabel('Nom', { exact: true }).fill('Essai')
  await portal.getByLabel('Prénom').fill('Camille')
  await portal.getByLabel('Date de naissance').fill('14/07/1985')
  await portal.getByLabel('Téléphone portable').fill('06 12 34 56 78')
  await portal.getByLabel('Adresse e-mail').fill(email)
  await portal.getByLabel('Adresse', { exact: true }).fill('3 rue des Écoles')
  await portal.getByLabel('Code postal').fill('31000')
  await portal.getByLabel('Ville').fill('Démoville')
  await portal.getByLabel('Mot de passe', { exact: true }).fill('trop court')
  await portal.getByLabel('Confirmation du mot de passe').fill('trop court')
  await portal.getByRole('button', { name: 'Créer mon compte' }).click()
  await expect(portal.getByText(/au moins 12 caractères/).first()).toBeVisible()
  await expect(portal.getByLabel('Adresse e-mail')).toHaveValue(email)

  await portal.getByLabel('Mot de passe', { exact: true }).fill(password)
  await portal.getByLabel('Confirmation du mot de passe').fill(password)
  await portal.getByRole('button', { name: 'Créer mon compte' }).click()
  await expect(portal.getByRole('heading', { name: 'Votre demande de compte est envoyée' })).toBeVisible()
  await expectAccessible(portal, 'inscription envoyée')
  await app.waitForMail(email, 'Demande de création de compte reçue')

  // Not validated yet: login explains why.
  await portal.goto(`${app.portalUrl}/connexion`)
  await portal.getByLabel('Identifiant (adresse e-mail)').fill(email)
  await portal.getByLabel('Mot de passe').fill(password)
  await portal.getByRole('button', { name: 'Se connecter' }).click()
  await expect(portal.getByText(/en attente de validation/)).toBeVisible()

  // Staff accept it from the validation queue, creating a new family.
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const staff = await staffCtx.newPage()
  await staffLogin(staff, app.staffUrl, 'accueil', 'File de validation')
  await staff.getByRole('link', { name: 'File de validation', exact: true }).click()
  const row = staff.getByRole('row').filter({ hasText: email })
  await expect(row).toBeVisible()
  await row.getByRole('button', { name: 'Accepter' }).click()
  await staff.getByLabel('Créer une nouvelle famille').check()
  await staff.getByRole('button', { name: "Confirmer l'acceptation" }).click()
  await expect(staff.getByRole('row').filter({ hasText: email })).toHaveCount(0)
  await staffCtx.close()

  const accepted = await app.waitForMail(email, 'Votre compte est validé')
  const familyNumber = /N° famille (\d+)/.exec(accepted.text ?? '')![1]

  // The family logs in and sees its home (the form cleared the password after the refusal).
  await portal.getByLabel('Mot de passe').fill(password)
  await portal.getByRole('button', { name: 'Se connecter' }).click()
  await expect(portal.getByRole('heading', { name: 'Bienvenue ESSAI Camille' })).toBeVisible()
  await expect(portal.getByText(`N° famille : ${familyNumber}`)).toBeVisible()
  await expectAccessible(portal, 'accueil')
  await portal.getByRole('button', { name: 'Se déconnecter' }).first().click()
  await expect(portal.getByRole('heading', { name: 'Connexion' })).toBeVisible()
  await family.close()
})

test('forgot password: the e-mailed link sets a new password @phone', async ({ app, browser }, testInfo) => {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, ...testInfo.project.use })
  const page = await ctx.newPage()
  const login = 'aurelie.gerard0@exemple.fr' // demo family with a portal account
  await page.goto(`${app.portalUrl}/connexion`)
  await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click()
  await expectAccessible(page, 'mot de passe oublié')
  await page.getByLabel(/Identifiant/).fill(login)
  await page.getByRole('button', { name: 'Recevoir le lien par e-mail' }).click()
  await expect(page.getByText(/Si un compte actif correspond/)).toBeVisible()
  const mail = await app.waitForMail(login, 'Réinitialisation de votre mot de passe')
  const link = /(https?:\/\/\S+reinitialisation\?jeton=[\w-]+)/.exec(mail.text ?? '')![1]
  await page.goto(link.replace(/^https?:\/\/[^/]+/, app.portalUrl))
  await expectAccessible(page, 'réinitialisation')
  const fresh = `nouvelle phrase secrète ${testInfo.project.name}`
  await page.getByLabel(/^Nouveau mot de passe/).fill(fresh)
  await page.getByLabel(/^Confirmation/).fill(fresh)
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click()
  await expect(page.getByText(/Votre mot de passe a été modifié/)).toBeVisible()
  await page.goto(`${app.portalUrl}/connexion`)
  await page.getByLabel('Identifiant (adresse e-mail)').fill(login)
  await page.getByLabel('Mot de passe').fill(fresh)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect(page.getByRole('heading', { name: /^Bienvenue / })).toBeVisible()
  await ctx.close()
})

test('« Se déconnecter » leads to the collectivité’s website when the structure set one', async ({ app, page }) => {
  const api = await staffApi(app.staffUrl)
  // A family of its own (the demo family's password is changed by the test above).
  const email = 'famille.depart@exemple.fr'
  const fam = await api.call('families-create', {
    responsable: { civility: 'Mme', lastName: 'Depart', firstName: 'Lou', email, phoneMobile: '06 12 34 56 70' },
    children: [{ lastName: 'Depart', firstName: 'Noé', birthDate: '2019-03-03', sex: 'M' }]
  })
  await api.call('accounts-create-portal', { familyId: fam.familyId, login: email })
  const provisional = /Mot de passe provisoire : (\S+)/.exec((await app.waitForMail(email, 'Vos identifiants')).text ?? '')![1]
  const structure = await api.call('structure-get')
  // Any reachable http(s) page stands for the commune's site here: the back-office's own address on loopback.
  const website = `${app.staffUrl}/#/site-de-la-commune`
  await api.call('structure-update', { ...structure, websiteUrl: website })
  try {
    await page.goto(`${app.portalUrl}/connexion`)
    await expect(page.getByRole('banner')).toContainText(structure.name)
    await page.getByLabel('Identifiant (adresse e-mail)').fill(email)
    await page.getByLabel('Mot de passe').fill(provisional)
    await page.getByRole('button', { name: 'Se connecter' }).click()
    await expect(page.getByRole('heading', { name: 'Changement de mot de passe obligatoire' })).toBeVisible()
    await page.getByRole('button', { name: 'Se déconnecter' }).first().click()
    await page.waitForURL(website)
  } finally {
    // Put back from a fresh copy: the one read above is stale since the change (409).
    await api.call('structure-update', { ...(await api.call('structure-get')), websiteUrl: '' })
    await api.dispose()
  }
})
