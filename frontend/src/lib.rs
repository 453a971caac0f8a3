#![recursion_limit = "512"]
//! The browser half: hydrates the server-rendered page. Everything else lives in `app`.

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are split out of the main module by area (`lazy_area!` in app/src/lib.rs):
    // hydration waits for the current page's code, so it runs as a task that wasm-bindgen's
    // executor drives.
    _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App)
            .await
            .forget();
        // Says the page answers input now: browser tests and the first-load benchmark wait
        // for it.
        if let Some(html) = leptos::prelude::document().document_element() {
            _ = html.set_attribute("data-hydrated", "");
        }
    });
}
