//! Widgets shared by several features. No data access here: they render what they are given.

mod confirm_dialog;
mod error_note;
mod flash;
pub mod focus;
mod pane;
mod principal_picker;
mod room_picker;
mod search_box;
mod typed_confirm_dialog;

pub use confirm_dialog::ConfirmDialog;
pub use error_note::{field_error_id, form_error, successes, ErrorNote, FieldError, ResultNote};
pub use flash::Flash;
pub use pane::{Pager, Pane, PaneHeader, PaneState};
pub use principal_picker::PrincipalPicker;
pub use room_picker::RoomPicker;
pub use search_box::SearchBox;
pub use typed_confirm_dialog::TypedConfirmDialog;

/// "1 room", "3 rooms": a count with its noun.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
