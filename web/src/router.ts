import { createRouter, createWebHistory } from 'vue-router'
import { getToken } from './api/http'
import { store } from './store'
import { canSee, homeFor } from './utils/perm'
import type { MenuKey } from './utils/perm'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    menu?: MenuKey
    public?: boolean
  }
}

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [
    { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true, title: 'login.title' } },
    { path: '/portal', component: () => import('./views/portal/Portal.vue'), meta: { public: true, title: 'app.portalTitle' } },
    // 红黄黑榜公示 (issue 21): the published boards, for everyone.
    // 一件事 on the portal (issue 22): a signed-in citizen applies and follows their applications.
    { path: '/portal/bundles', component: () => import('./views/portal/PortalBundles.vue'), meta: { public: true, title: 'portalBundles.title' } },
    { path: '/portal/boards', component: () => import('./views/portal/PortalBoards.vue'), meta: { public: true, title: 'boards.portalTitle' } },
    // 常见问题 (issue 23): the knowledge base's published articles, for everyone.
    { path: '/portal/faq', component: () => import('./views/portal/PortalFaq.vue'), meta: { public: true, title: 'knowledge.faqTitle' } },
    {
      path: '/',
      component: () => import('./layouts/StaffLayout.vue'),
      children: [
        { path: '', name: 'workbench', component: () => import('./views/Workbench.vue'), meta: { title: 'menu.workbench', menu: 'workbench' } },
        { path: 'cases/:id', name: 'case', component: () => import('./views/CaseDetail.vue'), meta: { title: 'menu.caseDetail', menu: 'workbench' } },
        { path: 'intake', component: () => import('./views/Intake.vue'), meta: { title: 'menu.intake', menu: 'intake' } },
        { path: 'dispatch', component: () => import('./views/DispatchDesk.vue'), meta: { title: 'menu.dispatch', menu: 'dispatch' } },
        { path: 'ledger', component: () => import('./views/LedgerImport.vue'), meta: { title: 'menu.ledger', menu: 'ledger' } },
        { path: 'admin/ledger', redirect: '/ledger' },
        { path: 'cockpit', component: () => import('./views/Cockpit.vue'), meta: { title: 'menu.cockpit', menu: 'cockpit' } },
        { path: 'risk', component: () => import('./views/RiskAlerts.vue'), meta: { title: 'menu.risk', menu: 'risk' } },
        { path: 'mediations', name: 'mediations', component: () => import('./views/Mediations.vue'), meta: { title: 'menu.mediation', menu: 'mediation' } },
        { path: 'mediations/:id', name: 'mediation', component: () => import('./views/MediationDetail.vue'), meta: { title: 'menu.mediationDetail', menu: 'mediation' } },
        { path: 'boards', component: () => import('./views/Boards.vue'), meta: { title: 'menu.boards', menu: 'boards' } },
        // 重点工作 (issue 21, item 2): the programs with their ledgers, and one program's items.
        { path: 'programs', name: 'programs', component: () => import('./views/Programs.vue'), meta: { title: 'menu.programs', menu: 'programs' } },
        { path: 'programs/:id', name: 'program', component: () => import('./views/ProgramDetail.vue'), meta: { title: 'menu.programDetail', menu: 'programs' } },
        // 走访 (issue 21, item 1): the campaigns, and one campaign's summary by unit.
        { path: 'campaigns', name: 'campaigns', component: () => import('./views/Campaigns.vue'), meta: { title: 'menu.campaigns', menu: 'campaigns' } },
        { path: 'campaigns/:id', name: 'campaign', component: () => import('./views/CampaignDetail.vue'), meta: { title: 'menu.campaignDetail', menu: 'campaigns' } },
        // 一件事 (issue 22): applications (the window's intake, a department's tasks), one application as a flow.
        { path: 'bundles', name: 'bundles', component: () => import('./views/Bundles.vue'), meta: { title: 'menu.bundles', menu: 'bundles' } },
        { path: 'bundles/new', name: 'bundle-new', component: () => import('./views/BundleIntake.vue'), meta: { title: 'menu.bundleIntake', menu: 'bundles' } },
        { path: 'bundles/:id', name: 'bundle', component: () => import('./views/BundleDetail.vue'), meta: { title: 'menu.bundleDetail', menu: 'bundles' } },
        // 工程建设项目审批 (issue 22, item 3): projects, and one project's stages as a timeline with parallel review lanes.
        { path: 'approvals', name: 'approvals', component: () => import('./views/Approvals.vue'), meta: { title: 'menu.approvals', menu: 'approvals' } },
        { path: 'approvals/:id', name: 'approval', component: () => import('./views/ApprovalDetail.vue'), meta: { title: 'menu.approvalDetail', menu: 'approvals' } },
        // 知识库 (issue 23): the articles, their review, and which cases they answered.
        { path: 'knowledge', name: 'knowledge', component: () => import('./views/Knowledge.vue'), meta: { title: 'menu.knowledge', menu: 'knowledge' } },
        { path: 'notifications', component: () => import('./views/Notifications.vue'), meta: { title: 'menu.notifications', menu: 'notifications' } },
        { path: 'admin/org', component: () => import('./views/admin/OrgUsers.vue'), meta: { title: 'menu.org', menu: 'admin' } },
        { path: 'admin/users', redirect: { path: '/admin/org', query: { tab: 'users' } } },
        { path: 'admin/taxonomy', component: () => import('./views/admin/Taxonomy.vue'), meta: { title: 'menu.taxonomy', menu: 'admin' } },
        { path: 'admin/policies', component: () => import('./views/admin/Policies.vue'), meta: { title: 'menu.policies', menu: 'admin' } },
        { path: 'admin/triage', component: () => import('./views/admin/TriageSettings.vue'), meta: { title: 'menu.triage', menu: 'admin' } },
        { path: 'admin/risk', component: () => import('./views/admin/RiskSettings.vue'), meta: { title: 'menu.riskSettings', menu: 'admin' } },
        { path: 'admin/boards', component: () => import('./views/admin/BoardRules.vue'), meta: { title: 'menu.boardRules', menu: 'admin' } },
        { path: 'admin/audit', component: () => import('./views/admin/AuditLog.vue'), meta: { title: 'menu.audit', menu: 'admin' } },
        { path: 'admin/calendars', component: () => import('./views/admin/Calendars.vue'), meta: { title: 'menu.calendars', menu: 'admin' } },
      ],
    },
    // The phone (H5) visit form of a cadre: outside the staff layout (no side menu on a phone); signed-in staff only.
    { path: '/campaigns/:id/visit', name: 'campaign-visit', component: () => import('./views/CampaignVisit.vue'), meta: { title: 'menu.campaignVisit', menu: 'campaigns' } },
    // Printing (issue 18, item 9): A4 forms outside the staff layout (no menu on paper); signed-in staff only.
    { path: '/print/receipt/:id', component: () => import('./views/print/Receipt.vue'), meta: { title: 'print.receipt' } },
    { path: '/print/notice/:id', component: () => import('./views/print/Notice.vue'), meta: { title: 'print.notice' } },
    { path: '/print/risk-weekly', component: () => import('./views/print/RiskWeekly.vue'), meta: { title: 'risk.weekly' } },
    // 人民调解 documents (issue 20, item 5): 受理登记表, 调解笔录 (one per session, numbered from 1), 协议书, 告知书.
    { path: '/print/mediation/:id/register', component: () => import('./views/print/MediationRegister.vue'), meta: { title: 'mediation.print.register' } },
    { path: '/print/mediation/:id/record/:n', component: () => import('./views/print/MediationRecord.vue'), meta: { title: 'mediation.print.record' } },
    { path: '/print/mediation/:id/agreement', component: () => import('./views/print/MediationAgreement.vue'), meta: { title: 'mediation.print.agreement' } },
    { path: '/print/mediation/:id/notice', component: () => import('./views/print/MediationNotice.vue'), meta: { title: 'mediation.print.notice' } },
    { path: '/print/case/:id', component: () => import('./views/print/CaseSheet.vue'), meta: { title: 'print.sheet' } },
    { path: '/:rest(.*)*', component: () => import('./views/NotFound.vue'), meta: { public: true } },
  ],
})

router.beforeEach((to) => {
  if (to.meta.public) return true
  if (!getToken() || !store.user) return { path: '/login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (to.meta.menu && to.meta.menu !== 'workbench' && !canSee(store.user.role, to.meta.menu)) return homeFor(store.user.role)
  // Leaders work from the cockpit; the workbench is one click away.
  return true
})
