use crate::{
    components::{
        diagnostics_panel::{DiagnosticsState, diagnostics_panel},
        home_panel::{HomeState, home_panel},
        location_panel::{LocationState, location_panel},
        me_panel::{MeState, load_me, me_panel},
        photos_panel::{PhotosState, photos_panel},
        scan_panel::{ScanState, scan_panel},
        share_panel::{ShareState, share_panel},
        signature_debugger::{Inputs, follow_config},
    },
    effect::{Effect, no_cleanup, use_effect_keyed},
    route::Route,
    updater::{Change, Updater},
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

/// Where the panels' states are kept: one reducer for the seven panels and the signature debugger (one state
/// type: ARCHITECTURE.md, "Size rules"). Only this file sees more than one of them; each view gets its own state
/// and an [`Updater`] of it.
struct PanelState {
    home: HomeState,
    share: ShareState,
    scan: ScanState,
    photos: PhotosState,
    location: LocationState,
    me: MeState,
    diagnostics: DiagnosticsState,
    /// The signature debugger's, on the diagnostics panel.
    debugger: Inputs,
}

impl PanelState {
    fn new() -> PanelState {
        PanelState {
            home: HomeState::default(),
            share: ShareState::new(),
            scan: ScanState::default(),
            photos: PhotosState::new(),
            location: LocationState::default(),
            me: MeState::default(),
            diagnostics: DiagnosticsState::default(),
            debugger: Inputs::default(),
        }
    }
}

/// The reducer's value: the panel state, changed in place. A copy per change (`Rc::unwrap_or_clone` always
/// copies here, as the hook keeps the current value too) would clone every panel's state, photos included; a
/// new outer `Rc` per change is what makes the hook render again.
struct Panels(Rc<RefCell<PanelState>>);

impl Reducible for Panels {
    type Action = Change<PanelState>;

    fn reduce(self: Rc<Self>, change: Change<PanelState>) -> Rc<Self> {
        change(&mut self.0.borrow_mut());
        Rc::new(Panels(self.0.clone()))
    }
}

#[derive(Properties, PartialEq)]
struct PanelProps {
    route: Route,
}

/// One component for the seven panels, each a view function over its own state with the updater of that state.
/// Only the route's panel is shown, and the key gives each shown panel fresh state.
#[function_component(Panel)]
fn panel_component(props: &PanelProps) -> Html {
    let wx = use_wx();
    let panels = use_reducer(|| Panels(Rc::new(RefCell::new(PanelState::new()))));
    let all = panels.dispatcher().to_callback();
    let debugger = Updater::new(all.clone(), |s| &mut s.debugger);
    // The debugger and "Me" have effects; hooks run on every render, so the other panels run one that does nothing.
    let (key, effect) = match &wx {
        Some(wx) if props.route == Route::Diagnostics => {
            let inputs = panels.0.borrow();
            follow_config(wx, &inputs.debugger, debugger.clone())
        }
        _ if props.route == Route::Me => load_me(Updater::new(all.clone(), |s| &mut s.me)),
        _ => (String::new(), Box::new(no_cleanup) as Effect),
    };
    use_effect_keyed(key, effect);
    // Changes come from callbacks, tasks and effects, never during a render: this borrow is the only one meanwhile.
    let state = panels.0.borrow();
    // A panel outside a `WxProvider` has nothing to show.
    let Some(wx) = &wx else {
        return Html::default();
    };
    match props.route {
        Route::Home | Route::NotFound => home_panel(wx, &state.home, &Updater::new(all.clone(), |s| &mut s.home)),
        Route::Share => share_panel(wx, &state.share, &Updater::new(all.clone(), |s| &mut s.share)),
        Route::Scan => scan_panel(wx, &state.scan, &Updater::new(all.clone(), |s| &mut s.scan)),
        Route::Photos => photos_panel(wx, &state.photos, &Updater::new(all.clone(), |s| &mut s.photos)),
        Route::Location => location_panel(wx, &state.location, &Updater::new(all.clone(), |s| &mut s.location)),
        Route::Me => me_panel(&state.me),
        Route::Diagnostics => {
            let up = Updater::new(all.clone(), |s| &mut s.diagnostics);
            diagnostics_panel(wx, &state.diagnostics, &up, &state.debugger, &debugger)
        }
    }
}
