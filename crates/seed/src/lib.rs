//! Installing the demo district (org tree, one user per role) and synthetic history.
//!
//! Synthetic cases are not written as finished rows: each one's lifecycle steps (from the `demo`
//! crate) are replayed through the real state machine at their historical instants, so every
//! timeline, due date and counter is exactly what the product would have produced.

use app::App;
use app::deadlines::date_of;
use app::error::AppError;
use app::org::Unit;
use app::ports::{CaseWrite, Route};
use async_trait::async_trait;
use demo::{CaseSpec, Step};
use domain::Role;
use domain::machine::{Actor, Args, Command, FollowUpResult, apply};
use domain::{
    Action, Case, EVENT_MERGED_IN, EVENT_REGISTER, Event, FollowUpMethod, Level, Location, Nature,
    Outcome, Reporter, Satisfaction, Source, UnitKind, Urgency,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The password of every demo account (printed by `onewindow demo`).
pub const DEMO_PASSWORD: &str = "Demo@2026";

#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub unit: String,
}

/// One account per role, plus handlers at streets so that data scope can be tried out.
pub fn demo_logins(d: &demo::District) -> Vec<DemoLogin> {
    let streets: Vec<String> = d.streets().map(|s| s.code.clone()).collect();
    let street = |i: usize| {
        streets
            .get(i)
            .cloned()
            .unwrap_or_else(|| demo::DISTRICT_CODE.to_string())
    };
    let community = d
        .communities()
        .next()
        .map_or_else(|| street(0), |c| c.code.clone());
    let dept = |short: &str| {
        demo::department_for(short)
            .unwrap_or(demo::DISTRICT_CODE)
            .to_string()
    };
    let district = demo::DISTRICT_CODE.to_string();
    vec![
        DemoLogin {
            username: "admin",
            name: "系统管理员",
            role: "admin",
            unit: district.clone(),
        },
        DemoLogin {
            username: "leader",
            name: "陈区长",
            role: "leader",
            unit: district.clone(),
        },
        DemoLogin {
            username: "supervisor",
            name: "督办员 周敏",
            role: "supervisor",
            unit: district.clone(),
        },
        DemoLogin {
            username: "dispatcher",
            name: "派单员 李娜",
            role: "dispatcher",
            unit: district.clone(),
        },
        DemoLogin {
            username: "clerk",
            name: "受理员 王芳",
            role: "clerk",
            unit: district,
        },
        DemoLogin {
            username: "handler",
            name: "城管局承办人 张伟",
            role: "handler",
            unit: dept("城管局"),
        },
        DemoLogin {
            username: "unitlead",
            name: "城管局负责人 刘强",
            role: "unit_lead",
            unit: dept("城管局"),
        },
        DemoLogin {
            username: "street_dispatcher",
            name: "街道派单员 赵静",
            role: "dispatcher",
            unit: street(0),
        },
        DemoLogin {
            username: "street_handler",
            name: "街道承办人 孙磊",
            role: "handler",
            unit: street(0),
        },
        DemoLogin {
            username: "street2_handler",
            name: "街道承办人 吴刚",
            role: "handler",
            unit: street(1),
        },
        DemoLogin {
            username: "community_clerk",
            name: "社区受理员 郑丽",
            role: "clerk",
            unit: community,
        },
        DemoLogin {
            username: "citizen",
            name: "市民 林晓",
            role: "citizen",
            unit: demo::DISTRICT_CODE.to_string(),
        },
    ]
}

const REPLIES: &[&str] = &[
    "经现场核查，情况属实，已责令相关责任方限期整改，现已整改到位，并已电话告知来电人。",
    "已联系来电人了解详细情况，会同属地街道现场处置，问题已解决，来电人表示认可。",
    "经核实，相关政策已向来电人详细解释，并告知办理流程及所需材料。",
    "已安排工作人员上门查看并处理，后续将加强日常巡查，防止问题反弹。",
    "经协调相关单位，已制定整改方案并落实，预计后续不再发生类似情况。",
    "已转交专业维修单位处理完毕，经回访现场已恢复正常。",
];

fn pick<'a>(items: &'a [&'a str], salt: u64) -> &'a str {
    items[usize::try_from(salt % items.len() as u64).unwrap_or(0)]
}

/// Installs the demo district and synthetic history on an [`App`] (the only code that knows the
/// demo data; production code reads the district from the database).
#[async_trait]
pub trait DemoSeed {
    /// Writes the demo district's org tree with its street centres, its taxonomy, the district's
    /// name and Open311 jurisdiction, and the routing catalogue (idempotent: an administrator's
    /// later edits of the taxonomy and catalogue are kept).
    async fn install_demo_district(&self) -> Result<usize, AppError>;
    /// Creates the demo accounts that do not exist yet.
    async fn install_demo_users(&self) -> Result<Vec<DemoLogin>, AppError>;
    /// Adds `n` synthetic cases spread over the past year, in transactions of `batch` cases.
    async fn seed_cases(&self, n: usize, seed: u64, batch: usize) -> Result<usize, AppError>;
    /// Adds `n` synthetic cases spread over the `days` before now, in transactions of `batch`.
    async fn seed_history(
        &self,
        n: usize,
        seed: u64,
        batch: usize,
        days: i64,
    ) -> Result<usize, AppError>;
    /// Computes and publishes the 红黄黑榜 of the `months` months before this one, oldest first
    /// (each month's misses feed the next), so the boards are alive on first start.
    async fn seed_boards(&self, months: i64) -> Result<usize, AppError>;
    /// Installs the demo's two key programs (十大攻坚, 十大民生实事) with their items, milestones
    /// around today and approved progress, unless programs exist.
    async fn seed_programs(&self) -> Result<usize, AppError>;
    /// Installs the demo's visit campaign (the two months before today, every street taking
    /// part) with a registry and visits, unless a campaign exists.
    async fn seed_campaign(&self) -> Result<usize, AppError>;
    /// Installs a few 一件事 applications in every state (in progress, waiting for a correction,
    /// completed, partly completed, refused) and four engineering-approval projects (one through
    /// all four stages, one paused in its second, one refused in its first, one just registered),
    /// unless some exist.
    async fn seed_bundles(&self) -> Result<usize, AppError>;
    /// Installs the demo's knowledge base (issue 23), unless articles exist.
    async fn seed_knowledge(&self) -> Result<usize, AppError>;
    /// Photos on some of the demo district's cases: what citizens sent with their reports, the
    /// handlers' 办结 evidence, a few documents; and the evidence policy for 城市管理 (issue 23).
    /// Once: nothing when any file exists.
    async fn seed_attachments(&self) -> Result<usize, AppError>;
}

#[async_trait]
impl DemoSeed for App {
    /// Writes the demo district's org tree (idempotent).
    async fn install_demo_district(&self) -> Result<usize, AppError> {
        let d = demo::district();
        let units: Vec<Unit> = d
            .units
            .iter()
            .map(|u| Unit {
                code: u.code.clone(),
                name: u.name.clone(),
                level: Level::parse(u.level).unwrap_or(Level::Community),
                kind: UnitKind::parse(u.kind).unwrap_or(UnitKind::Hub),
                parent: u.parent.clone(),
                region: u.region.clone(),
                disabled: false,
            })
            .collect();
        self.store.put_units(&units).await?;
        self.org.reload().await?;
        self.put_district(&app::district::DistrictProfile {
            name: demo::DISTRICT_NAME.to_string(),
            jurisdiction_id: Some(demo::DISTRICT_DOMAIN.to_string()),
            centres: d
                .streets()
                .filter_map(|u| {
                    Some(app::district::RegionCentre {
                        region: u.region.clone(),
                        lat: u.lat?,
                        lon: u.lon?,
                    })
                })
                .collect(),
        })
        .await?;
        // The district's taxonomy, then the catalogue that routes it (each only once: an
        // administrator's edits are kept).
        if self
            .store
            .get_setting(app::taxonomy::SETTING)
            .await?
            .is_none()
        {
            let entries: Vec<_> = demo::TAXONOMY
                .iter()
                .map(|(c, _)| app::taxonomy::TaxonomyEntry {
                    category: (*c).to_string(),
                    disabled: false,
                })
                .collect();
            self.put_taxonomy(&entries).await?;
        }
        if self.store.catalogue().await?.is_empty() {
            install_demo_catalogue(self).await?;
        }
        // The 一件事 catalogue (issue 22), checked like an administrator's edit; only once.
        if self.store.bundle_templates().await?.is_empty() {
            let list: Vec<serde_json::Value> = serde_json::from_str(demo::BUNDLE_TEMPLATES)
                .map_err(|e| AppError::internal(format!("demo bundle templates: {e}")))?;
            for t in &list {
                self.install_bundle_template(None, t, None).await?;
            }
        }
        if self
            .store
            .get_setting(app::approvals::PROCESS_SETTING)
            .await?
            .is_none()
        {
            let stages: serde_json::Value = serde_json::from_str(demo::APPROVAL_PROCESS)
                .map_err(|e| AppError::internal(format!("demo approval process: {e}")))?;
            self.install_approval_process(&stages).await?;
        }
        // The district's map (issue 23), checked like an administrator's upload; only once.
        if self
            .store
            .get_setting(app::map::REGIONS_SETTING)
            .await?
            .is_none()
        {
            let map: serde_json::Value = serde_json::from_str(demo::DISTRICT_MAP)
                .map_err(|e| AppError::internal(format!("demo district map: {e}")))?;
            self.install_regions(&map).await?;
        }
        Ok(units.len())
    }

    /// Creates the demo accounts that do not exist yet.
    async fn install_demo_users(&self) -> Result<Vec<DemoLogin>, AppError> {
        let logins = demo_logins(&demo::district());
        for l in &logins {
            if self.store.user_by_username(l.username).await?.is_none() {
                self.create_seeded_user(l.username, DEMO_PASSWORD, l.role, &l.unit, Some(l.name))
                    .await?;
            }
        }
        Ok(logins)
    }

    async fn seed_boards(&self, months: i64) -> Result<usize, AppError> {
        // The demo district is small (a few thousand cases a year over thirty-odd units): its
        // rules rank a unit from 10 cases a month, unless an administrator has set rules.
        if self
            .store
            .get_setting(app::boards::RULES_KEY)
            .await?
            .is_none()
        {
            let rules = boards_rules_for_demo();
            let text = serde_json::to_string(&rules).map_err(AppError::internal)?;
            self.store
                .put_setting(app::boards::RULES_KEY, &text)
                .await?;
        }
        let this = app::metrics::month_of(self.now());
        let mut n = 0;
        for k in (1..=months).rev() {
            let period = app::metrics::period_of(this - k);
            if !self.store.boards(Some(&period)).await?.is_empty() {
                continue;
            }
            let b = self.compute_board(&period).await?;
            if self
                .store
                .publish_board(
                    &period,
                    b.version,
                    self.now(),
                    "榜单办公室（演示数据）",
                    None,
                )
                .await?
            {
                n += 1;
            }
        }
        Ok(n)
    }

    async fn seed_campaign(&self) -> Result<usize, AppError> {
        if !self.store.campaigns().await?.is_empty() {
            return Ok(0);
        }
        let now = self.now();
        let today = date_of(now);
        let start = today
            .checked_sub(jiff::Span::new().days(60))
            .unwrap_or(today);
        let tree = self.org.tree().await?;
        let streets: Vec<&app::org::Unit> = tree
            .units
            .iter()
            .filter(|u| u.level == domain::Level::Street && u.kind == domain::UnitKind::Hub)
            .collect();
        let units: Vec<_> = streets
            .iter()
            .map(|u| json!({ "unit": u.code, "households": 120, "enterprises": 15 }))
            .collect();
        let campaign = app::ports::Campaign {
            id: uuid::Uuid::now_v7(),
            name: format!("{} 年冬季大走访", today.year()),
            starts_on: start.to_string(),
            ends_on: today
                .checked_add(jiff::Span::new().days(30))
                .unwrap_or(today)
                .to_string(),
            doc: json!({ "description": "干部进村入户、走访企业，收集问题、解决问题", "units": units }),
            created_at: now,
        };
        self.store.insert_campaign(&campaign).await?;
        let mut n = 0;
        for (si, street) in streets.iter().enumerate() {
            // Each street's cadres have visited part of its first community's households and
            // enterprises, the further streets less.
            let Some(community) = tree
                .children(&street.code)
                .first()
                .and_then(|c| tree.get(c))
            else {
                continue;
            };
            let visited = 90usize.saturating_sub(si * 12);
            for i in 0..visited {
                let kind = if i % 8 == 7 {
                    "enterprise"
                } else {
                    "household"
                };
                let subject = self
                    .store
                    .upsert_visit_subject(&app::ports::VisitSubject {
                        id: uuid::Uuid::now_v7(),
                        community: community.region.clone(),
                        kind: kind.into(),
                        name: if kind == "household" {
                            format!("{}住户{}", community.name, i + 1)
                        } else {
                            format!("{}企业{}", community.name, i / 8 + 1)
                        },
                        address: format!("{}{}号", community.name, i + 1),
                        doc: json!({ "contact": null }),
                        created_at: now,
                    })
                    .await?;
                let day = start
                    .checked_add(jiff::Span::new().days((i % 55) as i64))
                    .unwrap_or(start);
                self.store
                    .insert_visit(&app::ports::Visit {
                        id: uuid::Uuid::now_v7(),
                        campaign_id: campaign.id,
                        unit: community.code.clone(),
                        subject_id: subject.id,
                        kind: kind.into(),
                        visited_at: app::deadlines::start_of_day(day) + 10 * 3_600_000,
                        doc: json!({ "visitor": format!("{}网格员", community.name), "found": "了解生产生活情况，无异常", "problems": [],
                                     "subject": { "name": subject.name, "address": subject.address, "community": subject.community } }),
                        created_at: now,
                    })
                    .await?;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn seed_attachments(&self) -> Result<usize, AppError> {
        use app::attachments::{EVIDENCE_SETTING, Upload};
        if self.store.get_setting(EVIDENCE_SETTING).await?.is_none() {
            self.store
                .put_setting(
                    EVIDENCE_SETTING,
                    r#"{"categories":["城市管理/市容环境","城市管理/违章搭建"]}"#,
                )
                .await?;
        }
        if !self.store.attachments_after(None, 1).await?.is_empty() {
            return Ok(0);
        }
        let q = app::ports::CaseQuery {
            sort: app::ports::SortKey::ReportedDesc,
            limit: 3000,
            now: self.now(),
            ..Default::default()
        };
        let (cases, _) = self.store.list_cases(&q).await?;
        let visible = |c: &&domain::Case| {
            ["城市管理/", "环境保护/", "交通运输/", "住房建设/"]
                .iter()
                .any(|p| c.category.starts_with(p))
        };
        let mut n = 0;
        // Citizens' photos with their reports (public: what they sent).
        for (i, c) in cases.iter().filter(visible).take(40).enumerate() {
            let photo = files::samples::street_scene(i as u64 + 1, true);
            self.install_attachment(
                c,
                Upload {
                    name: format!("IMG_{:04}.jpg", 2000 + i),
                    bytes: photo,
                    step: Some("intake".into()),
                    public: Some(true),
                },
                None,
                c.reported_at + 60_000,
            )
            .await?;
            n += 1;
        }
        // 办结 evidence on resolved 城市管理 cases: the place after the work, published.
        let done = cases.iter().filter(|c| {
            c.category.starts_with("城市管理/") && c.resolved_at.is_some() && c.unit.is_some()
        });
        for (i, c) in done.take(30).enumerate() {
            let photo = files::samples::street_scene(i as u64 + 101, false);
            self.install_attachment(
                c,
                Upload {
                    name: "整改后现场照片.jpg".into(),
                    bytes: photo,
                    step: Some("resolve".into()),
                    public: Some(true),
                },
                Some("城管局承办人"),
                c.resolved_at.unwrap_or(c.updated_at),
            )
            .await?;
            n += 1;
        }
        // A handling note as a document on a few (staff only).
        for c in cases.iter().filter(|c| c.resolved_at.is_some()).take(10) {
            let text = format!(
                "办理情况说明\r\n工单编号：{}\r\n事项：{}\r\n经现场核实，已按职责处理完毕，并与来电人沟通。\r\n",
                c.number, c.title
            );
            self.install_attachment(
                c,
                Upload {
                    name: format!("办理情况说明-{}.txt", c.number),
                    bytes: text.into_bytes(),
                    step: Some("resolve".into()),
                    public: Some(false),
                },
                Some("承办人"),
                c.resolved_at.unwrap_or(c.updated_at),
            )
            .await?;
            n += 1;
        }
        Ok(n)
    }

    async fn seed_knowledge(&self) -> Result<usize, AppError> {
        let list: Vec<serde_json::Value> = serde_json::from_str(demo::KNOWLEDGE)
            .map_err(|e| AppError::internal(format!("demo knowledge: {e}")))?;
        self.install_articles(&list).await
    }

    async fn seed_bundles(&self) -> Result<usize, AppError> {
        if !self
            .store
            .bundles(&app::ports::BundleQuery {
                limit: 1,
                ..Default::default()
            })
            .await?
            .is_empty()
        {
            return Ok(0);
        }
        // The applications happened over the past weeks, as the departments handled them: the
        // demo runs them on a clock of its own that is moved day by day, so their working days
        // and clocks read like real ones.
        let start_of_today = app::deadlines::start_of_day(date_of(self.now()));
        let clock = std::sync::Arc::new(app::clock::ManualClock::new(start_of_today));
        let past = App::new(self.store.clone(), clock.clone(), self.triage.clone());
        let at = |days_ago: i64, hour: i64| {
            clock.set(start_of_today - days_ago * 86_400_000 + hour * 3_600_000);
        };
        let acting = |role: Role, unit: &str, name: &str| app::scope::Principal {
            id: Uuid::now_v7(),
            username: format!("demo-{unit}"),
            name: name.to_string(),
            role,
            unit: Some(unit.to_string()),
            kind: app::scope::PrincipalKind::User,
            must_change_password: false,
            client: None,
        };
        let hub = self
            .org
            .tree()
            .await?
            .district_hub()
            .map(|u| u.code.clone())
            .unwrap_or_default();
        let clerk = acting(Role::Clerk, &hub, "窗口受理员（演示）");
        let citizen = match self.store.user_by_username("citizen").await? {
            Some(u) => app::scope::Principal {
                id: u.id,
                username: u.username.clone(),
                name: u.display_name.clone(),
                role: Role::Citizen,
                unit: None,
                kind: app::scope::PrincipalKind::User,
                must_change_password: false,
                client: None,
            },
            None => clerk.clone(),
        };
        let today = date_of(self.now());
        let born = today
            .checked_sub(jiff::Span::new().days(40))
            .unwrap_or(today)
            .to_string();
        let birth = |child: &str, phone: &str| {
            json!({ "template": "birth", "applicant": { "name": "王强", "phone": phone },
                "form": { "child_name": child, "gender": "女", "birth_date": born,
                    "born_in_hospital": "是", "hospital_name": "临江区妇幼保健院", "mother_name": "李梅", "mother_id_card": "11010519491231002X",
                    "father_name": "王强", "father_id_card": "110105194912310038", "settle_with": "随父落户",
                    "hukou_address": "临江区东湖街道金桥花园3幢501", "card_bank": "中国工商银行", "contact_phone": phone,
                    "mailing_address": "临江区东湖街道金桥花园3幢501" },
                "materials": ["mother_id", "father_id", "household_register", "marriage_cert", "delivery_record", "vaccine_record"] })
        };
        let company = |name: &str| {
            json!({ "template": "company_setup", "applicant": { "name": "陈禾", "phone": "13900001111" },
                "form": { "company_name": name, "company_type": "有限责任公司", "registered_capital": 50,
                    "business_scope": "餐饮管理；食品销售", "address": "临江区东湖街道金桥路18号", "legal_rep_name": "陈禾",
                    "legal_rep_id_card": "11010519491231002X", "contact_phone": "13900001111", "seal_set": "仅公章",
                    "taxpayer_type": "小规模纳税人", "invoice_type": "数电发票（普通发票）", "finance_contact": "陈禾", "employee_count": 3 },
                "materials": ["legal_rep_id", "articles", "investor_ids", "premises_proof", "employee_roster"] })
        };
        // Walks the named matters with the actions given, as their departments.
        async fn step(
            app: &App,
            b: serde_json::Value,
            matter: &str,
            actions: &[&str],
            by: Option<&app::scope::Principal>,
        ) -> Result<serde_json::Value, AppError> {
            let mut b = b;
            for a in actions {
                let t = b["tasks"]
                    .as_array()
                    .and_then(|l| l.iter().find(|t| t["matter"] == matter))
                    .cloned()
                    .unwrap_or_default();
                let unit = t["unit"].as_str().unwrap_or_default().to_string();
                let dept = app::scope::Principal {
                    id: Uuid::now_v7(),
                    username: format!("demo-{unit}"),
                    name: format!("{}经办人", app.org.tree().await?.name(&unit)),
                    role: Role::Handler,
                    unit: Some(unit),
                    kind: app::scope::PrincipalKind::User,
                    must_change_password: false,
                    client: None,
                };
                let opinion = match *a {
                    "request_correction" => "拟落户地址门牌号不完整，请补充房产证或居住证明",
                    "refuse" if matter == "business_license" => {
                        "企业名称与已登记企业重名，不予登记"
                    }
                    "refuse" => "所选发卡银行暂停办理社会保障卡业务，请改选其他银行后另行申领",
                    _ => "同意",
                };
                let id = b["id"]
                    .as_str()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .unwrap_or_default();
                let body = json!({ "action": a, "version": t["version"], "opinion": opinion });
                b = app
                    .bundle_task_transition(
                        by.unwrap_or(&dept),
                        id,
                        t["id"].as_str().unwrap_or_default(),
                        &body,
                    )
                    .await?;
            }
            Ok(b)
        }
        let mut n = 0;
        // In progress: submitted on the portal two days ago, the birth certificate accepted.
        at(2, 10);
        let b = past
            .create_bundle(&citizen, &birth("王小禾", "13800001234"))
            .await?;
        at(1, 9);
        step(&past, b, "birth_certificate", &["accept"], None).await?;
        n += 1;
        // Waiting for a correction: 公安 asked for one four days ago.
        at(6, 10);
        let b = past
            .create_bundle(&clerk, &birth("赵一诺", "13800002345"))
            .await?;
        at(5, 11);
        let b = step(&past, b, "birth_certificate", &["accept", "approve"], None).await?;
        at(4, 15);
        step(
            &past,
            b,
            "hukou_registration",
            &["accept", "request_correction"],
            None,
        )
        .await?;
        n += 1;
        // Completed: every matter approved (统一出件).
        at(10, 9);
        let mut b = past
            .create_bundle(&clerk, &company("临江禾田餐饮管理有限公司"))
            .await?;
        at(9, 16);
        b = step(&past, b, "business_license", &["accept", "approve"], None).await?;
        at(8, 11);
        for m in [
            "seal_filing",
            "tax_invoice",
            "pension_registration",
            "medical_registration",
        ] {
            b = step(&past, b, m, &["accept", "approve"], None).await?;
        }
        n += 1;
        // Refused: the licence refused, everything after it cancelled.
        at(7, 10);
        let b = past
            .create_bundle(&clerk, &company("临江金桥科技有限公司"))
            .await?;
        at(6, 14);
        step(&past, b, "business_license", &["accept", "refuse"], None).await?;
        n += 1;
        // Partly completed: a birth bundle with the social security card refused.
        at(21, 10);
        let mut b = past
            .create_bundle(&citizen, &birth("孙乐安", "13800003456"))
            .await?;
        at(20, 15);
        b = step(&past, b, "birth_certificate", &["accept", "approve"], None).await?;
        at(19, 10);
        for m in ["vaccination_cert", "maternity_reimbursement"] {
            b = step(&past, b, m, &["accept", "approve"], None).await?;
        }
        at(18, 16);
        b = step(&past, b, "hukou_registration", &["accept", "approve"], None).await?;
        at(17, 10);
        b = step(
            &past,
            b,
            "resident_medical_insurance",
            &["accept", "approve"],
            None,
        )
        .await?;
        step(
            &past,
            b,
            "social_security_card",
            &["accept", "refuse"],
            None,
        )
        .await?;
        n += 1;

        // Engineering approvals.
        let project = |name: &str, code: &str| {
            json!({ "name": name, "project_code": code, "kind": "社会投资项目",
            "applicant": { "name": "临江科创发展有限公司", "phone": "0571-86001234" } })
        };
        let form = json!({ "建设规模": "地上 6 层，建筑面积 1.2 万平方米", "总投资": "8000 万元" });
        async fn review(
            app: &App,
            a: serde_json::Value,
            code: &str,
            action: &str,
            kind: Option<&str>,
        ) -> Result<serde_json::Value, AppError> {
            let r = a["stages"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|s| s["reviews"].as_array().cloned().unwrap_or_default())
                .find(|r| r["code"] == code)
                .unwrap_or_default();
            let unit = r["unit"].as_str().unwrap_or_default().to_string();
            let dept = app::scope::Principal {
                id: Uuid::now_v7(),
                username: format!("demo-{unit}"),
                name: format!("{}审查员", app.org.tree().await?.name(&unit)),
                role: Role::Handler,
                unit: Some(unit),
                kind: app::scope::PrincipalKind::User,
                must_change_password: false,
                client: None,
            };
            let id = a["id"]
                .as_str()
                .and_then(|s| Uuid::parse_str(s).ok())
                .unwrap_or_default();
            let opinion = match action {
                "refuse" => Some("选址位于饮用水水源二级保护区，环评文件不予批准"),
                "pause" => Some("委托中介机构开展专家评审"),
                "resume" => None,
                _ => Some("同意"),
            };
            app.approval_review_action(&dept, id, code, &json!({ "action": action, "version": r["version"], "kind": kind, "opinion": opinion })).await
        }
        async fn submit(
            app: &App,
            clerk: &app::scope::Principal,
            a: serde_json::Value,
            stage: &str,
            form: &serde_json::Value,
        ) -> Result<serde_json::Value, AppError> {
            let id = a["id"]
                .as_str()
                .and_then(|s| Uuid::parse_str(s).ok())
                .unwrap_or_default();
            app.submit_approval_stage(
                clerk,
                id,
                stage,
                &json!({ "version": a["version"], "form": form }),
            )
            .await
        }
        // Through all four stages, over the past three months: each stage's reviews decided on
        // the days given (days ago), the design review waiting four days for an intermediary.
        at(90, 10);
        let mut a = past
            .create_approval(
                &clerk,
                &project("临江科创园二期", "2026-330188-47-01-000123"),
            )
            .await?;
        let stages: Vec<(String, Vec<String>)> = a["stages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                (
                    s["code"].as_str().unwrap_or_default().to_string(),
                    s["reviews"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|r| r["code"].as_str().map(str::to_string))
                        .collect(),
                )
            })
            .collect();
        let mut day = 89;
        for (i, (stage, reviews)) in stages.iter().enumerate() {
            at(day, 10);
            a = submit(&past, &clerk, a, stage, &form).await?;
            if i == 1
                && let Some(r) = reviews.first()
            {
                at(day - 1, 10);
                a = review(&past, a, r, "pause", Some("intermediary")).await?;
                at(day - 5, 10);
                a = review(&past, a, r, "resume", None).await?;
            }
            for (j, r) in reviews.iter().enumerate() {
                at(
                    day - 3 - i64::try_from(j).unwrap_or(0) * 2 - if i == 1 { 5 } else { 0 },
                    15,
                );
                a = review(&past, a, r, "approve", None).await?;
            }
            day -=
                3 + i64::try_from(reviews.len()).unwrap_or(0) * 2 + if i == 1 { 5 } else { 0 } + 1;
        }
        // Paused in its second stage: the design review waits for an intermediary.
        at(15, 10);
        let mut a = past
            .create_approval(
                &clerk,
                &project("金桥社区养老服务中心", "2026-330188-83-01-000456"),
            )
            .await?;
        if let Some((first, reviews)) = stages.first() {
            a = submit(&past, &clerk, a, first, &form).await?;
            for (j, r) in reviews.iter().enumerate() {
                at(13 - i64::try_from(j).unwrap_or(0), 15);
                a = review(&past, a, r, "approve", None).await?;
            }
        }
        if let Some((second, reviews)) = stages.get(1) {
            at(8, 10);
            a = submit(&past, &clerk, a, second, &form).await?;
            if let Some(r) = reviews.first() {
                at(6, 10);
                review(&past, a, r, "pause", Some("intermediary")).await?;
            }
        }
        // Refused in its first stage: the environmental impact assessment was not approved.
        at(30, 10);
        let mut a = past
            .create_approval(
                &clerk,
                &project("临江再生资源分拣中心", "2026-330188-77-01-000321"),
            )
            .await?;
        if let Some((first, reviews)) = stages.first() {
            a = submit(&past, &clerk, a, first, &form).await?;
            if let Some(r) = reviews.last() {
                at(24, 16);
                review(&past, a, r, "refuse", None).await?;
            }
        }
        at(2, 11);
        past.create_approval(
            &clerk,
            &project("东湖街道农贸市场改造", "2026-330188-52-01-000789"),
        )
        .await?;
        Ok(n + 4)
    }

    async fn seed_programs(&self) -> Result<usize, AppError> {
        if !self.store.programs().await?.is_empty() {
            return Ok(0);
        }
        let now = self.now();
        let today = date_of(now);
        let day = |d: i64| {
            today
                .checked_add(jiff::Span::new().days(d))
                .unwrap_or(today)
                .to_string()
        };
        // (program, kind, items: (name, lead, co-units, start offset, milestones (name, offset,
        // planned %, done), approved progress))
        type Ms = (&'static str, i64, f64, bool);
        type Item = (
            &'static str,
            &'static str,
            &'static [&'static str],
            i64,
            &'static [Ms],
            f64,
        );
        let programs: [(&str, &str, &[Item]); 2] = [
            (
                "十大攻坚",
                "key_project",
                &[
                    (
                        "城西污水处理厂提标改造",
                        "zjj",
                        &["cgj"],
                        -200,
                        &[
                            ("开工", -180, 10.0, true),
                            ("主体完工", -20, 70.0, true),
                            ("通水验收", 60, 100.0, false),
                        ],
                        72.0,
                    ),
                    (
                        "老旧小区综合改造（12 个小区）",
                        "zjj",
                        &[],
                        -150,
                        &[
                            ("方案批复", -120, 10.0, true),
                            ("过半", -10, 50.0, false),
                            ("竣工", 90, 100.0, false),
                        ],
                        35.0,
                    ),
                    (
                        "主干道交通拥堵治理",
                        "cgj",
                        &["zjj"],
                        -120,
                        &[
                            ("方案", -100, 20.0, true),
                            ("施工", 30, 80.0, false),
                            ("完工", 120, 100.0, false),
                        ],
                        20.0,
                    ),
                    (
                        "违法建筑清零行动",
                        "cgj",
                        &[],
                        -300,
                        &[
                            ("摸排", -280, 20.0, true),
                            ("拆除", -60, 90.0, true),
                            ("复查", -5, 100.0, true),
                        ],
                        100.0,
                    ),
                ],
            ),
            (
                "十大民生实事",
                "livelihood",
                &[
                    (
                        "加装电梯 50 台",
                        "zjj",
                        &[],
                        -180,
                        &[
                            ("签约", -150, 20.0, true),
                            ("完成 30 台", -30, 60.0, false),
                            ("完成 50 台", 30, 100.0, false),
                        ],
                        40.0,
                    ),
                    (
                        "新增公共停车泊位 2000 个",
                        "cgj",
                        &[],
                        -100,
                        &[("选址", -80, 20.0, true), ("建成", 80, 100.0, false)],
                        45.0,
                    ),
                    (
                        "社区食堂全覆盖",
                        "zjj",
                        &["cgj"],
                        -90,
                        &[("试点", -60, 30.0, true), ("全覆盖", 40, 100.0, false)],
                        55.0,
                    ),
                ],
            ),
        ];
        let tree = self.org.tree().await?;
        let mut n = 0;
        for (name, kind, items) in programs {
            let year = i64::from(today.year());
            let program = app::ports::Program {
                id: uuid::Uuid::now_v7(),
                name: format!("{year} 年{name}"),
                kind: kind.into(),
                year,
                doc: json!({ "description": format!("{year} 年区委区政府{name}项目，逐项明确牵头单位、节点和进度"), "rule": programs::Rule::default() }),
                created_at: now,
                updated_at: now,
            };
            self.store.insert_program(&program).await?;
            for (seq, (iname, lead, co, start, ms, progress)) in items.iter().enumerate() {
                if tree.get(lead).is_none() {
                    continue;
                }
                let milestones: Vec<_> = ms
                    .iter()
                    .map(|(m, off, pct, done)| {
                        json!({ "name": m, "planned": day(*off), "planned_percent": pct,
                        "actual": if *done { json!(day(*off)) } else { serde_json::Value::Null } })
                    })
                    .collect();
                let item = app::ports::ProgramItem {
                    id: uuid::Uuid::now_v7(),
                    program_id: program.id,
                    seq: seq as i64 + 1,
                    lead_unit: (*lead).into(),
                    doc: json!({ "name": iname, "co_units": co, "start": day(*start), "milestones": milestones,
                        "progress": progress, "reports": [{ "n": 1, "at": app::deadlines::format_instant(now), "by": "演示数据",
                            "unit": lead, "percent": progress, "text": "按节点推进，佐证材料已上传", "milestones_done": [],
                            "status": "approved", "review": { "by": "演示数据", "at": app::deadlines::format_instant(now), "note": "核实无误" } }] }),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                self.store.insert_program_item(&item).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Adds `n` synthetic cases spread over the past year, in transactions of `batch` cases.
    async fn seed_cases(&self, n: usize, seed: u64, batch: usize) -> Result<usize, AppError> {
        self.seed_history(n, seed, batch, demo::HISTORY_DAYS).await
    }

    /// Adds `n` synthetic cases spread over the `days` before now, in transactions of `batch`
    /// cases. The bulk path: while one batch is being written, the next is generated (replaying
    /// the state machine and tokenising is the CPU half, the database the other).
    async fn seed_history(
        &self,
        n: usize,
        seed: u64,
        batch: usize,
        days: i64,
    ) -> Result<usize, AppError> {
        let d = demo::district();
        let tree = self.org.reload().await?;
        let now = self.now();
        let mut users: HashMap<&'static str, Actor> = HashMap::new();
        for l in demo_logins(&d) {
            if let Some(u) = self.store.user_by_username(l.username).await? {
                users.entry(l.role).or_insert(Actor {
                    id: Some(u.id),
                    name: u.display_name,
                    unit: Some(u.unit),
                });
            }
        }
        let district_hub = tree
            .district_hub()
            .map(|u| u.code.clone())
            .ok_or_else(|| AppError::internal("no district hub; install the district first"))?;
        let fallback = |role: &str| Actor {
            id: None,
            name: role.to_string(),
            unit: Some(district_hub.clone()),
        };
        let clerk = users
            .get("clerk")
            .cloned()
            .unwrap_or_else(|| fallback("受理员"));
        let dispatcher = users
            .get("dispatcher")
            .cloned()
            .unwrap_or_else(|| fallback("派单员"));
        let rules = self.rules().await?;
        let calendar = rules.calendar_for("");
        let classifier = self.classifier();
        let mut written = 0;
        let mut pending: Vec<(CaseWrite, i32)> = Vec::with_capacity(batch);
        let mut open_by_category: HashMap<&'static str, usize> = HashMap::new();
        // Two batches in flight: one writing, the next encoding (see `Store::insert_cases_bulk`),
        // while this task generates the one after.
        let mut inflight: std::collections::VecDeque<
            tokio::task::JoinHandle<Result<(), app::error::StoreError>>,
        > = Default::default();
        for (i, spec) in demo::case_stream(seed, n, now, &d)
            .over_days(days)
            .enumerate()
        {
            let salt = seed
                .wrapping_add(i as u64)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let (mut case, events) = replay(
                &rules,
                &spec,
                &tree,
                &clerk,
                &dispatcher,
                salt,
                &pending,
                &open_by_category,
            );
            // 并单: count the repeat on the main case of this batch.
            if let Some(into) = case.merged_into
                && let Some(&idx) = open_by_category.get(spec.category)
                && pending[idx].0.case.id == into
            {
                let main = &mut pending[idx].0;
                main.case.repeat_count += 1;
                main.events.push(Event {
                    id: Uuid::now_v7(),
                    case_id: into,
                    at: case.updated_at,
                    actor: dispatcher.id,
                    actor_name: dispatcher.name.clone(),
                    unit: dispatcher.unit.clone(),
                    action: EVENT_MERGED_IN.into(),
                    opinion: None,
                    data: json!({ "duplicate": case.id, "repeat_count": main.case.repeat_count }),
                });
            }
            if case.status.is_open() {
                open_by_category.insert(spec.category, pending.len());
            }
            // Cases still waiting for dispatch carry triage's suggestion, as intake leaves it.
            if matches!(
                case.status,
                domain::Status::Registered | domain::Status::Accepted
            ) {
                let s = classifier.classify(&format!("{} {}", case.title, case.description));
                case.triage = Some(self.triage_note(&s, &case.location.region).await?);
            }
            let year = i32::from(date_of(case.created_at).year());
            let marks = app::metrics::marks_of(&events, &calendar);
            let mut write = self.write_of(&rules, case, None, events, true);
            write.metrics = app::metrics::metrics_write(None, &marks);
            pending.push((write, year));
            if pending.len() >= batch {
                written += pending.len();
                if inflight.len() >= 2
                    && let Some(h) = inflight.pop_front()
                {
                    h.await.map_err(|e| AppError::internal(e.to_string()))??;
                }
                let store = self.store.clone();
                let b = std::mem::take(&mut pending);
                inflight.push_back(tokio::spawn(
                    async move { store.insert_cases_bulk(b).await },
                ));
                open_by_category.clear();
            }
        }
        while let Some(h) = inflight.pop_front() {
            h.await.map_err(|e| AppError::internal(e.to_string()))??;
        }
        written += pending.len();
        if !pending.is_empty() {
            self.store.insert_cases_bulk(pending).await?;
        }
        self.store.finish_bulk_load().await?;
        Ok(written)
    }
}

/// The demo catalogue: each category to its department, the street as co-unit.
async fn install_demo_catalogue(app: &App) -> Result<usize, AppError> {
    let routes: Vec<Route> = demo::TAXONOMY
        .iter()
        .filter_map(|(category, dept)| {
            demo::department_for(dept).map(|unit| Route {
                category: (*category).to_string(),
                region: String::new(),
                unit: unit.to_string(),
                co_street: true,
            })
        })
        .collect();
    app.install_catalogue(&routes).await?;
    Ok(routes.len())
}

#[allow(clippy::too_many_arguments)]
fn replay(
    rules: &app::rules::TimeRules,
    spec: &CaseSpec,
    tree: &app::org::OrgTree,
    clerk: &Actor,
    dispatcher: &Actor,
    salt: u64,
    pending: &[(CaseWrite, i32)],
    open_by_category: &HashMap<&'static str, usize>,
) -> (Case, Vec<Event>) {
    let source = Source::parse(spec.source).unwrap_or(Source::Phone);
    let street = tree.street_of_region(&spec.region).map(|u| u.code.clone());
    let district_hub = tree
        .district_hub()
        .map(|u| u.code.clone())
        .unwrap_or_default();
    // Walk-ins, visits and grid reports are taken by the street's centre; calls and the web by
    // the district's.
    let hub = match source {
        Source::Window | Source::Visit | Source::Grid | Source::Inspector => {
            street.clone().unwrap_or_else(|| district_hub.clone())
        }
        _ => district_hub.clone(),
    };
    let dept = demo::department_for(spec.department).map(str::to_string);
    let id = Uuid::now_v7();
    let t0 = spec.reported_at_ms;
    let mut case = Case::registered(
        domain::Intake {
            id,
            title: spec.title.clone(),
            description: spec.description.clone(),
            nature: Nature::parse(spec.nature).unwrap_or(Nature::Consult),
            category: spec.category.to_string(),
            urgency: Urgency::parse(spec.urgency).unwrap_or(Urgency::Normal),
            source,
            reporter: Reporter {
                name: spec.reporter_name.clone(),
                phone: spec.reporter_phone.clone(),
                email: None,
            },
            location: Location {
                address: spec.address.clone(),
                region: spec.region.clone(),
                lat: spec.lat,
                lon: spec.lon,
            },
            reported_at: t0,
            hub: hub.clone(),
            created_by: clerk.id,
            risk_level: "none".into(),
        },
        t0,
    );
    let mut events = vec![Event {
        id: Uuid::now_v7(),
        case_id: id,
        at: t0,
        actor: clerk.id,
        actor_name: clerk.name.clone(),
        unit: Some(hub.clone()),
        action: EVENT_REGISTER.into(),
        opinion: None,
        data: json!({ "source": source.code() }),
    }];
    let clocks = rules.clocks(&case);
    let deadlines = rules.deadlines_for(&case.location.region);
    let mut dispatches = 0;
    for (step, at) in &spec.steps {
        let unit_actor = |c: &Case| {
            let u = c.unit.clone().unwrap_or_default();
            Actor {
                id: None,
                name: format!("{}承办人", tree.name(&u)),
                unit: Some(u),
            }
        };
        let (action, args, actor) = match step {
            Step::Accept => (Action::Accept, Args::None, clerk.clone()),
            Step::Reject => (Action::Reject, Args::Reason("该诉求属于诉讼、仲裁途径解决的事项，不属于热线受理范围，已告知来电人相关途径。".into()), clerk.clone()),
            Step::Answer => (Action::Answer, Args::Reply { reply: "已根据知识库向来电人解答相关政策及办理流程，来电人表示清楚。".into(), outcome: Outcome::Resolved }, clerk.clone()),
            Step::Merge => {
                let target = open_by_category.get(spec.category).map(|&i| pending[i].0.case.id);
                let Some(into) = target else { break };
                (Action::Merge, Args::Merge { into }, dispatcher.clone())
            }
            Step::Dispatch => {
                dispatches += 1;
                // A returned case is re-dispatched to the street of the address (属地).
                let (unit, co) = if dispatches == 1 {
                    (dept.clone().or_else(|| street.clone()), street.clone().into_iter().collect())
                } else {
                    (street.clone(), vec![])
                };
                let Some(unit) = unit else { break };
                let co_units = co.into_iter().filter(|c| *c != unit).collect();
                let mut d = dispatcher.clone();
                d.unit = Some(case.hub.clone());
                (Action::Dispatch, Args::Dispatch { unit, co_units }, d)
            }
            Step::Return => (Action::Return, Args::Reason("经核实，该事项属于属地管理范围，不属于本单位职责，申请退回改派。".into()), unit_actor(&case)),
            Step::Sign => (Action::Sign, Args::None, unit_actor(&case)),
            Step::RequestExtension => (Action::RequestExtension, Args::RequestExtension { working_days: 5, reason: "涉及多部门协调，需进一步调查取证，申请延期办理。".into() }, unit_actor(&case)),
            Step::DecideExtension => (Action::DecideExtension, Args::DecideExtension { approve: true }, dispatcher.clone()),
            Step::Resolve => (
                Action::Resolve,
                Args::Reply { reply: pick(REPLIES, salt).to_string(), outcome: if salt.is_multiple_of(13) { Outcome::Partly } else { Outcome::Resolved } },
                unit_actor(&case),
            ),
            Step::FollowUp { satisfaction, resolved } => (
                Action::FollowUp,
                Args::FollowUp { method: FollowUpMethod::Phone, result: FollowUpResult::Reached { satisfaction: Satisfaction::parse(satisfaction).unwrap_or(Satisfaction::Satisfied), resolved: *resolved } },
                clerk.clone(),
            ),
            Step::Reopen => (Action::Reopen, Args::None, dispatcher.clone()),
        };
        let cmd = Command {
            action,
            opinion: None,
            args,
        };
        match apply(&case, &cmd, &actor, *at, &clocks, &deadlines) {
            Ok((next, ev)) => {
                case = next;
                events.push(ev);
            }
            Err(e) => {
                tracing::debug!(error = %e, "synthetic step skipped");
                break;
            }
        }
    }
    (case, events)
}

/// The demo's board rules: the defaults with a minimum sample of 10 cases a month.
fn boards_rules_for_demo() -> serde_json::Value {
    json!({
        "groups": [
            { "name": "镇街", "level": "street", "kind": "hub" },
            { "name": "区级部门", "level": "district", "kind": "department" }
        ],
        "metrics": [
            { "name": "sign_on_time", "weight": 15.0 }, { "name": "handle_on_time", "weight": 25.0 },
            { "name": "satisfaction", "weight": 25.0 }, { "name": "resolution", "weight": 20.0 },
            { "name": "return_rate", "weight": 7.5, "lower_is_better": true },
            { "name": "reopen_rate", "weight": 7.5, "lower_is_better": true }
        ],
        "target": 85.0, "red_top": 3, "black_bottom": 1, "black_floor": 60.0,
        "min_sample": 10, "appeal_days": 5, "exemptions": []
    })
}
