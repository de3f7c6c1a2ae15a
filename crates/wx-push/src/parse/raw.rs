//! The flat shape one guarded pass over the body fills: every field WeChat's pushes use, borrowed from the body,
//! placed by where its element sits (a small state machine, no element path built).

use std::borrow::Cow;

use crate::xml::{XmlVisitor, append};

/// A field's text, borrowed from the body unless it had to be joined from pieces; `None` when the element is absent.
pub(super) type Text<'a> = Option<Cow<'a, str>>;

/// Every field WeChat uses, filled in the guard's own pass over the body (the plain-shape fast path or quick-xml's
/// pull reader, no second pass): `POST /wechat` parses one of these per push, and this is most of its cost. Nothing is copied until the
/// typed value is built, and then only the text that ends up in it.
#[derive(Default)]
pub(super) struct RawPush<'a> {
    pub(super) to_user_name: Text<'a>,
    pub(super) from_user_name: Text<'a>,
    pub(super) create_time: Text<'a>,
    pub(super) msg_type: Text<'a>,
    pub(super) content: Text<'a>,
    pub(super) msg_id: Text<'a>,
    pub(super) pic_url: Text<'a>,
    pub(super) media_id: Text<'a>,
    pub(super) format: Text<'a>,
    pub(super) recognition: Text<'a>,
    pub(super) thumb_media_id: Text<'a>,
    pub(super) location_x: Text<'a>,
    pub(super) location_y: Text<'a>,
    pub(super) scale: Text<'a>,
    pub(super) label: Text<'a>,
    pub(super) title: Text<'a>,
    pub(super) description: Text<'a>,
    pub(super) url: Text<'a>,
    pub(super) event: Text<'a>,
    pub(super) event_key: Text<'a>,
    pub(super) ticket: Text<'a>,
    pub(super) latitude: Text<'a>,
    pub(super) longitude: Text<'a>,
    pub(super) precision: Text<'a>,
    pub(super) menu_id: Text<'a>,
    pub(super) scan_code_info: Option<RawScanCodeInfo<'a>>,
    pub(super) send_pics_info: Option<RawSendPicsInfo<'a>>,
    pub(super) send_location_info: Option<RawSendLocationInfo<'a>>,
    /// `TEMPLATESENDJOBFINISH` spells it `MsgID`.
    pub(super) template_msg_id: Text<'a>,
    pub(super) status: Text<'a>,
    /// The innermost open element that WeChat's pushes use.
    at: Node,
    /// How many elements WeChat's pushes do not use are open inside `at`: nothing inside them is read.
    unknown: usize,
    /// The field whose text is being read: set while the innermost open element is the first copy of a field.
    filling: Option<Field>,
}

#[derive(Default)]
pub(super) struct RawScanCodeInfo<'a> {
    pub(super) scan_type: Text<'a>,
    pub(super) scan_result: Text<'a>,
}

#[derive(Default)]
pub(super) struct RawSendPicsInfo<'a> {
    pub(super) count: Text<'a>,
    pub(super) pic_md5_sums: Vec<Text<'a>>,
}

#[derive(Default)]
pub(super) struct RawSendLocationInfo<'a> {
    pub(super) location_x: Text<'a>,
    pub(super) location_y: Text<'a>,
    pub(super) scale: Text<'a>,
    pub(super) label: Text<'a>,
    pub(super) poiname: Text<'a>,
}

/// Where an element sits in the shape of WeChat's pushes. Knowing the innermost open one is enough to place its
/// children, so no element path is built (nesting is shallow and fixed: `SendPicsInfo/PicList/item/PicMd5Sum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Node {
    /// Outside the root element.
    #[default]
    Document,
    /// The root, whatever its name.
    Root,
    ScanCodeInfo,
    SendPicsInfo,
    PicList,
    PicItem,
    SendLocationInfo,
    /// An element with text.
    Field(Field),
}

/// The elements with text, each where WeChat puts it: the root's children, then each container's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ToUserName,
    FromUserName,
    CreateTime,
    MsgType,
    Content,
    MsgId,
    PicUrl,
    MediaId,
    Format,
    Recognition,
    ThumbMediaId,
    LocationX,
    LocationY,
    Scale,
    Label,
    Title,
    Description,
    Url,
    Event,
    EventKey,
    Ticket,
    Latitude,
    Longitude,
    Precision,
    MenuId,
    TemplateMsgId,
    Status,
    /// `ScanCodeInfo`'s.
    ScanType,
    ScanResult,
    /// `SendPicsInfo`'s.
    PicCount,
    /// `SendPicsInfo/PicList/item`'s.
    PicMd5Sum,
    /// `SendLocationInfo`'s.
    SendLocationX,
    SendLocationY,
    SendScale,
    SendLabel,
    SendPoiname,
}

impl Node {
    /// The element `name` opened inside this one; `None` for one WeChat's pushes do not use there.
    fn child(self, name: &str) -> Option<Node> {
        use Field as F;
        let field = match (self, name) {
            (Node::Document, _) => return Some(Node::Root),
            (Node::Root, "ScanCodeInfo") => return Some(Node::ScanCodeInfo),
            (Node::Root, "SendPicsInfo") => return Some(Node::SendPicsInfo),
            (Node::Root, "SendLocationInfo") => return Some(Node::SendLocationInfo),
            (Node::SendPicsInfo, "PicList") => return Some(Node::PicList),
            (Node::PicList, "item") => return Some(Node::PicItem),
            (Node::Root, name) => match name {
                "ToUserName" => F::ToUserName,
                "FromUserName" => F::FromUserName,
                "CreateTime" => F::CreateTime,
                "MsgType" => F::MsgType,
                "Content" => F::Content,
                "MsgId" => F::MsgId,
                "PicUrl" => F::PicUrl,
                "MediaId" => F::MediaId,
                "Format" => F::Format,
                "Recognition" => F::Recognition,
                "ThumbMediaId" => F::ThumbMediaId,
                "Location_X" => F::LocationX,
                "Location_Y" => F::LocationY,
                "Scale" => F::Scale,
                "Label" => F::Label,
                "Title" => F::Title,
                "Description" => F::Description,
                "Url" => F::Url,
                "Event" => F::Event,
                "EventKey" => F::EventKey,
                "Ticket" => F::Ticket,
                "Latitude" => F::Latitude,
                "Longitude" => F::Longitude,
                "Precision" => F::Precision,
                "MenuId" => F::MenuId,
                "MsgID" => F::TemplateMsgId,
                "Status" => F::Status,
                _ => return None,
            },
            (Node::ScanCodeInfo, "ScanType") => F::ScanType,
            (Node::ScanCodeInfo, "ScanResult") => F::ScanResult,
            (Node::SendPicsInfo, "Count") => F::PicCount,
            (Node::PicItem, "PicMd5Sum") => F::PicMd5Sum,
            (Node::SendLocationInfo, "Location_X") => F::SendLocationX,
            (Node::SendLocationInfo, "Location_Y") => F::SendLocationY,
            (Node::SendLocationInfo, "Scale") => F::SendScale,
            (Node::SendLocationInfo, "Label") => F::SendLabel,
            (Node::SendLocationInfo, "Poiname") => F::SendPoiname,
            _ => return None,
        };
        Some(Node::Field(field))
    }

    /// The element this one opens in: the inverse of [`child`](Self::child).
    fn parent(self) -> Node {
        use Field as F;
        match self {
            Node::Document | Node::Root => Node::Document,
            Node::ScanCodeInfo | Node::SendPicsInfo | Node::SendLocationInfo => Node::Root,
            Node::PicList | Node::Field(F::PicCount) => Node::SendPicsInfo,
            Node::PicItem => Node::PicList,
            Node::Field(F::ScanType | F::ScanResult) => Node::ScanCodeInfo,
            Node::Field(F::PicMd5Sum) => Node::PicItem,
            Node::Field(F::SendLocationX | F::SendLocationY | F::SendScale | F::SendLabel | F::SendPoiname) => {
                Node::SendLocationInfo
            }
            Node::Field(_) => Node::Root,
        }
    }
}

impl<'a> RawPush<'a> {
    /// The text slot of a field; `None` inside a container that is not there (which `start` rules out).
    fn slot(&mut self, field: Field) -> Option<&mut Text<'a>> {
        use Field as F;
        Some(match field {
            F::ToUserName => &mut self.to_user_name,
            F::FromUserName => &mut self.from_user_name,
            F::CreateTime => &mut self.create_time,
            F::MsgType => &mut self.msg_type,
            F::Content => &mut self.content,
            F::MsgId => &mut self.msg_id,
            F::PicUrl => &mut self.pic_url,
            F::MediaId => &mut self.media_id,
            F::Format => &mut self.format,
            F::Recognition => &mut self.recognition,
            F::ThumbMediaId => &mut self.thumb_media_id,
            F::LocationX => &mut self.location_x,
            F::LocationY => &mut self.location_y,
            F::Scale => &mut self.scale,
            F::Label => &mut self.label,
            F::Title => &mut self.title,
            F::Description => &mut self.description,
            F::Url => &mut self.url,
            F::Event => &mut self.event,
            F::EventKey => &mut self.event_key,
            F::Ticket => &mut self.ticket,
            F::Latitude => &mut self.latitude,
            F::Longitude => &mut self.longitude,
            F::Precision => &mut self.precision,
            F::MenuId => &mut self.menu_id,
            F::TemplateMsgId => &mut self.template_msg_id,
            F::Status => &mut self.status,
            F::ScanType => &mut self.scan_code_info.as_mut()?.scan_type,
            F::ScanResult => &mut self.scan_code_info.as_mut()?.scan_result,
            F::PicCount => &mut self.send_pics_info.as_mut()?.count,
            F::PicMd5Sum => self.send_pics_info.as_mut()?.pic_md5_sums.last_mut()?,
            F::SendLocationX => &mut self.send_location_info.as_mut()?.location_x,
            F::SendLocationY => &mut self.send_location_info.as_mut()?.location_y,
            F::SendScale => &mut self.send_location_info.as_mut()?.scale,
            F::SendLabel => &mut self.send_location_info.as_mut()?.label,
            F::SendPoiname => &mut self.send_location_info.as_mut()?.poiname,
        })
    }
}

impl<'a> XmlVisitor<'a> for RawPush<'a> {
    fn start(&mut self, _depth: usize, name: &str) {
        self.filling = None;
        if self.unknown > 0 {
            self.unknown += 1;
            return;
        }
        let Some(node) = self.at.child(name) else {
            self.unknown = 1;
            return;
        };
        self.at = node;
        match node {
            Node::ScanCodeInfo => drop(self.scan_code_info.get_or_insert_default()),
            Node::SendPicsInfo => drop(self.send_pics_info.get_or_insert_default()),
            Node::SendLocationInfo => drop(self.send_location_info.get_or_insert_default()),
            Node::PicItem => self.send_pics_info.get_or_insert_default().pic_md5_sums.push(None),
            // The first occurrence of a field wins; an empty element is present with empty text.
            Node::Field(field) => {
                if let Some(slot @ None) = self.slot(field) {
                    *slot = Some(Cow::Borrowed(""));
                    self.filling = Some(field);
                }
            }
            Node::Document | Node::Root | Node::PicList => {}
        }
    }

    fn text(&mut self, text: Cow<'a, str>) {
        if let Some(field) = self.filling
            && let Some(Some(slot)) = self.slot(field)
        {
            append(slot, text);
        }
    }

    fn end(&mut self) {
        self.filling = None;
        if self.unknown > 0 {
            self.unknown -= 1;
        } else {
            self.at = self.at.parent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Field, Node};

    /// `parent` must undo `child` for every element WeChat's pushes use, or a closing tag would leave the parser
    /// in the wrong place.
    #[test]
    fn parent_undoes_child() {
        let containers = [
            Node::Document,
            Node::Root,
            Node::ScanCodeInfo,
            Node::SendPicsInfo,
            Node::PicList,
            Node::PicItem,
            Node::SendLocationInfo,
            Node::Field(Field::Content),
        ];
        let names = "xml ToUserName FromUserName CreateTime MsgType Content MsgId PicUrl MediaId Format Recognition \
            ThumbMediaId Location_X Location_Y Scale Label Title Description Url Event EventKey Ticket Latitude \
            Longitude Precision MenuId MsgID Status ScanCodeInfo ScanType ScanResult SendPicsInfo Count PicList item \
            PicMd5Sum SendLocationInfo Poiname Other";
        let mut known = 0;
        for node in containers {
            for name in names.split_whitespace() {
                if let Some(child) = node.child(name) {
                    assert_eq!(child.parent(), node, "<{name}> in {node:?}");
                    known += 1;
                }
            }
        }
        // Every name once under the document (as the root), the root's 27 fields and 3 containers, and the
        // containers' children: ScanCodeInfo's 2, SendPicsInfo's 2, PicList's 1, item's 1, SendLocationInfo's 5.
        assert_eq!(known, names.split_whitespace().count() + 27 + 3 + 2 + 2 + 1 + 1 + 5);
    }
}
