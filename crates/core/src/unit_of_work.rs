//! A unit of work: a use case that writes several things — the change, its audit line, the
//! notifications it emits — does so through one transaction handle the store gives it, and
//! decides the steps itself. Dropped without [`UnitOfWork::commit`], nothing is written.
//! Each capability's handle (`OrgWrite`, `PlacementWrite`, …) adds its own steps to these.
//! The bottom layer: it imports no capability.

use crate::audit::AuditEntry;
use crate::error::CoreResult;
use crate::notify::{Notification, Outbox};
use async_trait::async_trait;

#[async_trait]
pub trait UnitOfWork: Outbox {
    async fn audit(&mut self, entry: &AuditEntry) -> CoreResult<()>;
    async fn commit(self: Box<Self>) -> CoreResult<()>;

    /// Emits each of these notifications.
    async fn notify_all(&mut self, notes: &[Notification]) -> CoreResult<()> {
        for note in notes {
            self.notify(note).await?;
        }
        Ok(())
    }
}
