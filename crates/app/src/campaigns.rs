//! Visit campaigns (走访, issue 21, item 1): cadres visit households and enterprises and bring back
//! problems. A campaign has a period and the units taking part with their targets (households,
//! enterprises); each visit names who visited, when, which household or enterprise of the
//! community's registry, and what was found; each problem found becomes a case with source
//! `visit`, routed like any case, and linked from its visit. The summary is the seed's line
//! ("556k households / 57.5k enterprises visited, 15,660 problems, 14,200 solved") from the data,
//! for any campaign, by unit over its subtree.

use crate::App;
use crate::error::AppError;
use crate::input::Fields;
use crate::org::OrgTree;
use crate::ports::{Campaign, Visit, VisitSubject};
use crate::scope::{Principal, is_district_office};
use domain::Status;
use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

const KINDS: [&str; 2] = ["household", "enterprise"];

fn date_of_field(f: &Fields, key: &str) -> Result<Date, AppError> {
    f.req_str(key, 10)?.parse::<Date>().map_err(|_| {
        AppError::field(
            key,
            "不是有效日期，格式为 2026-10-31",
            "is not a date like 2026-10-31",
        )
    })
}

fn rate(num: usize, den: usize) -> Value {
    if den == 0 {
        Value::Null
    } else {
        json!(((num as f64 / den as f64) * 10_000.0).round() / 10_000.0)
    }
}

impl App {
    /// `POST /api/v1/campaigns {name, starts_on, ends_on, units: [{unit, households,
    /// enterprises}], description?}` (administrators; supervisors and leaders of the district's
    /// centre).
    pub async fn create_campaign(&self, p: &Principal, body: &Value) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        if !is_district_office(p, &tree) {
            return Err(AppError::forbidden(
                "仅管理员或区中心督办员、领导可发起走访活动",
                "only the district's office starts campaigns",
            ));
        }
        let f = Fields::of(body, "")?;
        let name = f.req_str("name", 100)?;
        if name.trim().is_empty() {
            return Err(AppError::field("name", "必填", "is required"));
        }
        let (from, to) = (
            date_of_field(&f, "starts_on")?,
            date_of_field(&f, "ends_on")?,
        );
        if to < from {
            return Err(AppError::field(
                "ends_on",
                "不能早于开始日期",
                "cannot be before the start",
            ));
        }
        let list = f
            .get("units")
            .and_then(Value::as_array)
            .filter(|l| !l.is_empty() && l.len() <= 500)
            .ok_or_else(|| {
                AppError::field(
                    "units",
                    "须列出参与单位（1 到 500 个）",
                    "list 1 to 500 units",
                )
            })?;
        let mut units = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, u) in list.iter().enumerate() {
            let code = u["unit"].as_str().unwrap_or_default();
            if tree.get(code).is_none_or(|x| x.disabled) || !seen.insert(code.to_string()) {
                return Err(AppError::field(
                    format!("units[{i}].unit"),
                    "单位不存在、已停用或重复",
                    "no such unit in service, or listed twice",
                ));
            }
            let target = |k: &str| -> Result<i64, AppError> {
                u[k].as_i64()
                    .filter(|n| (0..=10_000_000).contains(n))
                    .ok_or_else(|| {
                        AppError::field(
                            format!("units[{i}].{k}"),
                            "应为 0 到 10000000 的整数",
                            "must be a whole number from 0 to 10000000",
                        )
                    })
            };
            units.push(json!({ "unit": code, "households": target("households")?, "enterprises": target("enterprises")? }));
        }
        let c = Campaign {
            id: Uuid::now_v7(),
            name: name.trim().to_string(),
            starts_on: from.to_string(),
            ends_on: to.to_string(),
            doc: json!({ "description": f.opt_str("description", 2000)?, "units": units }),
            created_at: self.now(),
        };
        self.store.insert_campaign(&c).await?;
        Ok(campaign_json(&c, &tree))
    }

    /// `GET /api/v1/campaigns` (staff).
    pub async fn campaigns(&self, p: &Principal) -> Result<Vec<Value>, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let tree = self.org.tree().await?;
        Ok(self
            .store
            .campaigns()
            .await?
            .iter()
            .map(|c| campaign_json(c, &tree))
            .collect())
    }

    async fn campaign_of(&self, id: Uuid) -> Result<Campaign, AppError> {
        self.store
            .campaigns()
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| AppError::not_found("走访活动", "campaign"))
    }

    /// `POST /api/v1/campaigns/{id}/visits {subject_id | subject: {kind, name, address,
    /// community?, contact?}, visited_at?, found, problems?: [{title, description, category?,
    /// phone?}]}`: a cadre of a taking-part unit (or below it) records a visit; each problem is
    /// registered as a case with source `visit` (the cadre's own right to register applies).
    pub async fn record_visit(
        &self,
        p: &Principal,
        id: Uuid,
        body: &Value,
    ) -> Result<Value, AppError> {
        let tree = self.org.tree().await?;
        let c = self.campaign_of(id).await?;
        let own = p.unit.clone().unwrap_or_default();
        let taking_part = c.doc["units"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u["unit"].as_str())
            .any(|u| tree.is_within(&own, u));
        if !p.is_staff() || !taking_part {
            return Err(AppError::forbidden(
                "本单位不在该走访活动的参与单位中",
                "your unit does not take part in this campaign",
            ));
        }
        let f = Fields::of(body, "")?;
        let now = self.now();
        let visited_at = match f.opt_str("visited_at", 40)? {
            None => now,
            Some(s) => crate::cases::parse_instant(&s)
                .or_else(|| s.parse::<Date>().ok().map(crate::deadlines::start_of_day))
                .ok_or_else(|| {
                    AppError::field(
                        "visited_at",
                        "不是有效日期或时间",
                        "is not a date or an instant",
                    )
                })?,
        };
        let day = crate::deadlines::date_of(visited_at).to_string();
        if visited_at > now || day < c.starts_on || day > c.ends_on {
            return Err(AppError::field(
                "visited_at",
                format!(
                    "走访日期须在活动期间（{} 至 {}）且不晚于今天",
                    c.starts_on, c.ends_on
                ),
                format!(
                    "must be within the campaign ({} to {}) and not in the future",
                    c.starts_on, c.ends_on
                ),
            ));
        }
        let found = f.req_str("found", 2000)?;
        // Everything is checked before anything is written: a refused visit leaves neither a
        // registry entry nor a case behind.
        let given_contact = f
            .object("subject", "subject.")?
            .map(|s| s.opt_str("contact", 50))
            .transpose()?
            .flatten();
        let mut planned = Vec::new();
        for (i, pr) in f
            .get("problems")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .take(20)
            .enumerate()
        {
            let title = pr["title"].as_str().unwrap_or_default().trim().to_string();
            let description = pr["description"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_string();
            if title.is_empty() || description.is_empty() {
                return Err(AppError::field(
                    format!("problems[{i}]"),
                    "问题须有标题和描述",
                    "a problem needs a title and a description",
                ));
            }
            let phone = pr["phone"]
                .as_str()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string);
            if phone
                .as_deref()
                .is_some_and(|p| !crate::cases::valid_phone(p))
            {
                return Err(AppError::field(
                    format!("problems[{i}].phone"),
                    "电话号码格式不正确",
                    "is not a valid phone number",
                ));
            }
            planned.push((
                i,
                title,
                description,
                phone,
                pr["category"].as_str().map(str::to_string),
            ));
        }
        let subject = match f.opt_str("subject_id", 40)? {
            Some(s) => {
                let sid = Uuid::parse_str(&s)
                    .map_err(|_| AppError::field("subject_id", "不是有效的编号", "is not an id"))?;
                self.store.visit_subject(sid).await?.ok_or_else(|| {
                    AppError::field(
                        "subject_id",
                        "走访对象不存在",
                        "no such household or enterprise",
                    )
                })?
            }
            None => {
                let s = f.object("subject", "subject.")?.ok_or_else(|| {
                    AppError::field(
                        "subject",
                        "请选择或填写走访对象",
                        "give subject_id or a subject",
                    )
                })?;
                let kind = s.req_str("kind", 20)?;
                if !KINDS.contains(&kind.as_str()) {
                    return Err(AppError::field(
                        "subject.kind",
                        "可选：household（住户）、enterprise（企业）",
                        "use household or enterprise",
                    ));
                }
                let name = s.req_str("name", 100)?;
                let address = s.req_str("address", 200)?;
                if name.trim().is_empty() || address.trim().is_empty() {
                    return Err(AppError::field(
                        "subject",
                        "须填写名称和地址",
                        "name and address are required",
                    ));
                }
                if given_contact.is_none()
                    && let Some((i, ..)) = planned.iter().find(|p| p.3.is_none())
                {
                    return Err(AppError::field(
                        format!("problems[{i}].phone"),
                        "请填写反映人联系电话（或走访对象的联系电话）",
                        "give the reporter's phone (or the household's or enterprise's contact)",
                    ));
                }
                let region = own_region(&tree, &own);
                let community = s.opt_str("community", 20)?.unwrap_or(region.clone());
                if !community.starts_with(&region) && !region.is_empty() {
                    return Err(AppError::field(
                        "subject.community",
                        "只能走访本辖区的住户和企业",
                        "within your own area only",
                    ));
                }
                self.store
                    .upsert_visit_subject(&VisitSubject {
                        id: Uuid::now_v7(),
                        community,
                        kind,
                        name: name.trim().to_string(),
                        address: address.trim().to_string(),
                        doc: json!({ "contact": s.opt_str("contact", 50)? }),
                        created_at: now,
                    })
                    .await?
            }
        };
        let contact = subject.doc["contact"]
            .as_str()
            .map(str::to_string)
            .or(given_contact);
        if let Some((i, ..)) = planned.iter().find(|p| p.3.is_none() && contact.is_none()) {
            return Err(AppError::field(
                format!("problems[{i}].phone"),
                "请填写反映人联系电话（走访对象没有登记电话）",
                "give the reporter's phone (the household or enterprise has none on record)",
            ));
        }
        // Problems become cases, registered like any other (routing, deadlines, triage).
        let mut problems = Vec::new();
        for (_, title, description, phone, category) in planned {
            let mut body = json!({
                "title": title, "description": description, "nature": "help", "source": "visit",
                "urgency": "normal",
                "reporter": { "name": subject.name, "phone": phone.or(contact.clone()) },
                "location": { "address": subject.address, "region": subject.community },
            });
            if let Some(cat) = category {
                body["category"] = json!(cat);
            }
            let case = self.create_case(p, &body).await?;
            problems
                .push(json!({ "case_id": case.id, "number": case.number, "title": case.title }));
        }
        let v = Visit {
            id: Uuid::now_v7(),
            campaign_id: c.id,
            unit: own,
            subject_id: subject.id,
            kind: subject.kind.clone(),
            visited_at,
            doc: json!({ "visitor": p.name, "visitor_id": p.id, "found": found.trim(), "problems": problems,
                         "subject": { "name": subject.name, "address": subject.address, "community": subject.community } }),
            created_at: now,
        };
        self.store.insert_visit(&v).await?;
        Ok(
            json!({ "id": v.id, "campaign_id": c.id, "unit": v.unit, "unit_name": tree.name(&v.unit),
            "subject_id": subject.id, "kind": v.kind, "visited_at": crate::deadlines::format_instant(visited_at),
            "visitor": p.name, "found": found.trim(), "problems": v.doc["problems"], "subject": v.doc["subject"] }),
        )
    }

    /// `GET /api/v1/campaigns/{id}/summary`: totals and, per taking-part unit over its subtree,
    /// households and enterprises visited (distinct) against target, problems found, solved
    /// (handled: resolved or closed), solved rate and overdue (open past their deadline).
    pub async fn campaign_summary(&self, p: &Principal, id: Uuid) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let tree = self.org.tree().await?;
        let c = self.campaign_of(id).await?;
        let visits = self.store.visits(c.id).await?;
        let now = self.now();
        // Each problem case's standing, read once.
        let mut state: HashMap<Uuid, (bool, bool)> = HashMap::new();
        for v in &visits {
            for pr in v.doc["problems"].as_array().into_iter().flatten() {
                let Some(cid) = pr["case_id"].as_str().and_then(|s| Uuid::parse_str(s).ok()) else {
                    continue;
                };
                if state.contains_key(&cid) {
                    continue;
                }
                if let Some(case) = self.store.get_case(cid).await? {
                    let solved = matches!(case.status, Status::Resolved | Status::Closed);
                    let overdue = case.status.is_open()
                        && match case.status {
                            Status::Dispatched => case.sign_due.is_some_and(|d| d < now),
                            Status::InProgress => case.handle_due.is_some_and(|d| d < now),
                            _ => false,
                        };
                    state.insert(cid, (solved, overdue));
                }
            }
        }
        let tally = |root: Option<&str>| {
            let mine: Vec<&Visit> = visits
                .iter()
                .filter(|v| root.is_none_or(|r| tree.is_within(&v.unit, r)))
                .collect();
            let distinct = |kind: &str| {
                mine.iter()
                    .filter(|v| v.kind == kind)
                    .map(|v| v.subject_id)
                    .collect::<BTreeSet<_>>()
                    .len()
            };
            let cases: Vec<(bool, bool)> = mine
                .iter()
                .flat_map(|v| v.doc["problems"].as_array().cloned().unwrap_or_default())
                .filter_map(|pr| pr["case_id"].as_str().and_then(|s| Uuid::parse_str(s).ok()))
                .filter_map(|id| state.get(&id).copied())
                .collect();
            let problems = cases.len();
            let solved = cases.iter().filter(|c| c.0).count();
            let overdue = cases.iter().filter(|c| c.1).count();
            (
                distinct("household"),
                distinct("enterprise"),
                problems,
                solved,
                overdue,
                mine.len(),
            )
        };
        let mut targets = (0i64, 0i64);
        let units: Vec<Value> = c.doc["units"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| {
                let code = u["unit"].as_str().unwrap_or_default();
                let (h, e, pr, s, o, n) = tally(Some(code));
                let (ht, et) = (u["households"].as_i64().unwrap_or(0), u["enterprises"].as_i64().unwrap_or(0));
                targets.0 += ht;
                targets.1 += et;
                json!({ "unit": code, "unit_name": tree.name(code), "visits": n,
                    "households": h, "households_target": ht, "households_rate": rate(h, usize::try_from(ht).unwrap_or(0)),
                    "enterprises": e, "enterprises_target": et, "enterprises_rate": rate(e, usize::try_from(et).unwrap_or(0)),
                    "problems": pr, "solved": s, "solved_rate": rate(s, pr), "overdue": o })
            })
            .collect();
        let (h, e, pr, s, o, n) = tally(None);
        Ok(json!({
            "campaign": campaign_json(&c, &tree),
            "totals": { "visits": n, "households": h, "households_target": targets.0, "enterprises": e,
                        "enterprises_target": targets.1, "problems": pr, "solved": s, "solved_rate": rate(s, pr), "overdue": o },
            "units": units,
        }))
    }

    /// `GET /api/v1/campaigns/{id}/visits?unit=&kind=&q=&page=&page_size=`: the visits of a campaign,
    /// newest first — who was visited (name, address, community), by whom and when, what was found and
    /// the cases its problems became. The district's office sees every unit's; others the visits of
    /// their unit and the units below it.
    pub async fn campaign_visits(
        &self,
        p: &Principal,
        id: Uuid,
        q: &std::collections::HashMap<String, String>,
    ) -> Result<Value, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let tree = self.org.tree().await?;
        let c = self.campaign_of(id).await?;
        let own = p.unit.clone().unwrap_or_default();
        let office = is_district_office(p, &tree);
        let unit = q.get("unit").map(|s| s.trim()).filter(|s| !s.is_empty());
        if let Some(u) = unit
            && tree.get(u).is_none()
        {
            return Err(AppError::field("unit", "单位不存在", "no such unit"));
        }
        let kind = q.get("kind").map(|s| s.trim()).filter(|s| !s.is_empty());
        if let Some(k) = kind
            && !KINDS.contains(&k)
        {
            return Err(AppError::field(
                "kind",
                "可选：household（住户）、enterprise（企业）",
                "use household or enterprise",
            ));
        }
        let text = q.get("q").map(|s| s.trim()).unwrap_or_default();
        let number = |k: &str, default: usize, max: usize| -> Result<usize, AppError> {
            match q.get(k) {
                None => Ok(default),
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        AppError::field(
                            k,
                            format!("应为 1 到 {max} 的整数"),
                            format!("must be a whole number from 1 to {max}"),
                        )
                    }),
            }
        };
        let (page, size) = (number("page", 1, 100_000)?, number("page_size", 20, 200)?);
        let mut visits: Vec<Visit> = self
            .store
            .visits(c.id)
            .await?
            .into_iter()
            .filter(|v| office || tree.is_within(&v.unit, &own))
            .filter(|v| unit.is_none_or(|u| tree.is_within(&v.unit, u)))
            .filter(|v| kind.is_none_or(|k| v.kind == k))
            .filter(|v| {
                text.is_empty()
                    || ["name", "address"].iter().any(|f| {
                        v.doc["subject"][f]
                            .as_str()
                            .is_some_and(|s| s.contains(text))
                    })
                    || v.doc["visitor"].as_str().is_some_and(|s| s.contains(text))
            })
            .collect();
        visits.sort_by(|a, b| b.visited_at.cmp(&a.visited_at).then(b.id.cmp(&a.id)));
        let total = visits.len();
        let items: Vec<Value> = visits
            .iter()
            .skip((page - 1) * size)
            .take(size)
            .map(|v| {
                json!({ "id": v.id, "unit": v.unit, "unit_name": tree.name(&v.unit), "kind": v.kind,
                    "visited_at": crate::deadlines::format_instant(v.visited_at), "visitor": v.doc["visitor"],
                    "found": v.doc["found"], "subject": v.doc["subject"], "problems": v.doc["problems"],
                    "imported": v.doc.get("ledger").is_some() })
            })
            .collect();
        Ok(json!({ "total": total, "page": page, "page_size": size, "items": items }))
    }

    /// `GET /api/v1/visit-subjects?community=` : a community's registry of households and
    /// enterprises (staff of the area).
    pub async fn visit_subjects(
        &self,
        p: &Principal,
        community: &str,
    ) -> Result<Vec<Value>, AppError> {
        if !p.is_staff() {
            return Err(AppError::forbidden("仅限工作人员查看", "staff only"));
        }
        let tree = self.org.tree().await?;
        let region = own_region(&tree, p.unit.as_deref().unwrap_or_default());
        let prefix = if community.is_empty() {
            region.clone()
        } else {
            community.to_string()
        };
        if !prefix.starts_with(&region) {
            return Err(AppError::forbidden(
                "只能查看本辖区的走访对象",
                "your own area only",
            ));
        }
        Ok(self
            .store
            .visit_subjects(&prefix, 2000)
            .await?
            .iter()
            .map(|s| json!({ "id": s.id, "community": s.community, "kind": s.kind, "name": s.name, "address": s.address }))
            .collect())
    }
}

/// The region a unit covers (a department covers its level's region; the district's, for the
/// district's departments).
fn own_region(tree: &OrgTree, unit: &str) -> String {
    tree.get(unit).map(|u| u.region.clone()).unwrap_or_default()
}

fn campaign_json(c: &Campaign, tree: &OrgTree) -> Value {
    let units: Vec<Value> = c.doc["units"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| {
            let mut u = u.clone();
            let name = tree.name(u["unit"].as_str().unwrap_or_default());
            u["unit_name"] = json!(name);
            u
        })
        .collect();
    json!({ "id": c.id, "name": c.name, "starts_on": c.starts_on, "ends_on": c.ends_on,
            "description": c.doc["description"], "units": units,
            "created_at": crate::deadlines::format_instant(c.created_at) })
}
