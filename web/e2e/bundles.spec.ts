// 一件事 (issue 22) in the UI: the window clerk takes a 企业开办一件事 — the life event chosen from the catalogue, one
// form (refused on screen first for an empty field and a wrong ID number), the checklist with the roster deferred
// (容缺) — and lands on the application with its matters as a flow: the licence released, the four others waiting
// for it. The 市场监管局 finds it in its to-do (from the workbench), accepts and approves the licence and sees the
// four released. A step taken meanwhile by someone else is a Chinese conflict message and a reload; a correction is
// asked for (an opinion required) and handed in at the window; the cockpit shows the figures.
import { test, expect, login, loginAs, logout, expectMessage, pickOption, confirmBox, allowConsoleError, DEPT_PASSWORD } from './fixtures'
import { apiGet, apiPost, apiToken, deptUser } from './api'
import type { APIRequestContext, Page } from '@playwright/test'

const FOLLOWERS = ['seal_filing', 'tax_invoice', 'pension_registration', 'medical_registration']
const REQUIRED = ['legal_rep_id', 'articles', 'investor_ids', 'premises_proof']

interface ApiTask {
  id: string
  matter: string
  status: string
  version: number
}
interface ApiBundle {
  id: string
  status: string
  tasks: ApiTask[]
}

/** A name nobody else in the run uses, to find the application again in a list. */
const unique = (base: string) => `${base}${String(Date.now()).slice(-6)}`

function companyForm(company: string) {
  return {
    company_name: company,
    company_type: '有限责任公司',
    registered_capital: 50,
    business_scope: '餐饮管理；食品销售',
    address: '临江区东湖街道金桥路18号',
    legal_rep_name: '陈禾',
    legal_rep_id_card: '11010519491231002X',
    contact_phone: '13900001111',
    seal_set: '仅公章',
    taxpayer_type: '小规模纳税人',
    invoice_type: '数电发票（普通发票）',
    finance_contact: '陈禾',
    employee_count: 3,
  }
}

/** A 企业开办 taken at the window through the API (the clerk's hands), for the department's tests. */
async function newBundle(request: APIRequestContext, applicant: string): Promise<ApiBundle> {
  const clerk = await apiToken(request, 'clerk')
  return apiPost<ApiBundle>(
    request,
    clerk,
    '/bundles',
    { template: 'company_setup', applicant: { name: applicant, phone: '13900001111' }, form: companyForm(`${applicant}餐饮管理有限公司`), materials: [...REQUIRED, 'employee_roster'] },
    201,
  )
}

const task = (page: Page, matter: string) => page.locator(`[data-test="bundle-task"][data-matter="${matter}"]`)
const fieldItem = (page: Page, name: string) => page.locator(`.el-form-item[data-field="${name}"]`)

/** The 市场监管局 handler signs in and opens the application from the to-do list, reached from the workbench. */
async function deptOpens(page: Page, username: string, applicant: string) {
  await loginAs(page, username, DEPT_PASSWORD)
  const card = page.getByTestId('bundle-todo-card')
  await expect(card).toBeVisible()
  await card.getByTestId('bundle-todo-link').click()
  await expect(page).toHaveURL(/\/bundles\?.*todo=true/)
  await expect(page.locator('.el-tabs__item.is-active')).toContainText('本单位待办')
  const link = page.getByTestId('bundle-link').filter({ hasText: applicant })
  await expect(link).toHaveCount(1)
  await link.click()
  await expect(page).toHaveURL(/\/bundles\/[0-9a-f-]{36}$/)
  await expect(page.getByTestId('bundle-applicant')).toHaveText(applicant)
}

test.describe('一件事 bundles', () => {
  test('the window takes a 企业开办一件事: refused on screen, then submitted, the matters as a flow', async ({ page }) => {
    const applicant = unique('陈禾')
    await login(page, 'clerk')
    await page.getByTestId('menu-bundles').click()
    await expect(page).toHaveURL(/\/bundles/)
    await page.getByTestId('bundle-new').click()
    await expect(page).toHaveURL(/\/bundles\/new/)

    // The catalogue: personal and enterprise life events, each with its promise and departments.
    await expect(page.getByTestId('bundle-kind-personal')).toContainText('出生一件事')
    const card = page.locator('[data-test="bundle-template"][data-code="company_setup"]')
    await expect(card).toContainText('承诺 2 个工作日')
    await expect(card).toContainText('5 个部门 · 5 个事项')
    await expect(page.getByTestId('bundle-kind-enterprise')).toContainText('企业开办一件事')
    await card.click()
    await expect(page.getByTestId('intake-template')).toHaveText('企业开办一件事')
    // Who will handle it: the licence first, the four others after it.
    const summary = page.getByTestId('intake-summary')
    await expect(summary.locator('[data-test="intake-matter"][data-matter="business_license"]')).toContainText('市场监管局')
    await expect(summary.locator('[data-test="intake-matter"][data-matter="seal_filing"]')).toContainText('前置：企业设立登记（营业执照核发）')

    // The applicant and the form — the company name left empty and a wrong check digit in the ID number.
    await page.getByTestId('ba-name').fill(applicant)
    await page.getByTestId('ba-phone').fill('13900001111')
    await pickOption(page, 'bf-company_type', '有限责任公司')
    await page.getByTestId('bf-registered_capital').locator('input').fill('50')
    await page.getByTestId('bf-business_scope').fill('餐饮管理；食品销售')
    await page.getByTestId('bf-address').fill('临江区东湖街道金桥路18号')
    await page.getByTestId('bf-legal_rep_name').fill('陈禾')
    await page.getByTestId('bf-legal_rep_id_card').fill('110105194912310021')
    await page.getByTestId('bf-contact_phone').fill('13900001111')
    await pickOption(page, 'bf-seal_set', '仅公章')
    await page.getByTestId('bf-taxpayer_type').getByText('小规模纳税人').click()
    await pickOption(page, 'bf-invoice_type', '数电发票（普通发票）')
    await page.getByTestId('bf-finance_contact').fill('陈禾')
    await page.getByTestId('bf-employee_count').locator('input').fill('3')
    // Nothing ticked yet: the checklist says what is missing.
    await expect(page.getByTestId('materials-missing')).toContainText('缺少必交材料：法定代表人居民身份证')
    await page.getByTestId('intake-submit').click()
    await expectMessage(page, '有 2 处需要修改', 'warning')
    await expect(fieldItem(page, 'company_name').locator('.el-form-item__error')).toHaveText('请填写企业名称')
    await expect(fieldItem(page, 'legal_rep_id_card').locator('.el-form-item__error')).toContainText('法定代表人公民身份号码不正确')
    await expect(page).toHaveURL(/\/bundles\/new/)

    // Corrected; the required materials ticked, the roster left to follow (容缺).
    await page.getByTestId('bf-company_name').fill(`${applicant}餐饮管理有限公司`)
    await expect(fieldItem(page, 'company_name').locator('.el-form-item__error')).toHaveCount(0)
    await page.getByTestId('bf-legal_rep_id_card').fill('11010519491231002X')
    await expect(fieldItem(page, 'legal_rep_id_card').locator('.el-form-item__error')).toHaveCount(0)
    for (const m of REQUIRED.slice(0, 3)) await page.getByTestId(`bm-${m}`).click()
    await expect(page.getByTestId('materials-missing')).toHaveText(/缺少必交材料：住所（经营场所）使用证明/)
    await page.getByTestId(`bm-${REQUIRED[3]}`).click()
    await expect(page.getByTestId('materials-missing')).toHaveCount(0)
    await expect(page.getByTestId('materials-deferred')).toContainText('参保职工花名册')

    await page.getByTestId('intake-submit').click()
    await expectMessage(page, /已受理“企业开办一件事”，承诺 \d{4}-\d{2}-\d{2} 前办结/, 'success')
    await expect(page).toHaveURL(/\/bundles\/[0-9a-f-]{36}$/)
    await expect(page.getByTestId('bundle-title')).toHaveText('企业开办一件事')
    await expect(page.getByTestId('bundle-status')).toHaveAttribute('data-status', 'in_progress')
    await expect(page.getByTestId('bundle-applicant')).toHaveText(applicant)
    await expect(page.getByTestId('bundle-visits')).toHaveText('1 次')

    // The flow: the licence released in the first column, the four others in the second, waiting for it.
    const first = page.locator('[data-test="flow-col"][data-depth="0"]')
    const second = page.locator('[data-test="flow-col"][data-depth="1"]')
    await expect(first.getByTestId('bundle-task')).toHaveCount(1)
    await expect(task(page, 'business_license')).toHaveAttribute('data-status', 'pending')
    await expect(task(page, 'business_license')).toContainText('市场监管局')
    await expect(task(page, 'business_license').getByTestId('task-due')).toHaveText(/\d{4}-\d{2}-\d{2}/)
    await expect(second.getByTestId('bundle-task')).toHaveCount(4)
    for (const m of FOLLOWERS) {
      await expect(task(page, m)).toHaveAttribute('data-status', 'waiting')
      await expect(task(page, m).getByTestId('task-waiting')).toHaveText('等待：企业设立登记（营业执照核发）')
    }
    // The clerk takes no department's step.
    await expect(page.getByTestId('task-actions')).toHaveCount(0)
    // The form as filled in and the materials: the roster deferred.
    await expect(page.getByTestId('bundle-form')).toContainText('11010519491231002X')
    await expect(page.locator('[data-test="material-state"][data-code="employee_roster"]')).toHaveText('容缺待补')
    await expect(page.locator('[data-test="material-state"][data-code="articles"]')).toHaveText('已交')
    await page.screenshot({ path: 'test-results/bundle-detail-window.png', fullPage: true })

    // The list: the new application first, 窗口, 办理中.
    await page.getByTestId('bundle-back').click()
    const row = page.locator('.el-table__row', { hasText: applicant })
    await expect(row).toHaveCount(1)
    await expect(row).toContainText('窗口')
    await expect(row.getByTestId('bundle-status')).toHaveText('办理中')
  })

  test('the 市场监管局 accepts and approves the licence from its to-do; the four others are released', async ({ page, request }) => {
    const applicant = unique('李青')
    const b = await newBundle(request, applicant)
    const { username } = await deptUser(request, 'scjgj')
    await deptOpens(page, username, applicant)

    const licence = task(page, 'business_license')
    await expect(licence).toHaveAttribute('data-status', 'pending')
    // Only its own matter has buttons.
    await expect(page.getByTestId('task-actions')).toHaveCount(1)
    await licence.getByTestId('task-act-accept').click()
    await expectMessage(page, '已受理：企业设立登记（营业执照核发）', 'success')
    await expect(licence).toHaveAttribute('data-status', 'accepted')

    await licence.getByTestId('task-act-approve').click()
    const dialog = page.getByRole('dialog')
    await expect(dialog).toBeVisible()
    await dialog.getByTestId('action-opinion').fill('材料齐全，准予登记')
    await dialog.getByTestId('action-submit').click()
    await expect(dialog).toBeHidden()
    await expectMessage(page, /已办结：企业设立登记（营业执照核发）；已流转至：印章刻制备案、/, 'success')
    await expect(licence).toHaveAttribute('data-status', 'approved')
    await expect(licence.getByTestId('task-opinion')).toContainText('材料齐全，准予登记')
    for (const m of FOLLOWERS) {
      await expect(task(page, m)).toHaveAttribute('data-status', 'pending')
      await expect(task(page, m).getByTestId('task-due')).toHaveText(/\d{4}-\d{2}-\d{2}/)
      // Another department's matter: no buttons for the 市场监管局.
      await expect(task(page, m).getByTestId('task-actions')).toHaveCount(0)
    }
    await expect(page.getByTestId('bundle-timeline')).toContainText('流转至：印章刻制备案')
    await page.screenshot({ path: 'test-results/bundle-detail-dept.png', fullPage: true })

    // The server agrees; the application has left the 市场监管局's to-do list.
    const clerk = await apiToken(request, 'clerk')
    const now = await apiGet<ApiBundle>(request, clerk, `/bundles/${b.id}`)
    expect(now.tasks.filter((x) => FOLLOWERS.includes(x.matter)).map((x) => x.status)).toEqual(['pending', 'pending', 'pending', 'pending'])
    await page.getByTestId('bundle-back').click()
    await page.getByTestId('bundle-tab-todo').click()
    await expect(page.getByTestId('bundle-table')).not.toContainText(applicant)
  })

  test('a step someone else took first is a conflict message and a reload; a correction is asked and handed in', async ({ page, request }) => {
    allowConsoleError(page, /status of 409/)
    const applicant = unique('周敏')
    const b = await newBundle(request, applicant)
    const dept = await deptUser(request, 'scjgj')
    await deptOpens(page, dept.username, applicant)
    const licence = task(page, 'business_license')
    await expect(licence).toHaveAttribute('data-status', 'pending')

    // A colleague accepts it meanwhile (the API); the page still shows it pending.
    const licenceTask = b.tasks.find((x) => x.matter === 'business_license')!
    await apiPost(request, dept.token, `/bundles/${b.id}/tasks/${licenceTask.id}/transitions`, { action: 'accept', version: licenceTask.version })
    await licence.getByTestId('task-act-accept').click()
    await expectMessage(page, '“企业设立登记（营业执照核发）”已被他人处理，页面已刷新为最新状态', 'warning')
    await expect(licence).toHaveAttribute('data-status', 'accepted')

    // 要求补正: an opinion is required, asked for in the dialog before anything is sent.
    await licence.getByTestId('task-act-request_correction').click()
    const dialog = page.getByRole('dialog')
    await expect(dialog).toBeVisible()
    await dialog.getByTestId('action-submit').click()
    await expect(dialog).toContainText('请写明需要补正的内容')
    await dialog.getByTestId('action-opinion').fill('公司章程缺少全体股东签字页')
    await dialog.getByTestId('action-submit').click()
    await expect(dialog).toBeHidden()
    await expectMessage(page, '已要求补正：企业设立登记（营业执照核发），办理时限暂停计算', 'success')
    await expect(page.getByTestId('bundle-status')).toHaveAttribute('data-status', 'correction')
    await expect(licence.getByTestId('task-opinion')).toContainText('补正要求：公司章程缺少全体股东签字页')

    // The applicant comes back to the window: the clerk hands the correction in (one more visit).
    await logout(page)
    await login(page, 'clerk')
    await page.goto(`/bundles/${b.id}`)
    await expect(page.getByTestId('bundle-visits')).toHaveText('1 次')
    await licence.getByTestId('task-act-resubmit').click()
    await confirmBox(page)
    await expectMessage(page, '补正材料已交：企业设立登记（营业执照核发），恢复计时', 'success')
    await expect(licence).toHaveAttribute('data-status', 'accepted')
    await expect(page.getByTestId('bundle-status')).toHaveAttribute('data-status', 'in_progress')
    await expect(page.getByTestId('bundle-visits')).toHaveText('2 次')
  })

  test('the eligibility pre-check of the server is shown as its reasons; corrected, the application goes through', async ({ page }) => {
    allowConsoleError(page, /status of 422/)
    const applicant = unique('吴越')
    await login(page, 'clerk')
    await page.goto('/bundles/new')
    await page.locator('[data-test="bundle-template"][data-code="flexible_employment"]').click()
    await expect(page.getByTestId('intake-template')).toHaveText('灵活就业一件事')
    await expect(page.getByTestId('intake-summary')).toContainText('年龄（周岁）不低于 16')
    await page.getByTestId('ba-name').fill(applicant)
    await page.getByTestId('ba-phone').fill('13700002222')
    await page.getByTestId('bf-applicant_name').fill(applicant)
    await page.getByTestId('bf-id_card').fill('110105194912310038')
    await page.getByTestId('bf-gender').getByText('男').click()
    await page.getByTestId('bf-age').locator('input').fill('15')
    await pickOption(page, 'bf-hukou_type', '本市户籍')
    await pickOption(page, 'bf-employment_form', '个体经营')
    const date = page.locator('[data-field="employment_start_date"] input')
    await date.fill('2026-11-02')
    await date.press('Enter')
    await page.getByTestId('bf-residence_address').fill('临江区东湖街道金桥花园3幢501')
    await pickOption(page, 'bf-pension_base_level', '60%')
    await page.getByTestId('bf-payment_period').getByText('按月缴费').click()
    await page.getByTestId('bf-bank_account').fill('6222020200001234567')
    // The applicant's phone was copied into the form's.
    await expect(page.getByTestId('bf-contact_phone')).toHaveValue('13700002222')
    await page.getByTestId('bm-id_card_copy').click()
    await expect(page.getByTestId('materials-deferred')).toContainText('社会保险费委托扣款协议')

    await page.getByTestId('intake-submit').click()
    await expectMessage(page, '预审未通过，不符合办理条件', 'error')
    await expect(page.getByTestId('intake-ineligible')).toContainText('未满16周岁，不能办理就业登记')
    await expect(page).toHaveURL(/\/bundles\/new/)

    await page.getByTestId('bf-age').locator('input').fill('30')
    await expect(page.getByTestId('intake-ineligible')).toHaveCount(0)
    await page.getByTestId('intake-submit').click()
    await expectMessage(page, '已受理“灵活就业一件事”', 'success')
    await expect(page).toHaveURL(/\/bundles\/[0-9a-f-]{36}$/)
    // Three steps: registration; pension and medical insurance; the fee registration waiting for both.
    await expect(page.locator('[data-test="flow-col"]')).toHaveCount(3)
    await expect(task(page, 'employment_registration')).toHaveAttribute('data-status', 'pending')
    await expect(task(page, 'fee_registration').getByTestId('task-waiting')).toHaveText('等待：灵活就业人员企业职工基本养老保险参保登记、灵活就业人员职工基本医疗保险参保登记')
    await expect(page.getByTestId('bundle-form')).toContainText('2026-11-02')
  })

  test('the cockpit shows the 一件事 figures and a bar per bundle', async ({ page }) => {
    await login(page, 'leader')
    await page.goto('/cockpit')
    const panel = page.getByTestId('cockpit-bundles')
    await expect(panel).toBeVisible()
    await expect(panel.getByTestId('bundles-kpi-handled')).toContainText(/\d+ \/ \d+/)
    await expect(panel.getByTestId('bundles-kpi-ontime')).toContainText('%')
    await expect(panel.getByTestId('bundles-kpi-visits')).toContainText('平均跑动次数')
    await expect(panel.getByTestId('chart-bundles')).toBeVisible()
    await panel.scrollIntoViewIfNeeded()
    await panel.screenshot({ path: 'test-results/bundle-cockpit.png' })
    await panel.getByTestId('cockpit-bundles-link').click()
    await expect(page).toHaveURL(/\/bundles\?.*todo=false/)
    await expect(page.locator('.el-tabs__item.is-active')).toContainText('全部申请')
  })
})
