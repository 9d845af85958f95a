/// <reference lib="dom" />
import type { Browser, Page } from '@playwright/test'
import { test, expect, staffApi, staffLogin, STAFF_PASSWORDS, type RunningApp } from './fixtures'

/**
 * Issue #12 §3 in two real back-office sessions: two people open the same
 * record, the first saves, the second's save is refused with who changed it
 * and when (nothing is overwritten), and « Recharger » shows the first
 * person's change; the reloaded copy then saves.
 */

async function session(browser: Browser, app: RunningApp, who: keyof typeof STAFF_PASSWORDS, menuLink: string, path: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  await staffLogin(page, app.staffUrl, who, menuLink)
  await page.goto(`${app.staffUrl}/#${path}`)
  return page
}

const refusal = (subject: string, opened: string) => new RegExp(`${subject} par Claire Directrice à \\d{2}:\\d{2} depuis que vous ${opened}\\.`)

test('family file: the desk saving a stale copy gets « modifié par Claire Directrice à … » and « Recharger » brings her change', async ({ app, browser }) => {
  const api = await staffApi(app.staffUrl)
  const { familyId } = await api.call('families-create', {
    responsable: { civility: 'Mme', lastName: 'Concurrence', firstName: 'Inès', email: 'ines.concurrence@exemple.fr', phoneMobile: '06 12 34 56 79', address: '2 rue Basse', postalCode: '31000', city: 'Démoville' },
    children: [{ lastName: 'Concurrence', firstName: 'Nina', birthDate: '2019-04-05', sex: 'F' }]
  })
  const path = `/familles/${familyId}/dossier`
  const desk = await session(browser, app, 'accueil', 'File de validation', path)
  const director = await session(browser, app, 'direction', 'Paramètres', path)
  // Both open the responsable's section.
  for (const p of [desk, director]) await p.getByRole('button', { name: 'Modifier : Responsable' }).click()

  await director.locator('#responsable-f-profession').fill('Infirmière')
  await director.getByRole('button', { name: 'Enregistrer', exact: true }).click()
  await expect(director.getByText('Responsable : enregistré')).toBeVisible()

  await desk.locator('#responsable-f-city').fill('Toulouse')
  await desk.getByRole('button', { name: 'Enregistrer', exact: true }).click()
  await expect(desk.getByRole('alert').filter({ hasText: 'Ce dossier' })).toContainText(refusal('Ce dossier a été modifié', 'l’avez ouvert'))
  // Nothing was overwritten, and the desk's edit stays on screen until she chooses.
  expect((await api.call('family-file-get', { familyId })).responsable).toMatchObject({ profession: 'Infirmière', city: 'Démoville' })
  await expect(desk.locator('#responsable-f-city')).toHaveValue('Toulouse')

  await desk.getByRole('button', { name: 'Recharger' }).click()
  await expect(desk.locator('#responsable-f-profession')).toHaveValue('Infirmière')
  await expect(desk.locator('#responsable-f-city')).toHaveValue('Démoville')
  await expect(desk.getByText('Ce dossier a été modifié')).toHaveCount(0)

  // The reloaded copy saves, keeping both changes.
  await desk.locator('#responsable-f-city').fill('Toulouse')
  await desk.getByRole('button', { name: 'Enregistrer', exact: true }).click()
  await expect(desk.getByText('Responsable : enregistré')).toBeVisible()
  expect((await api.call('family-file-get', { familyId })).responsable).toMatchObject({ profession: 'Infirmière', city: 'Toulouse' })
  await api.dispose()
})

test('tariff: the accountant saving a stale copy gets « Ce tarif a été modifié par Claire Directrice à … » and « Recharger » brings her change', async ({ app, browser }) => {
  const api = await staffApi(app.staffUrl)
  const activityId = (await api.call('billing-catalog', {})).activities[0].id
  // Inactive: it overlaps no tariff the other tests bill with.
  const name = 'Tarif concurrence'
  await api.call('billing-tariff-save', { name, activityId, mode: 'unit', validFrom: '2026-09-01', active: false, brackets: [{ priceCents: 500 }] })
  const path = '/facturation/tarifs'
  const compta = await session(browser, app, 'compta', 'Facturation', path)
  const director = await session(browser, app, 'direction', 'Paramètres', path)
  for (const p of [compta, director]) {
    await p.getByRole('button', { name: `Modifier le tarif ${name}` }).click()
    await expect(p.locator('#t-name')).toHaveValue(name)
  }

  await director.locator('#t-name').fill('Tarif concurrence (direction)')
  await director.getByRole('button', { name: 'Enregistrer', exact: true }).click()
  await expect(director.getByText('Tarif enregistré')).toBeVisible()

  await compta.locator('#t-name').fill('Tarif concurrence (compta)')
  await compta.getByRole('button', { name: 'Enregistrer', exact: true }).click()
  await expect(compta.getByRole('alert').filter({ hasText: 'Ce tarif' })).toContainText(refusal('Ce tarif a été modifié', 'l’avez ouvert'))
  const names = (await api.call('billing-tariffs-list', {})).map((t: { name: string }) => t.name)
  expect(names).toContain('Tarif concurrence (direction)')
  expect(names).not.toContain('Tarif concurrence (compta)')
  await expect(compta.locator('#t-name')).toHaveValue('Tarif concurrence (compta)')

  await compta.getByRole('button', { name: 'Recharger' }).click()
  await expect(compta.locator('#t-name')).toHaveValue('Tarif concurrence (direction)')
  await compta.locator('#t-name').fill('Tarif concurrence (compta)')
  await compta.getByRole('button', { name: 'Enregistrer', exact: true }).click()
  await expect(compta.getByText('Tarif enregistré')).toBeVisible()
  expect((await api.call('billing-tariffs-list', {})).map((t: { name: string }) => t.name)).toContain('Tarif concurrence (compta)')
  await api.dispose()
})
