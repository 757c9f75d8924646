// 一件事 on the portal (issue 22): a 出生一件事 from the portal to 统一出件 on a phone. The citizen signs in on
// /portal/bundles, reads the catalogue, fills the one form (an ineligible answer is refused with its reason, missing
// materials beside the checklist), submits and sees 办理中 with the due date; the departments act through the API,
// following the matters' dependencies; 公安 asks for a correction, which the citizen hands in on the page; when every
// matter is approved the page shows 已办结 · 统一出件 and the citizen was told exactly once.
import { test, expect, expectMessage, allowConsoleError, freshPhone, pickOption } from './fixtures'
import type { APIRequestContext } from '@playwright/test'
import { apiGet, apiPost, apiToken, deptUser } from './api'

interface Task {
  id: string
  matter: string
  unit: string
  status: string
  version: number
  depends_on: string[]
}
interface Bundle {
  id: string
  status: string
  due: string
  notified_at: string | null
  form: Record<string, string>
  tasks: Task[]
}
interface NotificationPage {
  items: { kind: string; title: string }[]
}

/** `YYYY-MM-DD` in Shanghai, `days` from today. */
function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10)
}

async function readyCount(request: APIRequestContext, token: string): Promise<number> {
  const n = await apiGet<NotificationPage>(request, token, '/notifications?page_size=100')
  return n.items.filter((x) => x.kind === 'bundle_ready').length
}

/** The department accounts, one per unit, made on first use. */
const tokens: Record<string, string> = {}
async function tokenOf(request: APIRequestContext, unit: string): Promise<string> {
  tokens[unit] ??= (await deptUser(request, unit)).token
  return tokens[unit]
}

async function transition(request: APIRequestContext, b: Bundle, matter: string, action: string, opinion?: string): Promise<Bundle> {
  const t = b.tasks.find((x) => x.matter === matter)!
  return apiPost<Bundle>(request, await tokenOf(request, t.unit), `/bundles/${b.id}/tasks/${t.id}/transitions`, {
    action,
    version: t.version,
    ...(opinion ? { opinion } : {}),
  })
}

/** Each department accepts and approves its matters as they are released (the ones waiting for others are not). */
async function approveReleased(request: APIRequestContext, b: Bundle, skip: string[] = []): Promise<Bundle> {
  for (let round = 0; round < 20; round++) {
    const t = b.tasks.find((x) => (x.status === 'pending' || x.status === 'accepted') && !skip.includes(x.matter))
    if (!t) return b
    // Released only when what it waits for is approved.
    for (const d of t.depends_on) expect(b.tasks.find((x) => x.matter === d)?.status, `${t.matter} waits for ${d}`).toBe('approved')
    b = await transition(request, b, t.matter, t.status === 'pending' ? 'accept' : 'approve', '同意')
  }
  return b
}

test('出生一件事 from the portal to 统一出件: sign in, one form, a correction handed in, told once (portal 一件事)', async ({ page, request }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  const citizen = await apiToken(request, 'citizen')
  const before = await readyCount(request, citizen)
  const phone = freshPhone()
  const child = `王小满${phone.slice(-4)}`

  // From the portal's front page; the catalogue is public (一次告知).
  await page.goto('/portal')
  await page.getByTestId('portal-bundles-link').click()
  await expect(page).toHaveURL(/\/portal\/bundles$/)
  const birth = page.getByTestId('pb-template').and(page.locator('[data-code="birth"]'))
  await expect(birth.getByTestId('pb-promise')).toContainText('承诺 5 个工作日办结')
  await expect(birth).toContainText('公安局')
  // Choosing before signing in asks for the sign-in.
  await birth.getByTestId('pb-choose').click()
  await expect(page.getByTestId('pb-login-note')).toContainText('出生一件事')

  // Sign in on the page: the token goes where the API client reads it, and the form opens.
  await page.getByTestId('pb-username').fill('citizen')
  await page.getByTestId('pb-password').fill('Demo@2026')
  await page.getByTestId('pb-login-submit').click()
  await expect(page.getByTestId('pb-user-name')).toHaveText('市民 林晓')
  expect(await page.evaluate(() => localStorage.getItem('ow_token'))).toBeTruthy()
  const form = page.getByTestId('pb-form')
  await expect(form).toHaveAttribute('data-code', 'birth')

  // The one form.
  await page.getByTestId('pb-applicant-name').fill('王强')
  await page.getByTestId('pb-applicant-phone').fill(phone)
  await page.getByTestId('pb-f-child_name').fill(child)
  await page.getByTestId('pb-f-gender').getByText('男', { exact: true }).click()
  await page.getByTestId('pb-f-birth_date').fill(dayFromToday(-20))
  await page.getByTestId('pb-f-born_in_hospital').getByText('否', { exact: true }).click()
  await page.getByTestId('pb-f-hospital_name').fill('临江区妇幼保健院')
  await page.getByTestId('pb-f-mother_name').fill('李梅')
  await page.getByTestId('pb-f-mother_id_card').fill('11010519491231002X')
  await page.getByTestId('pb-f-father_name').fill('王强')
  await page.getByTestId('pb-f-father_id_card').fill('110105194912310038')
  await page.getByTestId('pb-f-settle_with').getByText('随父落户', { exact: true }).click()
  await page.getByTestId('pb-f-hukou_address').fill('临江区东湖街道金桥花园3幢501')
  await pickOption(page, 'pb-f-card_bank', '中国工商银行')
  await page.getByTestId('pb-f-contact_phone').fill(phone)
  await page.getByTestId('pb-f-mailing_address').fill('临江区东湖街道金桥花园3幢501')

  // Nothing ticked: the missing materials are named beside the checklist.
  await page.getByTestId('pb-submit').click()
  await expect(page.getByTestId('pb-materials-error')).toContainText('缺少必交材料')
  await expect(page.getByTestId('pb-materials-error')).toContainText('父母结婚证')
  // The required ones ticked; the child's photo may follow (容缺).
  await expect(page.getByTestId('pb-deferrable-hint')).toContainText('容缺')
  const required = page.locator('[data-test^="pb-m-"][data-required="true"]')
  expect(await required.count()).toBe(6)
  for (const box of await required.all()) await box.click()
  await expect(page.getByTestId('pb-m-child_photo')).toContainText('容缺')

  // Born outside a licensed facility: refused with the template's reason.
  allowConsoleError(page, /status of 422/)
  await page.getByTestId('pb-submit').click()
  await expect(page.getByTestId('pb-reason')).toContainText('助产机构')
  await expect(page.getByTestId('pb-materials-error')).toBeHidden()

  // Eligible: submitted, one status and the due date.
  await page.getByTestId('pb-f-born_in_hospital').getByText('是', { exact: true }).click()
  await page.getByTestId('pb-submit').click()
  await expectMessage(page, '「出生一件事」已提交', 'success')
  const result = page.getByTestId('pb-result')
  await expect(result).toBeVisible()
  const id = await result.getAttribute('data-id')
  let b = await apiGet<Bundle>(request, citizen, `/bundles/${id}`)
  expect(b.form.child_name, 'the application on the server').toBe(child)
  await expect(page.getByTestId('pb-result-status')).toHaveText('办理中')
  await expect(page.getByTestId('pb-result-due')).toContainText(b.due)
  expect(b.status).toBe('in_progress')

  // 我的一件事: the application with its one status and progress.
  await page.getByTestId('pb-result-mine').click()
  await expect(page).toHaveURL(/tab=mine/)
  const card = page.getByTestId('pb-bundle').and(page.locator(`[data-id="${b.id}"]`))
  await expect(card.getByTestId('pb-status')).toHaveText('办理中')
  await expect(card.getByTestId('pb-due')).toContainText(b.due)
  await expect(card.getByTestId('pb-progress')).toContainText('0/6 已办结')

  // The departments: 卫健 approves what is released at once; 公安 (released after the birth certificate) asks for a correction.
  b = await approveReleased(request, b, ['hukou_registration'])
  expect(b.tasks.find((x) => x.matter === 'hukou_registration')?.status).toBe('pending')
  expect(b.tasks.find((x) => x.matter === 'social_security_card')?.status, 'waits for the hukou').toBe('waiting')
  b = await transition(request, b, 'hukou_registration', 'accept')
  b = await transition(request, b, 'hukou_registration', 'request_correction', '拟落户地址门牌号不完整，请补充房号')
  expect(b.status).toBe('correction')

  // The citizen sees 待补正 with the department's words, and hands the correction in.
  await page.getByTestId('pb-refresh').click()
  await expect(card.getByTestId('pb-status')).toHaveText('待补正')
  await expect(card.getByTestId('pb-correction-opinion')).toHaveText('拟落户地址门牌号不完整，请补充房号')
  await card.getByTestId('pb-resubmit').click()
  await expect(page.getByTestId('pb-fix-opinion')).toContainText('拟落户地址门牌号不完整')
  await page.getByTestId('pb-fix-submit').click()
  await expectMessage(page, '补正材料已提交', 'success')
  await expect(card.getByTestId('pb-status')).toHaveText('办理中')
  await expect(card.getByTestId('pb-correction')).toBeHidden()
  b = await apiGet<Bundle>(request, citizen, `/bundles/${b.id}`)
  expect(b.status).toBe('in_progress')
  expect(b.tasks.find((x) => x.matter === 'hukou_registration')?.status).toBe('accepted')

  // The rest, each matter as it is released: 公安 approves, then 医保 and 人社.
  b = await approveReleased(request, b)
  expect(b.tasks.every((x) => x.status === 'approved'), JSON.stringify(b.tasks.map((x) => [x.matter, x.status]))).toBe(true)
  expect(b.status).toBe('completed')
  expect(b.notified_at).toBeTruthy()

  // 统一出件 on the page (after a reload, the tab kept in the address).
  await page.reload()
  await expect(card.getByTestId('pb-status')).toHaveText('已办结')
  await expect(card.getByTestId('pb-ready')).toContainText('统一出件')
  await expect(card.getByTestId('pb-notified')).toBeVisible()
  await expect(card.getByTestId('pb-progress')).toContainText('6/6 已办结')
  await expect(page.getByTestId('pb-notice').filter({ hasText: '「出生一件事」已全部办结' }).first()).toBeVisible()
  // Told exactly once.
  expect(await readyCount(request, citizen)).toBe(before + 1)

  // Signing out leaves the page usable and the list gone.
  await page.getByTestId('pb-logout').click()
  await expectMessage(page, '已退出登录', 'success')
  await expect(page.getByTestId('pb-login')).toBeVisible()
  await expect(page.getByTestId('pb-bundle')).toHaveCount(0)
})
