import { get, patch, post, put, download, upload } from './http'
import type { Query } from './http'
import type {
  AuditPage, Board, BoardAppeal, BoardHistory, BoardRules, PublicBoard, Mediation, RiskSettings, RiskAlert, RiskAlertDetail, RiskScanReport, CalendarInfo, CaseView, Category, IntakeSettings, LedgerReport, Policy, Route, TrainedModel, TriageModels, Cockpit, Dictionaries, EventView, NotificationPage, Page, PortalCase, PortalReceipt, Queues, Related, Triage, Unit, UnitMetrics, User,
} from './types'
import type { Program, ProgramItem } from './types'
import type { Approval, ApprovalReport, Bundle, BundleAction, BundleStats, BundleTemplate } from './types'
import type { Campaign, CampaignSummary, VisitPage, VisitRecord, VisitSubject } from './types'

export const api = {
  login: (username: string, password: string) =>
    post<{ token: string; expires_at: string; user: User }>('/auth/login', { username, password }, { auth: false }),
  logout: () => post<void>('/auth/logout'),
  me: () => get<User>('/auth/me'),
  units: () => get<Unit[]>('/units', undefined, { auth: false }),
  dictionaries: () => get<Dictionaries>('/dictionaries', undefined, { auth: false }),
  categories: () => get<Category[]>('/categories'),
  taxonomy: () => get<{ category: string; disabled: boolean }[]>('/taxonomy'),
  addCategory: (category: string) => post<{ category: string }>('/taxonomy', { category }),
  setCategory: (category: string, disabled: boolean) => patch<{ category: string; disabled: boolean }>('/taxonomy', { category, disabled }),
  cases: (q: Query) => get<Page<CaseView>>('/cases', q),
  createCase: (body: unknown) => post<CaseView>('/cases', body),
  getCase: (id: string) => get<CaseView>(`/cases/${encodeURIComponent(id)}`),
  events: (id: string) => get<EventView[]>(`/cases/${encodeURIComponent(id)}/events`),
  related: (id: string) => get<Related>(`/cases/${encodeURIComponent(id)}/related`),
  transition: (id: string, body: Record<string, unknown>) => post<CaseView>(`/cases/${encodeURIComponent(id)}/transitions`, body),
  triage: (text: string, region?: string) => post<Triage>('/triage', region ? { text, region } : { text }),
  queues: () => get<Queues>('/queues'),
  duplicates: (q: Query) => get<CaseView[]>('/duplicates', q),
  exportCases: (format: 'xlsx' | 'csv', q: Query) => download(`/cases/export.${format}`, q, `cases.${format}`),
  riskScan: (asOf?: string) => post<RiskScanReport>('/risk/scan', asOf ? { as_of: asOf } : {}),
  riskAlerts: (q: Query) => get<RiskAlert[]>('/risk/alerts', q),
  riskAlert: (id: string) => get<RiskAlertDetail>(`/risk/alerts/${encodeURIComponent(id)}`),
  riskAction: (id: string, body: Record<string, unknown>) => post<RiskAlert>(`/risk/alerts/${encodeURIComponent(id)}/actions`, body),
  riskSettings: () => get<RiskSettings>('/risk/settings'),
  putRiskSettings: (s: RiskSettings) => put<RiskSettings>('/risk/settings', s),
  // 人民调解 (issue 20, item 5).
  mediations: (q: Query) => get<Mediation[]>('/mediations', q),
  mediation: (id: string) => get<Mediation>(`/mediations/${encodeURIComponent(id)}`),
  applyMediation: (body: Record<string, unknown>) => post<Mediation>('/mediations', body),
  mediationAction: (id: string, body: Record<string, unknown>) => post<Mediation>(`/mediations/${encodeURIComponent(id)}/actions`, body),
  // 红黄黑榜 (issue 21).
  board: (period?: string, draft = false) => get<Board>('/boards', { period, draft: draft ? '1' : undefined }),
  computeBoard: (period: string) => post<Board>('/boards/compute', { period }),
  publishBoard: (period: string, reason?: string) => post<Board>('/boards/publish', reason ? { period, reason } : { period }),
  appealBoard: (period: string, unit: string, reason: string) => post<BoardAppeal>('/boards/appeals', { period, unit, reason }),
  decideAppeal: (id: string, period: string, decision: 'accept' | 'reject', note: string) =>
    post<BoardAppeal>(`/boards/appeals/${encodeURIComponent(id)}/decide`, { decision, note, period }),
  boardRules: () => get<BoardRules>('/boards/rules'),
  putBoardRules: (r: BoardRules) => put<BoardRules>('/boards/rules', r),
  unitMetricCases: (unit: string, period: string, metric: string) => get<CaseView[]>(`/metrics/units/${encodeURIComponent(unit)}/cases`, { period, metric }),
  publicBoard: (period?: string) => get<PublicBoard>('/public/boards', { period }, { auth: false }),
  boardHistory: (unit: string) => get<BoardHistory>('/public/boards/history', { unit }, { auth: false }),
  // 重点工作 (issue 21, item 2): programs, items, progress reports and their review.
  programs: () => get<Program[]>('/programs'),
  program: (id: string) => get<Program>(`/programs/${encodeURIComponent(id)}`),
  createProgram: (body: { name: string; kind: string; year: number; description?: string }) => post<Program>('/programs', body),
  addProgramItem: (id: string, body: Record<string, unknown>) => post<ProgramItem>(`/programs/${encodeURIComponent(id)}/items`, body),
  reportProgress: (id: string, item: string, body: Record<string, unknown>) =>
    post<ProgramItem>(`/programs/${encodeURIComponent(id)}/items/${encodeURIComponent(item)}/reports`, body),
  reviewReport: (id: string, item: string, n: number, body: { version: number; decision: 'approve' | 'reject'; note: string }) =>
    post<ProgramItem>(`/programs/${encodeURIComponent(id)}/items/${encodeURIComponent(item)}/reports/${n}/review`, body),
  // 走访 (issue 21, item 1): campaigns, their summary, the registry of households and enterprises, a visit.
  campaigns: () => get<Campaign[]>('/campaigns'),
  createCampaign: (body: { name: string; starts_on: string; ends_on: string; description?: string; units: { unit: string; households: number; enterprises: number }[] }) =>
    post<Campaign>('/campaigns', body),
  campaignSummary: (id: string) => get<CampaignSummary>(`/campaigns/${encodeURIComponent(id)}/summary`),
  visitSubjects: (community?: string) => get<VisitSubject[]>('/visit-subjects', { community }),
  campaignVisits: (id: string, q: Query) => get<VisitPage>(`/campaigns/${encodeURIComponent(id)}/visits`, q),
  recordVisit: (id: string, body: Record<string, unknown>) => post<VisitRecord>(`/campaigns/${encodeURIComponent(id)}/visits`, body),
  /** A campaign's visit ledger (the ledger template; every row a visit, problems become cases). */
  importVisitLedger: (id: string, file: Blob, q: { format: 'csv' | 'xlsx'; mode: 'all_or_nothing' | 'valid_only'; dry_run: boolean; filename: string }) =>
    upload<LedgerReport>(
      `/campaigns/${encodeURIComponent(id)}/visits/import`,
      { ...q, dry_run: q.dry_run ? 'true' : undefined },
      file,
      q.format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv',
    ),
  /** A registry of households and enterprises (走访对象名册) for the caller's area; `imported` counts new entries. */
  importVisitRegistry: (file: Blob, q: { format: 'csv' | 'xlsx'; mode: 'all_or_nothing' | 'valid_only'; dry_run: boolean }) =>
    upload<LedgerReport>(
      '/visit-subjects/import',
      { ...q, dry_run: q.dry_run ? 'true' : undefined },
      file,
      q.format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv',
    ),
  visitRegistryTemplate: () => download('/visit-subjects/template.csv', {}, 'visit-registry-template.csv'),
  // 一件事 (issue 22): the catalogue (public), applications, a task's transition (version is the task's).
  bundleTemplates: () => get<BundleTemplate[]>('/bundles/templates', undefined, { auth: false }),
  bundles: (q: Query) => get<Bundle[]>('/bundles', q),
  bundle: (id: string) => get<Bundle>(`/bundles/${encodeURIComponent(id)}`),
  createBundle: (body: { template: string; applicant: { name: string; phone: string; id_card?: string }; form: Record<string, string | number>; materials: string[] }) =>
    post<Bundle>('/bundles', body),
  bundleTransition: (id: string, task: string, body: { action: BundleAction; version: number; opinion?: string }) =>
    post<Bundle>(`/bundles/${encodeURIComponent(id)}/tasks/${encodeURIComponent(task)}/transitions`, body),
  bundleStats: () => get<BundleStats>('/bundles/stats'),
  // 工程建设项目审批 (issue 22, item 3).
  approvals: () => get<Approval[]>('/approvals'),
  approval: (id: string) => get<Approval>(`/approvals/${encodeURIComponent(id)}`),
  approvalReport: () => get<ApprovalReport>('/approvals/report'),
  createApproval: (body: { name: string; project_code?: string; kind?: string; applicant: { name: string; phone: string } }) => post<Approval>('/approvals', body),
  submitApprovalStage: (id: string, stage: string, body: { version: number; form: Record<string, string> }) =>
    post<Approval>(`/approvals/${encodeURIComponent(id)}/stages/${encodeURIComponent(stage)}/submit`, body),
  approvalReviewAction: (id: string, review: string, body: { action: 'approve' | 'refuse' | 'pause' | 'resume'; version: number; kind?: 'correction' | 'intermediary'; opinion?: string }) =>
    post<Approval>(`/approvals/${encodeURIComponent(id)}/reviews/${encodeURIComponent(review)}/actions`, body),
  audit: (q: Query) => get<AuditPage>('/audit', q),
  exportAudit: (q: Query) => download('/audit/export.xlsx', q, 'audit.xlsx'),
  cockpit: (q: Query) => get<Cockpit>('/stats/cockpit', q),
  notificationCount: () => get<{ unread: number }>('/notifications/count'),
  notifications: (q: { page?: number; page_size?: number; unread?: boolean } = {}) =>
    get<NotificationPage>('/notifications', { page: q.page, page_size: q.page_size, unread: q.unread ? 'true' : undefined }),
  readNotification: (id: string) => post<{ marked: number }>(`/notifications/${encodeURIComponent(id)}/read`),
  readAllNotifications: () => post<{ marked: number }>('/notifications/all/read'),
  unitMetrics: (period: string, unit?: string) => get<{ period: string; units: UnitMetrics[] }>('/metrics/units', { period, unit }),
  users: () => get<unknown>('/users'),
  createUser: (body: unknown) => post<unknown>('/users', body),
  createUnit: (body: unknown) => post<unknown>('/units', body),
  updateUnit: (code: string, body: { name?: string; disabled?: boolean }) => patch<Unit>(`/units/${encodeURIComponent(code)}`, body),
  updateUser: (id: string, body: { name?: string; role?: string; unit?: string; disabled?: boolean }) => patch<unknown>(`/users/${encodeURIComponent(id)}`, body),
  resetPassword: (id: string) => post<{ temporary_password: string | null }>(`/users/${encodeURIComponent(id)}/password`, {}),
  changePassword: (current: string, next: string) => post<{ changed: boolean }>('/auth/password', { current, new: next }),
  policies: () => get<Policy>('/policies'),
  putPolicies: (p: Policy) => put<Policy>('/policies', p),
  catalogue: () => get<Route[]>('/catalogue'),
  putCatalogue: (routes: Route[]) => put<Route[]>('/catalogue', routes),
  intakeSettings: () => get<IntakeSettings>('/triage/settings'),
  putIntakeSettings: (s: IntakeSettings) => put<IntakeSettings>('/triage/settings', s),
  triageModels: () => get<TriageModels>('/triage/models'),
  trainTriage: () => post<TrainedModel>('/triage/models/train'),
  activateTriage: (version: string) => post<{ active: string }>(`/triage/models/${encodeURIComponent(version)}/activate`),
  calendars: () => get<CalendarInfo[]>('/calendars'),
  importCalendarYear: (name: string, text: string) =>
    post<{ name: string; year: number; holidays: number; workdays: number }>(`/calendars/${encodeURIComponent(name)}/years`, { text }),
  setCalendarRegion: (region: string, calendar: string) => post<{ region: string; calendar: string }>('/calendars/regions', { region, calendar }),
  ledgerTemplate: (format: 'xlsx' | 'csv') => download(`/ledger/template.${format}`, {}, `ledger-template.${format}`),
  importLedger: (file: Blob, q: { format: 'csv' | 'xlsx'; mode: 'all_or_nothing' | 'valid_only'; dry_run: boolean; filename: string }) =>
    upload<LedgerReport>(
      '/ledger/import',
      { ...q, dry_run: q.dry_run ? 'true' : undefined },
      file,
      q.format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv',
    ),
  // The public portal: no login.
  portalSubmit: (body: unknown) => post<PortalReceipt>('/portal/cases', body, { auth: false }),
  portalTrack: (number: string, phone: string) =>
    get<PortalCase>(`/portal/cases/${encodeURIComponent(number)}`, { phone }, { auth: false }),
  portalRate: (number: string, body: unknown) => post<unknown>(`/portal/cases/${encodeURIComponent(number)}/rating`, body, { auth: false }),
}
