// Shapes of the JSON API (crates/app/src/views.rs and crates/web/src/handlers.rs).

export interface User {
  username: string
  name: string
  role: string
  role_label: string
  unit: string | null
  unit_name: string | null
  unit_level: string | null
  /** An administrator reset the password: the user must set their own before anything else. */
  must_change_password?: boolean
}

export interface Unit {
  code: string
  name: string
  level: 'district' | 'street' | 'community'
  level_label: string
  kind: 'hub' | 'department'
  kind_label: string
  parent: string | null
  region: string
  /** Out of service (停用): kept for history, not offered for new work. */
  disabled?: boolean
}

export interface DictItem {
  code: string
  label: string
  label_en: string
}
export type Dictionaries = Record<'nature' | 'urgency' | 'source' | 'status' | 'role' | 'action' | 'satisfaction' | 'outcome' | 'follow_up_method' | 'level' | 'unit_kind', DictItem[]>

export type DueState = 'normal' | 'near' | 'overdue' | null

export interface CaseView {
  id: string
  number: string
  title: string
  description: string
  status: string
  status_label: string
  nature: string
  nature_label: string
  category: string
  urgency: string
  urgency_label: string
  source: string
  source_label: string
  /** `contact`: how 回访 reaches the reporter — `phone`, `email`, or `none` (issue 19.12). */
  reporter: { name: string; phone: string; email?: string | null; contact?: 'phone' | 'email' | 'none'; contact_label?: string }
  location: { address: string; region: string; region_name: string; lat: number | null; lon: number | null }
  reported_at: string
  created_at: string
  updated_at: string
  version: number
  hub: string
  hub_name: string
  unit: string | null
  unit_name: string | null
  co_units: string[]
  co_unit_names: string[]
  sign_due: string | null
  handle_due: string | null
  follow_up_due: string | null
  due_state: DueState
  dispatched_at: string | null
  signed_at: string | null
  resolved_at: string | null
  closed_at: string | null
  pending_extension: { working_days: number; reason: string; requested_at: string } | null
  extension_count: number
  return_count: number
  reopen_count: number
  urge_count: number
  supervised: boolean
  repeat_count: number
  merged_into: string | null
  reply: string | null
  outcome: string | null
  outcome_label: string | null
  satisfaction: string | null
  satisfaction_label: string | null
  citizen_resolved: boolean | null
  /** How the last follow-up was done (phone, sms, visit, portal). */
  follow_up_method?: string | null
  follow_up_method_label?: string | null
  /** Follow-up attempts that did not reach the citizen since the last resolution. */
  follow_up_attempts?: number
  /** Closed as 无法回访 (no rating). */
  unreachable?: boolean
  reject_reason: string | null
  risk_level: string
  /** What triage suggested at intake (staff only). */
  triage?: TriageNote | null
  /** The limits of the case's rules its forms state (staff only). */
  limits?: {
    extension_max_days: number
    extensions_left: number
    follow_up_attempts: number
    /** The clocks the case runs under (what the 受理回执 promises). */
    sign: Limit
    handle: Limit
    follow_up: Limit
  } | null
  suspended?: { at: string; reason: string } | null
  /** The due date falls in a year whose holidays are not loaded yet. */
  due_provisional?: boolean
  allowed_actions: string[]
}

export interface TriageNote {
  category: string
  department: string
  unit?: string | null
  co_units?: string[]
  confidence: number
  candidates?: { category: string; department: string; unit?: string | null; score: number }[]
}

export interface EventView {
  id: string
  at: string
  actor: string | null
  actor_name: string
  unit: string | null
  unit_name: string | null
  action: string
  action_label: string
  opinion: string | null
  data: Record<string, unknown>
}

export interface Page<T> {
  items: T[]
  total: number
  /** More matched than were counted (`total` is the cap): the filter should be narrowed. */
  total_capped?: boolean
  page: number
  page_size: number
}

export interface TriageCandidate {
  category: string
  department: string
  unit: string | null
  score: number
}
export interface Triage {
  category: string
  department: string
  unit: string | null
  nature: string
  urgency: string
  /** score: P(high); reasons: the phrases that weighed, in Chinese (`人数众多:四百多户`). */
  risk: { level: string; signals: string[]; score?: number; reasons?: string[] }
  confidence: number
  candidates: TriageCandidate[]
  explanation: string[]
  /** Co-units the routing catalogue adds (e.g. the street of the place). */
  co_units?: string[]
  /** Whether the form may fill the suggestion in (confidence at or above the admin's threshold). */
  fill?: boolean
  fill_min_confidence?: number
  /** Set when risk raised the suggested urgency: the risk signals that did. */
  urgency_reason?: string[] | null
}

export interface Category {
  category: string
  top: string
  sub: string
  unit: string | null
  unit_name: string | null
}

export type Queues = Record<'registered' | 'accepted' | 'dispatched' | 'in_progress' | 'near' | 'overdue' | 'resolved' | 'pending_approval', number>

export interface Related {
  merged: CaseView[]
  same_reporter: CaseView[]
  same_place: CaseView[]
}

export interface PortalReceipt {
  message?: string
  number: string
  status: string
  status_label: string
  created_at: string
}
export interface PortalCase {
  number: string
  title: string
  status: string
  status_label: string
  category: string
  unit_name: string | null
  reported_at: string
  reply: string | null
  can_rate: boolean
  timeline: { at: string; action: string; action_label: string }[]
  /** Photos and files the public may see: the citizen's own and what the unit published (issue 23). */
  attachments?: import('./attachments').PublicAttachment[]
}

/** A rate of the unit metrics: numerator ÷ denominator (`rate` null when there is nothing to divide). */
export interface Rate {
  numerator: number
  denominator: number
  rate: number | null
}

/** One unit's figures over a period: the one formula of every rate (server: app::metrics). */
export interface UnitMetrics {
  unit: string
  name: string
  sign_on_time: Rate
  handle_on_time: Rate
  overdue: number
  return_rate: Rate
  reopen_rate: Rate
  extension_rate: Rate
  satisfaction: Rate
  resolution: Rate
  unreachable: number
  avg_handling_days: number | null
}

export interface Cockpit {
  from: string
  to: string
  /** The months the rates cover (`2026-09..2026-11`). */
  metrics_period: string
  /** The unit whose figures are shown (the selected one, else the caller's; the district hub district-wide). */
  unit: string
  unit_name: string
  total: number
  by_day: { date: string; count: number }[]
  by_category: { category: string; count: number }[]
  by_street: { unit: string; name: string; region?: string; count: number }[]
  /** The unit metrics of `unit` over the period. */
  rates: UnitMetrics
  /** The unit metrics of the units directly below it. */
  unit_rates: UnitMetrics[]
  /** Open cases past their running clock now: the workbench's 超期. */
  overdue_now: number
  overdue_top: { unit: string; name: string; count: number }[]
  /** Overdue cases at units beyond the ten listed. */
  overdue_other: number
  satisfaction: { month: string; rated: number; satisfied: number; rate: number | null; unreachable: number }[]
}

export interface Notification {
  id: string
  title: string
  body: string
  kind: string
  case_id?: string | null
  case_number?: string | null
  /** A deadline digest's cases. */
  items?: { case_id: string; number: string; title: string; warning: 'near' | 'overdue'; clock: string; due: number }[] | null
  /** When the notification was made (or the digest last grew). */
  created_at: string
  read: boolean
}

/** 风险预警: a signal across cases and what supervisors did with it. */
export interface RiskAlert {
  id: string
  kind: 'cluster' | 'repeat_caller' | 'language' | 'history'
  kind_label: string
  level: 'blue' | 'yellow' | 'orange' | 'red'
  level_label: string
  status: 'open' | 'acknowledged' | 'closed'
  status_label: string
  case_ids: string[]
  case_count: number
  phone: string | null
  summary: string
  evidence: Record<string, any>
  region: string
  region_name: string
  owner_unit: string | null
  owner_unit_name: string | null
  level_by_hand: boolean
  version: number
  created_at: string
  updated_at: string
  closed_at: string | null
  result: string | null
  /** The last step a supervisor took; the review cadence counts from it. */
  reviewed_at: string | null
  /** When the alert is due for review (null when closed). */
  review_due: string | null
  review_overdue: boolean
}

export interface RiskAlertDetail extends RiskAlert {
  cases: { id: string; number: string; title: string; status_label: string; category: string; reported_at: string; risk_level: string }[]
  events: { at: string; actor_name: string; action: string; action_label: string; note: string | null; data: any }[]
}

export interface RiskScanReport {
  as_of: string
  cases_scanned: number
  signals: number
  created: number
  updated: number
}

/** One entry of the audit log (个人信息保护法): a read of citizens' personal data or an export. */
export interface AuditEntry {
  id: string
  at: string
  actor: string
  actor_name: string
  role: string
  role_label: string
  unit: string
  unit_name: string
  action: string
  action_label: string
  action_label_en: string
  subjects: string[]
  subject_count: number
  detail: string
  client: string | null
}

export interface AuditPage {
  items: AuditEntry[]
  total: number
  page: number
  page_size: number
  actions: { code: string; label: string; label_en: string }[]
}

export interface NotificationPage {
  items: Notification[]
  total: number
  unread: number
  page: number
  page_size: number
}

/** 智能分拨: whether confident suggestions are dispatched at once, for which channels. */
export interface IntakeSettings {
  auto_dispatch: boolean
  min_confidence: number
  channels: string[]
}

/** A time limit (domain::policy::Limit): working days, working minutes, or calendar minutes. */
export type LimitUnit = 'working_days' | 'working_minutes' | 'minutes'
export interface Limit {
  unit: LimitUnit
  value: number
}
export interface Clocks {
  sign: Limit
  handle: Limit
  follow_up: Limit
  return_window: Limit | null
  extension_max_days: number
  extension_times: number
  near_due_share: number
}
/** One row of the time-limit table; null matches any value. */
export interface PolicyRule {
  nature: string | null
  urgency: string | null
  category: string | null
  region: string | null
  clocks: Clocks
}
export interface EscalationRule {
  clock: 'sign' | 'handle' | 'follow_up'
  after: Limit
  action: 'urge' | 'supervise'
}
/** 时限规则 (`GET/PUT /api/v1/policies`). */
export interface Policy {
  rules: PolicyRule[]
  working_hours: { start: number; end: number }[]
  escalations: EscalationRule[]
}

/** One row of the routing catalogue (派单目录). */
export interface Route {
  category: string
  /** Region code prefix; empty for everywhere. */
  region: string
  unit: string
  co_street: boolean
}

export interface CalendarInfo {
  name: string
  years: number[]
  regions: string[]
  next_year_missing?: boolean
  warning?: string | null
  /** The year whose holidays are missing, when `next_year_missing`. */
  missing_year?: number | null
}

export interface TriageModel {
  version: string
  created_at: string
  source: string
  district_examples: number
  metrics: { top1?: number; top3?: number; department?: number; previous_top1?: number } | null
  active: boolean
}
/** What `POST /triage/models/train` answers (the stored record: metrics as JSON text, created_at in epoch ms). */
export interface TrainedModel {
  version: string
  created_at: number
  source: string
  examples: number
  metrics: string
  active: boolean
}
export interface TriageModels {
  builtin: string
  in_use: string
  models: TriageModel[]
}

/** 走访台账 import report. */
export interface LedgerReport {
  total_rows: number
  valid_rows: number
  rejected_rows: number
  imported: number
  errors: { row: number; column: string; reason: string }[]
  errors_truncated: boolean
  mode: 'all_or_nothing' | 'valid_only' | null
  dry_run: boolean
}

// ---- 人民调解 (issue 20, item 5): GET/POST /api/v1/mediations

export type MediationStatus = 'applied' | 'mediating' | 'agreed' | 'failed' | 'terminated' | 'closed'
export type PartyRole = 'applicant' | 'respondent' | 'third_party'
export type MediationRoute = 'arbitration' | 'litigation' | 'petition' | 'other_org'

export interface MediationParty {
  role: PartyRole
  name: string
  /** Masked (138****2222) for roles that do not see phones. */
  phone: string | null
  representative: string | null
}

/** A department at the table (一揽子调处): what it committed to, by when. */
export interface MediationUnit {
  unit: string
  unit_name: string
  commitment: string
  deadline: string
}

export interface MediationSession {
  at: string
  place: string
  attendees: string[]
  record: string
  units: MediationUnit[]
}

export interface MediationAgreement {
  form: 'written' | 'oral'
  terms: string
  effective_at: string
  performance_due: string
}

export interface MediationEvent {
  at: string
  actor_name: string
  action: string
  data: Record<string, any> | null
}

export interface Mediation {
  id: string
  case_id: string | null
  case_number: string | null
  alert_id: string | null
  org_unit: string
  org_unit_name: string
  status: MediationStatus
  status_label: string
  summary: string | null
  mediators: string[]
  parties: MediationParty[]
  sessions: MediationSession[] | null
  agreement: MediationAgreement | null
  judicial: { applied_at: string; result: 'confirmed' | 'rejected' | null } | null
  route: { route: MediationRoute; label: string; note: string } | null
  termination: { reason: string } | null
  follow_ups: { at: string; kept: boolean; note: string }[] | null
  /** The end of the 30-day window to apply for 司法确认 (written agreements; null once applied for). */
  judicial_due: string | null
  judicial_days_left: number | null
  performance_due: string | null
  version: number
  created_at: string
  updated_at: string
  /** The detail only. */
  events?: MediationEvent[]
}

/** The risk scan's windows and thresholds (GET/PUT /api/v1/risk/settings). */
export type RiskSettings = Record<string, number>

// ---- 红黄黑榜 (issue 21): the boards, their appeals and rules (server: crates/app/src/boards.rs). ----
export type BoardList = 'red' | 'yellow' | 'black'
export interface BoardEntry {
  unit: string
  unit_name: string
  /** 1 = best; ties share a rank; null when not ranked (sample under the minimum, or no metric). */
  rank: number | null
  score: number | null
  board: BoardList | null
  /** Why, in Chinese (data, as published). */
  reasons: string[]
  sample: number
  /** Each weighed unit metric's rate, 0–1 (null: nothing to divide this month). */
  metrics: Record<string, number | null>
}
export interface BoardGroup {
  name: string
  entries: BoardEntry[]
}
export interface BoardMetricRule {
  name: string
  weight: number
  lower_is_better: boolean
}
export interface BoardRuleGroup {
  name: string
  level?: string | null
  kind?: string | null
  units: string[]
}
export interface BoardExemption {
  unit: string
  period: string
  reason: string
}
export interface BoardRules {
  groups: BoardRuleGroup[]
  metrics: BoardMetricRule[]
  target: number
  red_top: number
  black_bottom: number
  black_floor: number
  min_sample: number
  appeal_days: number
  exemptions: BoardExemption[]
  /** Name → Chinese label (GET only). */
  metric_labels?: Record<string, string>
}
export interface BoardAppeal {
  id: string
  period: string
  unit: string
  unit_name: string
  reason: string
  status: 'pending' | 'accepted' | 'rejected'
  status_label: string
  note: string | null
  created_by_name: string
  created_at: string
  decided_by_name: string | null
  decided_at: string | null
}
/** GET /api/v1/boards: a period's board as staff see it (a unit sees only its own entries on a draft). */
export interface Board {
  period: string
  status: 'draft' | 'published'
  status_label: string
  version: number
  groups: BoardGroup[]
  rules: BoardRules
  computed_at: string
  appeal_due: string
  appeal_open: boolean
  published_at: string | null
  /** A correction's reason. */
  reason: string | null
  published_versions: number[]
  appeals: BoardAppeal[]
  /** The caller is the board office (decides appeals, publishes). */
  office: boolean
}
/** GET /api/v1/public/boards: the published board of a period, and the periods published. */
export interface PublicBoard {
  periods: string[]
  board: {
    period: string
    status: 'published'
    version: number
    groups: BoardGroup[]
    published_at: string | null
    reason: string | null
    rules: Pick<BoardRules, 'target' | 'min_sample' | 'red_top' | 'black_floor' | 'black_bottom' | 'metrics'>
  } | null
}
export interface BoardHistoryMonth {
  period: string
  version: number
  group: string
  group_index: number
  rank: number | null
  score: number | null
  board: BoardList | null
  reasons: string[]
}
export interface BoardHistory {
  unit: string
  unit_name: string
  months: BoardHistoryMonth[]
  red: number
  yellow: number
  black: number
}

// ---- 重点工作 (issue 21, item 2): key programs, their items, milestones and progress reports.
export type ProgramKind = 'key_project' | 'livelihood' | 'rectification'
export type ProgramLight = 'done' | 'on_plan' | 'yellow' | 'red'
export interface ProgramLedger {
  items: number
  done: number
  on_plan: number
  yellow: number
  red: number
  reports_pending: number
}
export interface ProgramMilestone {
  name: string
  planned: string
  planned_percent: number
  actual: string | null
}
export interface ProgramReport {
  n: number
  at: string
  by: string
  unit: string | null
  percent: number
  text: string
  milestones_done: { index: number; date: string }[]
  status: 'pending' | 'approved' | 'rejected'
  review: { by: string; at: string; note: string } | null
}
export interface ProgramItem {
  /** What the caller may do: report its progress (the lead unit's staff), review reports (the office). */
  can_report?: boolean
  can_review?: boolean
  id: string
  program_id: string
  seq: number
  name: string
  lead_unit: string
  lead_unit_name: string
  co_units: { unit: string; name: string }[]
  start: string
  milestones: ProgramMilestone[]
  progress: number
  light: ProgramLight
  light_label: string
  planned_percent: number
  behind_pp: number
  late_days: number
  reasons: string[]
  reports: ProgramReport[]
  version: number
}
export interface Program {
  id: string
  name: string
  kind: ProgramKind
  kind_label: string
  year: number
  description: string | null
  rule: Record<string, unknown>
  ledger: ProgramLedger
  items?: ProgramItem[]
  /** The caller is the program office (adds items, reviews reports). */
  office?: boolean
}

// ---- 走访 (issue 21, item 1): visit campaigns, their summary, the registry and a visit.
export interface CampaignUnit {
  unit: string
  unit_name: string
  households: number
  enterprises: number
}
export interface Campaign {
  id: string
  name: string
  starts_on: string
  ends_on: string
  description: string | null
  units: CampaignUnit[]
  created_at: string
}
export interface CampaignTotals {
  visits: number
  households: number
  households_target: number
  enterprises: number
  enterprises_target: number
  problems: number
  solved: number
  solved_rate: number | null
  overdue: number
}
export interface CampaignUnitSummary {
  unit: string
  unit_name: string
  visits: number
  households: number
  households_target: number
  households_rate: number | null
  enterprises: number
  enterprises_target: number
  enterprises_rate: number | null
  problems: number
  solved: number
  solved_rate: number | null
  overdue: number
}
export interface CampaignSummary {
  campaign: Campaign
  totals: CampaignTotals
  units: CampaignUnitSummary[]
}
export type VisitKind = 'household' | 'enterprise'
export interface VisitSubject {
  id: string
  community: string
  kind: VisitKind
  name: string
  address: string
}
/** GET /campaigns/{id}/visits: a page of a campaign's visits, newest first. */
export interface VisitPage {
  total: number
  page: number
  page_size: number
  items: (Omit<VisitRecord, 'campaign_id' | 'subject_id'> & { imported: boolean })[]
}

export interface VisitRecord {
  id: string
  campaign_id: string
  unit: string
  unit_name: string
  subject_id: string
  kind: VisitKind
  visited_at: string
  visitor: string
  found: string
  problems: { case_id: string; number: string; title: string }[]
  subject: { name: string; address: string; community: string }
}

// 一件事 (issue 22): GET /bundles/templates, the applications and their tasks.
export type BundleFieldType = 'text' | 'date' | 'phone' | 'id_card' | 'number' | 'choice'
export interface BundleField {
  name: string
  label: string
  type: BundleFieldType
  required: boolean
  options?: string[]
}
export interface BundleMaterial {
  code: string
  name: string
  required: boolean
  /** 容缺受理: may be handed in later. */
  deferrable: boolean
}
export interface BundleRule {
  rule: 'max_age_days' | 'equals' | 'min_number'
  field: string
  message: string
  days?: number
  value?: string | number
}
export interface BundleMatter {
  code: string
  name: string
  unit: string
  unit_name: string
  working_days: number
  legal_working_days: number
  depends_on: string[]
  fields: string[]
  materials: string[]
}
export interface BundleTemplate {
  code: string
  name: string
  kind: 'personal' | 'enterprise'
  stage: string
  description: string
  promised_working_days: number
  critical_path_working_days: number
  legal_working_days_total: number
  fields: BundleField[]
  materials: BundleMaterial[]
  eligibility: BundleRule[]
  matters: BundleMatter[]
}
export type BundleTaskStatus = 'waiting' | 'pending' | 'accepted' | 'correction' | 'approved' | 'refused' | 'cancelled'
export type BundleStatus = 'in_progress' | 'correction' | 'completed' | 'partly_completed' | 'refused'
export interface BundleTask {
  id: string
  matter: string
  name: string
  unit: string
  unit_name: string
  status: BundleTaskStatus
  status_label: string
  version: number
  working_days: number
  legal_working_days: number
  depends_on: string[]
  due: string | null
  released_at: string | null
  accepted_at?: string | null
  finished_at: string | null
  correction_since: string | null
  paused_working_days: number
  elapsed_working_days?: number
  overdue: boolean
  opinion: string | null
}
export interface BundleEvent {
  at: string
  actor: string
  unit?: string | null
  action: string
  channel?: string
  task?: string
  matter?: string
  opinion?: string | null
  released?: string[]
}
export interface Bundle {
  id: string
  template: string
  template_name: string
  stage: string
  submitted_at: string
  status: BundleStatus
  due: string
  promised_working_days: number
  channel: 'window' | 'portal'
  version: number
  finished_at: string | null
  elapsed_working_days: number
  paused_working_days: number
  visits: number
  notified_at: string | null
  applicant: { name: string; phone: string; id_card?: string | null }
  /** Null in lists (the form holds ID numbers); given when one application is opened. */
  form: Record<string, string | number> | null
  fields: BundleField[]
  materials: string[]
  deferred: string[]
  material_list: BundleMaterial[]
  tasks: BundleTask[]
  events: BundleEvent[]
}
export type BundleAction = 'accept' | 'request_correction' | 'resubmit' | 'approve' | 'refuse'
export interface BundleStats {
  total: number
  in_progress: number
  finished: number
  completed: number
  online: number
  avg_working_days: number | null
  avg_promised_working_days: number | null
  on_time_rate: number | null
  avg_visits: number | null
  by_template: { code: string; name: string; stage: string; count: number; finished: number; avg_working_days: number | null; promised_working_days: number | null; avg_visits: number | null; online: number }[]
  by_matter: { key: string; name: string; unit: string; unit_name: string; working_days: number; approved: number; avg_working_days: number | null }[]
}

// 工程建设项目审批 (issue 22, item 3).
export interface ApprovalReview {
  code: string
  name: string
  unit: string
  unit_name: string
  limit_working_days: number
  /** `stopped`: ended by another review's refusal of the stage. */
  status: 'pending' | 'in_progress' | 'paused' | 'approved' | 'refused' | 'stopped'
  version: number
  started_at: string | null
  finished_at: string | null
  pauses: { kind: 'correction' | 'intermediary'; from: string; to: string | null; note?: string | null }[]
  opinion: string | null
  working_days: number | null
  paused_working_days: number
  over_limit: boolean
}
export interface ApprovalStage {
  code: string
  name: string
  lead_unit: string
  lead_unit_name: string
  limit_working_days: number
  joint: boolean
  status: 'pending' | 'in_progress' | 'approved' | 'refused'
  form: Record<string, string> | null
  started: string | null
  finished: string | null
  working_days: number | null
  over_limit: boolean
  reviews: ApprovalReview[]
}
export interface Approval {
  id: string
  name: string
  status: 'in_progress' | 'completed' | 'refused'
  version: number
  created_at: string
  project_code: string
  kind: string | null
  applicant: { name: string; phone: string }
  stages: ApprovalStage[]
  working_days: number
  report: { parallel_working_days: number; serial_working_days: number; saved_working_days: number }
  events: { at: string; actor: string; action: string; stage?: string; review?: string; kind?: string | null; opinion?: string | null }[]
}
export interface ApprovalReport {
  projects: number
  completed: number
  stages: { code: string; name: string; limit_working_days: number; finished: number; avg_working_days: number | null }[]
  avg_parallel_working_days: number | null
  avg_serial_working_days: number | null
}
