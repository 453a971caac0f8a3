//! *Reports*: the health of the rooms in reach, incidents over time per category, and each
//! room's availability over a period, drawn as SVG with their numbers as tables and CSV.

pub mod api;
pub mod page;
pub mod parts;
