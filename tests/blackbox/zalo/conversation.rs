//! Whole conversations over Zalo.
