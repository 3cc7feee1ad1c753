//! Which campaigns overlap an area: one area has at most one campaign, so a new deadline
//! goes to the campaign already there.

use super::super::{StorageResult, Tx};
use super::{campaign_from_row, Campaign};

/// How a campaign's area lies against another area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// The same area.
    Same,
    /// The campaign's area contains the other one.
    Above,
    /// The campaign's area lies inside the other one.
    Below,
}

/// A campaign whose area overlaps another area, with its area's name for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlappingCampaign {
    pub campaign: Campaign,
    pub scope_name: String,
    pub overlap: Overlap,
}

/// The campaigns whose area is `$1`, one of its ancestors or one of its descendants.
const OVERLAPPING: &str = "WITH RECURSIVE up (code, parent_code, depth) AS (
         SELECT code, parent_code, 0 FROM units WHERE code = $1
         UNION ALL
         SELECT u.code, u.parent_code, up.depth + 1 FROM units u JOIN up ON u.code = up.parent_code
         WHERE up.depth < 16
     ), down (code, depth) AS (
         SELECT code, 0 FROM units WHERE code = $1
         UNION ALL
         SELECT u.code, d.depth + 1 FROM units u JOIN down d ON u.parent_code = d.code
         WHERE d.depth < 16
     )
     SELECT c.id, c.name, c.deadline, c.scope_code, COALESCE(u.name, c.scope_code) AS scope_name,
         CASE WHEN c.scope_code = $1 THEN 'same'
              WHEN c.scope_code IN (SELECT code FROM up) THEN 'above'
              ELSE 'below' END AS overlap
     FROM campaigns c LEFT JOIN units u ON u.code = c.scope_code
     WHERE c.scope_code IN (SELECT code FROM up) OR c.scope_code IN (SELECT code FROM down)
     ORDER BY c.id";

/// The campaigns overlapping the area `scope`: one area has at most one campaign, so a new
/// deadline for it must go to the campaign already there (or be refused).
pub async fn overlapping_campaigns(
    tx: &mut Tx<'_>,
    scope: &str,
) -> StorageResult<Vec<OverlappingCampaign>> {
    let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(OVERLAPPING)
        .bind(scope)
        .fetch_all(&mut **tx)
        .await?;
    rows.into_iter()
        .map(|(id, name, deadline, scope_code, scope_name, overlap)| {
            Ok(OverlappingCampaign {
                campaign: campaign_from_row((id, name, deadline, scope_code))?,
                scope_name,
                overlap: match overlap.as_str() {
                    "same" => Overlap::Same,
                    "above" => Overlap::Above,
                    _ => Overlap::Below,
                },
            })
        })
        .collect()
}
