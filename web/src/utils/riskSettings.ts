// The risk scan's settings (GET/PUT /api/v1/risk/settings) as the settings page groups them, each with its unit.

export const RISK_SETTING_GROUPS: { key: 'repeat' | 'cluster' | 'burst' | 'text'; fields: string[] }[] = [
  { key: 'repeat', fields: ['repeat_window_days', 'repeat_min_cases', 'repeat_orange', 'repeat_red'] },
  { key: 'cluster', fields: ['cluster_window_days', 'cluster_min_reporters', 'cluster_orange', 'cluster_red'] },
  { key: 'burst', fields: ['burst_window_hours', 'burst_min_reporters'] },
  { key: 'text', fields: ['similarity', 'topic_share'] },
]

export type SettingUnit = 'days' | 'hours' | 'cases' | 'people' | 'share'

/** The unit of a setting, from its name: `…_days` days, `…_hours` hours, repeat counts cases, cluster counts people. */
export function riskSettingUnit(key: string): SettingUnit | null {
  if (key.endsWith('_days')) return 'days'
  if (key.endsWith('_hours')) return 'hours'
  if (key === 'similarity' || key.endsWith('_share')) return 'share'
  if (key.startsWith('repeat_')) return 'cases'
  if (key.startsWith('cluster_') || key.startsWith('burst_')) return 'people'
  return null
}
