use crate::wx::emulator_enabled;
use yew::prelude::*;

/// Outside WeChat the JS-SDK cannot work; offer wx-jssdk's emulator (on by default in dev builds). Stateless,
/// so a view helper rather than a component.
pub fn not_in_wechat_notice() -> Html {
    let onchange = Callback::from(|e: Event| {
        let on = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
        crate::wx::switch_emulator(on);
    });
    html! {
        <div id="not-in-wechat" class="notice">
            { "The WeChat JS-SDK works only inside WeChat's browser. Open this page in WeChat, or run it on \
               wxkit's emulator of WeChat's bridge to try every panel here." }
            <label>
                <input id="emulator-toggle" type="checkbox" checked={emulator_enabled()} {onchange} />
                { "Run on the emulator" }
            </label>
        </div>
    }
}
