//! Importing reference data: prisons, timetables, prisoners and contacts, all or nothing.

use super::Central;
use super::sha256_hex;
use crate::error::CentralError;
use domain::dataset::{PrisonFile, PrisonerFile, check};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub prisons: usize,
    pub prisons_changed: usize,
    pub prisoners: usize,
    pub prisoners_changed: usize,
}

impl Central {
    /// Imports prisons, timetables, prisoners and contacts, all or nothing. Records whose
    /// content has not changed are left alone, so kiosks do not pull them again.
    pub async fn import(
        &self,
        prisons: &[PrisonFile],
        prisoners: &[PrisonerFile],
    ) -> Result<ImportSummary, CentralError> {
        check(prisons, prisoners)?;
        retrying!(self.import_once(prisons, prisoners))
    }

    async fn import_once(
        &self,
        prisons: &[PrisonFile],
        prisoners: &[PrisonerFile],
    ) -> Result<ImportSummary, CentralError> {
        let mut tx = self.store.begin_write().await?;
        let mut summary = ImportSummary {
            prisons: prisons.len(),
            prisons_changed: 0,
            prisoners: prisoners.len(),
            prisoners_changed: 0,
        };
        for p in prisons {
            let hash = sha256_hex(&serde_json::to_vec(p).map_err(|e| CentralError::Internal(e.to_string()))?);
            summary.prisons_changed += usize::from(tx.put_prison(p, &hash).await?);
        }
        for p in prisoners {
            let hash = sha256_hex(&serde_json::to_vec(p).map_err(|e| CentralError::Internal(e.to_string()))?);
            summary.prisoners_changed += usize::from(tx.put_prisoner(p, &hash).await?);
        }
        tx.commit().await?;
        Ok(summary)
    }
}
