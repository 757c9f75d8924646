//! Open311 GeoReport v2 (`/open311/v2/`): the service list built from the taxonomy, service
//! definitions with the extra fields some categories need, submitting a request (a registered case
//! with source `open311`, through [`App::create_case`] so triage runs), and reading requests back.
//! The HTTP, XML and JSON edge is in the `web` crate; this module knows nothing of formats.
//!
//! Decisions (see `reference/open311-georeport-v2.md` §14.2):
//! - Single jurisdiction, [`JURISDICTION_ID`]: `jurisdiction_id` is optional; when given it must be
//!   ours (404 otherwise).
//! - The services are the district's taxonomy in use ([`services_of`]): the default categories
//!   keep the stable codes of [`SERVICES`] (`一级-二级` pinyin initials such as `CSGL-ZDJY`); a
//!   category the district adds gets `X-` and 8 hex digits of its name's SHA-256 ([`code_of`]). A
//!   code never changes meaning; a category taken out of use (停用) is neither listed nor accepted.
//! - Every service is `realtime`: a POST creates the case at once and returns its number as
//!   `service_request_id`. No tokens are ever issued, so `/tokens/{token}` always answers 404.
//! - The public read side (GET requests, no key, as the standard wants) shows only cases that came
//!   in through Open311: cases taken by phone or at the window were not filed on a public channel,
//!   and the portal protects them with the reporter's phone.
//! - `phone` is optional, as in the standard (FixMyStreet often sends none). The case keeps the
//!   `email`; its follow-up (回访) is by phone when there is one, else by email, else the case
//!   shows as not reachable for 回访 (`reporter.contact` = `phone` / `email` / `none`).
//! - Extra fields (`attribute[CODE]`) are validated against the definition and appended to the
//!   case description, where the handler reads them. Unknown attribute codes (FixMyStreet sends
//!   `attribute[fixmystreet_id]`, `attribute[uprn]`) are ignored. `device_id`, `account_id` and
//!   `media_url` are accepted and not stored (the case has no place for them).
//! - Status goes back through the mySociety extension `servicerequestupdates` (GET): the public
//!   steps of the timeline of Open311 cases, with FixMyStreet's extended statuses.

use crate::cases::parse_instant;
use crate::deadlines::format_instant;
use crate::error::{AppError, ErrorKind};
use crate::org::OrgTree;
use crate::ports::{CaseQuery, SortKey};
use crate::scope::PrincipalKind;
use crate::{App, auth};
use domain::{Case, Level, Source, Status, UnitKind};
use serde_json::json;
use std::collections::HashMap;

/// Changes whenever the service list or a definition changes (clients refresh their caches).
pub const CHANGESET: &str = "2026-11-20T00:00:00+08:00";
pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// mySociety's extension (GET `servicerequestupdates`), listed in discovery as a second endpoint.
pub const MYSOCIETY_SPECIFICATION: &str =
    "https://github.com/mysociety/fixmystreet/wiki/Open311-FMS---Proposed-differences-to-Open311";
/// GET requests returns at most this many by default (and per page).
pub const MAX_RESULTS: u32 = 1000;
/// The longest date range of GET requests, and the default window.
pub const WINDOW_MS: i64 = 90 * 86_400_000;
/// Open311's limit on `description`.
pub const MAX_DESCRIPTION: usize = 4000;
/// Most ids in one `service_request_id` list.
pub const MAX_IDS: usize = 200;
/// How far (km) a point may be from the nearest street centre and still be placed in that street.
pub const MAX_STREET_KM: f64 = 15.0;

/// One request type: a fixed code for a taxonomy category, and search keywords.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceEntry {
    pub code: &'static str,
    /// `一级/二级`, verbatim from the taxonomy.
    pub category: &'static str,
    pub keywords: &'static str,
}

const fn s(code: &'static str, category: &'static str, keywords: &'static str) -> ServiceEntry {
    ServiceEntry {
        code,
        category,
        keywords,
    }
}

/// The service table, in taxonomy order. Codes are stable across releases: never reuse or
/// renumber one.
pub const SERVICES: &[ServiceEntry] = &[
    s(
        "CSGL-ZDJY",
        "城市管理/占道经营",
        "占道,摊贩,流动摊点,夜市,出店经营",
    ),
    s(
        "CSGL-WZDJ",
        "城市管理/违章搭建",
        "违建,私搭乱建,加层,阳光房,围墙",
    ),
    s(
        "CSGL-SRHJ",
        "城市管理/市容环境",
        "垃圾,卫生,乱堆放,脏乱差,公厕",
    ),
    s("CSGL-HWGG", "城市管理/户外广告", "广告牌,招牌,横幅,小广告"),
    s(
        "HJBH-ZSWR",
        "环境保护/噪声污染",
        "噪音,扰民,施工噪声,广场舞,夜间施工",
    ),
    s("HJBH-DQWR", "环境保护/大气污染", "废气,油烟,异味,扬尘,焚烧"),
    s("HJBH-SWR", "环境保护/水污染", "污水,排污,河道,黑臭水体"),
    s("HJBH-LJFL", "环境保护/垃圾分类", "分类,垃圾桶,清运,厨余"),
    s(
        "ZFJS-WYGL",
        "住房建设/物业管理",
        "物业,物业费,保安,保洁,业委会",
    ),
    s(
        "ZFJS-LJXQ",
        "住房建设/老旧小区改造",
        "旧改,老小区,改造,外立面",
    ),
    s("ZFJS-JZDT", "住房建设/加装电梯", "电梯,加梯,老楼"),
    s("ZFJS-FWZL", "住房建设/房屋质量", "漏水,裂缝,渗水,交房"),
    s("JTYS-GJXL", "交通运输/公交线路", "公交,站点,班次,线路"),
    s(
        "JTYS-CZWY",
        "交通运输/出租网约车",
        "出租车,网约车,拒载,绕路",
    ),
    s("JTYS-DLSS", "交通运输/道路设施", "道路,坑洼,井盖,路灯,护栏"),
    s(
        "JTYS-TCGL",
        "交通运输/停车管理",
        "停车,乱停,车位,占用消防通道",
    ),
    s("SCJG-SPAQ", "市场监管/食品安全", "食品,过期,变质,餐饮,卫生"),
    s(
        "SCJG-XFWQ",
        "市场监管/消费维权",
        "退款,预付卡,跑路,质量,投诉商家",
    ),
    s(
        "SCJG-JGTS",
        "市场监管/价格投诉",
        "价格,乱收费,明码标价,涨价",
    ),
    s("SCJG-WZJY", "市场监管/无证经营", "无照,无证,黑作坊"),
    s(
        "LDSB-TQGZ",
        "劳动社保/拖欠工资",
        "欠薪,讨薪,工资,包工头,农民工",
    ),
    s(
        "LDSB-SBJN",
        "劳动社保/社保缴纳",
        "社保,养老保险,公积金,断缴",
    ),
    s("LDSB-JYFW", "劳动社保/就业服务", "就业,招聘,培训,失业"),
    s("LDSB-LDHT", "劳动社保/劳动合同", "合同,辞退,加班,补偿"),
    s("JY-RXZS", "教育/入学招生", "入学,学区,招生,转学"),
    s("JY-XWPX", "教育/校外培训", "培训机构,补课,退费"),
    s("JY-XYAQ", "教育/校园安全", "校园,学校周边,接送,欺凌"),
    s("WSJK-YLFW", "卫生健康/医疗服务", "医院,看病,医生,挂号"),
    s("WSJK-YMJZ", "卫生健康/疫苗接种", "疫苗,接种,预约"),
    s("WSJK-YBBX", "卫生健康/医保报销", "医保,报销,异地就医"),
    s("MZYL-JJYL", "民政养老/居家养老", "养老,老人,助餐,照护"),
    s("MZYL-DBJZ", "民政养老/低保救助", "低保,救助,困难家庭"),
    s("MZYL-HYDJ", "民政养老/婚姻登记", "结婚,离婚,登记,预约"),
    s("MZYL-BZGL", "民政养老/殡葬管理", "殡葬,墓地,祭扫"),
    s("GGAQ-ZAYH", "公共安全/治安隐患", "治安,盗窃,打架,可疑人员"),
    s("GGAQ-DXZP", "公共安全/电信诈骗", "诈骗,骗子,转账,刷单"),
    s(
        "GGAQ-XFYH",
        "公共安全/消防隐患",
        "消防,通道堵塞,电瓶车,充电",
    ),
    s("SDQ-GS", "水电气/供水", "停水,水压,水质,水管"),
    s("SDQ-GD", "水电气/供电", "停电,电压,电线,电表"),
    s("SDQ-RQ", "水电气/燃气", "燃气,煤气,漏气,天然气"),
    s("LLJF-XLGX", "邻里纠纷/相邻关系", "邻居,漏水,噪音,采光,通行"),
    s("LLJF-JTMD", "邻里纠纷/家庭矛盾", "家庭,赡养,婚姻,继承"),
    s("LLJF-WYJF", "邻里纠纷/物业纠纷", "物业纠纷,业主,物业公司"),
    s("LLJF-TDSL", "邻里纠纷/土地山林", "土地,山林,宅基地,承包"),
];

/// The datatypes of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    String,
    Number,
    Datetime,
    Text,
    SingleValueList,
    MultiValueList,
}

impl Datatype {
    pub fn code(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::Datetime => "datetime",
            Datatype::Text => "text",
            Datatype::SingleValueList => "singlevaluelist",
            Datatype::MultiValueList => "multivaluelist",
        }
    }
}

/// An extra field of a service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttributeDef {
    pub code: &'static str,
    /// false: an informational text shown to the user (its `description`), no input.
    pub variable: bool,
    pub datatype: Datatype,
    pub required: bool,
    pub datatype_description: Option<&'static str>,
    pub order: u32,
    /// The question shown to the user.
    pub description: &'static str,
    /// (key, name) for the list datatypes.
    pub values: &'static [(&'static str, &'static str)],
    /// Short label for the description block of the case (not part of the standard's output).
    pub label: &'static str,
}

const fn attr(
    code: &'static str,
    datatype: Datatype,
    required: bool,
    order: u32,
    label: &'static str,
    description: &'static str,
) -> AttributeDef {
    AttributeDef {
        code,
        variable: true,
        datatype,
        required,
        datatype_description: None,
        order,
        description,
        values: &[],
        label,
    }
}

const fn list(
    mut a: AttributeDef,
    values: &'static [(&'static str, &'static str)],
) -> AttributeDef {
    a.values = values;
    a
}

const fn help(mut a: AttributeDef, text: &'static str) -> AttributeDef {
    a.datatype_description = Some(text);
    a
}

const fn notice(code: &'static str, order: u32, text: &'static str) -> AttributeDef {
    AttributeDef {
        code,
        variable: false,
        datatype: Datatype::Text,
        required: false,
        datatype_description: None,
        order,
        description: text,
        values: &[],
        label: "",
    }
}

const DATETIME_HELP: &str = "ISO 8601，须带时区，例如 2026-11-20T09:30:00+08:00";
const AMOUNT_HELP: &str = "以元为单位的数字，例如 12000";

const NOISE: &[AttributeDef] = &[
    list(
        attr(
            "NOISE_TIME",
            Datatype::SingleValueList,
            true,
            1,
            "噪声时段",
            "噪声主要出现在什么时段？",
        ),
        &[
            ("day", "昼间（06:00–22:00）"),
            ("night", "夜间（22:00–次日06:00）"),
            ("allday", "全天"),
        ],
    ),
    list(
        attr(
            "NOISE_SOURCE",
            Datatype::SingleValueList,
            false,
            2,
            "噪声来源",
            "噪声来自哪里？",
        ),
        &[
            ("construction", "建筑施工"),
            ("business", "商业经营（店铺、广场舞等）"),
            ("industry", "工业生产"),
            ("traffic", "交通"),
            ("neighbour", "邻里生活"),
        ],
    ),
];

const WAGES: &[AttributeDef] = &[
    attr(
        "WAGE_EMPLOYER",
        Datatype::String,
        true,
        1,
        "欠薪单位",
        "拖欠工资的用工单位（或包工头）名称",
    ),
    help(
        attr(
            "WAGE_AMOUNT",
            Datatype::Number,
            true,
            2,
            "欠薪金额（元）",
            "被拖欠的工资金额（元）",
        ),
        AMOUNT_HELP,
    ),
    attr(
        "WAGE_WORKERS",
        Datatype::Number,
        false,
        3,
        "涉及人数",
        "涉及多少名劳动者？",
    ),
    help(
        attr(
            "WAGE_SINCE",
            Datatype::Datetime,
            false,
            4,
            "拖欠起始时间",
            "从何时开始拖欠？",
        ),
        DATETIME_HELP,
    ),
];

const ROAD: &[AttributeDef] = &[list(
    attr(
        "ROAD_ITEMS",
        Datatype::MultiValueList,
        false,
        1,
        "设施问题",
        "哪些设施有问题？（可多选）",
    ),
    &[
        ("pothole", "路面坑洼"),
        ("manhole", "井盖缺失或破损"),
        ("streetlight", "路灯不亮"),
        ("guardrail", "护栏损坏"),
        ("sign", "交通标志标线"),
    ],
)];

const GAS: &[AttributeDef] = &[
    notice(
        "GAS_NOTICE",
        1,
        "如闻到燃气泄漏，请立即关闭阀门、开窗通风、不要开关电器，并到室外拨打燃气抢修电话或 119。",
    ),
    list(
        attr(
            "GAS_LEAK",
            Datatype::SingleValueList,
            true,
            2,
            "是否有燃气味",
            "现场是否闻到燃气味？",
        ),
        &[("yes", "闻到燃气味"), ("no", "没有燃气味")],
    ),
];

const FRAUD: &[AttributeDef] = &[
    notice(
        "FRAUD_NOTICE",
        1,
        "正在被骗或刚刚被骗，请立即拨打 110 或反诈专线 96110。",
    ),
    help(
        attr(
            "FRAUD_LOSS",
            Datatype::Number,
            false,
            2,
            "损失金额（元）",
            "损失金额（元）",
        ),
        AMOUNT_HELP,
    ),
];

const CONSUMER: &[AttributeDef] = &[
    attr(
        "MERCHANT",
        Datatype::String,
        true,
        1,
        "商家",
        "商家（经营者）名称",
    ),
    help(
        attr(
            "CONSUME_AMOUNT",
            Datatype::Number,
            false,
            2,
            "涉及金额（元）",
            "涉及金额（元）",
        ),
        AMOUNT_HELP,
    ),
    help(
        attr(
            "CONSUME_TIME",
            Datatype::Datetime,
            false,
            3,
            "消费时间",
            "消费时间",
        ),
        DATETIME_HELP,
    ),
];

const FOOD: &[AttributeDef] = &[attr(
    "FOOD_SHOP",
    Datatype::String,
    false,
    1,
    "经营者",
    "出售或提供食品的店名",
)];

const NEIGHBOURS: &[AttributeDef] = &[attr(
    "PARTIES",
    Datatype::Text,
    false,
    1,
    "涉及各方及诉求",
    "涉及哪几方？各方的诉求是什么？",
)];

const BUILDING: &[AttributeDef] = &[list(
    attr(
        "BUILD_STAGE",
        Datatype::SingleValueList,
        false,
        1,
        "搭建进度",
        "违建目前的进度",
    ),
    &[("building", "正在施工"), ("built", "已建成")],
)];

const ESTATE: &[AttributeDef] = &[attr(
    "ESTATE",
    Datatype::String,
    false,
    1,
    "小区",
    "小区名称",
)];

/// The extra fields of a service (empty when it needs none).
pub fn attributes_of(code: &str) -> &'static [AttributeDef] {
    match code {
        "HJBH-ZSWR" => NOISE,
        "LDSB-TQGZ" => WAGES,
        "JTYS-DLSS" => ROAD,
        "SDQ-RQ" => GAS,
        "GGAQ-DXZP" => FRAUD,
        "SCJG-XFWQ" => CONSUMER,
        "SCJG-SPAQ" => FOOD,
        "LLJF-XLGX" => NEIGHBOURS,
        "CSGL-WZDJ" => BUILDING,
        "ZFJS-WYGL" => ESTATE,
        _ => &[],
    }
}

pub fn service(code: &str) -> Option<&'static ServiceEntry> {
    SERVICES.iter().find(|s| s.code == code)
}

pub fn service_for_category(category: &str) -> Option<&'static ServiceEntry> {
    SERVICES.iter().find(|s| s.category == category)
}

/// The service code of a category: the table's stable code for the default categories, and for a
/// category the district added, `X-` and 8 hex digits of the category's SHA-256 — the same code
/// on every replica and after every restart, so Open311 clients can keep it.
pub fn code_of(category: &str) -> String {
    service_for_category(category).map_or_else(
        || {
            use sha2::Digest;
            let d = sha2::Sha256::digest(category.as_bytes());
            format!("X-{}", hex::encode(&d[..4]).to_ascii_uppercase())
        },
        |s| s.code.to_string(),
    )
}

/// One of the district's services: a category of its taxonomy that is in use.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub code: String,
    pub category: String,
    pub keywords: String,
}

/// The services of a taxonomy, in its order: every category in use (a category taken out of use,
/// 停用, is not offered and not accepted; its cases still show their code).
pub fn services_of(taxonomy: &[crate::taxonomy::TaxonomyEntry]) -> Vec<Service> {
    taxonomy
        .iter()
        .filter(|t| !t.disabled)
        .map(|t| Service {
            code: code_of(&t.category),
            category: t.category.clone(),
            keywords: service_for_category(&t.category)
                .map(|s| s.keywords.to_string())
                .unwrap_or_default(),
        })
        .collect()
}

/// A service as the service list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInfo {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    /// Always `realtime`.
    pub service_type: &'static str,
    pub keywords: String,
    pub group: String,
}

fn split_category(category: &str) -> (&str, &str) {
    category.split_once('/').unwrap_or((category, category))
}

fn info(e: &Service) -> ServiceInfo {
    let (group, name) = split_category(&e.category);
    let description = match triage::department_of(&e.category) {
        Some(dept) => format!("反映{group}类「{name}」问题，默认由{dept}承办"),
        None => format!("反映{group}类「{name}」问题"),
    };
    ServiceInfo {
        service_code: e.code.clone(),
        service_name: name.to_string(),
        description,
        metadata: !attributes_of(&e.code).is_empty(),
        service_type: "realtime",
        keywords: e.keywords.clone(),
        group: group.to_string(),
    }
}

pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: &'static [AttributeDef],
}

/// A request as GET requests shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestInfo {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: &'static str,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: String,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
    /// The `extensions=true` extension: our detailed state and classification.
    pub extended: Extended,
    /// The case (not shown; finds the request's public photo for `media_url`).
    pub case_id: uuid::Uuid,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Extended {
    pub detailed_status: &'static str,
    pub detailed_status_label: &'static str,
    pub category: String,
    pub nature: &'static str,
    pub urgency: &'static str,
    pub region_name: Option<String>,
}

/// The answer to a POST: our case number, and what happens next.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub service_request_id: String,
    pub service_notice_zh: String,
    pub service_notice_en: String,
    pub account_id: Option<String>,
}

/// One or more problems with a request, reported together (the standard's `errors` list). The
/// first one's kind decides the HTTP status.
#[derive(Debug, Clone)]
pub struct Open311Error(pub Vec<AppError>);

impl From<AppError> for Open311Error {
    fn from(e: AppError) -> Self {
        Open311Error(vec![e])
    }
}

impl From<crate::error::StoreError> for Open311Error {
    fn from(e: crate::error::StoreError) -> Self {
        Open311Error(vec![e.into()])
    }
}

fn bad(zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::new(ErrorKind::BadRequest, "bad_request", zh, en)
}

/// Request parameters (query string and form body) in order, repeated keys kept. Following the
/// standard, a parameter present but empty is the same as one absent.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The first non-empty value of `key`, trimmed.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    }

    /// `attribute[CODE]=v` and `attribute[CODE][]=v` (repeated for multivaluelist), by code.
    pub fn attributes(&self) -> HashMap<&str, Vec<&str>> {
        let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
        for (k, v) in &self.0 {
            let Some(rest) = k.strip_prefix("attribute[") else {
                continue;
            };
            let code = rest
                .strip_suffix("][]")
                .or_else(|| rest.strip_suffix(']'))
                .unwrap_or(rest);
            let v = v.trim();
            if !v.is_empty() {
                out.entry(code).or_default().push(v);
            }
        }
        out
    }
}

/// `jurisdiction_id` is optional (we serve one jurisdiction, `ours`: the district profile's); a
/// wrong one is 404. Without a configured jurisdiction any is accepted.
pub fn check_jurisdiction(params: &Params, ours: Option<&str>) -> Result<(), AppError> {
    match (params.get("jurisdiction_id"), ours) {
        (None, _) | (_, None) => Ok(()),
        (Some(j), Some(o)) if j.eq_ignore_ascii_case(o) => Ok(()),
        (Some(j), Some(o)) => Err(AppError::new(
            ErrorKind::NotFound,
            "jurisdiction_not_found",
            format!("jurisdiction_id「{j}」不存在；本接口服务 {o}"),
            format!("jurisdiction_id '{j}' not found; this endpoint serves {o}"),
        )),
    }
}

impl App {
    /// [`check_jurisdiction`] against the district profile's jurisdiction.
    pub async fn check_jurisdiction(&self, params: &Params) -> Result<(), AppError> {
        let district = self.district().await?;
        check_jurisdiction(params, district.jurisdiction_id.as_deref())
    }
}

fn unknown_service(code: &str) -> AppError {
    AppError::new(
        ErrorKind::NotFound,
        "service_not_found",
        format!("service_code「{code}」不存在，请先查询 services"),
        format!("service_code '{code}' not found; see the service list"),
    )
}

impl App {
    /// The district's services, from its stored taxonomy (issue 19.13: the district is data).
    pub async fn open311_services(&self) -> Result<Vec<Service>, AppError> {
        Ok(services_of(&self.taxonomy().await?))
    }

    /// `GET /services.{fmt}`.
    pub async fn open311_service_list(&self) -> Result<Vec<ServiceInfo>, AppError> {
        Ok(self.open311_services().await?.iter().map(info).collect())
    }

    /// The service a code names, if the district offers it.
    pub async fn open311_service(&self, code: &str) -> Result<Service, AppError> {
        self.open311_services()
            .await?
            .into_iter()
            .find(|s| s.code == code)
            .ok_or_else(|| unknown_service(code))
    }

    /// `GET /services/{code}.{fmt}`.
    pub async fn service_definition(&self, code: &str) -> Result<ServiceDefinition, AppError> {
        let e = self.open311_service(code).await?;
        Ok(ServiceDefinition {
            attributes: attributes_of(&e.code),
            service_code: e.code,
        })
    }
}

fn valid_phone(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && p.chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == ' ')
}

fn is_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{3400}'..='\u{9fff}').contains(&c) || ('\u{f900}'..='\u{faff}').contains(&c))
}

/// 姓 then 名 for Chinese names ("王" + "小明"), "First Last" otherwise.
fn full_name(first: Option<&str>, last: Option<&str>) -> String {
    match (first, last) {
        (None, None) => "匿名（Open311）".into(),
        (Some(f), None) => f.into(),
        (None, Some(l)) => l.into(),
        (Some(f), Some(l)) if is_cjk(f) || is_cjk(l) => format!("{l}{f}"),
        (Some(f), Some(l)) => format!("{f} {l}"),
    }
}

fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    // Equirectangular: exact enough within a district.
    let mean_lat = ((a.0 + b.0) / 2.0).to_radians();
    let dx = (b.1 - a.1).to_radians() * mean_lat.cos();
    let dy = (b.0 - a.0).to_radians();
    6371.0 * (dx * dx + dy * dy).sqrt()
}

/// The region code (属地) of a submitted location:
/// 1. `address_id` when it is the region code of one of our hubs (district, street, community);
/// 2. else a community or village whose name occurs in `address_string` (the longest such name);
/// 3. else the street/town whose centre (from the district profile, `centres`) is nearest to
///    `lat`/`long`, within [`MAX_STREET_KM`];
/// 4. else the district hub's region, whose dispatcher places the case by hand.
pub fn region_for(
    tree: &OrgTree,
    centres: &[crate::district::RegionCentre],
    address_id: Option<&str>,
    address: Option<&str>,
    point: Option<(f64, f64)>,
) -> Option<String> {
    let hubs = || tree.units.iter().filter(|u| u.kind == UnitKind::Hub);
    if let Some(id) = address_id
        && let Some(u) = hubs().find(|u| u.region == id)
    {
        return Some(u.region.clone());
    }
    if let Some(a) = address
        && let Some(u) = hubs()
            .filter(|u| u.level == Level::Community && a.contains(u.name.as_str()))
            .max_by_key(|u| u.name.chars().count())
    {
        return Some(u.region.clone());
    }
    if let Some(p) = point {
        let nearest = centres
            .iter()
            .filter(|c| hubs().any(|u| u.level == Level::Street && u.region == c.region))
            .map(|c| (&c.region, distance_km(p, (c.lat, c.lon))))
            .filter(|(_, d)| *d <= MAX_STREET_KM)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((region, _)) = nearest {
            return Some(region.clone());
        }
    }
    tree.district_hub().map(|u| u.region.clone())
}

/// Parses a number given as text (a plain decimal, finite).
fn parse_number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Checks the `attribute[...]` values against the definition; returns the description block
/// (one line per answered field) and every problem found.
fn check_attributes(
    defs: &[AttributeDef],
    given: &HashMap<&str, Vec<&str>>,
) -> (Vec<String>, Vec<AppError>) {
    let mut lines = vec![];
    let mut errors = vec![];
    for d in defs.iter().filter(|d| d.variable) {
        let values = given.get(d.code).map(Vec::as_slice).unwrap_or_default();
        let name = format!("attribute[{}]", d.code);
        if values.is_empty() {
            if d.required {
                errors.push(bad(
                    format!("{name}（{}）必填", d.label),
                    format!("{name} is required"),
                ));
            }
            continue;
        }
        if d.datatype != Datatype::MultiValueList && values.len() > 1 {
            errors.push(bad(
                format!("{name} 只能有一个值"),
                format!("{name} takes a single value"),
            ));
            continue;
        }
        let v = values[0];
        let shown = match d.datatype {
            Datatype::String => {
                if v.contains(['\n', '\r']) || v.chars().count() > 200 {
                    errors.push(bad(
                        format!("{name} 应为一行文字，最多 200 字"),
                        format!("{name} must be a single line of at most 200 characters"),
                    ));
                    continue;
                }
                v.to_string()
            }
            Datatype::Text => {
                if v.chars().count() > 2000 {
                    errors.push(bad(
                        format!("{name} 最多 2000 字"),
                        format!("{name} must be at most 2000 characters"),
                    ));
                    continue;
                }
                v.to_string()
            }
            Datatype::Number => match parse_number(v) {
                Some(n) if n >= 0.0 => v.to_string(),
                _ => {
                    errors.push(bad(
                        format!("{name} 应为非负数字，收到「{v}」"),
                        format!("{name} must be a non-negative number, got '{v}'"),
                    ));
                    continue;
                }
            },
            Datatype::Datetime => match v.parse::<jiff::Timestamp>() {
                Ok(t) => format_instant(t.as_millisecond()),
                Err(_) => {
                    errors.push(bad(
                        format!("{name} 应为带时区的 ISO 8601 时间，例如 2026-11-20T09:30:00+08:00"),
                        format!(
                            "{name} must be an ISO 8601 datetime with a time zone, e.g. 2026-11-20T09:30:00+08:00"
                        ),
                    ));
                    continue;
                }
            },
            Datatype::SingleValueList | Datatype::MultiValueList => {
                let mut names = vec![];
                for v in values {
                    match d.values.iter().find(|(k, _)| k == v) {
                        Some((_, n)) => names.push(*n),
                        None => errors.push(bad(
                            format!(
                                "{name} 的值「{v}」无效，可选：{}",
                                d.values
                                    .iter()
                                    .map(|(k, _)| *k)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            format!(
                                "{name}: '{v}' is not one of {}",
                                d.values
                                    .iter()
                                    .map(|(k, _)| *k)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )),
                    }
                }
                names.join("、")
            }
        };
        lines.push(format!("{}：{shown}", d.label));
    }
    (lines, errors)
}

fn status_of(c: &Case) -> &'static str {
    if c.status.is_open() { "open" } else { "closed" }
}

/// The public reply, the reason for not accepting, or the detailed state.
fn status_notes(c: &Case) -> String {
    if let Some(r) = c.reply.as_deref().filter(|r| !r.trim().is_empty()) {
        return r.to_string();
    }
    if let Some(r) = c.reject_reason.as_deref().filter(|r| !r.trim().is_empty()) {
        return format!("不予受理：{r}");
    }
    if c.status == Status::Merged {
        return "已与同一诉求合并办理".into();
    }
    c.status.label_zh().to_string()
}

fn request_info(c: &Case, tree: &OrgTree) -> RequestInfo {
    let service_name = split_category(&c.category).1.to_string();
    let updated = if c.status == Status::Closed {
        c.closed_at.unwrap_or(c.updated_at)
    } else {
        c.updated_at
    };
    RequestInfo {
        service_request_id: c.number.clone(),
        status: status_of(c),
        status_notes: Some(status_notes(c)),
        service_name,
        service_code: code_of(&c.category),
        description: c.description.clone(),
        agency_responsible: Some(tree.name(c.unit.as_deref().unwrap_or(&c.hub))),
        service_notice: None,
        requested_datetime: format_instant(c.reported_at),
        updated_datetime: format_instant(updated),
        expected_datetime: c.handle_due.map(format_instant),
        address: c.location.address.clone(),
        address_id: Some(c.location.region.clone()),
        zipcode: None,
        lat: c.location.lat,
        long: c.location.lon,
        media_url: None,
        case_id: c.id,
        extended: Extended {
            detailed_status: c.status.code(),
            detailed_status_label: c.status.label_zh(),
            category: c.category.clone(),
            nature: c.nature.code(),
            urgency: c.urgency.code(),
            region_name: tree
                .hub_for_region(&c.location.region)
                .map(|u| u.name.clone()),
        },
    }
}

/// What the public read side shows: cases filed through Open311.
fn public(c: &Case) -> bool {
    c.source == Source::Open311
}

fn not_found_request(id: &str) -> AppError {
    AppError::new(
        ErrorKind::NotFound,
        "request_not_found",
        format!("服务请求「{id}」不存在"),
        format!("service request '{id}' not found"),
    )
}

/// A page of GET requests.
#[derive(Debug, Clone)]
pub struct RequestPage {
    pub items: Vec<RequestInfo>,
    /// All matching requests (all pages).
    pub total: u64,
}

impl App {
    /// POST Service Request: validates, then registers the case through [`App::create_case`].
    pub async fn open311_submit(&self, params: &Params) -> Result<Receipt, Open311Error> {
        self.check_jurisdiction(params).await?;
        let forbidden = || {
            AppError::new(
                ErrorKind::Forbidden,
                "api_key_invalid",
                "api_key 缺失或无效",
                "api_key missing or invalid",
            )
        };
        let key = params.get("api_key").ok_or_else(forbidden)?;
        if !key.starts_with(auth::API_KEY_PREFIX) {
            return Err(forbidden().into());
        }
        let principal = match self.authenticate(key).await {
            Ok(p) if p.kind == PrincipalKind::ApiKey => p,
            Ok(_) => return Err(forbidden().into()),
            Err(e) if e.kind == ErrorKind::Unauthorized => return Err(forbidden().into()),
            Err(e) => return Err(e.into()),
        };
        let code = params
            .get("service_code")
            .ok_or_else(|| bad("service_code 必填", "service_code is required"))?;
        let entry = self.open311_service(code).await?;

        let mut errors = vec![];
        let text = |key: &str, max: usize, errors: &mut Vec<AppError>| -> Option<String> {
            let v = params.get(key)?;
            if v.chars().count() > max {
                errors.push(bad(
                    format!("{key} 最多 {max} 个字符"),
                    format!("{key} must be at most {max} characters"),
                ));
                return None;
            }
            Some(v.to_string())
        };
        let description = text("description", MAX_DESCRIPTION, &mut errors);
        let address_string = text("address_string", 200, &mut errors);
        let address_id = text("address_id", 100, &mut errors);
        let first = text("first_name", 25, &mut errors);
        let last = text("last_name", 25, &mut errors);
        let email = text("email", crate::cases::MAX_EMAIL, &mut errors);
        if let Some(e) = &email
            && !crate::cases::valid_email(e)
        {
            errors.push(bad(
                format!("email「{e}」不是有效的电子邮箱"),
                format!("email '{e}' is not a valid email address"),
            ));
        }
        let account_id = text("account_id", 100, &mut errors);
        let coord = |key: &str, max: f64, errors: &mut Vec<AppError>| -> Option<f64> {
            let v = params.get(key)?;
            match parse_number(v).filter(|x| x.abs() <= max) {
                Some(x) => Some(x),
                None => {
                    errors.push(bad(
                        format!("{key} 应为 -{max} 到 {max} 之间的数字（WGS84），收到「{v}」"),
                        format!(
                            "{key} must be a number between -{max} and {max} (WGS84), got '{v}'"
                        ),
                    ));
                    None
                }
            }
        };
        let lat = coord("lat", 90.0, &mut errors);
        let long = coord("long", 180.0, &mut errors);
        let point = match (params.get("lat"), params.get("long")) {
            (Some(_), None) | (None, Some(_)) => {
                errors.push(bad(
                    "lat 和 long 须同时提供",
                    "lat and long must be sent together",
                ));
                None
            }
            _ => lat.zip(long),
        };
        let has_point = params.get("lat").is_some() && params.get("long").is_some();
        if !has_point && address_string.is_none() && params.get("address_id").is_none() {
            errors.push(bad(
                "须提供位置：lat 和 long、address_string 或 address_id 之一",
                "a location is required: lat and long, address_string, or address_id",
            ));
        }
        // GeoReport v2 makes `phone` optional and FixMyStreet often sends none: without it the
        // follow-up (回访) writes to `email`, or the case shows as not reachable for 回访.
        let phone = match params.get("phone") {
            None => None,
            Some(p) if !valid_phone(p) => {
                errors.push(bad(
                    format!("phone「{p}」不是有效的电话号码"),
                    format!("phone '{p}' is not a valid phone number"),
                ));
                None
            }
            Some(p) => Some(p.to_string()),
        };
        let (extra, attr_errors) =
            check_attributes(attributes_of(&entry.code), &params.attributes());
        errors.extend(attr_errors);
        if !errors.is_empty() {
            return Err(Open311Error(errors));
        }

        let tree = self.org.tree().await?;
        let district = self.district().await?;
        let region = region_for(
            &tree,
            &district.centres,
            address_id.as_deref(),
            address_string.as_deref(),
            point,
        )
        .ok_or_else(|| AppError::internal("the org tree has no district hub"))?;
        let address = match (&address_string, &address_id, point) {
            (Some(a), _, _) => a.clone(),
            (None, _, Some((la, lo))) => format!("坐标 {la:.6}, {lo:.6} 附近"),
            (None, Some(id), None) => tree
                .units
                .iter()
                .find(|u| u.region == *id && u.kind == UnitKind::Hub)
                .map_or_else(|| format!("地址编号 {id}"), |u| u.name.clone()),
            (None, None, None) => String::new(),
        };
        let (_, sub) = split_category(&entry.category);
        let mut text = description.unwrap_or_else(|| format!("{sub}（Open311 提交，未填写描述）"));
        if !extra.is_empty() {
            text.push_str("\n【补充信息】");
            text.push_str(&extra.join("；"));
        }
        let nature = self.classifier().classify(&text).nature;
        let body = json!({
            "description": text,
            "nature": nature,
            "category": entry.category,
            "source": Source::Open311.code(),
            "reporter": { "name": full_name(first.as_deref(), last.as_deref()), "phone": phone, "email": email },
            "location": { "address": address, "region": region, "lat": point.map(|p| p.0), "lon": point.map(|p| p.1) },
        });
        let view = self
            .register_case(&principal, crate::case_fields::Channel::Open311, &body)
            .await
            .map_err(|e| {
                if e.kind == ErrorKind::Unprocessable {
                    bad(e.zh.clone(), e.en.clone())
                } else {
                    e
                }
            })?;
        let hub = view.hub_name.clone();
        Ok(Receipt {
            service_notice_zh: format!(
                "您的诉求已登记，工单编号 {}，将由{hub}受理并派至承办单位；可凭工单编号查询办理进度。",
                view.number
            ),
            service_notice_en: format!(
                "Registered as case {}. {hub} will accept it and dispatch it to the handling unit; track it by this number.",
                view.number
            ),
            service_request_id: view.number,
            account_id,
        })
    }

    /// GET Service Request.
    pub async fn open311_request(
        &self,
        params: &Params,
        id: &str,
    ) -> Result<RequestInfo, Open311Error> {
        self.check_jurisdiction(params).await?;
        let case = self
            .store
            .get_case_by_number(id.trim())
            .await?
            .filter(public)
            .ok_or_else(|| not_found_request(id))?;
        let tree = self.org.tree().await?;
        Ok(request_info(&case, &tree))
    }

    /// GET Service Requests: `service_request_id` (a comma list) overrides every other argument;
    /// otherwise `service_code` and `status` (comma lists), `start_date`/`end_date` on the
    /// requested time (at most 90 days apart; the last 90 days by default), newest first, the
    /// paging extension `page`/`page_size` (at most 1000, the default), and the extension
    /// `updated_after`/`updated_before` on the last change.
    pub async fn open311_requests(&self, params: &Params) -> Result<RequestPage, Open311Error> {
        self.check_jurisdiction(params).await?;
        let tree = self.org.tree().await?;
        if let Some(ids) = params.get("service_request_id") {
            let ids: Vec<&str> = ids
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            if ids.len() > MAX_IDS {
                return Err(bad(
                    format!("service_request_id 一次最多 {MAX_IDS} 个"),
                    format!("service_request_id takes at most {MAX_IDS} ids"),
                )
                .into());
            }
            let mut items = vec![];
            for id in ids {
                if let Some(c) = self.store.get_case_by_number(id).await?.filter(public)
                    && !items
                        .iter()
                        .any(|i: &RequestInfo| i.service_request_id == c.number)
                {
                    items.push(request_info(&c, &tree));
                }
            }
            let total = items.len() as u64;
            return Ok(RequestPage { items, total });
        }
        let mut errors = vec![];
        let mut categories = vec![];
        if let Some(codes) = params.get("service_code") {
            let services = self.open311_services().await?;
            for code in codes.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match services.iter().find(|s| s.code == code) {
                    Some(e) => {
                        if !categories.contains(&e.category) {
                            categories.push(e.category.clone());
                        }
                    }
                    None => errors.push(bad(
                        format!("service_code「{code}」不存在"),
                        format!("service_code '{code}' does not exist"),
                    )),
                }
            }
        }
        let mut statuses = vec![];
        if let Some(st) = params.get("status") {
            for s in st.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match s.to_ascii_lowercase().as_str() {
                    "open" => statuses.extend(Status::ALL.iter().filter(|s| s.is_open())),
                    "closed" => statuses.extend(Status::ALL.iter().filter(|s| !s.is_open())),
                    _ => errors.push(bad(
                        format!("status「{s}」无效，可选：open, closed"),
                        format!("status '{s}' is not valid; use open or closed"),
                    )),
                }
            }
        }
        statuses.sort();
        statuses.dedup();
        let start = date_param(params, "start_date", false, &mut errors);
        let end = date_param(params, "end_date", true, &mut errors);
        // The common extension: filter on the last change instead of (within) the request time.
        let updated_after = date_param(params, "updated_after", false, &mut errors);
        let updated_before = date_param(params, "updated_before", true, &mut errors);
        let (from, to) = match (start, end) {
            (None, None) => {
                let now = self.now();
                (now - WINDOW_MS, now)
            }
            (Some(s), None) => (s, s + WINDOW_MS),
            (None, Some(e)) => (e - WINDOW_MS, e),
            (Some(s), Some(e)) => {
                check_range(s, e, &mut errors);
                (s, e)
            }
        };
        let page = count_param(params, "page", 1, 1_000_000, &mut errors);
        let size = count_param(
            params,
            "page_size",
            u64::from(MAX_RESULTS),
            u64::from(MAX_RESULTS),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(Open311Error(errors));
        }
        let offset = (page - 1).saturating_mul(size);
        let base = CaseQuery {
            source: vec![Source::Open311],
            status: statuses,
            reported_from: Some(from),
            reported_to: Some(to),
            updated_from: updated_after,
            updated_to: updated_before,
            now: self.now(),
            sort: SortKey::ReportedDesc,
            ..CaseQuery::default()
        };
        let (cases, total) = if categories.len() <= 1 {
            let q = CaseQuery {
                category: categories.first().map(|c| (*c).to_string()),
                offset,
                limit: u32::try_from(size).unwrap_or(MAX_RESULTS),
                ..base
            };
            self.store.list_cases(&q).await?
        } else {
            // Several codes: the store filters one category at a time; merge the first
            // offset + size of each, newest first, and cut the page out.
            let want = offset.saturating_add(size);
            let mut all = vec![];
            let mut total = 0;
            for c in &categories {
                let q = CaseQuery {
                    category: Some((*c).to_string()),
                    offset: 0,
                    limit: u32::try_from(want).unwrap_or(u32::MAX),
                    ..base.clone()
                };
                let (cases, n) = self.store.list_cases(&q).await?;
                total += n;
                all.extend(cases);
            }
            all.sort_by(|a, b| b.reported_at.cmp(&a.reported_at).then(b.id.cmp(&a.id)));
            let page: Vec<Case> = all
                .into_iter()
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(usize::try_from(size).unwrap_or(usize::MAX))
                .collect();
            (page, total)
        };
        Ok(RequestPage {
            items: cases.iter().map(|c| request_info(c, &tree)).collect(),
            total,
        })
    }
}

/// The window GET servicerequestupdates looks at when the client gives no dates (FixMyStreet asks
/// for the last two hours on every poll).
pub const UPDATES_DEFAULT_MS: i64 = 86_400_000;
/// At most this many cases changed in the range are looked at; beyond it the client is asked to
/// narrow the range (FixMyStreet's windows hold a handful).
pub const MAX_UPDATE_CASES: u64 = 20_000;
const UPDATE_BATCH: u32 = 500;

/// One status change as mySociety's `servicerequestupdates` extension gives it
/// (`service_request_updates` → `request_update`).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestUpdate {
    /// The timeline event's id: stable, so a client that polls overlapping windows dedupes.
    pub update_id: String,
    pub service_request_id: String,
    /// FixMyStreet's extended statuses: `OPEN`, `ACTION_SCHEDULED`, `IN_PROGRESS`, `FIXED`,
    /// `NO_FURTHER_ACTION`, `DUPLICATE`, `REOPEN`, `CLOSED`.
    pub status: &'static str,
    pub updated_datetime: String,
    pub description: String,
    pub media_url: Option<String>,
    /// Our own step (the timeline action), for clients that template on it.
    pub external_status_code: String,
    /// For sorting: the event's instant.
    at: i64,
}

/// A page of updates, oldest first.
#[derive(Debug, Clone)]
pub struct UpdatePage {
    pub items: Vec<RequestUpdate>,
    pub total: u64,
}

/// The public meaning of a timeline step, as (status, description); None for the steps a
/// citizen does not see (urge, supervise, suspend, internal alerts, extension requests).
fn public_update(e: &domain::Event, c: &Case, tree: &OrgTree) -> Option<(&'static str, String)> {
    let text = |k: &str| {
        e.data
            .get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let outcome_status = || match e.data.get("outcome").and_then(serde_json::Value::as_str) {
        Some("resolved") | None => "FIXED",
        Some(_) => "NO_FURTHER_ACTION",
    };
    Some(match e.action.as_str() {
        "accept" => ("OPEN", "已受理，等待派单".to_string()),
        "dispatch" => (
            "ACTION_SCHEDULED",
            format!("已派至{}办理", tree.name(&text("unit"))),
        ),
        "sign" => ("IN_PROGRESS", "承办单位已签收，正在办理".to_string()),
        "return" | "escalate" => ("OPEN", "重新派单中".to_string()),
        "decide_extension" => (
            "IN_PROGRESS",
            if e.data.get("approve").and_then(serde_json::Value::as_bool) == Some(true) {
                "办理期限已延长".to_string()
            } else {
                "办理期限不变".to_string()
            },
        ),
        "resolve" | "answer" => (outcome_status(), text("reply")),
        "follow_up" => {
            if e.data.get("reopened").and_then(serde_json::Value::as_bool) == Some(true) {
                ("REOPEN", "回访不满意，重新办理".to_string())
            } else {
                ("CLOSED", "已回访，办结".to_string())
            }
        }
        "reopen" => ("REOPEN", "重新办理".to_string()),
        "close" => ("CLOSED", "已结案".to_string()),
        "reject" => {
            let reason = Some(text("reason"))
                .filter(|r| !r.is_empty())
                .or_else(|| c.reject_reason.clone())
                .unwrap_or_default();
            ("NO_FURTHER_ACTION", format!("不予受理：{reason}"))
        }
        "merge" => ("DUPLICATE", "已与同一诉求合并办理".to_string()),
        _ => return None,
    })
}

impl App {
    /// GET servicerequestupdates (mySociety's Open311 extension, which FixMyStreet polls to sync
    /// status back): the public steps of Open311 cases whose time falls in `start_date` ..
    /// `end_date` (W3C; at most 90 days apart; the last 24 hours by default), oldest first, with
    /// the paging extension `page`/`page_size` (at most 1000, the default).
    pub async fn open311_updates(&self, params: &Params) -> Result<UpdatePage, Open311Error> {
        self.check_jurisdiction(params).await?;
        let mut errors = vec![];
        let start = date_param(params, "start_date", false, &mut errors);
        let end = date_param(params, "end_date", true, &mut errors);
        let now = self.now();
        let (from, to) = match (start, end) {
            (None, None) => (now - UPDATES_DEFAULT_MS, now),
            (Some(s), None) => (s, s.saturating_add(WINDOW_MS).min(now.max(s))),
            (None, Some(e)) => (e - UPDATES_DEFAULT_MS, e),
            (Some(s), Some(e)) => {
                check_range(s, e, &mut errors);
                (s, e)
            }
        };
        let page = count_param(params, "page", 1, 1_000_000, &mut errors);
        let size = count_param(
            params,
            "page_size",
            u64::from(MAX_RESULTS),
            u64::from(MAX_RESULTS),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(Open311Error(errors));
        }
        let tree = self.org.tree().await?;
        // Every case with a step in the range changed on or after `from`, and (filed through
        // Open311, at once) was reported before `to`.
        let base = CaseQuery {
            source: vec![Source::Open311],
            updated_from: Some(from),
            reported_to: Some(to),
            now,
            sort: SortKey::ReportedDesc,
            limit: UPDATE_BATCH,
            count_limit: Some(0),
            ..CaseQuery::default()
        };
        let mut updates = vec![];
        let mut offset = 0u64;
        loop {
            if offset >= MAX_UPDATE_CASES {
                return Err(bad(
                    format!("该时段内变动的服务请求超过 {MAX_UPDATE_CASES} 件，请缩短 start_date 到 end_date 的范围"),
                    format!("more than {MAX_UPDATE_CASES} requests changed in this range; narrow start_date to end_date"),
                )
                .into());
            }
            let q = CaseQuery {
                offset,
                ..base.clone()
            };
            let (cases, _) = self.store.list_cases(&q).await?;
            let ids: Vec<uuid::Uuid> = cases.iter().map(|c| c.id).collect();
            let by_id: HashMap<uuid::Uuid, &Case> = cases.iter().map(|c| (c.id, c)).collect();
            for e in self.store.events_of_cases(&ids).await? {
                if e.at < from || e.at > to {
                    continue;
                }
                let Some(c) = by_id.get(&e.case_id) else {
                    continue;
                };
                if let Some((status, description)) = public_update(&e, c, &tree) {
                    updates.push(RequestUpdate {
                        update_id: e.id.to_string(),
                        service_request_id: c.number.clone(),
                        status,
                        updated_datetime: format_instant(e.at),
                        description,
                        media_url: None,
                        external_status_code: e.action.clone(),
                        at: e.at,
                    });
                }
            }
            if cases.len() < UPDATE_BATCH as usize {
                break;
            }
            offset += u64::from(UPDATE_BATCH);
        }
        updates.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.update_id.cmp(&b.update_id)));
        let total = updates.len() as u64;
        let items = updates
            .into_iter()
            .skip(usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX))
            .take(usize::try_from(size).unwrap_or(usize::MAX))
            .collect();
        Ok(UpdatePage { items, total })
    }
}

/// A W3C datetime (or a civil date; as `end`, through the end of that day) parameter.
fn date_param(params: &Params, key: &str, end: bool, errors: &mut Vec<AppError>) -> Option<i64> {
    let v = params.get(key)?;
    match parse_instant(v) {
        Some(t) if end && v.len() == 10 => Some(t + 86_400_000 - 1),
        Some(t) => Some(t),
        None => {
            errors.push(bad(
                format!("{key}「{v}」不是有效时间，请用 W3C 格式，例如 2026-11-01T00:00:00+08:00"),
                format!(
                    "{key} '{v}' is not a valid datetime; use the W3C format, e.g. 2026-11-01T00:00:00Z"
                ),
            ));
            None
        }
    }
}

/// `start_date` .. `end_date`: ordered, and at most 90 days apart.
fn check_range(start: i64, end: i64, errors: &mut Vec<AppError>) {
    if end < start {
        errors.push(bad(
            "end_date 不能早于 start_date",
            "end_date must not be before start_date",
        ));
    } else if end - start > WINDOW_MS {
        errors.push(bad(
            "start_date 到 end_date 不能超过 90 天",
            "the range from start_date to end_date may not exceed 90 days",
        ));
    }
}

/// A count parameter from 1 to `max` (`page`, `page_size`).
fn count_param(
    params: &Params,
    key: &str,
    default: u64,
    max: u64,
    errors: &mut Vec<AppError>,
) -> u64 {
    match params.get(key) {
        None => default,
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                errors.push(bad(
                    format!("{key} 应为 1 到 {max} 之间的整数"),
                    format!("{key} must be an integer from 1 to {max}"),
                ));
                default
            }
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_stable_code_per_taxonomy_category() {
        assert_eq!(SERVICES.len(), 44);
        let cats: Vec<&str> = triage::TAXONOMY.iter().map(|(c, _)| *c).collect();
        for (i, s) in SERVICES.iter().enumerate() {
            assert_eq!(s.category, cats[i], "taxonomy order");
            assert!(s.code.is_ascii() && !s.code.is_empty());
            assert!(!s.keywords.is_empty());
            assert_eq!(
                SERVICES.iter().filter(|o| o.code == s.code).count(),
                1,
                "{} is unique",
                s.code
            );
        }
        // Codes are a contract with clients: these must never change.
        assert_eq!(service("CSGL-ZDJY").unwrap().category, "城市管理/占道经营");
        assert_eq!(service("HJBH-ZSWR").unwrap().category, "环境保护/噪声污染");
        assert_eq!(service("LDSB-TQGZ").unwrap().category, "劳动社保/拖欠工资");
        assert_eq!(service("LLJF-TDSL").unwrap().category, "邻里纠纷/土地山林");
    }

    #[test]
    fn services_follow_the_taxonomy() {
        use crate::taxonomy::{TaxonomyEntry, default_taxonomy};
        let mut t = default_taxonomy();
        let defaults = services_of(&t);
        // The default taxonomy is offered with the table's stable codes.
        assert_eq!(defaults.len(), SERVICES.len());
        assert!(defaults.iter().zip(SERVICES).all(|(a, b)| a.code == b.code));
        // A category taken out of use is not offered; one the district added is, with a code
        // made from its name: the same every time, and distinct.
        t[0].disabled = true;
        t.push(TaxonomyEntry {
            category: "民生服务/电动车充电".into(),
            disabled: false,
        });
        let now = services_of(&t);
        assert!(!now.iter().any(|s| s.code == SERVICES[0].code));
        let added = now.last().unwrap();
        assert_eq!(added.category, "民生服务/电动车充电");
        assert_eq!(added.code, code_of("民生服务/电动车充电"));
        assert!(
            added.code.starts_with("X-") && added.code.len() == 10,
            "{}",
            added.code
        );
        assert_ne!(code_of("民生服务/电动车充电"), code_of("民生服务/电梯"));
        let i = info(added);
        assert_eq!(
            (i.service_name.as_str(), i.group.as_str()),
            ("电动车充电", "民生服务")
        );
        assert!(!i.metadata);
    }

    #[test]
    fn definitions_are_well_formed() {
        let mut with = 0;
        for s in services_of(&crate::taxonomy::default_taxonomy()) {
            let defs = attributes_of(&s.code);
            if !defs.is_empty() {
                with += 1;
            }
            let info = info(&s);
            assert_eq!(info.metadata, !defs.is_empty());
            for d in defs {
                assert!(d.order >= 1);
                assert_eq!(defs.iter().filter(|o| o.order == d.order).count(), 1);
                assert_eq!(defs.iter().filter(|o| o.code == d.code).count(), 1);
                let is_list = matches!(
                    d.datatype,
                    Datatype::SingleValueList | Datatype::MultiValueList
                );
                assert_eq!(is_list, !d.values.is_empty(), "{}", d.code);
                assert!(d.variable || !d.required);
            }
        }
        assert_eq!(with, 10);
        // Every attribute code used in `attributes_of` belongs to a real service.
        for code in [
            "HJBH-ZSWR",
            "LDSB-TQGZ",
            "JTYS-DLSS",
            "SDQ-RQ",
            "GGAQ-DXZP",
            "SCJG-XFWQ",
            "SCJG-SPAQ",
            "LLJF-XLGX",
            "CSGL-WZDJ",
            "ZFJS-WYGL",
        ] {
            assert!(service(code).is_some(), "{code}");
        }
    }

    #[test]
    fn attributes_are_validated_and_described() {
        let p = Params(vec![
            ("attribute[WAGE_EMPLOYER]".into(), "临江建工有限公司".into()),
            ("attribute[WAGE_AMOUNT]".into(), "12000".into()),
            ("attribute[uprn]".into(), "ignored".into()),
        ]);
        let (lines, errs) = check_attributes(WAGES, &p.attributes());
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(
            lines,
            vec!["欠薪单位：临江建工有限公司", "欠薪金额（元）：12000"]
        );
        let p = Params(vec![
            ("attribute[WAGE_AMOUNT]".into(), "很多".into()),
            ("attribute[WAGE_SINCE]".into(), "2026-09-01".into()),
        ]);
        let (_, errs) = check_attributes(WAGES, &p.attributes());
        assert_eq!(errs.len(), 3, "employer missing, amount and datetime wrong");
        let p = Params(vec![
            ("attribute[ROAD_ITEMS][]".into(), "pothole".into()),
            ("attribute[ROAD_ITEMS][]".into(), "sign".into()),
        ]);
        let (lines, errs) = check_attributes(ROAD, &p.attributes());
        assert!(errs.is_empty());
        assert_eq!(lines, vec!["设施问题：路面坑洼、交通标志标线"]);
        let p = Params(vec![("attribute[NOISE_TIME]".into(), "noon".into())]);
        let (_, errs) = check_attributes(NOISE, &p.attributes());
        assert_eq!(errs.len(), 1);
    }

    #[test]
    fn names_and_jurisdiction() {
        assert_eq!(full_name(Some("小明"), Some("王")), "王小明");
        assert_eq!(full_name(Some("Ada"), Some("Lovelace")), "Ada Lovelace");
        assert_eq!(full_name(None, None), "匿名（Open311）");
        let ours = Some("linjiang.gov.cn");
        assert!(check_jurisdiction(&Params::default(), ours).is_ok());
        let p = |v: &str| Params(vec![("jurisdiction_id".into(), v.into())]);
        assert!(check_jurisdiction(&p(""), ours).is_ok(), "empty is absent");
        assert!(check_jurisdiction(&p("LINJIANG.gov.cn"), ours).is_ok());
        assert_eq!(
            check_jurisdiction(&p("sfgov.org"), ours).unwrap_err().kind,
            ErrorKind::NotFound
        );
        assert!(
            check_jurisdiction(&p("sfgov.org"), None).is_ok(),
            "none configured"
        );
    }

    #[test]
    fn regions_from_locations() {
        let u = |code: &str, name: &str, level, parent: Option<&str>| crate::org::Unit {
            code: code.into(),
            name: name.into(),
            level,
            kind: UnitKind::Hub,
            parent: parent.map(Into::into),
            region: code.into(),
            disabled: false,
        };
        let tree = OrgTree::new(vec![
            u("330188", "临江区", Level::District, None),
            u("330188001", "临江街道", Level::Street, Some("330188")),
            u("330188002", "金桥街道", Level::Street, Some("330188")),
            u(
                "330188002001",
                "文昌社区",
                Level::Community,
                Some("330188002"),
            ),
        ]);
        let centres = vec![
            crate::district::RegionCentre {
                region: "330188001".into(),
                lat: 30.20,
                lon: 120.20,
            },
            crate::district::RegionCentre {
                region: "330188002".into(),
                lat: 30.30,
                lon: 120.30,
            },
            // A centre of a region that is no street of ours is never chosen.
            crate::district::RegionCentre {
                region: "999".into(),
                lat: 30.301,
                lon: 120.301,
            },
        ];
        assert_eq!(
            region_for(&tree, &centres, Some("330188002001"), None, None).as_deref(),
            Some("330188002001")
        );
        assert_eq!(
            region_for(&tree, &centres, None, Some("文昌社区5幢"), None).as_deref(),
            Some("330188002001")
        );
        assert_eq!(
            region_for(
                &tree,
                &centres,
                Some("#NOTPINPOINTED#"),
                None,
                Some((30.301, 120.30))
            )
            .as_deref(),
            Some("330188002")
        );
        // Far away (Beijing), or no centres at all: the district hub places it.
        assert_eq!(
            region_for(&tree, &centres, None, None, Some((39.9, 116.4))).as_deref(),
            Some("330188")
        );
        assert_eq!(
            region_for(&tree, &[], None, None, Some((30.2, 120.2))).as_deref(),
            Some("330188")
        );
    }
}
