//! Domain rules and the newtypes that carry checked values. Nothing here knows about chat
//! channels or the database.

pub mod access;
pub mod activity;
pub mod announcement;
pub mod audit;
pub mod decision;
pub mod decision_template;
pub mod fields;
pub mod help;
pub mod invitation_code;
pub mod period;
pub mod person_name;
pub mod phone;
pub mod privacy;
pub mod roles;
pub mod rules;
pub mod schedule;
pub mod status;
pub mod team;
pub mod text;
pub mod units;

pub use activity::{ActivityKind, ActivityRules};
pub use audit::AuditAction;
pub use decision::{DateError, DecisionNumber};
pub use decision_template::DecisionTemplate;
pub use fields::{FieldKey, Fields};
pub use help::{HelpRules, RequestStatus, Stage};
pub use invitation_code::InvitationCode;
pub use period::{Period, PeriodError, ReportStatus};
pub use person_name::{NameError, PersonName};
pub use phone::{PhoneError, PhoneNumber};
pub use roles::{AccountRole, MemberRole};
pub use rules::{CompositionRules, LevelRules, RuleBreach};
pub use team::{ConsentSource, Decision, DecisionFile, FileKind, Member, Team};
pub use units::{UnitCode, UnitCodeError, UnitLevel};
