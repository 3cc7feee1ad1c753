//! Which effects count against a chat's limit of changes, and which errors refuse a step
//! rather than fail it.

use crate::conversation::notices::Refusal;
use crate::conversation::Effect;
use crate::storage::limits::Limit;
use crate::storage::StorageError;

/// Whether `effect` changes what others see, and so counts against the chat's limit of
/// changes (answers to registration questions are checkpoints, not counted).
pub(super) fn is_write(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::SaveTeam { .. }
            | Effect::SetPhoneConsent { .. }
            | Effect::RequestRemoval { .. }
            | Effect::PrivacyRequest { .. }
            | Effect::ErasePerson { .. }
            | Effect::AddVillage { .. }
            | Effect::RenameVillage { .. }
            | Effect::RemoveVillage { .. }
            | Effect::ImportVillages { .. }
            | Effect::CreateInvitation { .. }
            | Effect::SetDeadline { .. }
            | Effect::AssignVillage { .. }
            | Effect::RevokeAccess { .. }
            | Effect::LinkWith { .. }
            | Effect::ConfirmLink
            | Effect::ProveNumber { .. }
            | Effect::ConfirmNumber { .. }
    )
}

/// What to tell a chat whose step was refused by `error`, rolled back whole; `None` for an
/// error that is a failure, not a refusal.
pub(in crate::engine) fn refusal(error: &StorageError) -> Option<Refusal> {
    match error {
        StorageError::Conflict => Some(Refusal::TeamChangedMeanwhile),
        StorageError::InvitationTaken => Some(Refusal::InvitationTaken),
        StorageError::RateLimited(Limit::WrongCodes) => Some(Refusal::TooManyWrongCodes),
        StorageError::RateLimited(Limit::Reports) => Some(Refusal::TooManyReports),
        StorageError::RateLimited(Limit::Writes) => Some(Refusal::TooManyChanges),
        _ => None,
    }
}
