//! Moving a 2022 deployment into the 2025 structure: Tứ Kỳ's default data, teams registered
//! in 2022, then `units reorganize` with the real map rows of Tứ Kỳ → 6 communes of Thành phố
//! Hải Phòng. Every team is present under its new commune, residents find the communes by
//! old and new names, the province's report equals the old district's, officials follow.

mod deployment;
mod guards;
mod tu_ky;

pub use deployment::tu_ky_map;
