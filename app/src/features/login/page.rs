use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The message for a sign-in outcome code the server put in `?error=`; unknown codes get a
/// generic message rather than being echoed.
pub fn login_message(code: &str) -> &'static str {
    match code {
        "invalid_email" => "Enter your work e-mail address, like name@contoso.com.",
        "unknown_domain" => "No organisation uses Rooms MTM with that e-mail domain. Check the address, or ask your administrator.",
        "cancelled" => "Sign-in was cancelled. You can start again.",
        "expired" => "That sign-in attempt has expired or was already used. Start again.",
        "wrong_tenant" => "You signed in with an account of another organisation. Use the account of the organisation you entered.",
        "other_organisation" => "That account belongs to another organisation.",
        "idp_unreachable" => "Your organisation's identity provider could not be reached. Try again in a moment.",
        "idp_error" => "Your identity provider refused the sign-in. Try again, or ask your administrator.",
        "session_ended" => "Your session has ended. Sign in again.",
        _ => "The sign-in could not be completed. Start again; if it keeps happening, tell your administrator.",
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query
            .with(|q| q.get("error"))
            .map(|code| login_message(&code))
    };
    let signed_out = move || query.with(|q| q.get("signed_out")).is_some();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let email = move || query.with(|q| q.get("email")).unwrap_or_default();
    view! {
        <Title text="Sign in · Rooms MTM"/>
        <main class="login" id="main">
            <div class="login-card">
                <p class="brand brand-large" aria-hidden="true">"Rooms MTM"</p>
                <h1>"Sign in"</h1>
                <p class="muted">"Use your work account. We'll send you to your organisation's sign-in page."</p>
                <Show when=signed_out>
                    <p class="note note-success" role="status">"You are signed out."</p>
                </Show>
                {move || error().map(|message| view! { <p class="note note-error" role="alert">{message}</p> })}
                <form method="post" action="/auth/login">
                    <input type="hidden" name="next" value=next/>
                    <div class="field">
                        <label for="email">"Work e-mail address"</label>
                        <input
                            id="email"
                            name="email"
                            type="email"
                            autocomplete="username"
                            required
                            autofocus
                            value=email
                            aria-invalid=move || error().is_some().to_string()
                        />
                    </div>
                    <button type="submit" class="btn btn-primary btn-wide">"Next"</button>
                </form>
            </div>
        </main>
    }
}
