//! Group commit for intake: concurrent `insert_case` calls are queued and committed together in
//! one transaction, so the cost of making a commit durable (one fsync of SQLite's WAL, one WAL
//! flush of PostgreSQL) is shared by every case in the batch. Each caller is answered only after
//! its batch has committed: an acknowledged case is on disk. If a batch fails, its cases are
//! retried one by one, so one bad case cannot fail the others.

use crate::{NewRow, SqlStore};
use app::error::StoreError;
use app::ports::CaseWrite;
use app::ports::StoreResult;
use domain::Case;
use tokio::sync::{mpsc, oneshot};

/// Most cases committed in one transaction.
const MAX_BATCH: usize = 512;

pub struct Pending {
    row: NewRow,
    reply: oneshot::Sender<StoreResult<Case>>,
}

pub fn spawn(store: SqlStore) -> mpsc::Sender<Pending> {
    let (tx, mut rx) = mpsc::channel::<Pending>(4096);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            // Whatever queued up while the previous batch was committing goes into this one.
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(p) => batch.push(p),
                    Err(_) => break,
                }
            }
            metrics::histogram!("onewindow_intake_batch_size").record(batch.len() as f64);
            let (mut rows, replies): (Vec<NewRow>, Vec<_>) =
                batch.into_iter().map(|p| (p.row, p.reply)).unzip();
            match store.insert_cases_tx(&mut rows).await {
                Ok(()) => {
                    for (row, reply) in rows.into_iter().zip(replies) {
                        let _ = reply.send(Ok(row.write.case));
                    }
                }
                Err(_) if rows.len() > 1 => {
                    for (row, reply) in rows.into_iter().zip(replies) {
                        let mut one = [row];
                        let r = store.insert_cases_tx(&mut one).await;
                        let [row] = one;
                        let _ = reply.send(r.map(|()| row.write.case));
                    }
                }
                Err(e) => {
                    for reply in replies {
                        let _ = reply.send(Err(StoreError::Backend(e.to_string())));
                    }
                }
            }
        }
    });
    tx
}

pub async fn submit(tx: &mpsc::Sender<Pending>, row: NewRow) -> StoreResult<Case> {
    let (reply, rx) = oneshot::channel();
    tx.send(Pending { row, reply })
        .await
        .map_err(|_| StoreError::Backend("the intake committer has stopped".into()))?;
    rx.await
        .map_err(|_| StoreError::Backend("the intake committer dropped the case".into()))?
}

/// One `save_cases` call: its writes (all or none) with their encoded documents.
pub struct SaveJob {
    pub writes: Vec<CaseWrite>,
    pub docs: Vec<Vec<u8>>,
}

pub struct PendingSave {
    job: SaveJob,
    reply: oneshot::Sender<StoreResult<bool>>,
}

/// Group commit for updates: whatever `save_cases` calls queued while the previous batch was
/// committing are written in one transaction, each in its own savepoint (see
/// [`SqlStore::save_jobs_tx`]), so a transition costs a share of one fsync instead of one. A
/// caller is answered after the commit; a stale version fails only its own call. If the batch
/// fails, its calls are retried one by one.
pub fn spawn_saves(store: SqlStore) -> mpsc::Sender<PendingSave> {
    let (tx, mut rx) = mpsc::channel::<PendingSave>(4096);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(p) => batch.push(p),
                    Err(_) => break,
                }
            }
            metrics::histogram!("onewindow_save_batch_size").record(batch.len() as f64);
            let (jobs, replies): (Vec<SaveJob>, Vec<_>) =
                batch.into_iter().map(|p| (p.job, p.reply)).unzip();
            match store.save_jobs_tx(&jobs).await {
                Ok(saved) => {
                    for (ok, reply) in saved.into_iter().zip(replies) {
                        let _ = reply.send(Ok(ok));
                    }
                }
                Err(_) if jobs.len() > 1 => {
                    for (job, reply) in jobs.iter().zip(replies) {
                        let r = store
                            .save_jobs_tx(std::slice::from_ref(job))
                            .await
                            .map(|s| s.first().copied().unwrap_or(false));
                        let _ = reply.send(r);
                    }
                }
                Err(e) => {
                    for reply in replies {
                        let _ = reply.send(Err(clone_err(&e)));
                    }
                }
            }
        }
    });
    tx
}

fn clone_err(e: &StoreError) -> StoreError {
    match e {
        StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
        StoreError::Backend(m) => StoreError::Backend(m.clone()),
    }
}

pub async fn submit_save(tx: &mpsc::Sender<PendingSave>, job: SaveJob) -> StoreResult<bool> {
    let (reply, rx) = oneshot::channel();
    tx.send(PendingSave { job, reply })
        .await
        .map_err(|_| StoreError::Backend("the update committer has stopped".into()))?;
    rx.await
        .map_err(|_| StoreError::Backend("the update committer dropped the write".into()))?
}
