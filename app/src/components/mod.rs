//! Widgets shared by several features. No data access here: they render what they are given.

mod confirm_dialog;
mod error_note;
mod flash;
mod pane;
mod principal_picker;
mod room_picker;
mod typed_confirm_dialog;

pub use confirm_dialog::ConfirmDialog;
pub use error_note::{field_error_id, form_error, successes, ErrorNote, FieldError, ResultNote};
pub use flash::Flash;
pub use pane::{Pager, PaneHeader};
pub use principal_picker::PrincipalPicker;
pub use room_picker::RoomPicker;
pub use typed_confirm_dialog::TypedConfirmDialog;
