//! Learning from the district: the triage model is retrained on closed cases (their final
//! category — after any returns and re-dispatches — is the dispatcher's correction), versioned
//! in the database, and can be rolled back. Every replica follows the active version.

use crate::App;
use crate::error::{AppError, ErrorKind};
use crate::ports::{CaseQuery, ModelRecord};
use crate::scope::Principal;
use domain::{Role, Status};
use serde_json::{Value, json};
use std::sync::Arc;
use triage::{Example, Model, TrainOptions, Triage};

/// At most this many district cases go into one training run (the most recent).
pub const MAX_DISTRICT_EXAMPLES: usize = 50_000;

fn require_admin(p: &Principal) -> Result<(), AppError> {
    if p.is_staff() && p.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "仅管理员可管理分类模型",
            "administrators only",
        ))
    }
}

/// The model in use, swappable at run time.
pub struct Classifier {
    inner: std::sync::RwLock<Arc<Triage>>,
}

impl Classifier {
    pub fn new(t: Arc<Triage>) -> Self {
        Classifier {
            inner: std::sync::RwLock::new(t),
        }
    }
    pub fn get(&self) -> Arc<Triage> {
        self.inner
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }
    fn set(&self, t: Arc<Triage>) {
        if let Ok(mut g) = self.inner.write() {
            *g = t;
        }
    }
}

impl App {
    /// The active classifier (the built-in model until a trained one is activated).
    pub fn classifier(&self) -> Arc<Triage> {
        self.classifier.get()
    }

    /// Loads the active stored model if it differs from the one in use.
    pub async fn refresh_classifier(&self) -> Result<(), AppError> {
        let Some((version, body)) = self.store.active_triage_model().await? else {
            return Ok(());
        };
        if self.classifier().model_version() == version {
            return Ok(());
        }
        let model = Model::from_text(&body)
            .map_err(|e| AppError::internal(format!("stored model {version}: {e:?}")))?;
        self.classifier.set(Arc::new(Triage::with_model(model)));
        tracing::info!(%version, "triage model loaded");
        Ok(())
    }

    /// Closed cases as training examples: the text, and the category that finally handled it.
    async fn district_examples(&self) -> Result<Vec<Example>, AppError> {
        let mut out = vec![];
        let mut q = CaseQuery {
            status: vec![Status::Closed],
            limit: 1000,
            ..CaseQuery::default()
        };
        loop {
            let (cases, _) = self.store.list_cases(&q).await?;
            let n = cases.len();
            for c in cases {
                if c.unit.is_none() || triage::department_of(&c.category).is_none() {
                    continue; // answered directly, or a category the model does not know
                }
                out.push(Example {
                    text: format!("{} {}", c.title, c.description),
                    category: c.category.clone(),
                    department: None,
                    nature: c.nature.code().to_string(),
                    urgency: Some(c.urgency.code().to_string()),
                    risk: None,
                    signals: vec![],
                });
            }
            if n < q.limit as usize || out.len() >= MAX_DISTRICT_EXAMPLES {
                break;
            }
            q.offset += u64::from(q.limit);
        }
        Ok(out)
    }

    /// Retrains on the built-in corpus plus the district's closed cases, evaluates on the
    /// held-out corpus, stores the model, and activates it unless it is worse than the active one
    /// (or `activate` says otherwise). Returns the record.
    pub async fn train_triage(
        &self,
        p: Option<&Principal>,
        activate: Option<bool>,
    ) -> Result<ModelRecord, AppError> {
        if let Some(p) = p {
            require_admin(p)?;
        }
        let mut examples = triage::parse_jsonl(triage::TRAIN_CORPUS)
            .map_err(|(l, m)| AppError::internal(format!("built-in corpus line {l}: {m}")))?;
        let district = self.district_examples().await?;
        let n_district = district.len();
        examples.extend(district);
        let heldout = triage::parse_jsonl(triage::HELDOUT_CORPUS)
            .map_err(|(l, m)| AppError::internal(format!("held-out corpus line {l}: {m}")))?;
        let now = self.now();
        let date = crate::deadlines::date_of(now).to_string();
        let opts = TrainOptions {
            date,
            ..TrainOptions::default()
        };
        // Training is CPU work: keep it off the async workers.
        let (model, report_new, report_old) = tokio_blocking(
            move |current: Arc<Triage>| {
                let model = Model::train(&examples, &opts);
                let t = Triage::with_model(model.clone());
                (
                    model,
                    triage::evaluate(&t, &heldout),
                    triage::evaluate(&current, &heldout),
                )
            },
            self.classifier(),
        )
        .await?;
        let metrics = json!({
            "top1": report_new.top1_accuracy(), "top3": report_new.top3_accuracy(), "department": report_new.department_accuracy(),
            "previous_top1": report_old.top1_accuracy(), "district_examples": n_district,
        });
        let rec = ModelRecord {
            version: model.version().to_string(),
            created_at: now,
            source: "trained".into(),
            examples: i64::try_from(n_district).unwrap_or(0),
            metrics: metrics.to_string(),
            active: false,
        };
        self.store.put_triage_model(&rec, &model.to_text()).await?;
        let better = report_new.top1_accuracy() + 1e-9 >= report_old.top1_accuracy();
        if activate.unwrap_or(better) {
            self.activate_triage_model(None, &rec.version).await?;
        }
        Ok(ModelRecord {
            active: activate.unwrap_or(better),
            ..rec
        })
    }

    pub async fn triage_models(&self) -> Result<Value, AppError> {
        let builtin = triage::Triage::new();
        let stored = self.store.triage_models().await?;
        let in_use = self.classifier().model_version().to_string();
        Ok(json!({
            "in_use": in_use,
            "builtin": builtin.model_version(),
            "models": stored.iter().map(|m| json!({ "version": m.version, "created_at": crate::deadlines::format_instant(m.created_at), "source": m.source, "district_examples": m.examples, "metrics": serde_json::from_str::<Value>(&m.metrics).unwrap_or(Value::Null), "active": m.active })).collect::<Vec<_>>(),
        }))
    }

    /// Activates a stored version (rollback = activating an earlier one). `builtin` returns to
    /// the model shipped with the binary.
    pub async fn activate_triage_model(
        &self,
        p: Option<&Principal>,
        version: &str,
    ) -> Result<Value, AppError> {
        if let Some(p) = p {
            require_admin(p)?;
        }
        if version == "builtin" || version == Triage::new().model_version() {
            let builtin = Triage::new();
            let rec = ModelRecord {
                version: builtin.model_version().to_string(),
                created_at: self.now(),
                source: "builtin".into(),
                examples: 0,
                metrics: "{}".into(),
                active: false,
            };
            self.store
                .put_triage_model(&rec, triage::BUILTIN_MODEL)
                .await?;
            self.store.activate_triage_model(&rec.version).await?;
            self.classifier.set(Arc::new(builtin));
            return Ok(json!({ "active": rec.version }));
        }
        if !self.store.activate_triage_model(version).await? {
            return Err(AppError::new(
                ErrorKind::NotFound,
                "not_found",
                format!("模型版本 {version} 不存在"),
                format!("no model version {version}"),
            ));
        }
        self.refresh_classifier().await?;
        Ok(json!({ "active": version }))
    }
}

/// Runs CPU-bound work on the blocking pool when inside a Tokio runtime.
async fn tokio_blocking<T: Send + 'static>(
    f: impl FnOnce(Arc<Triage>) -> T + Send + 'static,
    arg: Arc<Triage>,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(move || f(arg))
        .await
        .map_err(AppError::internal)
}
