// The edge's guards in the browser (issue 19): the pages run under a strict Content-Security-Policy without a
// violation (Element Plus, ECharts, the portal), and a refusal of the rate limits (429) is shown in Chinese and
// English with the minutes to wait.
import { test, expect, login, allowConsoleError } from './fixtures'
import type { Page } from '@playwright/test'

/** Records every CSP violation of the page (Chromium also logs them as console errors, which fail any test). */
async function watchCsp(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] }
    w.__csp = []
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`))
  })
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)

test('the pages run under a strict CSP, framing refused', async ({ page }) => {
  await watchCsp(page)
  const res = await page.goto('/login')
  const csp = res?.headers()['content-security-policy'] ?? ''
  const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? ''
  expect(directive('script-src')).toBe("script-src 'self'")
  expect(directive('style-src')).toBe("style-src 'self'")
  expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'")
  expect(csp).not.toContain('unsafe-eval')
  expect(res?.headers()['referrer-policy']).toBe('no-referrer')
  await login(page, 'leader')
  // The cockpit draws its charts (ECharts) and the workbench its tables and pickers (Element Plus).
  await page.getByTestId('menu-cockpit').click()
  await expect(page.locator('canvas').first()).toBeVisible()
  // A tooltip (HTML with style attributes) over the streets chart.
  const chart = page.getByTestId('chart-street')
  await chart.scrollIntoViewIfNeeded()
  const box = (await chart.boundingBox())!
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5)
  await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.4)
  await page.getByTestId('menu-workbench').click()
  await expect(page.getByTestId('case-table')).toBeVisible()
  await page.getByTestId('user-menu').click()
  expect(await violations(page)).toEqual([])
  // The API answers are not to be stored by browsers or proxies.
  const api = await page.request.get('/api/v1/units')
  expect(api.headers()['cache-control']).toBe('no-store')
})

test('the portal says in both languages when the rate limit refuses', async ({ page }) => {
  allowConsoleError(page, /status of 429/)
  // The server's own 429s are proven over HTTP (crates/onewindow/tests/guards.rs); here the page's handling of one.
  await page.route('**/api/v1/portal/cases/**', (route) =>
    route.fulfill({
      status: 429,
      headers: { 'Retry-After': '540', 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: { code: 'too_many_requests', message: 'x' } }),
    }),
  )
  await page.goto('/portal')
  await page.getByRole('tab', { name: '进度查询' }).click()
  await page.getByTestId('t-number').fill('2026-000001')
  await page.getByTestId('t-phone').fill('13900000000')
  await page.getByTestId('t-submit').click()
  await expect(page.getByTestId('track-error')).toContainText('操作过于频繁，请 9 分钟后再试')
  await page.getByTestId('lang-switch').getByText('EN').click()
  await page.getByTestId('t-submit').click()
  await expect(page.getByTestId('track-error')).toContainText('Too many requests: try again in 9 minutes')
  await page.getByTestId('lang-switch').getByText('中文').click()
})

test('sign-in says how long to wait once a username is locked', async ({ page }) => {
  allowConsoleError(page, /status of 40[1]|status of 429/)
  // A username of its own: five wrong passwords lock it (a real 429 from the server, with Retry-After).
  const who = `nobody-${Date.now()}`
  await page.goto('/login')
  await page.getByLabel('用户名').fill(who)
  await page.getByLabel('密码', { exact: true }).fill('not-the-password')
  const attempt = async () => {
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'))
    await page.getByRole('button', { name: '登 录' }).click()
    return (await answer).status()
  }
  for (let i = 0; i < 5; i++) expect(await attempt()).toBe(401)
  await expect(page.getByRole('alert')).toContainText('用户名或密码错误')
  expect(await attempt()).toBe(429)
  await expect(page.getByRole('alert')).toContainText(/登录尝试过多，请 \d+ 分钟后再试/)
})
