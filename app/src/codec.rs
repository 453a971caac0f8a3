//! The JSON that server functions speak, as `server_fn`'s own `Json` but read as text.
//!
//! A page's data reaches the browser two ways: inside the server's HTML, which a resource reads
//! with `serde_json::from_str`, and as a server function's reply, which `server_fn`'s `Json`
//! reads with `serde_json::from_slice`. The two readers are two types, so the WebAssembly held
//! every `Deserialize` twice, once per reader. Reading replies as text too leaves one copy
//! (issue 11: the main module's size is the first load's time).

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The body format: `application/json`, the same bytes as `server_fn`'s `JsonEncoding`.
pub struct JsonText;

/// Arguments and replies as JSON in the body of a `POST`.
pub type Json = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn a_reply_reads_back_as_it_was_written() {
        let error = AppError::Conflict("A role named “Help desk” exists.".into());
        let bytes = <JsonText as Encodes<AppError>>::encode(&error).unwrap_or_default();
        assert_eq!(
            <JsonText as Decodes<AppError>>::decode(bytes).ok(),
            Some(error)
        );
    }

    #[test]
    fn a_reply_that_is_not_text_is_an_error_not_a_panic() {
        let bytes = Bytes::from_static(b"\"\xff\xfe\"");
        assert!(<JsonText as Decodes<String>>::decode(bytes).is_err());
    }
}
