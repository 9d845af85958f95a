import { defineConfig } from '@playwright/test'
import { chromiumPath, isExecutableFile } from './scripts/tool-paths.cjs'

/**
 * Browser tests on Debian's Chromium (`apt-get install -y chromium`), found as
 * `npm test`'s preflight finds it (CHROMIUM_PATH, else chromium on PATH);
 * `npx playwright install` cannot work offline. One worker: the app under
 * test is one headless server per worker, started by test/e2e/fixtures.ts.
 */
const chromium = {
  executablePath: chromiumPath({ env: process.env, isExecutable: isExecutableFile }) ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
}

/**
 * The booking and billing journeys (tagged @dates) are replayed on the demo at the school year's edges, one app per
 * date: the day before a deadline (the 20th), the end of the school year, the day before the rentrée, the Christmas
 * holidays and the year's end. The other projects run at the fixture's default instant (fixtures.ts).
 */
const JOURNEY_DATES = ['2027-01-19', '2027-06-30', '2027-08-31', '2027-12-24']

export default defineConfig<{}, { appClock: string }>({
  testDir: 'test/e2e',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: chromium,
    ignoreHTTPSErrors: true,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    trace: 'retain-on-failure'
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
    // The phone project replays the tests tagged @phone at the 390×844 viewport families use.
    { name: 'phone', grep: /@phone/, use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
    // "2027-01-19" is 8:00 in Paris that day (clock-option.ts).
    ...JOURNEY_DATES.map((day) => ({ name: `date-${day}`, grep: /@dates/, use: { viewport: { width: 1280, height: 800 }, appClock: day } }))
  ]
})
