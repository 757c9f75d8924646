#![allow(clippy::unwrap_used)]
use super::*;
use serde_json::json;

fn template() -> Template {
    serde_json::from_value(json!({
        "code": "birth", "name": "出生一件事", "kind": "personal", "stage": "出生", "promised_working_days": 5,
        "fields": [
            { "name": "child_name", "label": "新生儿姓名", "type": "text", "required": true },
            { "name": "birth_date", "label": "出生日期", "type": "date", "required": true },
            { "name": "in_hospital", "label": "是否在助产机构出生", "type": "choice", "options": ["是", "否"], "required": true },
            { "name": "mother_id", "label": "母亲身份证号", "type": "id_card", "required": true },
            { "name": "phone", "label": "联系电话", "type": "phone", "required": false }
        ],
        "materials": [
            { "code": "record", "name": "分娩记录", "required": true },
            { "code": "marriage", "name": "结婚证", "required": true, "deferrable": true }
        ],
        "eligibility": [
            { "rule": "max_age_days", "field": "birth_date", "days": 365, "message": "出生超过一年" },
            { "rule": "equals", "field": "in_hospital", "value": "是", "message": "须在助产机构出生" }
        ],
        "matters": [
            { "code": "cert", "name": "出生医学证明", "unit": "wjw", "legal_working_days": 10, "working_days": 1, "fields": ["child_name", "birth_date", "in_hospital", "mother_id"], "materials": ["record"] },
            { "code": "hukou", "name": "户口登记", "unit": "gaj", "legal_working_days": 10, "working_days": 2, "depends_on": ["cert"], "fields": ["child_name", "phone"], "materials": ["marriage"] },
            { "code": "medical", "name": "医保参保", "unit": "ybj", "legal_working_days": 5, "working_days": 1, "depends_on": ["hukou"], "fields": ["child_name"] },
            { "code": "card", "name": "社保卡", "unit": "rsj", "legal_working_days": 10, "working_days": 2, "depends_on": ["hukou"], "fields": ["child_name"] }
        ]
    }))
    .unwrap()
}

fn units(u: &str) -> bool {
    ["wjw", "gaj", "ybj", "rsj"].contains(&u)
}

#[test]
fn a_sound_template_passes_and_its_critical_path_is_the_longest_chain() {
    let t = template();
    assert_eq!(validate(&t, &units), vec![]);
    // cert 1 + hukou 2 + card 2.
    assert_eq!(critical_path(&t.matters), 5);
}

#[test]
fn a_cycle_an_unmapped_field_and_an_unknown_department_are_named() {
    let mut t = template();
    t.matters[0].depends_on = vec!["medical".into()];
    let e = validate(&t, &units);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].path, "matters");
    assert!(e[0].message.contains("循环"), "{e:?}");
    let cycle = find_cycle(&t.matters).unwrap();
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4, "{cycle:?}");

    let mut t = template();
    t.matters[1].fields = vec!["child_name".into()];
    let e = validate(&t, &units);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].path, "fields[4]");
    assert!(e[0].message.contains("没有映射"));

    let mut t = template();
    t.matters[2].unit = "nosuch".into();
    let e = validate(&t, &units);
    assert_eq!(
        (e[0].path.as_str(), e.len()),
        ("matters[2].unit", 1),
        "{e:?}"
    );

    let mut t = template();
    t.promised_working_days = 4;
    let e = validate(&t, &units);
    assert_eq!(e[0].path, "promised_working_days", "{e:?}");
    assert!(e[0].message.contains("关键路径 5"));

    let mut t = template();
    t.matters[3].depends_on = vec!["ghost".into()];
    t.matters[3].fields.push("ghost_field".into());
    t.stage = "企业开办".into();
    let paths: Vec<String> = validate(&t, &units).into_iter().map(|e| e.path).collect();
    assert_eq!(
        paths,
        vec!["stage", "matters[3].depends_on[0]", "matters[3].fields[1]"]
    );
}

#[test]
fn the_form_is_checked_by_type() {
    let t = template();
    let ok = json!({ "child_name": "王小明", "birth_date": "2026-11-20", "in_hospital": "是", "mother_id": "11010519491231002X", "phone": "13800001234" });
    assert_eq!(check_form(&t, ok.as_object().unwrap()), vec![]);
    let bad = json!({ "birth_date": "2026-13-01", "in_hospital": "也许", "mother_id": "110105194912310021", "phone": "abc", "extra": "x" });
    let fields: Vec<String> = check_form(&t, bad.as_object().unwrap())
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        vec![
            "form.extra",
            "form.child_name",
            "form.birth_date",
            "form.in_hospital",
            "form.mother_id",
            "form.phone"
        ]
    );
}

#[test]
fn id_numbers_carry_their_check_digit() {
    assert!(id_card_ok("11010519491231002X"));
    assert!(id_card_ok("11010519491231002x"));
    assert!(!id_card_ok("110105194912310021"));
    assert!(!id_card_ok("1101051949123100"));
}

#[test]
fn eligibility_gives_the_reasons() {
    let t = template();
    let today: Date = "2026-12-01".parse().unwrap();
    let f = json!({ "birth_date": "2026-11-20", "in_hospital": "是" });
    assert!(eligibility(&t, f.as_object().unwrap(), today).is_empty());
    let f = json!({ "birth_date": "2025-11-20", "in_hospital": "否" });
    assert_eq!(
        eligibility(&t, f.as_object().unwrap(), today),
        vec!["出生超过一年", "须在助产机构出生"]
    );
    // Not in the future either.
    let f = json!({ "birth_date": "2026-12-02", "in_hospital": "是" });
    assert_eq!(
        eligibility(&t, f.as_object().unwrap(), today),
        vec!["出生超过一年"]
    );
}

#[test]
fn materials_missing_split_into_blocking_and_deferrable() {
    let t = template();
    let (block, later) = missing_materials(&t, &BTreeSet::new());
    assert_eq!(
        block.iter().map(|m| m.code.as_str()).collect::<Vec<_>>(),
        vec!["record"]
    );
    assert_eq!(
        later.iter().map(|m| m.code.as_str()).collect::<Vec<_>>(),
        vec!["marriage"]
    );
}

#[test]
fn tasks_are_released_by_their_dependencies_and_cancelled_after_a_refusal() {
    use TaskStatus as S;
    let tasks = |c: S, h: S| {
        vec![
            ("cert".to_string(), c, vec![]),
            ("hukou".to_string(), h, vec!["cert".to_string()]),
            ("medical".to_string(), S::Waiting, vec!["hukou".to_string()]),
            ("card".to_string(), S::Waiting, vec!["hukou".to_string()]),
        ]
    };
    assert_eq!(
        release(&tasks(S::Accepted, S::Waiting)),
        Vec::<String>::new()
    );
    assert_eq!(release(&tasks(S::Approved, S::Waiting)), vec!["hukou"]);
    assert_eq!(
        release(&tasks(S::Approved, S::Approved)),
        vec!["medical", "card"]
    );
    assert_eq!(
        cancel_dependents(&tasks(S::Refused, S::Waiting), "cert"),
        vec!["card", "hukou", "medical"]
    );
    assert_eq!(next_status(S::Pending, TaskAction::Approve), None);
    assert_eq!(
        next_status(S::Correction, TaskAction::Resubmit),
        Some(S::Accepted)
    );
    assert_eq!(next_status(S::Approved, TaskAction::Refuse), None);
}

#[test]
fn the_bundle_has_one_status() {
    use TaskStatus as S;
    assert_eq!(
        bundle_status(&[S::Approved, S::Waiting]),
        BundleStatus::InProgress
    );
    assert_eq!(
        bundle_status(&[S::Correction, S::Pending]),
        BundleStatus::Correction
    );
    assert_eq!(
        bundle_status(&[S::Approved, S::Approved]),
        BundleStatus::Completed
    );
    assert_eq!(
        bundle_status(&[S::Approved, S::Refused, S::Cancelled]),
        BundleStatus::PartlyCompleted
    );
    assert_eq!(
        bundle_status(&[S::Refused, S::Cancelled]),
        BundleStatus::Refused
    );
}
