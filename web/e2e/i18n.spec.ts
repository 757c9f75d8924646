// The English switch, keyboard sign-in, and server errors in the UI language.
import { test, expect, login, allowConsoleError, PASSWORD } from './fixtures'

test('the whole UI switches to English, server errors included', async ({ page }) => {
  await login(page, 'dispatcher')
  await expect(page.getByTestId('menu-workbench')).toHaveText('工作台')
  await page.getByTestId('lang-switch').getByText('EN').click()
  await expect(page.getByTestId('menu-workbench')).toHaveText('Workbench')
  await expect(page.getByTestId('case-table').locator('thead')).toContainText('Case number')
  await expect(page.getByTestId('queue-overdue')).toContainText('Overdue')
  // Dictionary labels come in English too.
  await expect(page.getByTestId('case-table').getByTestId('status-tag').first()).toHaveText(/[A-Za-z]/)
  // The choice survives a reload.
  await page.reload()
  await expect(page.getByTestId('menu-intake')).toHaveText('One-window intake')

  // A server error comes back in English (Accept-Language follows the UI).
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  allowConsoleError(page, /status of 401/)
  await page.getByLabel('Username').fill('dispatcher')
  await page.getByLabel('Password', { exact: true }).fill('wrong password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toContainText('wrong username or password')
  await page.getByTestId('lang-switch').getByText('中文').click()
})

test('sign-in works from the keyboard alone', async ({ page }) => {
  await page.goto('/login')
  await page.getByLabel('用户名').focus()
  await page.keyboard.type('handler')
  await page.keyboard.press('Tab')
  await page.keyboard.type(PASSWORD)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('user-menu')).toContainText('城管局')
  await expect(page.getByTestId('user-menu')).toContainText('承办人')
  // A handler's menu has no intake, dispatch desk or cockpit.
  await expect(page.getByTestId('menu-intake')).toHaveCount(0)
  await expect(page.getByTestId('menu-dispatch')).toHaveCount(0)
  await expect(page.getByTestId('menu-cockpit')).toHaveCount(0)
})

test('the portal works on a phone screen and checks its input', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto('/portal')
  await page.getByTestId('p-submit').click()
  await expect(page.getByText('您的称呼为必填项')).toBeVisible()
  await expect(page.getByText('问题描述为必填项')).toBeVisible()
  // Nothing sticks out of the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(0)
  // An unknown number and phone is answered without saying which was wrong.
  allowConsoleError(page, /status of 404/)
  await page.getByRole('tab', { name: '进度查询' }).click()
  await page.getByTestId('t-number').fill('2026-999999')
  await page.getByTestId('t-phone').fill('13900000000')
  await page.getByTestId('t-submit').click()
  await expect(page.getByTestId('track-error')).toContainText('未找到该工单')
})
