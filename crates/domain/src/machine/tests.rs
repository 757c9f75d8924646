use super::*;
use crate::policy::Policy;
use crate::{Location, Nature, Reporter, Source, Urgency};

const DAY: i64 = 86_400_000;

/// Deadlines on plain calendar days, enough to test the machine without the calendar crate.
struct PlainDays;
impl Deadlines for PlainDays {
    fn due(&self, from: i64, limit: Limit) -> i64 {
        match limit {
            Limit::WorkingDays(n) => from + i64::from(n) * DAY,
            Limit::Minutes(m) | Limit::WorkingMinutes(m) => from + i64::from(m) * 60_000,
        }
    }
    fn extend(&self, due: i64, working_days: u32) -> i64 {
        due + i64::from(working_days) * DAY
    }
    fn remaining(&self, now: i64, due: i64, _limit: Limit) -> Remaining {
        Remaining::Millis(due - now)
    }
    fn resume(&self, from: i64, left: Remaining) -> i64 {
        match left {
            Remaining::Millis(ms) => from + ms,
            Remaining::WorkingDays(d) => from + d * DAY,
            Remaining::WorkingMinutes(m) => from + m * 60_000,
        }
    }
}

fn case(status: Status) -> Case {
    Case {
        id: Uuid::now_v7(),
        number: "2026-000001".into(),
        title: "噪声扰民".into(),
        description: "夜间施工噪声".into(),
        nature: Nature::Complaint,
        category: "环境保护/噪声污染".into(),
        urgency: Urgency::Normal,
        source: Source::Phone,
        reporter: Reporter {
            name: "张三".into(),
            phone: "13812341234".into(),
        },
        location: Location {
            address: "良睦路1号".into(),
            region: "330188001001".into(),
            lat: None,
            lon: None,
        },
        reported_at: 0,
        created_at: 0,
        updated_at: 0,
        status,
        version: 1,
        hub: "330188".into(),
        unit: matches!(
            status,
            Status::Dispatched | Status::InProgress | Status::Resolved | Status::Closed
        )
        .then(|| "sthjj".to_string()),
        co_units: vec![],
        created_by: None,
        dispatched_at: None,
        signed_at: None,
        handle_started_at: None,
        resolved_at: None,
        closed_at: None,
        sign_due: Some(10 * DAY),
        handle_due: Some(20 * DAY),
        follow_up_due: None,
        pending_extension: None,
        suspension: None,
        extension_count: 0,
        return_count: 0,
        reopen_count: 0,
        urge_count: 0,
        supervised: false,
        repeat_count: 0,
        merged_into: None,
        reply: None,
        outcome: None,
        satisfaction: None,
        citizen_resolved: None,
        follow_up_method: None,
        follow_up_attempts: 0,
        unreachable: false,
        triage: None,
        reject_reason: None,
        risk_level: "none".into(),
    }
}

fn args_for(action: Action) -> Args {
    match action {
        Action::Reject | Action::Return => Args::Reason("不属于本单位职责".into()),
        Action::Dispatch => Args::Dispatch {
            unit: "sthjj".into(),
            co_units: vec!["330188001".into()],
        },
        Action::RequestExtension => Args::RequestExtension {
            working_days: 5,
            reason: "需协调".into(),
        },
        Action::DecideExtension => Args::DecideExtension { approve: true },
        Action::Resolve | Action::Answer => Args::Reply {
            reply: "已处理".into(),
            outcome: Outcome::Resolved,
        },
        Action::FollowUp => Args::FollowUp {
            method: FollowUpMethod::Phone,
            result: FollowUpResult::Reached {
                satisfaction: Satisfaction::Satisfied,
                resolved: true,
            },
        },
        Action::Escalate => Args::Escalate {
            unit: "330188".into(),
        },
        Action::Merge => Args::Merge {
            into: Uuid::now_v7(),
        },
        Action::Suspend => Args::Suspend {
            reason: "等待群众补充材料".into(),
        },
        _ => Args::None,
    }
}

fn actor() -> Actor {
    Actor {
        id: None,
        name: "测试".into(),
        unit: Some("330188".into()),
    }
}

fn run(c: &Case, action: Action) -> Result<(Case, Event), DomainError> {
    let clocks = Policy::default().clocks_for(c.nature, c.urgency);
    let cmd = Command {
        action,
        opinion: Some("意见".into()),
        args: args_for(action),
    };
    apply(c, &cmd, &actor(), 5 * DAY, &clocks, &PlainDays)
}

/// Every action from every status: either the table allows it and it succeeds with the expected
/// next status, or it is refused with TransitionNotAllowed listing the allowed actions.
#[test]
fn every_action_from_every_status() {
    use Status::*;
    let expected = |s: Status, a: Action| -> Option<Status> {
        Some(match (s, a) {
            (Registered, Action::Accept) => Accepted,
            (Registered | Accepted, Action::Reject) => Rejected,
            (Registered | Accepted, Action::Answer) => Resolved,
            (Registered | Accepted, Action::Merge) => Merged,
            (Accepted, Action::Dispatch) => Dispatched,
            (Dispatched, Action::Sign) => InProgress,
            (Dispatched, Action::Return | Action::Recall) => Accepted,
            (InProgress, Action::RequestExtension | Action::Suspend) => InProgress,
            (InProgress, Action::Resolve) => Resolved,
            (Resolved, Action::FollowUp) => Closed,
            (Resolved, Action::Close) => Closed,
            (Resolved | Closed, Action::Reopen) => InProgress,
            (
                Registered | Accepted | Dispatched | InProgress | Resolved,
                Action::Supervise | Action::Urge,
            ) => s,
            (Accepted | Dispatched | InProgress, Action::Escalate) => Accepted,
            _ => return None,
        })
    };
    let mut checked = 0;
    for &s in Status::ALL {
        for &a in Action::ALL {
            let mut c = case(s);
            if a == Action::DecideExtension && s == InProgress {
                c.pending_extension = Some(PendingExtension {
                    working_days: 3,
                    reason: "x".into(),
                    requested_at: 0,
                });
            }
            // Resume needs a precondition beyond the status: a suspension to resume.
            if a == Action::Resume && s == InProgress {
                c.suspension = Some(Suspension {
                    at: 0,
                    reason: "x".into(),
                    remaining: Remaining::Millis(DAY),
                });
            }
            let needs_precondition = matches!(a, Action::DecideExtension | Action::Resume);
            let want = if needs_precondition && s == InProgress {
                Some(InProgress)
            } else {
                expected(s, a)
            };
            match (run(&c, a), want) {
                (Ok((next, ev)), Some(w)) => {
                    assert_eq!(next.status, w, "{s} --{a}-->");
                    assert_eq!(next.version, c.version + 1);
                    assert_eq!(ev.action, a.code());
                    assert_eq!(ev.opinion.as_deref(), Some("意见"));
                }
                (Err(DomainError::TransitionNotAllowed { allowed, .. }), None) => {
                    assert_eq!(allowed, actions_from(s));
                    assert!(!allowed.contains(&a));
                }
                (got, w) => panic!("{s} --{a}--> got {got:?}, expected {w:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 8 * 19);
}

#[test]
fn terminal_statuses_allow_nothing_but_reopen_of_closed() {
    assert!(actions_from(Status::Rejected).is_empty());
    assert!(actions_from(Status::Merged).is_empty());
    assert_eq!(actions_from(Status::Closed), vec![Action::Reopen]);
}

#[test]
fn roles_follow_design() {
    for &a in Action::ALL {
        for &r in Role::ALL {
            let may = may_act(r, a);
            let want = match a {
                Action::Accept | Action::Reject | Action::Answer | Action::FollowUp => {
                    matches!(r, Role::Clerk | Role::Dispatcher)
                }
                Action::Dispatch
                | Action::Recall
                | Action::DecideExtension
                | Action::Merge
                | Action::Escalate
                | Action::Close
                | Action::Reopen => r == Role::Dispatcher,
                Action::Sign
                | Action::Return
                | Action::RequestExtension
                | Action::Resolve
                | Action::Suspend
                | Action::Resume => matches!(r, Role::Handler | Role::UnitLead),
                Action::Supervise | Action::Urge => r == Role::Supervisor,
            };
            assert_eq!(may, want, "{r} {a}");
        }
    }
    for &a in Action::ALL {
        assert!(
            !may_act(Role::Admin, a),
            "admin configures but does not handle cases"
        );
        assert!(!may_act(Role::Leader, a));
        assert!(!may_act(Role::Citizen, a));
    }
}

#[test]
fn dispatch_starts_sign_clock_and_sign_starts_handle_clock() {
    let (d, _) = run(&case(Status::Accepted), Action::Dispatch).unwrap();
    assert_eq!(d.sign_due, Some(6 * DAY));
    assert_eq!(d.unit.as_deref(), Some("sthjj"));
    assert_eq!(d.co_units, vec!["330188001".to_string()]);
    let (s, _) = run(&d, Action::Sign).unwrap();
    assert_eq!(s.handle_due, Some(10 * DAY));
}

#[test]
fn return_only_within_sign_window() {
    let mut c = case(Status::Dispatched);
    c.sign_due = Some(4 * DAY); // now is 5 days
    assert!(matches!(
        run(&c, Action::Return),
        Err(DomainError::Rule {
            code: "return_window_passed",
            ..
        })
    ));
    c.sign_due = Some(6 * DAY);
    let (r, ev) = run(&c, Action::Return).unwrap();
    assert_eq!(r.status, Status::Accepted);
    assert_eq!(r.unit, None);
    assert_eq!(r.return_count, 1);
    assert_eq!(ev.data["reason"], "不属于本单位职责");
}

#[test]
fn extension_request_then_decision_moves_due() {
    let c = case(Status::InProgress);
    let (r, _) = run(&c, Action::RequestExtension).unwrap();
    assert!(r.pending_extension.is_some());
    assert!(matches!(
        run(&r, Action::RequestExtension),
        Err(DomainError::Rule {
            code: "extension_pending",
            ..
        })
    ));
    let (d, _) = run(&r, Action::DecideExtension).unwrap();
    assert_eq!(d.handle_due, Some(25 * DAY));
    assert_eq!(d.extension_count, 1);
    assert!(matches!(
        run(&d, Action::RequestExtension),
        Err(DomainError::Rule {
            code: "extension_limit",
            ..
        })
    ));
    assert!(matches!(
        run(&c, Action::DecideExtension),
        Err(DomainError::Rule {
            code: "no_extension_pending",
            ..
        })
    ));
}

#[test]
fn extension_days_bounded() {
    let c = case(Status::InProgress);
    let clocks = Policy::default().clocks_for(c.nature, c.urgency);
    for (days, ok) in [(0, false), (1, true), (10, true), (11, false)] {
        let cmd = Command {
            action: Action::RequestExtension,
            opinion: None,
            args: Args::RequestExtension {
                working_days: days,
                reason: "r".into(),
            },
        };
        assert_eq!(
            apply(&c, &cmd, &actor(), 0, &clocks, &PlainDays).is_ok(),
            ok,
            "{days}"
        );
    }
}

#[test]
fn unsatisfied_follow_up_reopens_with_new_clock() {
    let mut c = case(Status::Resolved);
    c.reply = Some("已处理".into());
    let clocks = Policy::default().clocks_for(c.nature, c.urgency);
    let cmd = Command {
        action: Action::FollowUp,
        opinion: None,
        args: Args::FollowUp {
            method: FollowUpMethod::Phone,
            result: FollowUpResult::Reached {
                satisfaction: Satisfaction::Unsatisfied,
                resolved: false,
            },
        },
    };
    let (r, ev) = apply(&c, &cmd, &actor(), 7 * DAY, &clocks, &PlainDays).unwrap();
    assert_eq!(r.status, Status::InProgress);
    assert_eq!(r.reopen_count, 1);
    assert_eq!(r.handle_due, Some(12 * DAY));
    assert_eq!(ev.data["reopened"], true);
    // A directly answered case has no unit: it goes back to the dispatcher.
    let mut a = c.clone();
    a.unit = None;
    let (r, _) = apply(&a, &cmd, &actor(), 7 * DAY, &clocks, &PlainDays).unwrap();
    assert_eq!(r.status, Status::Accepted);
}

/// 未联系上: each failed attempt is counted and the case stays 待回访; the policy's last attempt
/// closes it as 无法回访 without a rating. A later reopening starts the count again.
#[test]
fn unreachable_follow_ups_close_after_the_policy_attempts() {
    let mut c = case(Status::Resolved);
    c.reply = Some("已处理".into());
    let clocks = Policy::default().clocks_for(c.nature, c.urgency);
    assert_eq!(clocks.follow_up_attempts, 3);
    let cmd = Command {
        action: Action::FollowUp,
        opinion: None,
        args: Args::FollowUp {
            method: FollowUpMethod::Sms,
            result: FollowUpResult::Unreachable,
        },
    };
    for attempt in 1..=3u32 {
        let (next, ev) = apply(&c, &cmd, &actor(), 7 * DAY, &clocks, &PlainDays).unwrap();
        assert_eq!(next.follow_up_attempts, attempt);
        assert_eq!(ev.data["attempt"], attempt);
        assert_eq!(ev.data["method"], "sms");
        assert_eq!(ev.data["reached"], false);
        if attempt < 3 {
            assert_eq!(next.status, Status::Resolved);
            assert!(!next.unreachable && next.closed_at.is_none());
        } else {
            assert_eq!(next.status, Status::Closed);
            assert!(next.unreachable && next.satisfaction.is_none());
            assert_eq!(next.closed_at, Some(7 * DAY));
            assert_eq!(ev.data["unreachable"], true);
        }
        c = next;
    }
    let (r, _) = run(&c, Action::Reopen).unwrap();
    assert_eq!((r.follow_up_attempts, r.unreachable), (0, false));
}

/// 撤回: before the unit signs, the dispatcher takes the case back; it waits for dispatch again
/// with no unit and no sign-for clock. Once signed it cannot be recalled.
#[test]
fn recall_takes_a_dispatch_back_before_signing() {
    let mut c = case(Status::Dispatched);
    c.co_units = vec!["330188001".into()];
    c.dispatched_at = Some(DAY);
    let (r, ev) = run(&c, Action::Recall).unwrap();
    assert_eq!(r.status, Status::Accepted);
    assert!(r.unit.is_none() && r.co_units.is_empty() && r.sign_due.is_none());
    assert_eq!(r.return_count, 0, "a recall is not a return");
    assert_eq!(ev.data["unit"], "sthjj");
    assert_eq!(ev.data["co_units"][0], "330188001");
    assert!(matches!(
        run(&case(Status::InProgress), Action::Recall),
        Err(DomainError::TransitionNotAllowed { .. })
    ));
}

#[test]
fn satisfied_follow_up_closes() {
    let (r, _) = run(&case(Status::Resolved), Action::FollowUp).unwrap();
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.satisfaction, Some(Satisfaction::Satisfied));
    assert_eq!(r.closed_at, Some(5 * DAY));
}

#[test]
fn blank_reason_and_mismatched_args_are_field_errors() {
    let c = case(Status::Registered);
    let clocks = Policy::default().clocks_for(c.nature, c.urgency);
    let blank = Command {
        action: Action::Reject,
        opinion: None,
        args: Args::Reason("  ".into()),
    };
    assert!(matches!(
        apply(&c, &blank, &actor(), 0, &clocks, &PlainDays),
        Err(DomainError::InvalidField {
            field: "reason",
            ..
        })
    ));
    let wrong = Command {
        action: Action::Reject,
        opinion: None,
        args: Args::None,
    };
    assert!(matches!(
        apply(&c, &wrong, &actor(), 0, &clocks, &PlainDays),
        Err(DomainError::InvalidField {
            field: "action",
            ..
        })
    ));
    let long = Command {
        action: Action::Reject,
        opinion: None,
        args: Args::Reason("长".repeat(MAX_TEXT + 1)),
    };
    assert!(apply(&c, &long, &actor(), 0, &clocks, &PlainDays).is_err());
}

#[test]
fn merge_into_self_refused_and_escalate_moves_hub() {
    let c = case(Status::Accepted);
    let clocks = Policy::default().clocks_for(c.nature, c.urgency);
    let cmd = Command {
        action: Action::Merge,
        opinion: None,
        args: Args::Merge { into: c.id },
    };
    assert!(apply(&c, &cmd, &actor(), 0, &clocks, &PlainDays).is_err());
    let mut d = case(Status::InProgress);
    d.hub = "330188001".into();
    let (e, _) = run(&d, Action::Escalate).unwrap();
    assert_eq!(e.hub, "330188");
    assert_eq!(e.unit, None);
    assert_eq!(e.handle_due, None);
}

#[test]
fn suspend_pauses_and_resume_restores_the_remaining_time() {
    let c = case(Status::InProgress); // handle_due 20 days
    let (s, ev) = run(&c, Action::Suspend).unwrap(); // at 5 days
    assert_eq!(
        s.suspension.as_ref().map(|x| x.remaining),
        Some(Remaining::Millis(15 * DAY))
    );
    assert_eq!(ev.data["reason"], "等待群众补充材料");
    assert!(matches!(
        run(&s, Action::Suspend),
        Err(DomainError::Rule {
            code: "already_suspended",
            ..
        })
    ));
    assert!(matches!(
        run(&s, Action::RequestExtension),
        Err(DomainError::Rule {
            code: "suspended",
            ..
        })
    ));
    let clocks = Policy::default().clocks_for(c.nature, c.urgency);
    let cmd = Command {
        action: Action::Resume,
        opinion: None,
        args: Args::None,
    };
    let (r, _) = apply(&s, &cmd, &actor(), 9 * DAY, &clocks, &PlainDays).unwrap();
    assert_eq!(
        r.handle_due,
        Some(24 * DAY),
        "four days paused move the due date by four days"
    );
    assert!(r.suspension.is_none());
    assert!(matches!(
        apply(&r, &cmd, &actor(), 9 * DAY, &clocks, &PlainDays),
        Err(DomainError::Rule {
            code: "not_suspended",
            ..
        })
    ));
}

#[test]
fn supervise_and_urge_are_flags() {
    let c = case(Status::InProgress);
    let (s, _) = run(&c, Action::Supervise).unwrap();
    assert!(s.supervised);
    let (u, _) = run(&s, Action::Urge).unwrap();
    let (u, ev) = run(&u, Action::Urge).unwrap();
    assert_eq!(u.urge_count, 2);
    assert_eq!(ev.data["count"], 2);
    assert_eq!(u.status, Status::InProgress);
}
