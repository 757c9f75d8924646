//! Group commit for intake: concurrent `insert_case` calls are queued and committed together in
//! one transaction, so the cost of making a commit durable (one fsync of SQLite's WAL, one WAL
//! flush of PostgreSQL) is shared by every case in the batch. Each caller is answered only after
//! its batch has committed: an acknowledged case is on disk. If a batch fails, its cases are
//! retried one by one, so one bad case cannot fail the others.

use crate::{NewRow, SqlStore};
use app::error::StoreError;
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
