//! *Incidents & tickets*: incidents of the rooms in reach with their tickets, in customer mode
//! and for one customer in partner mode; live as devices report.

pub mod api;
pub mod page;
pub mod parts;
