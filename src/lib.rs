//! cnscd: a chatbot backend for Vietnam's Community Digital Technology Teams.

pub mod domain;
pub mod import;
pub mod storage;
