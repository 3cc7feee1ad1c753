//! The payload of an action, derived from its declaration: its code, then each argument
//! after a `:`. Read back, a payload must have the code and exactly the arguments, each
//! valid for its type; anything else is forged. A button's payload is that after a
//! [`Stamp`]: when the button was made.

use crate::domain::{MemberRole, Period};
use crate::i18n::Lang;

use super::super::state::MemberField;
use super::{valid_code, Action};

/// When a button was made, written before its action's payload and read back with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// In a turn that left the chat's state at this revision: stale once the state moves on.
    Revision(u32),
    /// Outside any turn (alerts, notices): valid at any time, so only for actions that merely
    /// open something.
    Anytime,
}

impl Stamp {
    /// A button's payload: this stamp, then `action_payload` (an [`Action::payload`]).
    pub fn write(self, action_payload: &str) -> String {
        match self {
            Stamp::Revision(rev) => format!("{rev}:{action_payload}"),
            Stamp::Anytime => format!("*:{action_payload}"),
        }
    }

    /// A pressed button's stamp and action; `None` for a payload no button of ours carries.
    pub fn read(payload: &str) -> Option<(Stamp, Action)> {
        let (stamp, action) = payload.split_once(':')?;
        let stamp = match stamp {
            "*" => Stamp::Anytime,
            rev => Stamp::Revision(rev.parse().ok()?),
        };
        Some((stamp, Action::parse(action)?))
    }
}

/// An argument of an action, as it is written in a payload.
pub(super) trait PayloadArg: Sized {
    fn write(&self) -> String;
    fn read(text: &str) -> Option<Self>;
}

impl PayloadArg for usize {
    fn write(&self) -> String {
        self.to_string()
    }

    fn read(text: &str) -> Option<usize> {
        text.parse().ok()
    }
}

/// A report's version.
impl PayloadArg for i64 {
    fn write(&self) -> String {
        self.to_string()
    }

    fn read(text: &str) -> Option<i64> {
        text.parse().ok()
    }
}

/// `2026-11`, `2026-Q4`: no `:` in either.
impl PayloadArg for Period {
    fn write(&self) -> String {
        self.to_string()
    }

    fn read(text: &str) -> Option<Period> {
        Period::parse(text).ok().filter(|p| p.to_string() == text)
    }
}

/// A unit's code.
impl PayloadArg for String {
    fn write(&self) -> String {
        self.clone()
    }

    fn read(text: &str) -> Option<String> {
        valid_code(text).then(|| text.to_owned())
    }
}

/// A unit's code, or none (written empty).
impl PayloadArg for Option<String> {
    fn write(&self) -> String {
        self.clone().unwrap_or_default()
    }

    fn read(text: &str) -> Option<Option<String>> {
        match text {
            "" => Some(None),
            code => String::read(code).map(Some),
        }
    }
}

impl PayloadArg for crate::domain::announcement::Audience {
    fn write(&self) -> String {
        self.stored().to_owned()
    }

    fn read(text: &str) -> Option<Self> {
        Self::from_stored(text)
    }
}

impl PayloadArg for MemberRole {
    fn write(&self) -> String {
        self.code().to_owned()
    }

    fn read(text: &str) -> Option<MemberRole> {
        MemberRole::parse(text)
    }
}

impl PayloadArg for MemberField {
    fn write(&self) -> String {
        self.code().to_owned()
    }

    fn read(text: &str) -> Option<MemberField> {
        MemberField::parse(text)
    }
}

impl PayloadArg for Lang {
    fn write(&self) -> String {
        self.code().to_owned()
    }

    fn read(text: &str) -> Option<Lang> {
        Lang::parse(text)
    }
}

/// Declares `Action` with `payload` and `parse` from one list of
/// `Variant(argument: Type, …) = "code"`.
macro_rules! actions {
    ($( $(#[$doc:meta])* $variant:ident $( ( $($field:ident : $ty:ty),+ ) )? = $code:literal, )*) => {
        /// What a button (or a word meaning the same) asks for.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Action {
            $( $(#[$doc])* $variant $( ( $($ty),+ ) )?, )*
        }

        impl Action {
            pub fn payload(&self) -> String {
                match self {
                    $( Action::$variant $( ( $($field),+ ) )? => {
                        #[allow(unused_mut)]
                        let mut payload = String::from($code);
                        $( $(
                            payload.push(':');
                            payload.push_str(&codec::PayloadArg::write($field));
                        )+ )?
                        payload
                    } )*
                }
            }

            pub fn parse(payload: &str) -> Option<Action> {
                $(
                    let read = || -> Option<Action> {
                        actions!(@read payload, $code, $variant $( ( $($ty),+ ) )?)
                    };
                    if let Some(action) = read() {
                        return Some(action);
                    }
                )*
                None
            }
        }
    };
    (@read $payload:ident, $code:literal, $variant:ident) => {
        ($payload == $code).then_some(Action::$variant)
    };
    (@read $payload:ident, $code:literal, $variant:ident ( $($ty:ty),+ )) => {{
        let rest = $payload.strip_prefix($code)?.strip_prefix(':')?;
        let mut parts = rest.split(':');
        // Arguments are evaluated in order: each takes the next part.
        let action = Action::$variant( $( <$ty as codec::PayloadArg>::read(parts.next()?)? ),+ );
        parts.next().is_none().then_some(action)
    }};
}
