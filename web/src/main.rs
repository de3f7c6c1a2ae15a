//! wxkit's H5 app. Everything lives in modules; this only mounts the root component.

mod app;
mod components;
mod effect;
mod route;
mod router;
mod task;
mod updater;
mod wx;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
