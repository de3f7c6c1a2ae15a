//! Typed names for `jsApiList` ([`JsApi`]) and `openTagList` ([`OpenTag`]).

macro_rules! js_apis {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal => $bridge:literal, )*) => {
        /// A JS-SDK interface name, as put in `wx.config`'s `jsApiList`.
        ///
        /// [`JsApi::ALL_1_6_0`] is the full 1.6.0 list (37 names); the extra variants are the interfaces the SDK
        /// has beyond that list (getLocalImgData, openAddress, the beacon APIs, …), which also go in `jsApiList`
        /// when used. [`JsApi::UNDOCUMENTED`] are the four functions jweixin 1.6.0 carries that neither the
        /// JS-SDK documentation nor the npm typings list: WeChat may refuse them to an ordinary Official Account.
        ///
        /// ```
        /// use wx_jssdk::JsApi;
        /// assert_eq!(JsApi::GetLocation.name(), "getLocation");
        /// assert_eq!(JsApi::GetLocation.bridge_name(), "geoLocation");
        /// assert_eq!("chooseWXPay".parse::<JsApi>(), Ok(JsApi::ChooseWxPay));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum JsApi {
            $( $(#[$doc])* $variant, )*
        }

        impl JsApi {
            /// Every name this crate binds.
            pub const ALL: &'static [JsApi] = &[ $( JsApi::$variant, )* ];

            /// The SDK name (`wx.<name>`, and the `jsApiList` entry).
            ///
            /// ```
            /// assert_eq!(wx_jssdk::JsApi::ScanQrCode.name(), "scanQRCode");
            /// ```
            pub fn name(self) -> &'static str {
                match self { $( JsApi::$variant => $name, )* }
            }

            /// The name jweixin uses on `WeixinJSBridge` (its mapping table), e.g. `previewImage` → `imagePreview`.
            ///
            /// ```
            /// assert_eq!(wx_jssdk::JsApi::ChooseWxPay.bridge_name(), "getBrandWCPayRequest");
            /// ```
            pub fn bridge_name(self) -> &'static str {
                match self { $( JsApi::$variant => $bridge, )* }
            }

            /// The API whose SDK name or bridge name is `name`.
            ///
            /// ```
            /// assert_eq!(wx_jssdk::JsApi::from_any_name("imagePreview"), Some(wx_jssdk::JsApi::PreviewImage));
            /// ```
            pub fn from_any_name(name: &str) -> Option<JsApi> {
                JsApi::ALL.iter().copied().find(|a| a.name() == name || a.bridge_name() == name)
            }
        }
    };
}

js_apis! {
    /// Share to friends (new API).
    UpdateAppMessageShareData = "updateAppMessageShareData" => "updateAppMessageShareData",
    /// Share to Moments (new API).
    UpdateTimelineShareData = "updateTimelineShareData" => "updateTimelineShareData",
    /// Legacy share-to-Moments listener.
    OnMenuShareTimeline = "onMenuShareTimeline" => "menu:share:timeline",
    /// Legacy share-to-friend listener.
    OnMenuShareAppMessage = "onMenuShareAppMessage" => "menu:share:appmessage",
    /// Legacy share-to-QQ listener.
    OnMenuShareQQ = "onMenuShareQQ" => "menu:share:qq",
    /// Legacy share-to-Weibo listener.
    OnMenuShareWeibo = "onMenuShareWeibo" => "menu:share:weiboApp",
    /// Legacy share-to-QZone listener.
    OnMenuShareQZone = "onMenuShareQZone" => "menu:share:QZone",
    /// Start recording voice.
    StartRecord = "startRecord" => "startRecord",
    /// Stop recording voice.
    StopRecord = "stopRecord" => "stopRecord",
    /// Listener: recording stopped by itself after one minute.
    OnVoiceRecordEnd = "onVoiceRecordEnd" => "onVoiceRecordEnd",
    /// Play a recorded voice.
    PlayVoice = "playVoice" => "playVoice",
    /// Pause playback.
    PauseVoice = "pauseVoice" => "pauseVoice",
    /// Stop playback.
    StopVoice = "stopVoice" => "stopVoice",
    /// Listener: playback finished.
    OnVoicePlayEnd = "onVoicePlayEnd" => "onVoicePlayEnd",
    /// Upload a recorded voice to WeChat's servers.
    UploadVoice = "uploadVoice" => "uploadVoice",
    /// Download a voice by server id.
    DownloadVoice = "downloadVoice" => "downloadVoice",
    /// Pick photos from the album or camera.
    ChooseImage = "chooseImage" => "chooseImage",
    /// Full-screen image preview.
    PreviewImage = "previewImage" => "imagePreview",
    /// Upload a chosen image to WeChat's servers.
    UploadImage = "uploadImage" => "uploadImage",
    /// Download an image by server id.
    DownloadImage = "downloadImage" => "downloadImage",
    /// Speech to text.
    TranslateVoice = "translateVoice" => "translateVoice",
    /// Network type (wifi, 4g, …).
    GetNetworkType = "getNetworkType" => "getNetworkType",
    /// Show a location in WeChat's map.
    OpenLocation = "openLocation" => "openLocation",
    /// The device's position.
    GetLocation = "getLocation" => "geoLocation",
    /// Hide the top-right menu.
    HideOptionMenu = "hideOptionMenu" => "hideOptionMenu",
    /// Show the top-right menu.
    ShowOptionMenu = "showOptionMenu" => "showOptionMenu",
    /// Hide menu items.
    HideMenuItems = "hideMenuItems" => "hideMenuItems",
    /// Show menu items.
    ShowMenuItems = "showMenuItems" => "showMenuItems",
    /// Hide all non-basic menu items.
    HideAllNonBaseMenuItem = "hideAllNonBaseMenuItem" => "hideAllNonBaseMenuItem",
    /// Show all non-basic menu items.
    ShowAllNonBaseMenuItem = "showAllNonBaseMenuItem" => "showAllNonBaseMenuItem",
    /// Close the page.
    CloseWindow = "closeWindow" => "closeWindow",
    /// WeChat's QR / barcode scanner.
    ScanQrCode = "scanQRCode" => "scanQRCode",
    /// WeChat Pay.
    ChooseWxPay = "chooseWXPay" => "getBrandWCPayRequest",
    /// Open a WeChat shop product page.
    OpenProductSpecificView = "openProductSpecificView" => "openProductViewWithPid",
    /// Add cards to the card wallet.
    AddCard = "addCard" => "batchAddCard",
    /// Choose a card from the wallet.
    ChooseCard = "chooseCard" => "chooseCard",
    /// Open cards in the wallet.
    OpenCard = "openCard" => "batchViewCard",
    /// Read a chosen image as base64 (iOS WKWebView).
    GetLocalImgData = "getLocalImgData" => "getLocalImgData",
    /// The user's shipping address.
    OpenAddress = "openAddress" => "editAddress",
    /// Start searching iBeacons.
    StartSearchBeacons = "startSearchBeacons" => "startMonitoringBeacons",
    /// Stop searching iBeacons.
    StopSearchBeacons = "stopSearchBeacons" => "stopMonitoringBeacons",
    /// Listener: iBeacons in range.
    OnSearchBeacons = "onSearchBeacons" => "onBeaconsInRange",
    /// Consume a card and share it again.
    ConsumeAndShareCard = "consumeAndShareCard" => "consumedShareCard",
    /// Undocumented: open a WeCom enterprise red packet (a WeChat Pay request).
    OpenEnterpriseRedPacket = "openEnterpriseRedPacket" => "getRecevieBizHongBaoRequest",
    /// Undocumented in the JS-SDK (documented by WeCom): open a WeCom chat with colleagues.
    OpenEnterpriseChat = "openEnterpriseChat" => "openEnterpriseChat",
    /// Undocumented: open another mini program from the page.
    LaunchMiniProgram = "launchMiniProgram" => "launchMiniProgram",
    /// Undocumented in the JS-SDK (documented by WeChat Pay): open a WeChat business view such as Pay Score.
    OpenBusinessView = "openBusinessView" => "openBusinessView",
}

impl JsApi {
    /// The 37 names of jweixin 1.6.0's `jsApiList`, in the documented order.
    pub const ALL_1_6_0: [JsApi; 37] = [
        JsApi::UpdateAppMessageShareData,
        JsApi::UpdateTimelineShareData,
        JsApi::OnMenuShareTimeline,
        JsApi::OnMenuShareAppMessage,
        JsApi::OnMenuShareQQ,
        JsApi::OnMenuShareWeibo,
        JsApi::OnMenuShareQZone,
        JsApi::StartRecord,
        JsApi::StopRecord,
        JsApi::OnVoiceRecordEnd,
        JsApi::PlayVoice,
        JsApi::PauseVoice,
        JsApi::StopVoice,
        JsApi::OnVoicePlayEnd,
        JsApi::UploadVoice,
        JsApi::DownloadVoice,
        JsApi::ChooseImage,
        JsApi::PreviewImage,
        JsApi::UploadImage,
        JsApi::DownloadImage,
        JsApi::TranslateVoice,
        JsApi::GetNetworkType,
        JsApi::OpenLocation,
        JsApi::GetLocation,
        JsApi::HideOptionMenu,
        JsApi::ShowOptionMenu,
        JsApi::HideMenuItems,
        JsApi::ShowMenuItems,
        JsApi::HideAllNonBaseMenuItem,
        JsApi::ShowAllNonBaseMenuItem,
        JsApi::CloseWindow,
        JsApi::ScanQrCode,
        JsApi::ChooseWxPay,
        JsApi::OpenProductSpecificView,
        JsApi::AddCard,
        JsApi::ChooseCard,
        JsApi::OpenCard,
    ];

    /// The functions jweixin 1.6.0 carries that neither WeChat's JS-SDK documentation nor the npm typings list,
    /// in the order of the SDK's code. They are bound (and go in `jsApiList` like any other), but WeChat may
    /// answer `permission denied` or `function not exist` to an account or client it has not opened them to:
    /// WeCom's red packets and chats, mini-program launches, and WeChat Pay's business views (Pay Score).
    ///
    /// ```
    /// use wx_jssdk::JsApi;
    /// assert!(JsApi::LaunchMiniProgram.is_undocumented());
    /// assert!(JsApi::UNDOCUMENTED.iter().all(|a| !JsApi::ALL_1_6_0.contains(a)));
    /// ```
    pub const UNDOCUMENTED: [JsApi; 4] = [
        JsApi::OpenEnterpriseRedPacket,
        JsApi::OpenEnterpriseChat,
        JsApi::LaunchMiniProgram,
        JsApi::OpenBusinessView,
    ];

    /// Whether this is one of [`JsApi::UNDOCUMENTED`].
    ///
    /// ```
    /// assert!(!wx_jssdk::JsApi::ChooseWxPay.is_undocumented());
    /// ```
    pub fn is_undocumented(self) -> bool {
        JsApi::UNDOCUMENTED.contains(&self)
    }
}

impl std::fmt::Display for JsApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown JS-SDK API name.
///
/// ```
/// let err = "chooseimage".parse::<wx_jssdk::JsApi>().unwrap_err();
/// assert!(err.to_string().contains("camelCase"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a JS-SDK 1.6.0 API name (names are camelCase, e.g. `chooseImage`)")]
pub struct UnknownName(pub String);

impl std::str::FromStr for JsApi {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JsApi::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

impl serde::Serialize for JsApi {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// An open tag, as put in `wx.config`'s `openTagList`.
///
/// Open tags are custom elements WeChat renders natively once `config` (with the tag in `openTagList`) has
/// succeeded. Render one with [`OpenTag::create_element`] (or write the tag in HTML): its children must be a
/// `<script type="text/wxtag-template">` (or `<template>`) holding the button's own markup, because the tag
/// renders inside a shadow root with its own styles.
///
/// ```
/// use wx_jssdk::OpenTag;
/// assert_eq!(OpenTag::LaunchWeapp.name(), "wx-open-launch-weapp");
/// assert_eq!(OpenTag::ALL.len(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpenTag {
    /// `wx-open-launch-weapp`: open a mini program (attributes `appid`/`username`, `path`).
    LaunchWeapp,
    /// `wx-open-launch-app`: open a native app (attributes `appid`, `extinfo`).
    LaunchApp,
    /// `wx-open-subscribe`: one-time subscription messages (attribute `template`).
    Subscribe,
    /// `wx-open-audio`: an audio player (attributes `title`, `src`, …).
    Audio,
}

impl OpenTag {
    /// All four tags.
    pub const ALL: [OpenTag; 4] = [
        OpenTag::LaunchWeapp,
        OpenTag::LaunchApp,
        OpenTag::Subscribe,
        OpenTag::Audio,
    ];

    /// The element name.
    ///
    /// ```
    /// assert_eq!(wx_jssdk::OpenTag::Audio.name(), "wx-open-audio");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            OpenTag::LaunchWeapp => "wx-open-launch-weapp",
            OpenTag::LaunchApp => "wx-open-launch-app",
            OpenTag::Subscribe => "wx-open-subscribe",
            OpenTag::Audio => "wx-open-audio",
        }
    }

    /// Creates the tag element with `attributes` and a `<script type="text/wxtag-template">` child holding
    /// `template_html` (the markup of the button WeChat shows). Insert it after `config` succeeded.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), wasm_bindgen::JsValue> {
    /// let doc = web_sys::window().unwrap().document().unwrap();
    /// let tag = wx_jssdk::OpenTag::LaunchWeapp.create_element(
    ///     &doc,
    ///     &[("username", "gh_abc123"), ("path", "pages/index.html")],
    ///     "<button style=\"padding:8px\">Open the mini program</button>",
    /// )?;
    /// doc.body().unwrap().append_child(&tag)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The DOM exception if an attribute name is invalid.
    pub fn create_element(
        self,
        document: &web_sys::Document,
        attributes: &[(&str, &str)],
        template_html: &str,
    ) -> Result<web_sys::Element, wasm_bindgen::JsValue> {
        let el = document.create_element(self.name())?;
        for (k, v) in attributes {
            el.set_attribute(k, v)?;
        }
        let template = document.create_element("script")?;
        template.set_attribute("type", "text/wxtag-template")?;
        template.set_inner_html(template_html);
        el.append_child(&template)?;
        Ok(el)
    }
}

impl serde::Serialize for OpenTag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::JsApi;

    #[test]
    fn names_round_trip_and_are_unique() {
        for api in JsApi::ALL {
            assert_eq!(api.name().parse::<JsApi>(), Ok(*api));
            assert_eq!(JsApi::from_any_name(api.bridge_name()), Some(*api));
        }
        let mut names: Vec<_> = JsApi::ALL.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), JsApi::ALL.len());
        assert!("chooseimage".parse::<JsApi>().is_err());
    }
}
