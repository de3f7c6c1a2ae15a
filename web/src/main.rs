//! wxkit's H5 app. Everything lives in modules; this only mounts the root component.

mod api;
mod app;
mod components;
mod effect;
mod route;
mod router;
mod task;
mod updater;
mod wx;

// talc instead of the default dlmalloc: the same job in fewer bytes, which the app's size budget needs.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    yew::Renderer::<app::App>::new().render();
}
