import { test as base, expect } from '@playwright/test'
import type { Page } from '@playwright/test'

export const PASSWORD = 'Demo@2026'

/**
 * Every page of the run is watched: a console error or an uncaught exception fails the test. A test that makes
 * the server answer with an error on purpose (a 404 for a case out of scope) allows that one message.
 */
export const test = base.extend({
  page: async ({ page }, use, testInfo) => {
    const errors: string[] = []
    const allowed: RegExp[] = []
    ;(page as Page & { _allow?: RegExp[] })._allow = allowed
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()} @ ${m.location().url}`)
    })
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
    await use(page)
    const left = errors.filter((e) => !allowed.some((re) => re.test(e)))
    if (left.length) testInfo.annotations.push({ type: 'console errors', description: left.join('\n') })
    expect(left, 'console errors on the pages of this test').toEqual([])
  },
})

/** Lets one expected console message through (e.g. the 404 of a case outside the user's scope). */
export function allowConsoleError(page: Page, re: RegExp) {
  ;(page as Page & { _allow?: RegExp[] })._allow?.push(re)
}

export { expect }

export async function login(page: Page, username: string, lang: 'zh-CN' | 'en' = 'zh-CN') {
  await page.goto('/login')
  await page.evaluate((l) => localStorage.setItem('ow_lang', l), lang)
  await page.reload()
  await page.getByLabel(lang === 'en' ? 'Username' : '用户名').fill(username)
  await page.getByLabel(lang === 'en' ? 'Password' : '密码', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: lang === 'en' ? 'Sign in' : '登 录' }).click()
  await expect(page.getByTestId('user-menu')).toBeVisible()
}

export async function logout(page: Page) {
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await expect(page).toHaveURL(/\/login/)
}

/** Picks an option of an Element Plus select by its text (the dropdown is teleported to the body). */
export async function pickOption(page: Page, testId: string, text: string | RegExp) {
  await page.getByTestId(testId).click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: text }).first().click()
}

/** Picks a place in a filterable region cascader by typing its name. */
export async function pickRegion(page: Page, testId: string, name: string) {
  const box = page.getByTestId(testId)
  await box.click()
  await box.locator('input').first().fill(name)
  await page.locator('.el-cascader__suggestion-item:visible', { hasText: name }).first().click()
}

/** Picks a place on the portal (one select grouped by street) by typing its name. */
export async function pickPlace(page: Page, testId: string, name: string) {
  const select = page.getByTestId(testId)
  await select.click()
  await select.locator('input').fill(name)
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: name }).first().click()
}

/** Opens a case from the workbench by its number, as a person would: filter, then click the number. */
export async function openCase(page: Page, number: string) {
  await page.getByTestId('menu-workbench').click()
  await page.getByTestId('f-number').fill(number)
  await page.getByTestId('f-search').click()
  await page.getByTestId('case-link').filter({ hasText: number }).click()
  await expect(page.getByTestId('case-number')).toHaveText(number)
}

/** Takes an action on the open case through its dialog; `fill` fills the dialog's fields. The success message must
 * be on screen, inside the viewport. */
export async function act(page: Page, action: string, fill?: (dialog: ReturnType<Page['getByTestId']>) => Promise<void>) {
  await page.getByTestId(`act-${action}`).click()
  const dialog = page.getByRole('dialog')
  await expect(dialog).toBeVisible()
  if (fill) await fill(dialog)
  await dialog.getByTestId('action-submit').click()
  await expect(dialog).toBeHidden()
  await expectMessage(page, /成功|done|success/i)
}

/** A message (Element Plus's toast) with this text is visible inside the viewport. */
export async function expectMessage(page: Page, text: string | RegExp, type?: 'success' | 'warning' | 'error' | 'info') {
  const m = page.locator(type ? `.el-message--${type}` : '.el-message', { hasText: text }).last()
  await expect(m).toBeVisible()
  await expect(m).toBeInViewport()
}

/** Confirms the open confirmation box (Element Plus's message box). */
export async function confirmBox(page: Page) {
  const box = page.locator('.el-message-box:visible')
  await expect(box).toBeVisible()
  await expect(box).toBeInViewport()
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await expect(box).toBeHidden()
}

/** Calls the API as a user (to set up a case quickly); returns the JSON answer, failing on an error status. */
export async function apiAs(page: Page, username: string) {
  const r = await page.request.post('/api/v1/auth/login', { data: { username, password: PASSWORD } })
  expect(r.ok(), await r.text()).toBeTruthy()
  const token = (await r.json()).token as string
  return async (method: 'GET' | 'POST' | 'PUT', path: string, data?: unknown) => {
    const res = await page.request.fetch(`/api/v1${path}`, { method, data, headers: { Authorization: `Bearer ${token}` } })
    const body = await res.json().catch(() => null)
    expect(res.ok(), `${method} ${path}: ${res.status()} ${JSON.stringify(body)}`).toBeTruthy()
    return body
  }
}

export async function expectStatus(page: Page, status: string) {
  await expect(page.getByTestId('case-actions').locator('..').getByTestId('status-tag').first()).toHaveAttribute('data-status', status)
}

/** The citizen's view on the portal's tracking page. */
export async function citizenSees(page: Page, number: string, phone: string, status: string) {
  await page.goto('/portal')
  await page.getByRole('tab', { name: /进度查询|Track/ }).click()
  await page.getByTestId('t-number').fill(number)
  await page.getByTestId('t-phone').fill(phone)
  await page.getByTestId('t-submit').click()
  await expect(page.getByTestId('track-status')).toHaveAttribute('data-status', status)
}

/** A phone number nobody else in the run uses. */
export function freshPhone(): string {
  return `139${String(Date.now()).slice(-8)}`
}

/** The password of the department accounts the tests create (the demo ships logins for 城管局 only). */
export const DEPT_PASSWORD = 'Dept-Demo@2026-pass'

/** Signs in a user whose password is not the demo's (a department account made by `deptUser`). */
export async function loginAs(page: Page, username: string, password: string) {
  await page.goto('/login')
  await page.evaluate(() => localStorage.setItem('ow_lang', 'zh-CN'))
  await page.reload()
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByRole('button', { name: '登 录' }).click()
  await expect(page.getByTestId('user-menu')).toBeVisible()
}
