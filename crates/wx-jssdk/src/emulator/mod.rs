//! WeChat in a desktop browser: a `WeixinJSBridge` emulator that makes the *real* jweixin code work.
//!
//! jweixin only talks to the native `window.WeixinJSBridge`, and only when the user agent says
//! `MicroMessenger`. [`install`] (before [`load_sdk`](crate::load_sdk)) presents a WeChat user agent, installs
//! a bridge written in Rust and fires `WeixinJSBridgeReady`. The bridge:
//!
//! - checks `preVerifyJSAPI` (what `wx.config` sends) as WeChat's servers do: the signature is recomputed
//!   with its own SHA-1 (independent of `wx-sign`, which it thereby checks) over the current jsapi_ticket of
//!   the appId, the nonce, the timestamp as jweixin sent it and the page URL
//!   without `#` (on an emulated iOS device, the landing URL); a mismatch, or a wrong appId, answers
//!   `config:invalid signature`; a page outside `allowed_domains` answers `config:invalid url domain`;
//! - answers APIs that were not in the verified `jsApiList` (or called while verifying) with
//!   `the permission value is offline verifying`, as WeChat does;
//! - answers every API in the native format (so jweixin's own result conversion runs), per device
//!   (Android sends `localIds` as a JSON string, iOS wraps scan results, …);
//! - `chooseImage` opens a file picker and returns object URLs; `getLocation` uses the browser's
//!   geolocation or a fixed point (converted to GCJ-02 for `type: "gcj02"`); `scanQRCode` prompts for the text; share APIs are recorded (and shown
//!   in a small panel);
//! - is scriptable: the next call of any API can be made to cancel, fail, or succeed with a given result,
//!   from Rust ([`Emulator`]) or from JS (`window.__wxkitEmulator`, see [`install`]).
//!
//! The emulator marks its user agent with `wxdebugger` (the WeChat debugger's marker), which makes jweixin
//! skip its telemetry beacon to `open.weixin.qq.com`, and with `wxkit-emulator`.

mod answers;
mod bridge;
mod gcj02;
mod global;
mod open_tags;
mod page;
mod record;
mod verify;

pub use record::{Call, ConfigAttempt, EmulatorRecord, LegacyShare, OpenedLocation, Payment, Preview, ShareContent};

use crate::JsApi;
use std::{
    cell::RefCell,
    collections::{HashMap, VecDeque},
    rc::Rc,
};
use wasm_bindgen::JsValue;

/// The device the emulator pretends to be. It decides the user agent, jweixin's platform-specific result
/// parsing, and which URL the signature is checked against (iOS: the landing URL).
///
/// ```
/// let opts = wx_jssdk::emulator::EmulatorOptions { device: wx_jssdk::emulator::Device::Ios, ..Default::default() };
/// assert_eq!(opts.device, wx_jssdk::emulator::Device::Ios);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    /// An iPhone.
    Ios,
    /// An Android phone (the default).
    #[default]
    Android,
}

/// Where the emulator gets the jsapi_ticket that signatures are checked against.
///
/// ```
/// use wx_jssdk::emulator::TicketSource;
/// assert!(matches!(TicketSource::default(), TicketSource::FakeWechat { url } if url == "/fake-wechat/test-only/jsapi-ticket"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum TicketSource {
    /// `GET {url}?appid=<appId>` → `{"appid","ticket","validTickets"?}`, fetched for every `wx.config` (the fake
    /// WeChat of `wx-server` exposes this). Every ticket in `validTickets` verifies (a renewed ticket overlaps
    /// the previous one until that one expires). 404/400 means "no ticket for this appId" → `invalid signature`.
    FakeWechat {
        /// Default `/fake-wechat/test-only/jsapi-ticket` (same origin as the page).
        url: String,
    },
    /// A fixed ticket for one appId (tests without a backend). Another appId gets `invalid signature`.
    Fixed {
        /// The appId the ticket belongs to.
        app_id: String,
        /// The ticket.
        ticket: String,
    },
}

impl Default for TicketSource {
    fn default() -> Self {
        TicketSource::FakeWechat {
            url: "/fake-wechat/test-only/jsapi-ticket".into(),
        }
    }
}

impl std::fmt::Debug for TicketSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TicketSource::FakeWechat { url } => f.debug_struct("FakeWechat").field("url", url).finish(),
            // The ticket is a secret even in tests: never in Debug output.
            TicketSource::Fixed { app_id, .. } => f
                .debug_struct("Fixed")
                .field("app_id", app_id)
                .field("ticket", &"<redacted>")
                .finish(),
        }
    }
}

/// A fixed position answered by `getLocation`, in WGS-84 (as GPS and the browser give it); a page asking for
/// `type: "gcj02"` gets it converted, as WeChat does.
///
/// ```
/// let here = wx_jssdk::emulator::FixedLocation { latitude: 39.9, longitude: 116.4, accuracy: 30.0 };
/// let opts = wx_jssdk::emulator::EmulatorOptions { location: Some(here), ..Default::default() };
/// assert!(opts.location.is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FixedLocation {
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// Accuracy in metres.
    pub accuracy: f64,
}

/// How the emulator behaves. `EmulatorOptions::default()` is an Android WeChat 8.0.50 that fetches tickets
/// from the fake WeChat, accepts any domain and uses the browser's geolocation.
///
/// ```
/// use wx_jssdk::emulator::{Device, EmulatorOptions, TicketSource};
/// let opts = EmulatorOptions {
///     device: Device::Ios,
///     ticket: TicketSource::Fixed { app_id: "wx123".into(), ticket: "test-ticket".into() },
///     ..Default::default()
/// };
/// assert!(!format!("{opts:?}").contains("test-ticket"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorOptions {
    /// iOS or Android.
    pub device: Device,
    /// The `MicroMessenger/x.y.z` version (must be ≥ 6.0.2 for jweixin to deliver `wx.error`).
    pub wechat_version: String,
    /// Where tickets come from.
    pub ticket: TicketSource,
    /// When set, the JS safe domains: a page on another host gets `config:invalid url domain`.
    pub allowed_domains: Option<Vec<String>>,
    /// `Some`: `getLocation` answers this; `None`: the browser's geolocation.
    pub location: Option<FixedLocation>,
    /// What `getNetworkType` answers (`wifi`, `4g`, …).
    pub network_type: String,
    /// Show a small panel with what share APIs set.
    pub show_panel: bool,
    /// Pretend to be inside a mini program's `<web-view>` (`window.__wxjs_environment = "miniprogram"`).
    pub mini_program: bool,
    /// The landing URL an emulated iOS device checks signatures against (default: `location.href` when
    /// the emulator is installed).
    pub landing_url: Option<String>,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        EmulatorOptions {
            device: Device::Android,
            wechat_version: "8.0.50".into(),
            ticket: TicketSource::default(),
            allowed_domains: None,
            location: None,
            network_type: "wifi".into(),
            show_panel: true,
            mini_program: false,
            landing_url: None,
        }
    }
}

/// How the emulator answers the next call of an API.
///
/// `config` can be scripted too ([`Emulator::script_name`] with `"config"`): `Ok` accepts without checking,
/// `Fail("require subscribe")` answers `config:require subscribe`, `PermissionDenied` answers
/// `config:permission denied`, `NoAnswer` never answers; unscripted configs are verified.
///
/// ```no_run
/// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
/// use wx_jssdk::{JsApi, emulator::Reply};
/// emu.script(JsApi::ScanQrCode, Reply::Cancel);
/// emu.script(JsApi::GetLocation, Reply::Fail("auth deny".into()));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Success with the default result for this API (environment checks, such as "inside a mini program's
    /// web-view", are waived; `chooseImage` still needs images: queue them with [`Emulator::next_images`]).
    Ok,
    /// Success with this result object (native field names, merged over the default result).
    OkWith(JsValue),
    /// The user cancelled: `"<api>:cancel"`.
    Cancel,
    /// Failure: `"<api>:fail <reason>"` (`"<api>:fail"` when empty).
    Fail(String),
    /// The account lacks the permission: `"<api>:permission denied"`.
    PermissionDenied,
    /// No answer at all, ever (to test timeouts; `config` and `close_window` have one).
    NoAnswer,
}

/// Why [`install`] refused.
///
/// ```
/// let e = wx_jssdk::emulator::EmulatorError::SdkAlreadyLoaded;
/// assert!(e.to_string().contains("before wx_jssdk::load_sdk"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// An emulator is already installed in this page; use [`Emulator::current`].
    #[error("the emulator is already installed: use Emulator::current()")]
    AlreadyInstalled,
    /// jweixin was loaded before the emulator: it has already read the (non-WeChat) user agent.
    #[error("jweixin is already loaded: install the emulator before wx_jssdk::load_sdk")]
    SdkAlreadyLoaded,
    /// A real `WeixinJSBridge` exists: this is WeChat, do not emulate it.
    #[error("a real WeixinJSBridge is present (this is WeChat): do not install the emulator")]
    RealBridgePresent,
    /// The browser refused an operation.
    #[error("the browser refused: {0}")]
    Browser(String),
}

impl EmulatorError {
    /// What to do about it, in one sentence (as [`WxError::hint`](crate::WxError::hint)).
    ///
    /// ```
    /// let e = wx_jssdk::emulator::EmulatorError::SdkAlreadyLoaded;
    /// assert!(e.hint().contains("before load_sdk"));
    /// ```
    pub fn hint(&self) -> &'static str {
        match self {
            EmulatorError::AlreadyInstalled => "install the emulator once per page; later, use Emulator::current()",
            EmulatorError::SdkAlreadyLoaded => {
                "call emulator::install before load_sdk (jweixin reads the user agent once)"
            }
            EmulatorError::RealBridgePresent => {
                "this is WeChat: skip the emulator when Environment::detect().in_wechat"
            }
            EmulatorError::Browser(_) => "see the browser console for the JavaScript exception",
        }
    }
}

/// The legacy share menu items a user can tap (`onMenuShare*` listeners).
///
/// ```
/// use wx_jssdk::emulator::MenuShareKind;
/// assert_eq!(MenuShareKind::parse("timeline"), Some(MenuShareKind::Timeline));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuShareKind {
    /// "Share to Moments": `menu:share:timeline` → `shareTimeline`.
    Timeline,
    /// "Send to a friend": `menu:share:appmessage` → `sendAppMessage`.
    AppMessage,
    /// `menu:share:qq` → `shareQQ`.
    Qq,
    /// `menu:share:weiboApp` → `shareWeiboApp`.
    Weibo,
    /// `menu:share:QZone` → `shareQZone`.
    QZone,
}

impl MenuShareKind {
    /// The bridge event name.
    ///
    /// ```
    /// assert_eq!(wx_jssdk::emulator::MenuShareKind::Qq.event(), "menu:share:qq");
    /// ```
    pub fn event(self) -> &'static str {
        match self {
            MenuShareKind::Timeline => "menu:share:timeline",
            MenuShareKind::AppMessage => "menu:share:appmessage",
            MenuShareKind::Qq => "menu:share:qq",
            MenuShareKind::Weibo => "menu:share:weiboApp",
            MenuShareKind::QZone => "menu:share:QZone",
        }
    }

    /// Parses `timeline`, `appmessage`, `qq`, `weibo`, `qzone` (or the event names).
    ///
    /// ```
    /// use wx_jssdk::emulator::MenuShareKind;
    /// assert_eq!(MenuShareKind::parse("menu:share:QZone"), Some(MenuShareKind::QZone));
    /// assert_eq!(MenuShareKind::parse("fax"), None);
    /// ```
    pub fn parse(name: &str) -> Option<MenuShareKind> {
        let n = name.to_ascii_lowercase();
        let n = n.strip_prefix("menu:share:").unwrap_or(&n);
        Some(match n {
            "timeline" => MenuShareKind::Timeline,
            "appmessage" => MenuShareKind::AppMessage,
            "qq" => MenuShareKind::Qq,
            "weibo" | "weiboapp" => MenuShareKind::Weibo,
            "qzone" => MenuShareKind::QZone,
            _ => return None,
        })
    }
}

/// How many answered calls [`EmulatorRecord::calls`] keeps (the oldest are dropped first).
///
/// ```
/// assert!(wx_jssdk::emulator::MAX_RECORDED_CALLS >= 100);
/// ```
pub const MAX_RECORDED_CALLS: usize = 1000;

/// How many bytes of a call's arguments [`Call::args`] keeps (a page may send data: URLs as local ids).
///
/// ```
/// assert!(wx_jssdk::emulator::MAX_RECORDED_ARGS >= 1024);
/// ```
pub const MAX_RECORDED_ARGS: usize = 8 * 1024;

/// A page-supplied list, or an empty one when the page left it out (WeChat accepts `wx.config` without
/// `openTagList`, for instance): `Array.from(undefined)` would throw inside the bridge and never answer.
pub(crate) fn list(value: &JsValue) -> js_sys::Array {
    if js_sys::Array::is_array(value) {
        js_sys::Array::from(value)
    } else {
        js_sys::Array::new()
    }
}

pub(crate) struct Verified {
    /// The appId of the verified config: whose media an upload becomes.
    pub app_id: String,
    /// Bridge names, as jweixin sends them.
    pub js_api_list: Vec<String>,
    /// The verified `openTagList` (element names).
    pub open_tag_list: Vec<String>,
}

pub(crate) struct State {
    pub options: EmulatorOptions,
    pub landing_url: String,
    pub verified: Option<Verified>,
    /// Number of the latest `preVerifyJSAPI`; APIs wait ("offline verifying") until it is answered.
    pub latest_verify: u64,
    /// `latest_verify` is still unanswered.
    pub verifying: bool,
    pub scripts: HashMap<String, VecDeque<Reply>>,
    pub next_images: VecDeque<Vec<String>>,
    pub next_scans: VecDeque<String>,
    /// `WeixinJSBridge.on` callbacks: WeChat's bridge keeps one per event, replaced by each registration.
    pub listeners: HashMap<String, js_sys::Function>,
    pub media: HashMap<String, String>,
    pub counter: u64,
    pub record: EmulatorRecord,
    /// Drawing and tapping open tags, once a config with tags was verified.
    pub open_tags_ui: Option<open_tags::Ui>,
}

thread_local! {
    static INSTALLED: RefCell<Option<Emulator>> = const { RefCell::new(None) };
}

/// A handle on the installed emulator (cheap to clone). Scripts its next answers and reads its record.
///
/// ```no_run
/// # fn demo() -> Result<(), wx_jssdk::emulator::EmulatorError> {
/// let emu = wx_jssdk::emulator::install(Default::default())?;
/// emu.next_scan_result("https://example.com/");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Emulator {
    pub(crate) state: Rc<RefCell<State>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("options", &self.state.borrow().options)
            .finish()
    }
}

/// Installs the emulator in this page. Call it before [`load_sdk`](crate::load_sdk).
///
/// Besides the Rust handle, it exposes `window.__wxkitEmulator` for WebDriver tests:
/// - `record()` → the [`EmulatorRecord`] as a plain object (camelCase);
/// - `script(api, reply)` with `reply` = `{outcome: "ok" | "cancel" | "fail" | "denied" | "none", reason?, result?}`
///   (`api` is the SDK name, e.g. `"chooseImage"`, or `"config"`; see [`Reply`]);
/// - `nextScanResult(text)`, `nextImages([url, …])`, `setLocation(lat, lon, accuracy?)`;
/// - `triggerShare("timeline" | "appmessage" | "qq" | "weibo" | "qzone")`: the user taps a legacy share item;
/// - `emit(event, result)`: fire a bridge event (`onVoiceRecordEnd`, `onVoicePlayEnd`, `onBeaconsInRange`);
/// - `reset()`: clear the record and the scripts; `version`: 1.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use wx_jssdk::emulator::{self, EmulatorOptions};
/// if !wx_jssdk::Environment::detect().in_wechat {
///     emulator::install(EmulatorOptions::default())?;
/// }
/// wx_jssdk::load_sdk(&wx_jssdk::SdkSource::default()).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`EmulatorError`]: already installed, SDK already loaded, or inside real WeChat.
pub fn install(options: EmulatorOptions) -> Result<Emulator, EmulatorError> {
    if Emulator::current().is_some() {
        return Err(EmulatorError::AlreadyInstalled);
    }
    let window = web_sys::window().ok_or_else(|| EmulatorError::Browser("no window".into()))?;
    if crate::js::wx().is_ok() {
        return Err(EmulatorError::SdkAlreadyLoaded);
    }
    if crate::js::get(&window, "WeixinJSBridge").is_object() {
        return Err(EmulatorError::RealBridgePresent);
    }
    let landing_url = options.landing_url.clone().unwrap_or_else(crate::remember_landing_url);
    let record = EmulatorRecord {
        device: match options.device {
            Device::Ios => "ios".into(),
            Device::Android => "android".into(),
        },
        ..EmulatorRecord::default()
    };
    let emulator = Emulator {
        state: Rc::new(RefCell::new(State {
            options,
            landing_url,
            verified: None,
            latest_verify: 0,
            verifying: false,
            scripts: HashMap::new(),
            next_images: VecDeque::new(),
            next_scans: VecDeque::new(),
            listeners: HashMap::new(),
            media: HashMap::new(),
            counter: 0,
            record,
            open_tags_ui: None,
        })),
    };
    let browser = |e: crate::WxError| EmulatorError::Browser(e.to_string());
    page::present_wechat(&emulator.state.borrow().options).map_err(browser)?;
    bridge::install(&emulator).map_err(browser)?;
    global::install(&emulator).map_err(browser)?;
    INSTALLED.with(|i| *i.borrow_mut() = Some(emulator.clone()));
    bridge::fire_ready().map_err(browser)?;
    Ok(emulator)
}

impl Emulator {
    /// The emulator installed in this page, if any.
    ///
    /// ```no_run
    /// if let Some(emu) = wx_jssdk::emulator::Emulator::current() {
    ///     println!("{} configs so far", emu.record().configs.len());
    /// }
    /// ```
    pub fn current() -> Option<Emulator> {
        INSTALLED.with(|i| i.borrow().clone())
    }

    /// Queues how the next call of `api` is answered (several calls queue in order).
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
    /// emu.script(wx_jssdk::JsApi::ChooseImage, wx_jssdk::emulator::Reply::Cancel);
    /// # }
    /// ```
    pub fn script(&self, api: JsApi, reply: Reply) {
        self.script_name(api.name(), reply);
    }

    /// As [`script`](Self::script), by SDK name (also `checkJsApi`, `config`, `invokeMiniProgramAPI`).
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
    /// emu.script_name("config", wx_jssdk::emulator::Reply::Fail("require subscribe".into()));
    /// # }
    /// ```
    pub fn script_name(&self, sdk_name: &str, reply: Reply) {
        self.state
            .borrow_mut()
            .scripts
            .entry(sdk_name.to_owned())
            .or_default()
            .push_back(reply);
    }

    /// The text the next `scanQRCode` (with `need_result`) returns, instead of prompting.
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) { emu.next_scan_result("https://example.com/item/42"); }
    /// ```
    pub fn next_scan_result(&self, text: &str) {
        self.state.borrow_mut().next_scans.push_back(text.to_owned());
    }

    /// The local ids (any URLs, e.g. object URLs) the next `chooseImage` returns, instead of a file picker.
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) { emu.next_images(vec!["data:image/png;base64,iVBORw0K".into()]); }
    /// ```
    pub fn next_images(&self, local_ids: Vec<String>) {
        self.state.borrow_mut().next_images.push_back(local_ids);
    }

    /// Answers `getLocation` with a fixed point from now on (`None`: the browser's geolocation).
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
    /// emu.set_location(Some(wx_jssdk::emulator::FixedLocation { latitude: 31.23, longitude: 121.47, accuracy: 30.0 }));
    /// # }
    /// ```
    pub fn set_location(&self, location: Option<FixedLocation>) {
        self.state.borrow_mut().options.location = location;
    }

    /// Replaces the ticket source (e.g. to emulate a ticket WeChat has rotated).
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
    /// emu.set_ticket(wx_jssdk::emulator::TicketSource::Fixed { app_id: "wx1".into(), ticket: "new".into() });
    /// # }
    /// ```
    pub fn set_ticket(&self, ticket: TicketSource) {
        self.state.borrow_mut().options.ticket = ticket;
    }

    /// Replaces the JS safe domain list (`None`: any domain).
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) { emu.set_allowed_domains(Some(vec!["example.com".into()])); }
    /// ```
    pub fn set_allowed_domains(&self, domains: Option<Vec<String>>) {
        self.state.borrow_mut().options.allowed_domains = domains;
    }

    /// A copy of the record.
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) { assert!(emu.record().configs.iter().all(|c| c.ok)); }
    /// ```
    pub fn record(&self) -> EmulatorRecord {
        self.state.borrow().record.clone()
    }

    /// Clears the record and all scripted answers (the verified config stays).
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) { emu.reset(); }
    /// ```
    pub fn reset(&self) {
        let mut s = self.state.borrow_mut();
        let device = std::mem::take(&mut s.record.device);
        s.record = EmulatorRecord {
            device,
            ..EmulatorRecord::default()
        };
        s.scripts.clear();
        s.next_images.clear();
        s.next_scans.clear();
    }

    /// The user taps a legacy share menu item: fires the `onMenuShare*` listeners (the share is then
    /// answered as scripted for `shareTimeline`/`sendAppMessage`/…, `ok` by default). Returns how many
    /// listeners were called: 1, or 0 when the page registered none (the bridge keeps the latest per event).
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
    /// emu.trigger_share(wx_jssdk::emulator::MenuShareKind::Timeline);
    /// # }
    /// ```
    pub fn trigger_share(&self, kind: MenuShareKind) -> usize {
        self.emit(kind.event(), &js_sys::Object::new().into())
    }

    /// Fires a bridge event with a native result object (`onVoiceRecordEnd`, `onVoicePlayEnd`,
    /// `onBeaconsInRange`, `menu:share:*`). Returns how many listeners were called: 1, or 0 when none is
    /// registered (the bridge keeps the latest per event).
    ///
    /// ```no_run
    /// # fn demo(emu: &wx_jssdk::emulator::Emulator) {
    /// let res = js_sys::Object::new();
    /// js_sys::Reflect::set(&res, &"localId".into(), &"voice-1".into()).unwrap();
    /// emu.emit("onVoiceRecordEnd", &res.into());
    /// # }
    /// ```
    pub fn emit(&self, event: &str, result: &JsValue) -> usize {
        bridge::emit(self, event, result)
    }
}
