//! Group commit: concurrent writes of one kind are queued and committed together in one
//! transaction, so the cost of making a commit durable (one fsync of SQLite's WAL, one WAL flush
//! of PostgreSQL) is shared by every write in the batch. Each caller is answered only after its
//! batch has committed: an acknowledged write is on disk. If a batch fails, its writes are retried
//! one by one, so one bad write cannot fail the others.
//!
//! Three committers run per store: one for intakes (`insert_case`, see [`intakes`]), one for
//! updates (`save_cases`, see [`saves`]) and one for the audit log (see [`audits`]). All are the
//! same loop, [`spawn`], around a different transaction. A store is opened with them started ([`SqlStore::with_committer`]); what they
//! write through is the same store without them ([`SqlStore::clone_direct`]).

use crate::codec::NewRow;
use crate::{Db, SqlStore, guard};
use app::error::StoreError;
use app::ports::{AuditEntry, CaseWrite, StoreResult};
use domain::Case;
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

/// A queued write and where its result goes.
pub struct Pending<T, R> {
    item: T,
    reply: oneshot::Sender<StoreResult<R>>,
}

/// The queue of one committer.
pub type Committer<T, R> = mpsc::Sender<Pending<T, R>>;

/// A batch that did not commit: its items, given back for the one-by-one retry, and why.
pub type Failed<T> = (Vec<T>, StoreError);

/// Starts a committer: `commit` writes a batch in one transaction and returns one result per item
/// in order, or the items and the error if nothing was written. `metric` names the histogram of
/// batch sizes.
fn spawn<T, R, F, Fut>(metric: &'static str, commit: F) -> Committer<T, R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(Vec<T>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<R>, Failed<T>>> + Send,
{
    let (tx, mut rx) = mpsc::channel::<Pending<T, R>>(4096);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let batch = gather(&mut rx, first);
            metrics::histogram!(metric).record(batch.len() as f64);
            let (items, replies): (Vec<T>, Vec<_>) =
                batch.into_iter().map(|p| (p.item, p.reply)).unzip();
            match commit(items).await {
                Ok(results) => {
                    for (r, reply) in results.into_iter().zip(replies) {
                        let _ = reply.send(Ok(r));
                    }
                }
                Err((items, _)) if items.len() > 1 => {
                    for (item, reply) in items.into_iter().zip(replies) {
                        let r = match commit(vec![item]).await {
                            Ok(mut one) => one.pop().ok_or_else(|| {
                                StoreError::Backend("the committer returned no result".into())
                            }),
                            Err((_, e)) => Err(e),
                        };
                        let _ = reply.send(r);
                    }
                }
                Err((_, e)) => {
                    for reply in replies {
                        let _ = reply.send(Err(clone_err(&e)));
                    }
                }
            }
        }
    });
    tx
}

/// The first write and whatever queued up behind it while the previous batch was committing.
fn gather<T, R>(
    rx: &mut mpsc::Receiver<Pending<T, R>>,
    first: Pending<T, R>,
) -> Vec<Pending<T, R>> {
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(p) => batch.push(p),
            Err(_) => break,
        }
    }
    batch
}

fn clone_err(e: &StoreError) -> StoreError {
    match e {
        StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
        StoreError::Backend(m) => StoreError::Backend(m.clone()),
    }
}

/// Queues a write and waits until its batch has committed.
pub async fn submit<T, R>(tx: &Committer<T, R>, item: T) -> StoreResult<R> {
    let (reply, rx) = oneshot::channel();
    tx.send(Pending { item, reply })
        .await
        .map_err(|_| StoreError::Backend("the group committer has stopped".into()))?;
    rx.await
        .map_err(|_| StoreError::Backend("the group committer dropped the write".into()))?
}

/// The committer of intakes: new cases, encoded by their callers, inserted together.
pub fn intakes(store: SqlStore) -> Committer<NewRow, Case> {
    spawn(
        "onewindow_intake_batch_size",
        move |mut rows: Vec<NewRow>| {
            let store = store.clone_direct();
            async move {
                match store.insert_cases_tx(&mut rows).await {
                    Ok(()) => Ok(rows.into_iter().map(|r| r.write.case).collect()),
                    Err(e) => Err((rows, e)),
                }
            }
        },
    )
}

/// One `save_cases` call: its writes (all or none) with their encoded documents.
pub struct SaveJob {
    pub writes: Vec<CaseWrite>,
    pub docs: Vec<Vec<u8>>,
}

/// The committer of updates (transitions, sweeps, merges): each `save_cases` call in its own
/// savepoint (see [`SqlStore::save_jobs_tx`]), so a transition costs a share of one fsync and a
/// stale version fails only its own call. The result says whether the call was written.
pub fn saves(store: SqlStore) -> Committer<SaveJob, bool> {
    spawn("onewindow_save_batch_size", move |jobs: Vec<SaveJob>| {
        let store = store.clone_direct();
        async move {
            match store.save_jobs_tx(&jobs).await {
                Ok(saved) => Ok(saved),
                Err(e) => Err((jobs, e)),
            }
        }
    })
}

/// The committer of the audit log: entries of concurrent reads appended in one transaction. The
/// reads wait for it, so no data is served before its entry is on disk.
pub fn audits(store: SqlStore) -> Committer<AuditEntry, ()> {
    spawn(
        "onewindow_audit_batch_size",
        move |entries: Vec<AuditEntry>| {
            let store = store.clone_direct();
            async move {
                match store.append_audit_tx(&entries).await {
                    Ok(()) => Ok(vec![(); entries.len()]),
                    Err(e) => Err((entries, e)),
                }
            }
        },
    )
}

impl SqlStore {
    /// A store on `db` with its committers started (each writes through a direct clone).
    pub(crate) fn with_committer(db: Db, file: Option<std::sync::Arc<guard::DbFile>>) -> SqlStore {
        let direct = SqlStore {
            db: db.clone(),
            committer: None,
            saver: None,
            auditor: None,
            file: file.clone(),
        };
        let committer = intakes(direct.clone_direct());
        let auditor = audits(direct.clone_direct());
        let saver = saves(direct);
        SqlStore {
            db,
            committer: Some(committer),
            saver: Some(saver),
            auditor: Some(auditor),
            file,
        }
    }

    /// The same database without the committers: what a committer itself writes through.
    pub(crate) fn clone_direct(&self) -> SqlStore {
        SqlStore {
            db: self.db.clone(),
            committer: None,
            saver: None,
            auditor: None,
            file: self.file.clone(),
        }
    }
}
