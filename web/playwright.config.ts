import { defineConfig } from '@playwright/test'

// Drives Debian's Chromium (Playwright cannot download browsers here). The server is started by
// scripts/e2e.sh, which passes its address in ONEWINDOW_URL.
const baseURL = process.env.ONEWINDOW_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  testDir: './e2e',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  // In CI a test that fails is run once more: a pass then is reported as flaky (scripts/e2e.sh prints the count), a
  // second failure fails the run. Locally a failure is final.
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  outputDir: 'test-results/artifacts',
  use: {
    baseURL,
    testIdAttribute: 'data-test',
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    { name: 'e2e', testMatch: /.*\.spec\.ts/ },
    { name: 'screenshots', testMatch: /screenshots\.shot\.ts/ },
  ],
})
