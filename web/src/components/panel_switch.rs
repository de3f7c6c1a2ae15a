use crate::{
    components::{
        diagnostics_panel::{DiagnosticsState, diagnostics_panel},
        home_panel::{HomeState, home_panel},
        location_panel::{LocationState, location_panel},
        photos_panel::{PhotosState, photos_panel},
        scan_panel::{ScanState, scan_panel},
        share_panel::{ShareState, share_panel},
    },
    route::Route,
    wx::use_wx,
};
use std::{cell::RefCell, rc::Rc};
use yew::prelude::*;

/// The panel of `route`, over the WeChat state of the nearest `WxProvider`. Keyed by the panel it shows, so
/// that another panel starts afresh, as a panel component of its own would.
pub fn panel(route: Route) -> Html {
    let route = match route {
        Route::NotFound => Route::Home,
        route => route,
    };
    html! { <Panel key={route.path()} {route} /> }
}

/// What the panels keep while they are shown: one reducer for all six, changed through an [`Updater`]. One
/// state type rather than a `use_state` per field (ARCHITECTURE.md, "Size rules").
pub struct PanelState {
    pub home: HomeState,
    pub share: ShareState,
    pub scan: ScanState,
    pub photos: PhotosState,
    pub location: LocationState,
    pub diagnostics: DiagnosticsState,
}

impl PanelState {
    fn new() -> PanelState {
        PanelState {
            home: HomeState::default(),
            share: ShareState::new(),
            scan: ScanState::default(),
            photos: PhotosState::new(),
            location: LocationState::default(),
            diagnostics: DiagnosticsState::default(),
        }
    }
}

/// A change of the panel state.
pub type Update = Box<dyn FnOnce(&mut PanelState)>;

/// The reducer's value: the panel state, changed in place. A copy per change (`Rc::unwrap_or_clone`, which
/// always copies here because the hook keeps the current value too) would make the wasm clone every panel's
/// state, errors and photos included; a new outer `Rc` per change is what makes the hook render again.
struct Panels(Rc<RefCell<PanelState>>);

impl Reducible for Panels {
    type Action = Update;

    fn reduce(self: Rc<Self>, update: Update) -> Rc<Self> {
        update(&mut self.0.borrow_mut());
        Rc::new(Panels(self.0.clone()))
    }
}

/// Changes the panel state from callbacks and async tasks. Each change applies to the state current when it
/// runs, so a late answer does not undo what the user did meanwhile.
#[derive(Clone, PartialEq)]
pub struct Updater(UseReducerDispatcher<Panels>);

impl Updater {
    /// Applies `change` and renders the panel again.
    pub fn update(&self, change: impl FnOnce(&mut PanelState) + 'static) {
        self.dispatch(Box::new(change));
    }

    fn dispatch(&self, update: Update) {
        self.0.dispatch(update);
    }
}

#[derive(Properties, PartialEq)]
struct PanelProps {
    route: Route,
}

/// One component for the six panels: each panel is a view function over its part of [`PanelState`]
/// (ARCHITECTURE.md, "Size rules"). Only the route's panel is shown, and the key gives each shown panel fresh state.
#[function_component(Panel)]
fn panel_component(props: &PanelProps) -> Html {
    let wx = use_wx();
    let panels = use_reducer(|| Panels(Rc::new(RefCell::new(PanelState::new()))));
    let up = Updater(panels.dispatcher());
    // Changes come from callbacks and tasks, never during a render: this borrow is the only one meanwhile. Mutable
    // for the signature debugger, whose inputs follow the WeChat config as they are shown.
    let mut state = panels.0.borrow_mut();
    // A panel outside a `WxProvider` has nothing to show.
    let Some(wx) = &wx else {
        return Html::default();
    };
    match props.route {
        Route::Home | Route::NotFound => home_panel(wx, &state.home, &up),
        Route::Share => share_panel(wx, &state.share, &up),
        Route::Scan => scan_panel(wx, &state.scan, &up),
        Route::Photos => photos_panel(wx, &state.photos, &up),
        Route::Location => location_panel(wx, &state.location, &up),
        Route::Diagnostics => diagnostics_panel(wx, &mut state.diagnostics, &up),
    }
}
