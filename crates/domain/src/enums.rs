//! Enumerations with an English code (used in the API and the database) and a Chinese label
//! (what staff read). Input accepts either; output gives both.

use serde::{Deserialize, Serialize};

/// Declares a closed enumeration with `code()`, `label_zh()`, `label_en()`, `ALL` and parsing from
/// either the code or the Chinese label.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => ($code:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable English code stored in the database and used in the API.
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            /// The Chinese label shown to staff.
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            /// The English label.
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            /// Parses the code or the Chinese label (trimmed, case-insensitive for codes).
            pub fn parse(s: &str) -> Option<$name> {
                let t = s.trim();
                $name::ALL.iter().copied().find(|v| v.code().eq_ignore_ascii_case(t) || v.label_zh() == t)
            }
            /// The list of accepted codes, for error messages.
            pub fn codes() -> String {
                $name::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.code()) }
        }
    };
}

coded_enum!(
    /// 诉求性质.
    Nature {
        Complaint => ("complaint", "投诉", "Complaint"),
        Help => ("help", "求助", "Help"),
        Consult => ("consult", "咨询", "Consultation"),
        Suggestion => ("suggestion", "建议", "Suggestion"),
        Report => ("report", "举报", "Report"),
        Dispute => ("dispute", "纠纷", "Dispute"),
        Praise => ("praise", "表扬", "Praise"),
    }
);

coded_enum!(
    /// 紧急程度.
    Urgency {
        Normal => ("normal", "一般", "Normal"),
        Urgent => ("urgent", "紧急", "Urgent"),
        Critical => ("critical", "特急", "Critical"),
    }
);

coded_enum!(
    /// 来源渠道.
    Source {
        Window => ("window", "窗口", "Walk-in window"),
        Phone => ("phone", "电话", "Phone"),
        Web => ("web", "网站", "Website"),
        App => ("app", "移动端", "Mobile app"),
        Open311 => ("open311", "Open311", "Open311"),
        Visit => ("visit", "走访", "Visit"),
        Grid => ("grid", "网格员上报", "Grid worker"),
        Inspector => ("inspector", "监督员上报", "Inspector"),
        Transfer => ("transfer", "上级转办", "Transfer"),
        Leader => ("leader", "领导批示", "Leader's instruction"),
        Media => ("media", "媒体曝光", "Media"),
        Import => ("import", "导入", "Import"),
    }
);

coded_enum!(
    /// 工单状态. Supervision and urging are flags, not states.
    Status {
        Registered => ("registered", "待受理", "Registered"),
        Accepted => ("accepted", "待派单", "Accepted"),
        Dispatched => ("dispatched", "待签收", "Dispatched"),
        InProgress => ("in_progress", "办理中", "In progress"),
        Resolved => ("resolved", "待回访", "Resolved"),
        Closed => ("closed", "已办结", "Closed"),
        Rejected => ("rejected", "不予受理", "Rejected"),
        Merged => ("merged", "已并单", "Merged"),
    }
);

impl Status {
    /// Open cases still need work from someone; closed, rejected and merged ones do not.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Rejected | Status::Merged)
    }
}

coded_enum!(
    /// 角色.
    Role {
        Citizen => ("citizen", "群众/企业", "Citizen"),
        Clerk => ("clerk", "受理员", "Clerk"),
        Dispatcher => ("dispatcher", "派单员", "Dispatcher"),
        Handler => ("handler", "承办人", "Handler"),
        UnitLead => ("unit_lead", "单位负责人", "Unit lead"),
        Supervisor => ("supervisor", "督办员", "Supervisor"),
        Leader => ("leader", "领导", "Leader"),
        Admin => ("admin", "管理员", "Administrator"),
    }
);

impl Role {
    /// Roles whose work needs the citizen's full phone number (to call back); the others see it
    /// masked as `138****1234`.
    pub fn sees_full_phone(self) -> bool {
        matches!(
            self,
            Role::Clerk | Role::Dispatcher | Role::Handler | Role::UnitLead
        )
    }
}

coded_enum!(
    /// 单位层级.
    Level {
        District => ("district", "区", "District"),
        Street => ("street", "镇街", "Street/town"),
        Community => ("community", "村社", "Community/village"),
    }
);

coded_enum!(
    /// 单位类型: a hub (社会治理中心/站) or a functional department (职能部门).
    UnitKind {
        Hub => ("hub", "中心/站", "Hub"),
        Department => ("department", "职能部门", "Department"),
    }
);

coded_enum!(
    /// 回访满意度.
    Satisfaction {
        Satisfied => ("satisfied", "满意", "Satisfied"),
        BasicallySatisfied => ("basically_satisfied", "基本满意", "Basically satisfied"),
        Unsatisfied => ("unsatisfied", "不满意", "Unsatisfied"),
    }
);

coded_enum!(
    /// 办理结果 reported by the handler.
    Outcome {
        Resolved => ("resolved", "已解决", "Resolved"),
        Partly => ("partly", "部分解决", "Partly resolved"),
        Unresolved => ("unresolved", "未解决", "Unresolved"),
    }
);

coded_enum!(
    /// The transitions of the lifecycle; each is one event in the case timeline.
    Action {
        Accept => ("accept", "受理", "Accept"),
        Reject => ("reject", "不予受理", "Reject"),
        Answer => ("answer", "直接办结", "Answer directly"),
        Dispatch => ("dispatch", "派单", "Dispatch"),
        Sign => ("sign", "签收", "Sign for"),
        Return => ("return", "退单", "Return"),
        RequestExtension => ("request_extension", "申请延期", "Request extension"),
        DecideExtension => ("decide_extension", "延期审批", "Decide extension"),
        Resolve => ("resolve", "办结", "Resolve"),
        FollowUp => ("follow_up", "回访", "Follow up"),
        Reopen => ("reopen", "重办", "Reopen"),
        Supervise => ("supervise", "督办", "Supervise"),
        Urge => ("urge", "催办", "Urge"),
        Escalate => ("escalate", "上报", "Escalate"),
        Merge => ("merge", "并单", "Merge"),
        Close => ("close", "结案", "Close"),
        Suspend => ("suspend", "挂起", "Suspend"),
        Resume => ("resume", "恢复办理", "Resume"),
        Recall => ("recall", "撤回", "Recall"),
    }
);

coded_enum!(
    /// 回访方式: how the citizen was reached (or tried) at follow-up.
    FollowUpMethod {
        Phone => ("phone", "电话回访", "Phone"),
        Sms => ("sms", "短信回访", "SMS"),
        Visit => ("visit", "上门回访", "Home visit"),
        Portal => ("portal", "网上评价", "Online rating"),
    }
);

/// Non-transition entries of the timeline (the case's registration and facts recorded on it).
pub const EVENT_REGISTER: &str = "register";
/// Recorded on the main case when a duplicate is merged into it.
pub const EVENT_MERGED_IN: &str = "merged_in";
/// A clock turned near due (临期, yellow), recorded once per clock by the sweeper.
pub const EVENT_NEAR_DUE: &str = "near_due";
/// A clock ran out (超期, red), recorded once per clock by the sweeper.
pub const EVENT_OVERDUE: &str = "overdue";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_code_and_chinese_label() {
        assert_eq!(Nature::parse("complaint"), Some(Nature::Complaint));
        assert_eq!(Nature::parse("投诉"), Some(Nature::Complaint));
        assert_eq!(Nature::parse(" Consult "), Some(Nature::Consult));
        assert_eq!(Urgency::parse("特急"), Some(Urgency::Critical));
        assert_eq!(Nature::parse("whatever"), None);
        assert_eq!(Status::parse("in_progress"), Some(Status::InProgress));
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert!(seen.insert(a.code()));
        }
        assert_eq!(Action::ALL.len(), 19);
    }
}
